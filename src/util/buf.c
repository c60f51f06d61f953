/* Growable, always NUL-terminated byte buffers. */
#include "aslrun/util.h"

#include <stdio.h>
#include <string.h>

void asl_buf_grow(asl_buf *b, size_t extra)
{
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  b->data = asl_realloc(b->data, cap);
  b->cap = cap;
}

void asl_buf_add(asl_buf *b, const void *p, size_t n)
{
  asl_buf_reserve(b, n);
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void asl_buf_adds(asl_buf *b, const char *s)
{
  asl_buf_add(b, s, strlen(s));
}

void asl_buf_vprintf(asl_buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  asl_buf_reserve(b, 64);
  int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
  if (n >= 0 && (size_t)n >= b->cap - b->len) {
    asl_buf_reserve(b, (size_t)n);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
  }
  va_end(ap2);
  if (n > 0)
    b->len += (size_t)n;
  b->data[b->len] = '\0';
}

void asl_buf_printf(asl_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *asl_buf_steal(asl_buf *b, size_t *len)
{
  if (!b->data) {
    asl_buf_reserve(b, 0);
    b->data[0] = '\0'; /* an empty buffer is an empty string, not 64 unwritten bytes */
  }
  char *p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

void asl_buf_free(asl_buf *b)
{
  asl_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
