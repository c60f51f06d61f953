/* Filter expressions inside JSONPath, [?(@.price < 10 && @.tags)], parsed and evaluated as
 * Jayway's FilterCompiler and evaluators do: operands are paths (@ the item, $ the document),
 * string, number, boolean and null literals, JSON arrays and objects, and /regex/flags; the
 * operators ==, !=, ===, !==, <, <=, >, >=, =~, in, nin, subsetof, anyof, noneof, size, empty,
 * contains; && || ! and parentheses; a bare path tests existence. This file parses them; the
 * evaluator is jsonpath_filter_eval.c.
 *
 * Regular expressions are translated to POSIX extended ones (\d \w \s and their negations are
 * supported; Java-only syntax such as lazy quantifiers is rejected at load). */
#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ parsing ---- */
typedef struct fparser {
  asl_arena *a;
  const char *s;
  size_t len;
  size_t pos;
  size_t base; /* offset of s in the whole path: positions in messages count from there */
  int depth;
  int nest;
  bool uses_root;
  asl_error *err;
} fparser;

ASL_PRINTF(2, 3) static asl_status ffail(fparser *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_error_vset(p->err, ASL_E_DEFINITION, NULL, fmt, ap);
  va_end(ap);
  return ASL_E_DEFINITION;
}

/* 1-based character position of [i] in the whole path */
#define AT(p, i) ((p)->base + (i) + 1)

static void skip_blanks(fparser *p)
{
  while (p->pos < p->len && p->s[p->pos] == ' ')
    p->pos++;
}

static char cur(const fparser *p)
{
  return p->pos < p->len ? p->s[p->pos] : '\0';
}

static bool is_rel_char(char c)
{
  return c == '<' || c == '>' || c == '=' || c == '~' || c == '!';
}

/* Index just past the end of the quoted string starting at [i] (handling \ escapes), or 0. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
  char q = s[i];
  for (size_t j = i + 1; j < len; j++) {
    if (s[j] == '\\')
      j++;
    else if (s[j] == q)
      return j + 1;
  }
  return 0;
}

/* Index of the bracket closing the one at [i] ('[' or '{'), skipping strings, or 0. */
static size_t matching_close(const char *s, size_t len, size_t i, char open, char close)
{
  int depth = 0;
  for (size_t j = i; j < len; j++) {
    char c = s[j];
    if (c == '\'' || c == '"') {
      size_t e = skip_string(s, len, j);
      if (!e)
        return 0;
      j = e - 1;
    } else if (c == open) {
      depth++;
    } else if (c == close) {
      if (--depth == 0)
        return j;
    }
  }
  return 0;
}

/* Jayway's Utils.unescape. */
static char *unescape(asl_arena *a, const char *s, size_t n, size_t *out_len)
{
  asl_buf b = ASL_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c != '\\' || i + 1 >= n) {
      asl_buf_addc(&b, c);
      continue;
    }
    c = s[++i];
    switch (c) {
    case 'r':
      asl_buf_addc(&b, '\r');
      break;
    case 'f':
      asl_buf_addc(&b, '\f');
      break;
    case 't':
      asl_buf_addc(&b, '\t');
      break;
    case 'n':
      asl_buf_addc(&b, '\n');
      break;
    case 'b':
      asl_buf_addc(&b, '\b');
      break;
    case 'u': {
      unsigned cp = 0;
      size_t k = 0;
      for (; k < 4 && i + 1 + k < n; k++) {
        char h = s[i + 1 + k];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0)
          break;
        cp = cp * 16 + (unsigned)d;
      }
      if (k < 4) {
        asl_buf_adds(&b, "\\u");
        break;
      }
      i += 4;
      if (cp < 0x80) {
        asl_buf_addc(&b, (char)cp);
      } else if (cp < 0x800) {
        asl_buf_addc(&b, (char)(0xC0 | (cp >> 6)));
        asl_buf_addc(&b, (char)(0x80 | (cp & 0x3F)));
      } else {
        asl_buf_addc(&b, (char)(0xE0 | (cp >> 12)));
        asl_buf_addc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        asl_buf_addc(&b, (char)(0x80 | (cp & 0x3F)));
      }
      break;
    }
    default:
      asl_buf_addc(&b, c);
      break;
    }
  }
  *out_len = b.len;
  char *r = asl_arena_strndup(a, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}

static asl_json *keep(fparser *p, asl_json *v)
{
  return asl__arena_keep(p->a, v);
}

/* A JSON literal; single-quoted strings are accepted as json-smart, Jayway's default parser,
 * accepts them ([?(@.size in ['S', 'M'])]). */
static asl_json *parse_json_literal(const char *s, size_t n)
{
  asl_error e = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(s, n, NULL, &e);
  asl_error_clear(&e);
  if (v)
    return v;
  asl_buf b = ASL_BUF_INIT;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"') {
      size_t e2 = skip_string(s, n, i);
      if (!e2)
        break;
      asl_buf_add(&b, s + i, e2 - i);
      i = e2 - 1;
    } else if (c == '\'') {
      asl_buf_addc(&b, '"');
      size_t j = i + 1;
      for (; j < n && s[j] != '\''; j++) {
        if (s[j] == '\\' && j + 1 < n) {
          if (s[j + 1] == '\'') {
            asl_buf_addc(&b, '\'');
          } else {
            asl_buf_addc(&b, '\\');
            asl_buf_addc(&b, s[j + 1]);
          }
          j++;
        } else if (s[j] == '"') {
          asl_buf_adds(&b, "\\\"");
        } else {
          asl_buf_addc(&b, s[j]);
        }
      }
      asl_buf_addc(&b, '"');
      i = j;
    } else {
      asl_buf_addc(&b, c);
    }
  }
  v = asl_json_parse(b.data ? b.data : "", b.len, NULL, &e);
  asl_error_clear(&e);
  asl_buf_free(&b);
  return v;
}

/* Translates a Java regular expression to POSIX ERE; false when it uses syntax ERE lacks. */
static bool translate_regex(const char *s, size_t n, asl_buf *out)
{
  bool in_class = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\0')
      return false;
    if (c == '[' && !in_class) {
      in_class = true;
      asl_buf_addc(out, c);
      if (i + 1 < n && s[i + 1] == '^') {
        asl_buf_addc(out, '^');
        i++;
      }
      if (i + 1 < n && s[i + 1] == ']') {
        asl_buf_addc(out, ']');
        i++;
      }
      continue;
    }
    if (c == ']' && in_class) {
      in_class = false;
      asl_buf_addc(out, c);
      continue;
    }
    if (c == '(' && !in_class && i + 1 < n && s[i + 1] == '?')
      return false; /* (?:...), lookarounds, inline flags */
    if ((c == '?' || c == '+') && !in_class && i > 0 &&
        (s[i - 1] == '*' || s[i - 1] == '+' || s[i - 1] == '?' || s[i - 1] == '}'))
      return false; /* lazy and possessive quantifiers */
    if (c != '\\' || i + 1 >= n) {
      asl_buf_addc(out, c);
      continue;
    }
    char e = s[++i];
    const char *cls = NULL;
    switch (e) {
    case 'd':
      cls = in_class ? "0-9" : "[0-9]";
      break;
    case 'w':
      cls = in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
      break;
    case 's':
      cls = in_class ? "[:space:]" : "[[:space:]]";
      break;
    case 'D':
      cls = in_class ? NULL : "[^0-9]";
      break;
    case 'W':
      cls = in_class ? NULL : "[^A-Za-z0-9_]";
      break;
    case 'S':
      cls = in_class ? NULL : "[^[:space:]]";
      break;
    case 't':
      asl_buf_addc(out, '\t');
      continue;
    case 'n':
      asl_buf_addc(out, '\n');
      continue;
    case 'r':
      asl_buf_addc(out, '\r');
      continue;
    default:
      if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
        return false; /* \b, \Q, back-references: no ERE equivalent */
      if (in_class) {
        asl_buf_addc(out, e);
      } else {
        asl_buf_addc(out, '\\');
        asl_buf_addc(out, e);
      }
      continue;
    }
    if (!cls)
      return false;
    asl_buf_adds(out, cls);
  }
  return !in_class;
}

static void free_regex(void *p)
{
  regfree(p);
  asl_free(p);
}

static asl_status read_regex(fparser *p, operand *o)
{
  size_t begin = p->pos;
  size_t j = begin + 1;
  while (j < p->len && p->s[j] != '/') {
    if (p->s[j] == '\\')
      j++;
    j++;
  }
  if (j >= p->len)
    return ffail(p, "the regular expression starting at character %zu is not closed with '/'",
                 AT(p, begin));
  size_t body_end = j;
  j++;
  int flags = REG_EXTENDED | REG_NOSUB;
  while (j < p->len && ((p->s[j] >= 'a' && p->s[j] <= 'z') || (p->s[j] >= 'A' && p->s[j] <= 'Z'))) {
    if (p->s[j] == 'i')
      flags |= REG_ICASE;
    else if (p->s[j] != 's' && p->s[j] != 'u' && p->s[j] != 'U')
      return ffail(p, "the regular expression flag '%c' is not supported (use i)", p->s[j]);
    j++;
  }
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "^(");
  bool ok = translate_regex(p->s + begin + 1, body_end - begin - 1, &b);
  asl_buf_adds(&b, ")$");
  regex_t *re = NULL;
  if (ok) {
    re = asl_alloc(sizeof *re);
    if (regcomp(re, b.data, flags) != 0) {
      asl_free(re);
      re = NULL;
    }
  }
  asl_buf_free(&b);
  if (!re)
    return ffail(p, "the regular expression /%.*s/ is not supported", (int)(body_end - begin - 1),
                 p->s + begin + 1);
  asl_arena_defer(p->a, free_regex, re);
  o->kind = OPD_REGEX;
  o->re = re;
  o->re_src = asl_arena_strndup(p->a, p->s + begin, j - begin);
  p->pos = j;
  return ASL_OK;
}

/* Does the ')' at the current position close a function call such as @.a.length()? */
static bool closes_function(const fparser *p, size_t begin)
{
  if (p->pos == 0)
    return false;
  size_t k = p->pos - 1;
  while (k > 0 && p->s[k] == ' ')
    k--;
  if (p->s[k] != '(')
    return false;
  while (k > begin) {
    k--;
    if (p->s[k] == '.')
      return true;
  }
  return false;
}

static asl_status read_path(fparser *p, operand *o, bool negated)
{
  size_t begin = p->pos;
  p->pos++;
  while (p->pos < p->len) {
    if (p->s[p->pos] == '[') {
      size_t close = matching_close(p->s, p->len, p->pos, '[', ']');
      if (!close)
        return ffail(p, "'[' at character %zu is not closed", AT(p, p->pos));
      p->pos = close + 1;
      if (p->pos >= p->len)
        break;
    }
    char c = p->s[p->pos];
    bool logical_close = c == ')' && !closes_function(p, begin);
    if (is_rel_char(c) || c == ' ' || logical_close)
      break;
    p->pos++;
  }
  asl_path *path;
  if (asl__path_compile(p->a, p->s + begin, p->pos - begin, true, p->depth, &path, p->err) !=
      ASL_OK)
    return ASL_E_DEFINITION;
  if (path->root == '$' || path->uses_root)
    p->uses_root = true;
  o->kind = OPD_PATH;
  o->path = path;
  o->should_exist = !negated;
  return ASL_OK;
}

static bool is_number_char(char c)
{
  return (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'E' || c == 'e';
}

/* A number as BigDecimal reads it: -?digits[.digits][e[+-]digits]. */
asl_json *asl__filter_number(const char *s, size_t n)
{
  size_t i = 0;
  if (i < n && s[i] == '-')
    i++;
  size_t digits = 0;
  bool integral = true;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    i++;
    digits++;
  }
  if (i < n && s[i] == '.') {
    integral = false;
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      i++;
      digits++;
    }
  }
  if (digits == 0)
    return NULL;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
      i++;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      i++;
      ed++;
    }
    if (ed == 0)
      return NULL;
  }
  if (i != n)
    return NULL;
  char buf[64];
  if (n >= sizeof buf)
    integral = false;
  char *tmp = asl_strndup(s, n);
  asl_json *v = NULL;
  if (integral) {
    errno = 0;
    char *end;
    long long ll = strtoll(tmp, &end, 10);
    if (errno == 0 && *end == '\0')
      v = asl_json_int(ll);
  }
  if (!v)
    v = asl_json_double(strtod(tmp, NULL));
  asl_free(tmp);
  return v;
}

static asl_status read_literal(fparser *p, operand *o)
{
  skip_blanks(p);
  char c = cur(p);
  size_t begin = p->pos;
  o->kind = OPD_JSON;
  if (c == '\'' || c == '"') {
    size_t end = skip_string(p->s, p->len, p->pos);
    if (!end)
      return ffail(p, "the string starting at character %zu is not closed with %c", AT(p, begin), c);
    size_t n;
    char *str = unescape(p->a, p->s + begin + 1, end - begin - 2, &n);
    o->lit = keep(p, asl_json_string(str, n));
    p->pos = end;
    return ASL_OK;
  }
  if (c == 't' || c == 'f' || c == 'n') {
    const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
    size_t wl = strlen(word);
    if (p->len - p->pos < wl || memcmp(p->s + p->pos, word, wl) != 0)
      return ffail(p, "unexpected '%c' at character %zu; expected a value", c, AT(p, begin));
    o->lit = c == 't' ? asl_json_bool(true) : c == 'f' ? asl_json_bool(false) : asl_json_null();
    p->pos += wl;
    return ASL_OK;
  }
  if (c == '[' || c == '{') {
    size_t close = matching_close(p->s, p->len, p->pos, c, c == '[' ? ']' : '}');
    if (!close)
      return ffail(p, "the JSON value starting at character %zu is not closed", AT(p, begin));
    asl_json *v = parse_json_literal(p->s + begin, close + 1 - begin);
    if (!v)
      return ffail(p, "'%.*s' is not a valid JSON value", (int)(close + 1 - begin), p->s + begin);
    o->lit = keep(p, v);
    p->pos = close + 1;
    return ASL_OK;
  }
  if (c == '/')
    return read_regex(p, o);
  while (p->pos < p->len && is_number_char(p->s[p->pos]))
    p->pos++;
  asl_json *v = asl__filter_number(p->s + begin, p->pos - begin);
  if (!v) {
    if (begin >= p->len || p->s[begin] == ')')
      return ffail(p, "a value is missing at character %zu", AT(p, begin));
    return ffail(p, "unexpected '%c' at character %zu; expected a path, a number, a quoted string, "
                    "true, false, null, a JSON array or a /regex/",
                 p->s[begin], AT(p, begin));
  }
  o->lit = keep(p, v);
  return ASL_OK;
}

static asl_status read_value(fparser *p, operand *o)
{
  skip_blanks(p);
  char c = cur(p);
  if (c == '$' || c == '@')
    return read_path(p, o, false);
  if (c == '!') {
    p->pos++;
    skip_blanks(p);
    c = cur(p);
    if (c == '$' || c == '@')
      return read_path(p, o, true);
    return ffail(p, "'!' at character %zu must be followed by a path or '('", AT(p, p->pos - 1));
  }
  return read_literal(p, o);
}

static const struct {
  const char *text;
  rel_op op;
} rel_ops[] = {
  {"==", R_EQ},       {"!=", R_NE},           {"===", R_TSEQ},     {"!==", R_TSNE},
  {"<", R_LT},        {"<=", R_LE},           {">", R_GT},         {">=", R_GE},
  {"=~", R_REGEX},    {"in", R_IN},           {"nin", R_NIN},      {"subsetof", R_SUBSETOF},
  {"anyof", R_ANYOF}, {"noneof", R_NONEOF},   {"size", R_SIZE},    {"empty", R_EMPTY},
  {"contains", R_CONTAINS},
};

/* Returns true and sets *op when an operator follows; leaves the position unchanged otherwise. */
static bool read_operator(fparser *p, rel_op *op)
{
  size_t save = p->pos;
  skip_blanks(p);
  size_t begin = p->pos;
  if (p->pos < p->len && is_rel_char(p->s[p->pos])) {
    while (p->pos < p->len && is_rel_char(p->s[p->pos]))
      p->pos++;
  } else {
    while (p->pos < p->len && p->s[p->pos] != ' ' && p->s[p->pos] != ')')
      p->pos++;
  }
  size_t n = p->pos - begin;
  for (size_t k = 0; k < sizeof rel_ops / sizeof rel_ops[0]; k++) {
    if (strlen(rel_ops[k].text) == n && strncasecmp(rel_ops[k].text, p->s + begin, n) == 0) {
      *op = rel_ops[k].op;
      return true;
    }
  }
  p->pos = save;
  return false;
}

static fnode *new_node(fparser *p, fnode_kind k)
{
  fnode *n = asl_arena_alloc(p->a, sizeof *n);
  n->kind = k;
  return n;
}

static asl_status read_or(fparser *p, fnode **out);

static asl_status read_expression(fparser *p, fnode **out)
{
  fnode *n = new_node(p, FN_REL);
  asl_status st = read_value(p, &n->left);
  if (st != ASL_OK)
    return st;
  rel_op op;
  if (read_operator(p, &op)) {
    st = read_value(p, &n->right);
    if (st != ASL_OK)
      return st;
    n->op = op;
    *out = n;
    return ASL_OK;
  }
  skip_blanks(p);
  if (p->pos < p->len && p->s[p->pos] != ')' && p->s[p->pos] != '&' && p->s[p->pos] != '|')
    return ffail(p, "unknown operator at character %zu; operators are ==, !=, <, <=, >, >=, =~, "
                    "in, nin, subsetof, anyof, noneof, size, empty and contains",
                 AT(p, p->pos));
  if (n->left.kind != OPD_PATH)
    return ffail(p, "a value alone is not a condition; compare it with a path, as @.x == 1");
  n->left.exists_check = true;
  n->op = R_EXISTS;
  *out = n;
  return ASL_OK;
}

static asl_status read_and_operand(fparser *p, fnode **out)
{
  if (++p->nest > 64)
    return ffail(p, "the filter is nested too deeply");
  skip_blanks(p);
  asl_status st;
  if (cur(p) == '!') {
    size_t save = p->pos;
    p->pos++;
    skip_blanks(p);
    if (cur(p) == '$' || cur(p) == '@') {
      p->pos = save;
    } else {
      fnode *n = new_node(p, FN_NOT);
      st = read_and_operand(p, &n->a);
      p->nest--;
      *out = n;
      return st;
    }
  }
  skip_blanks(p);
  if (cur(p) == '(') {
    p->pos++;
    st = read_or(p, out);
    if (st != ASL_OK)
      return st;
    skip_blanks(p);
    if (cur(p) != ')')
      return ffail(p, "expected ')' at character %zu", AT(p, p->pos));
    p->pos++;
    p->nest--;
    return ASL_OK;
  }
  st = read_expression(p, out);
  p->nest--;
  return st;
}

static bool read_symbol(fparser *p, const char *sym)
{
  skip_blanks(p);
  if (p->len - p->pos >= 2 && p->s[p->pos] == sym[0] && p->s[p->pos + 1] == sym[1]) {
    p->pos += 2;
    return true;
  }
  return false;
}

static asl_status read_and(fparser *p, fnode **out)
{
  asl_status st = read_and_operand(p, out);
  while (st == ASL_OK && read_symbol(p, "&&")) {
    fnode *n = new_node(p, FN_AND);
    n->a = *out;
    st = read_and_operand(p, &n->b);
    *out = n;
  }
  return st;
}

static asl_status read_or(fparser *p, fnode **out)
{
  asl_status st = read_and(p, out);
  while (st == ASL_OK && read_symbol(p, "||")) {
    fnode *n = new_node(p, FN_OR);
    n->a = *out;
    st = read_and(p, &n->b);
    *out = n;
  }
  return st;
}

asl_status asl__filter_compile(asl_arena *a, const char *text, size_t len, size_t base,
                               int depth, asl_filter **out, asl_error *err)
{
  fparser p;
  memset(&p, 0, sizeof p);
  p.a = a;
  p.s = text;
  p.len = len;
  p.base = base;
  p.depth = depth;
  p.err = err;
  fnode *root;
  asl_status st = read_or(&p, &root);
  if (st != ASL_OK)
    return st;
  skip_blanks(&p);
  if (p.pos < p.len)
    return ffail(&p, "unexpected '%.*s' at character %zu", (int)(p.len - p.pos), p.s + p.pos,
                 AT(&p, p.pos));
  asl_filter *f = asl_arena_alloc(a, sizeof *f);
  f->root = root;
  f->uses_root = p.uses_root;
  *out = f;
  return ASL_OK;
}

bool asl__filter_uses_root(const asl_filter *f)
{
  return f->uses_root;
}

