/* "Did you mean" for configuration errors: the closest candidate by edit distance, when it is
 * close enough to be a likely typo. Also the positioned error helper of the config parsers. */
#include <string.h>
#include <strings.h>

#include "internal.h"

static size_t edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a);
  size_t lb = strlen(b);
  if (la > 64 || lb > 64) /* names longer than this are not typos worth guessing */
    return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      if (up + 1 < best)
        best = up + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *asl__suggest(const char *word, const char *const *cands, size_t n)
{
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  size_t len = strlen(word);
  size_t limit = len < 6 ? 2 : len / 3;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, cands[i]);
    if (d == (size_t)-1)
      continue;
    if (strcasecmp(word, cands[i]) == 0)
      d = 0; /* a case slip is the likeliest typo of all */
    if (d < best_d) {
      best_d = d;
      best = cands[i];
    }
  }
  return best_d <= limit ? best : NULL;
}

void asl__suggest_append(asl_buf *b, const char *word, const char *const *cands, size_t n)
{
  const char *s = asl__suggest(word, cands, n);
  if (s)
    asl_buf_printf(b, " (did you mean \"%s\"?)", s);
}

asl_status asl__doc_error(asl_error *err, const asl_json *at, const char *pointer, const char *fmt,
                          ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_error_vset(err, ASL_E_DEFINITION, NULL, fmt, ap);
  va_end(ap);
  asl_error_locate(err, at ? asl_json_pos(at) : ASL_NOPOS, pointer);
  return ASL_E_DEFINITION;
}
