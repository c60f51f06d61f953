/* JSON as people read it in test reports and test files: a two-space pretty form with empty
 * containers kept on one line, a compact form cut to a width, and a line diff of two values'
 * pretty forms (longest common subsequence over lines, with context around the changes). */
#include "test.h"

#include <string.h>

static void indent(asl_buf *out, int depth)
{
  for (int i = 0; i < depth; i++)
    asl_buf_adds(out, "  ");
}

static void pretty(const asl_json *v, int depth, asl_buf *out)
{
  switch (asl_json_kind_of(v)) {
  case ASL_JSON_ARRAY:
    if (asl_json_len(v) == 0) {
      asl_buf_adds(out, "[]");
      return;
    }
    asl_buf_adds(out, "[\n");
    for (size_t i = 0; i < asl_json_len(v); i++) {
      indent(out, depth + 1);
      pretty(asl_json_at(v, i), depth + 1, out);
      asl_buf_adds(out, i + 1 < asl_json_len(v) ? ",\n" : "\n");
    }
    indent(out, depth);
    asl_buf_addc(out, ']');
    return;
  case ASL_JSON_OBJECT:
    if (asl_json_len(v) == 0) {
      asl_buf_adds(out, "{}");
      return;
    }
    asl_buf_adds(out, "{\n");
    for (size_t i = 0; i < asl_json_len(v); i++) {
      size_t kl;
      const char *k = asl_json_key_at(v, i, &kl);
      asl_json *key = asl_json_string(k, kl);
      indent(out, depth + 1);
      asl_json_dump_buf(key, ASL_JSON_COMPACT, out);
      asl_json_decref(key);
      asl_buf_adds(out, ": ");
      pretty(asl_json_value_at(v, i), depth + 1, out);
      asl_buf_adds(out, i + 1 < asl_json_len(v) ? ",\n" : "\n");
    }
    indent(out, depth);
    asl_buf_addc(out, '}');
    return;
  case ASL_JSON_NULL:
  case ASL_JSON_BOOL:
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
  case ASL_JSON_STRING:
    asl_json_dump_buf(v, ASL_JSON_COMPACT, out);
    return;
  }
}

void cli_json_pretty(const asl_json *v, asl_buf *out)
{
  pretty(v, 0, out);
}

void cli_json_short(const asl_json *v, size_t max, asl_buf *out)
{
  asl_buf b = ASL_BUF_INIT;
  asl_json_dump_buf(v, ASL_JSON_COMPACT, &b);
  if (b.len <= max || max < 4) {
    asl_buf_add(out, b.data, b.len);
  } else {
    asl_buf_add(out, b.data, asl_utf8_floor(b.data, max - 3));
    asl_buf_adds(out, "...");
  }
  asl_buf_free(&b);
}

/* ---- line diff ---- */

typedef struct lines {
  ASL_VEC(const char *) start;
  ASL_VEC(size_t) len;
  asl_buf text;
} lines;

static void split(const asl_json *v, lines *l)
{
  pretty(v, 0, &l->text);
  const char *p = l->text.data;
  const char *end = p + l->text.len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    ASL_VEC_PUSH(l->start, p);
    ASL_VEC_PUSH(l->len, n);
    p += n + 1;
  }
}

static void lines_free(lines *l)
{
  ASL_VEC_FREE(l->start);
  ASL_VEC_FREE(l->len);
  asl_buf_free(&l->text);
}

static bool same_line(const lines *a, size_t i, const lines *b, size_t j)
{
  return a->len.items[i] == b->len.items[j] &&
         memcmp(a->start.items[i], b->start.items[j], a->len.items[i]) == 0;
}

enum { OP_SAME, OP_DEL, OP_ADD };

#define CONTEXT 3
#define MAX_CELLS ((size_t)4 << 20) /* an LCS table beyond this is not worth it */

static void emit(asl_buf *out, const char *indent_s, char mark, const char *s, size_t n)
{
  asl_buf_adds(out, indent_s);
  asl_buf_addc(out, mark);
  asl_buf_addc(out, ' ');
  asl_buf_add(out, s, n);
  asl_buf_addc(out, '\n');
}

void cli_diff_json(const asl_json *exp, const asl_json *act, const char *indent_s, asl_buf *out)
{
  lines a = {0};
  lines b = {0};
  split(exp, &a);
  split(act, &b);
  size_t n = a.start.len;
  size_t m = b.start.len;
  /* common prefix and suffix first: most diffs are one value somewhere in a large document */
  size_t pre = 0;
  while (pre < n && pre < m && same_line(&a, pre, &b, pre))
    pre++;
  size_t suf = 0;
  while (suf < n - pre && suf < m - pre && same_line(&a, n - 1 - suf, &b, m - 1 - suf))
    suf++;
  size_t an = n - pre - suf;
  size_t bn = m - pre - suf;
  ASL_VEC(int) ops = {0};
  for (size_t i = 0; i < pre; i++)
    ASL_VEC_PUSH(ops, OP_SAME);
  if ((an + 1) * (bn + 1) <= MAX_CELLS) {
    uint32_t *t = asl_calloc((an + 1) * (bn + 1), sizeof *t);
#define T(i, j) t[(i) * (bn + 1) + (j)]
    for (size_t i = an; i-- > 0;)
      for (size_t j = bn; j-- > 0;)
        T(i, j) = same_line(&a, pre + i, &b, pre + j)
                      ? T(i + 1, j + 1) + 1
                      : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
    size_t i = 0;
    size_t j = 0;
    while (i < an || j < bn) {
      if (i < an && j < bn && same_line(&a, pre + i, &b, pre + j)) {
        ASL_VEC_PUSH(ops, OP_SAME);
        i++;
        j++;
      } else if (i < an && (j == bn || T(i + 1, j) >= T(i, j + 1))) {
        /* what was expected first, then what came instead */
        ASL_VEC_PUSH(ops, OP_DEL);
        i++;
      } else {
        ASL_VEC_PUSH(ops, OP_ADD);
        j++;
      }
    }
#undef T
    asl_free(t);
  } else {
    for (size_t i = 0; i < an; i++)
      ASL_VEC_PUSH(ops, OP_DEL);
    for (size_t j = 0; j < bn; j++)
      ASL_VEC_PUSH(ops, OP_ADD);
  }
  for (size_t i = 0; i < suf; i++)
    ASL_VEC_PUSH(ops, OP_SAME);

  /* print changes with CONTEXT lines around them; longer equal stretches become "..." */
  size_t ai = 0;
  size_t bi = 0;
  size_t last_printed = (size_t)-1;
  for (size_t k = 0; k < ops.len; k++) {
    int op = ops.items[k];
    bool near = false;
    for (size_t d = 1; d <= CONTEXT && !near; d++)
      near = (k >= d && ops.items[k - d] != OP_SAME) ||
             (k + d < ops.len && ops.items[k + d] != OP_SAME);
    if (op != OP_SAME || near) {
      if (last_printed != (size_t)-1 && last_printed + 1 != k)
        emit(out, indent_s, ' ', "...", 3);
      else if (last_printed == (size_t)-1 && k > 0)
        emit(out, indent_s, ' ', "...", 3);
      last_printed = k;
      if (op == OP_ADD)
        emit(out, indent_s, '+', b.start.items[bi], b.len.items[bi]);
      else if (op == OP_DEL)
        emit(out, indent_s, '-', a.start.items[ai], a.len.items[ai]);
      else
        emit(out, indent_s, ' ', a.start.items[ai], a.len.items[ai]);
    }
    if (op != OP_ADD)
      ai++;
    if (op != OP_DEL)
      bi++;
  }
  if (last_printed != (size_t)-1 && last_printed + 1 != ops.len)
    emit(out, indent_s, ' ', "...", 3);
  ASL_VEC_FREE(ops);
  lines_free(&a);
  lines_free(&b);
}
