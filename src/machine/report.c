/* How the loader reports: diagnostics with a JSON pointer and an offset, a cap so that broken
 * input cannot flood the list, short descriptions of values, and "did you mean" suggestions.
 * The wording of each problem belongs to the checker that finds it (check.c, the loaders). */
#include "internal.h"

#include <string.h>

/* Past this many problems a definition is hopeless; one last line says so. */
#define MAX_DIAGS 500
/* Edit distances are quadratic in the word length: longer words get no suggestion. */
#define MAX_SUGGEST_LEN 128

void asl__vdiag(loader *L, size_t offset, const char *base, const char *field, const char *fmt,
                va_list ap)
{
  if (L->capped)
    return;
  char *ptr = field ? asl__ptr(base, field) : NULL;
  const char *p = field ? ptr : base;
  if (L->d->len - L->d0 >= MAX_DIAGS) {
    L->capped = true;
    /* no position: sorted by offset, the note stays last */
    asl_diags_add(L->d, ASL_NOPOS, "", "more than %d problems; fix these and validate again",
                  MAX_DIAGS);
  } else {
    asl_diags_vadd(L->d, offset, p, fmt, ap);
  }
  asl_free(ptr);
}

void asl__diag(loader *L, size_t offset, const char *base, const char *field, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl__vdiag(L, offset, base, field, fmt, ap);
  va_end(ap);
}

void asl__sdiag(state_ctx *c, field_id f, bool at_key, const char *fmt, ...)
{
  const slot *s = &c->f[f];
  size_t off = at_key || !s->v ? s->kpos : asl__vpos(s);
  if (off == ASL_NOPOS)
    off = c->st->offset;
  va_list ap;
  va_start(ap, fmt);
  asl__vdiag(c->L, off, c->st->pointer, asl__field_names[f], fmt, ap);
  va_end(ap);
}

size_t asl__vpos(const slot *s)
{
  size_t p = s->v ? asl_json_pos(s->v) : ASL_NOPOS;
  return p != ASL_NOPOS ? p : s->kpos;
}

char *asl__describe(const asl_json *v)
{
  switch (asl_json_kind_of(v)) {
  case ASL_JSON_OBJECT:
    return asl_strdup("an object");
  case ASL_JSON_ARRAY:
    return asl_strdup("an array");
  case ASL_JSON_NULL:
  case ASL_JSON_BOOL:
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    return asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  case ASL_JSON_STRING:
    break;
  }
  size_t len = asl_json_str_len(v);
  if (len <= 60)
    return asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  /* cut at a character boundary so the message stays valid UTF-8 */
  const char *s = asl_json_str(v);
  asl_json *head = asl_json_string(s, asl_utf8_floor(s, 50));
  char *q = asl_json_dump(head, ASL_JSON_COMPACT, NULL);
  asl_json_decref(head);
  q[strlen(q) - 1] = '\0'; /* drop the closing quote: the text goes on */
  char *out = asl_strfmt("%s...\" (%zu bytes)", q, len);
  asl_free(q);
  return out;
}

/* ---- suggestions ---- */

static char lower(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance (a swap of two neighbours counts one), letter case ignored;
 * returns more than [limit] as soon as it is sure to. */
static size_t distance(const char *a, size_t n, const char *b, size_t m, size_t limit)
{
  size_t diff = n > m ? n - m : m - n;
  if (diff > limit)
    return limit + 1;
  size_t rows[3][MAX_SUGGEST_LEN + 1];
  size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; j++)
    prev[j] = j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= m; j++) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      size_t d = prev[j] + 1;
      if (cur[j - 1] + 1 < d)
        d = cur[j - 1] + 1;
      if (prev[j - 1] + cost < d)
        d = prev[j - 1] + cost;
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1 < d)
        d = prev2[j - 2] + 1;
      cur[j] = d;
      if (d < row_min)
        row_min = d;
    }
    if (row_min > limit)
      return limit + 1;
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

void asl__suggest_init(suggest *s, const char *word, size_t len)
{
  s->word = word;
  s->len = len;
  s->best = NULL;
  s->best_len = 0;
  /* a third of the word, at least 1 and at most 3 edits */
  size_t limit = len / 3;
  s->dist = (limit < 1 ? 1 : limit > 3 ? 3 : limit) + 1;
}

void asl__suggest_try(suggest *s, const char *cand, size_t len)
{
  if (s->len > MAX_SUGGEST_LEN || len > MAX_SUGGEST_LEN || s->dist == 0)
    return;
  if (len == s->len && memcmp(cand, s->word, len) == 0)
    return; /* the word itself is no suggestion */
  /* distance 0 here means the same letters in another case: the likeliest slip of all */
  size_t d = distance(s->word, s->len, cand, len, s->dist - 1);
  if (d < s->dist) {
    s->dist = d;
    s->best = cand;
    s->best_len = len;
  }
}

const char *asl__suggest_text(const suggest *s, char *buf, size_t cap)
{
  if (!s->best)
    return "";
  asl_json *str = asl_json_string(s->best, s->best_len);
  char *q = asl_json_dump(str, ASL_JSON_COMPACT, NULL);
  asl_json_decref(str);
  size_t n = strlen(q);
  if (n + 20 > cap) {
    asl_free(q);
    return "";
  }
  memcpy(buf, " (did you mean ", 15);
  memcpy(buf + 15, q, n);
  memcpy(buf + 15 + n, "?)", 3);
  asl_free(q);
  return buf;
}
