/* Error values and the diagnostics list: first error wins, every static error is kept. */
#include "aslrun/error.h"


asl_status asl_error_vset(asl_error *err, asl_status code, const char *name, const char *fmt,
                          va_list ap)
{
  if (!err || err->code != ASL_OK)
    return code;
  err->code = code;
  err->name = name ? asl_strdup(name) : NULL;
  err->cause = fmt ? asl_vstrfmt(fmt, ap) : NULL;
  return code;
}

asl_status asl_error_set(asl_error *err, asl_status code, const char *name, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_error_vset(err, code, name, fmt, ap);
  va_end(ap);
  return code;
}

void asl_error_locate(asl_error *err, size_t offset, const char *pointer)
{
  if (!err)
    return;
  if (err->offset == ASL_NOPOS)
    err->offset = offset;
  if (!err->pointer && pointer)
    err->pointer = asl_strdup(pointer);
}

void asl_error_prefix_cause(asl_error *err, const char *prefix)
{
  if (!err)
    return;
  char *c = asl_strfmt("%s%s", prefix, err->cause ? err->cause : "");
  asl_free(err->cause);
  err->cause = c;
}

void asl_error_clear(asl_error *err)
{
  if (!err)
    return;
  asl_free(err->name);
  asl_free(err->cause);
  asl_free(err->pointer);
  *err = (asl_error)ASL_ERROR_INIT;
}

void asl_error_move(asl_error *dst, asl_error *src)
{
  asl_error_clear(dst);
  *dst = *src;
  *src = (asl_error)ASL_ERROR_INIT;
}

bool asl_error_is_set(const asl_error *err)
{
  return err && err->code != ASL_OK;
}

void asl_diags_vadd(asl_diags *d, size_t offset, const char *pointer, const char *fmt, va_list ap)
{
  if (d->len == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 8;
    d->items = asl_realloc(d->items, d->cap * sizeof *d->items);
  }
  asl_diag *x = &d->items[d->len++];
  x->offset = offset;
  x->pointer = asl_strdup(pointer ? pointer : "");
  x->message = asl_vstrfmt(fmt, ap);
}

void asl_diags_add(asl_diags *d, size_t offset, const char *pointer, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_diags_vadd(d, offset, pointer, fmt, ap);
  va_end(ap);
}

void asl_diags_add_error(asl_diags *d, size_t offset, const char *pointer, const asl_error *err)
{
  size_t off = err->offset != ASL_NOPOS ? err->offset : offset;
  const char *ptr = err->pointer ? err->pointer : pointer;
  asl_diags_add(d, off, ptr, "%s", err->cause ? err->cause : "invalid");
}

void asl_diags_sort(asl_diags *d)
{
  /* insertion sort: lists are short, and diagnostics at one offset keep the order found */
  for (size_t i = 1; i < d->len; i++) {
    asl_diag x = d->items[i];
    size_t j = i;
    while (j > 0 && d->items[j - 1].offset > x.offset) {
      d->items[j] = d->items[j - 1];
      j--;
    }
    d->items[j] = x;
  }
}

void asl_diags_free(asl_diags *d)
{
  for (size_t i = 0; i < d->len; i++) {
    asl_free(d->items[i].pointer);
    asl_free(d->items[i].message);
  }
  asl_free(d->items);
  d->items = NULL;
  d->len = d->cap = 0;
}

void asl_diags_print(const asl_diags *d, const char *file, const char *text, size_t len,
                     asl_buf *out)
{
  for (size_t i = 0; i < d->len; i++) {
    const asl_diag *x = &d->items[i];
    int line = 1;
    int col = 1;
    if (x->offset != ASL_NOPOS)
      asl_text_linecol(text, len, x->offset, &line, &col);
    asl_buf_printf(out, "%s:%d:%d: %s: %s\n", file, line, col, x->pointer[0] ? x->pointer : "/",
                   x->message);
  }
}

void asl_pointer_append(asl_buf *b, const char *token, size_t len)
{
  asl_buf_addc(b, '/');
  for (size_t i = 0; i < len; i++) {
    if (token[i] == '~')
      asl_buf_add(b, "~0", 2);
    else if (token[i] == '/')
      asl_buf_add(b, "~1", 2);
    else
      asl_buf_addc(b, token[i]);
  }
}

char *asl_pointer_join(const char *base, const char *token, size_t len)
{
  asl_buf b = ASL_BUF_INIT;
  if (base)
    asl_buf_adds(&b, base);
  asl_pointer_append(&b, token, len);
  return asl_buf_steal(&b, NULL);
}
