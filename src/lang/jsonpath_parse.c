/* Compiles JSONPath text into the step list of internal.h, following the grammar of Jayway's
 * PathCompiler (the library Step Functions evaluates paths with), token by token, so that what
 * AWS accepts is accepted here too. Evaluation is in jsonpath.c, filters in jsonpath_filter.c.
 *
 * Deliberate differences from Jayway: leading or trailing blanks and a stray last character are
 * errors (Jayway trims or silently drops them), functions must end the path and take no
 * arguments. Inside quoted bracket names a backslash only keeps the next character from ending
 * the name and stays in it, as AWS does (jsonpath/test_escape_sequence_parsing__
 * ESCAPE_SEQUENCES_JSONPATH: $['Test\""Name"'] reads the key Test\""Name"). */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  asl_arena *a;
  const char *s; /* the path as Jayway sees it: "$$.x" is parsed as "$.x" */
  size_t len;
  size_t pos;
  size_t shift; /* bytes dropped from the front of the source text (1 for $$) */
  const char *text; /* the source text, for messages */
  int depth;
  asl_error *err;
  ASL_VEC(path_step) steps;
} parser;

ASL_PRINTF(3, 4)
static asl_status fail(parser *p, size_t at, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *what = asl_vstrfmt(fmt, ap);
  va_end(ap);
  asl_error_set(p->err, ASL_E_DEFINITION, NULL, "%s at character %zu of the path '%s'", what,
                at + p->shift + 1, p->text);
  asl_free(what);
  return ASL_E_DEFINITION;
}

static bool in_bounds(const parser *p, size_t i)
{
  return i < p->len;
}

/* Jayway's nextSignificantChar: the first non-space character after [i], or 0. */
static size_t next_significant(const parser *p, size_t i)
{
  size_t j = i + 1;
  while (j < p->len && p->s[j] == ' ')
    j++;
  return j;
}

static char char_at(const parser *p, size_t i)
{
  return i < p->len ? p->s[i] : '\0';
}

/* Evaluation recurses once a step: a path of more steps than this is refused at load, so that
 * no definition can exhaust the stack. */
#define MAX_STEPS 1000

static path_step *push_step(parser *p, path_step_kind kind)
{
  path_step st;
  memset(&st, 0, sizeof st);
  st.kind = kind;
  ASL_VEC_PUSH(p->steps, st);
  return &p->steps.items[p->steps.len - 1];
}

static path_name arena_name(parser *p, const char *s, size_t n)
{
  path_name nm = {asl_arena_strndup(p->a, s, n), n};
  return nm;
}

/* Java's Integer.parseInt: optional sign, decimal digits, int32 range. */
static bool parse_int32(const char *s, size_t n, int32_t *out)
{
  if (n == 0)
    return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
    if (n == 1)
      return false;
  }
  int64_t v = 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
    if (v > (int64_t)INT32_MAX + 1)
      return false;
  }
  if (neg)
    v = -v;
  if (v > INT32_MAX || v < INT32_MIN)
    return false;
  *out = (int32_t)v;
  return true;
}

static void trim(const char **s, size_t *n)
{
  while (*n > 0 && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
                    (*s)[*n - 1] == '\r'))
    (*n)--;
}

/* ['a'] or ["a", "b"] (Jayway's readBracketPropertyToken). */
static asl_status read_bracket_names(parser *p, char q)
{
  ASL_VEC(path_name) names = {0};
  size_t start = p->pos + 1;
  size_t i = start;
  size_t end = 0;
  bool in_prop = false;
  bool in_escape = false;
  bool last_comma = false;
  asl_status st = ASL_OK;
  while (in_bounds(p, i)) {
    char c = p->s[i];
    if (in_escape) {
      in_escape = false;
    } else if (c == '\\') {
      in_escape = true;
    } else if (c == ']' && !in_prop) {
      if (last_comma) {
        st = fail(p, i, "empty name between ',' and ']'");
        goto out;
      }
      break;
    } else if (c == q) {
      if (in_prop) {
        char nx = char_at(p, next_significant(p, i));
        if (nx != ']' && nx != ',') {
          st = fail(p, i, "a quoted name must be followed by ',' or ']'");
          goto out;
        }
        end = i;
        ASL_VEC_PUSH(names, arena_name(p, p->s + start, end - start));
        in_prop = false;
      } else {
        start = i + 1;
        in_prop = true;
        last_comma = false;
      }
    } else if (c == ',' && !in_prop) {
      if (last_comma) {
        st = fail(p, i, "empty name between two ','");
        goto out;
      }
      last_comma = true;
    }
    i++;
  }
  if (in_prop) {
    st = fail(p, start > 0 ? start - 1 : 0, "the quoted name is not closed (missing %c)", q);
    goto out;
  }
  size_t close = next_significant(p, end);
  if (char_at(p, close) != ']') {
    st = fail(p, p->pos, "'[' is not closed (missing ']')");
    goto out;
  }
  path_step *stp = push_step(p, STEP_PROP);
  stp->delim = q;
  stp->n = names.len;
  stp->names = asl_arena_alloc(p->a, names.len * sizeof *stp->names);
  memcpy(stp->names, names.items, names.len * sizeof *stp->names);
  p->pos = close + 1;
out:
  ASL_VEC_FREE(names);
  return st;
}

/* [1], [1,2], [-1], [1:], [:2], [1:3] (Jayway's readArrayToken). Returns ASL_OK with *taken false
 * when the text is not an array token, so that the caller tries the next kind. */
static asl_status read_array(parser *p, bool *taken)
{
  *taken = false;
  const char *close = memchr(p->s + p->pos + 1, ']', p->len - p->pos - 1);
  if (!close)
    return ASL_OK;
  size_t close_at = (size_t)(close - p->s);
  const char *e = p->s + p->pos + 1;
  size_t n = close_at - p->pos - 1;
  trim(&e, &n);
  bool slice = false;
  for (size_t i = 0; i < n; i++) {
    char c = e[i];
    if (!((c >= '0' && c <= '9') || c == ',' || c == '-' || c == ':' || c == ' '))
      return ASL_OK;
    if (c == ':')
      slice = true;
  }
  *taken = true;
  if (slice) {
    /* Java's split(":") drops trailing empty parts; only the first two parts count. */
    const char *colon = memchr(e, ':', n);
    size_t n1 = (size_t)(colon - e);
    const char *t2 = colon + 1;
    const char *colon2 = memchr(t2, ':', n - n1 - 1);
    size_t n2 = colon2 ? (size_t)(colon2 - t2) : n - n1 - 1;
    bool has_from = n1 > 0;
    bool has_to = n2 > 0;
    int32_t from = 0;
    int32_t to = 0;
    if ((has_from && !parse_int32(e, n1, &from)) || (has_to && !parse_int32(t2, n2, &to)))
      return fail(p, p->pos + 1, "'%.*s' is not a valid slice; write [start:end] with integers",
                  (int)n, e);
    if (!has_from && !has_to)
      return fail(p, p->pos + 1, "a slice needs a start or an end, as [1:] or [:2]");
    path_step *st = push_step(p, STEP_SLICE);
    st->slice = has_from && has_to ? SLICE_BETWEEN : has_from ? SLICE_FROM : SLICE_TO;
    st->from = from;
    st->to = to;
  } else {
    ASL_VEC(int32_t) idx = {0};
    const char *t = e;
    size_t left = n;
    for (;;) {
      const char *comma = memchr(t, ',', left);
      size_t tn = comma ? (size_t)(comma - t) : left;
      const char *tt = t;
      size_t ttn = tn;
      trim(&tt, &ttn);
      int32_t v;
      if (!parse_int32(tt, ttn, &v)) {
        ASL_VEC_FREE(idx);
        return fail(p, p->pos + 1, "'%.*s' is not a valid array index; write an integer, as [0]",
                    (int)tn, t);
      }
      ASL_VEC_PUSH(idx, v);
      if (!comma)
        break;
      left -= tn + 1;
      t = comma + 1;
    }
    path_step *st = push_step(p, STEP_INDEX);
    st->n = idx.len;
    st->indexes = asl_arena_alloc(p->a, idx.len * sizeof *st->indexes);
    memcpy(st->indexes, idx.items, idx.len * sizeof *st->indexes);
    ASL_VEC_FREE(idx);
  }
  p->pos = close_at + 1;
  return ASL_OK;
}

/* The index of the ')' that closes the '(' at [open], skipping quoted strings and /regex/
 * literals (Jayway's indexOfClosingBracket); len when there is none. */
static size_t closing_paren(const char *s, size_t len, size_t open)
{
  int depth = 1;
  for (size_t i = open + 1; i < len; i++) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < len && s[j] != c) {
        if (s[j] == '\\')
          j++;
        j++;
      }
      if (j >= len)
        return len;
      i = j;
    } else if (c == '/') {
      size_t j = i + 1;
      while (j < len && s[j] != '/') {
        if (s[j] == '\\')
          j++;
        j++;
      }
      if (j >= len)
        return len;
      i = j;
    } else if (c == '(') {
      depth++;
    } else if (c == ')') {
      if (--depth == 0)
        return i;
    }
  }
  return len;
}

/* [?(...)] */
static asl_status read_filter(parser *p, size_t q)
{
  size_t open = next_significant(p, q);
  if (char_at(p, open) != '(')
    return fail(p, q, "a filter is written [?(condition)], as [?(@.price < 10)]");
  size_t close = closing_paren(p->s, p->len, open);
  if (close >= p->len)
    return fail(p, open, "the '(' of the filter is not closed");
  size_t end = next_significant(p, close);
  if (char_at(p, end) != ']')
    return fail(p, close + 1, "a filter must end with ')]'");
  if (p->depth + 1 > ASL_PATH_MAX_DEPTH)
    return fail(p, q, "filters are nested too deeply");
  asl_filter *f;
  asl_error ferr = ASL_ERROR_INIT;
  if (asl__filter_compile(p->a, p->s + open, close - open + 1, open + p->shift, p->depth + 1,
                          &f, &ferr) != ASL_OK) {
    /* the outermost path names itself once: a path inside a filter passes the cause up as it
     * is, or nested filters would quote the whole path at every level */
    if (p->depth == 0)
      asl_error_set(p->err, ASL_E_DEFINITION, NULL, "invalid filter in the path '%s': %s",
                    p->text, ferr.cause ? ferr.cause : "?");
    else
      asl_error_set(p->err, ASL_E_DEFINITION, NULL, "%s", ferr.cause ? ferr.cause : "?");
    asl_error_clear(&ferr);
    return ASL_E_DEFINITION;
  }
  path_step *st = push_step(p, STEP_FILTER);
  st->filter = f;
  p->pos = end + 1;
  return ASL_OK;
}

static asl_status read_bracket(parser *p)
{
  size_t q = next_significant(p, p->pos);
  char c = char_at(p, q);
  if (c == '\'' || c == '"')
    return read_bracket_names(p, c);
  if ((c >= '0' && c <= '9') || c == '-' || c == ':') {
    bool taken;
    asl_status st = read_array(p, &taken);
    if (st != ASL_OK || taken)
      return st;
  }
  if (c == '*') {
    size_t close = next_significant(p, q);
    if (char_at(p, close) != ']')
      return fail(p, q + 1, "'[*' must be followed by ']'");
    push_step(p, STEP_WILDCARD);
    p->pos = close + 1;
    return ASL_OK;
  }
  if (c == '?')
    return read_filter(p, q);
  return fail(p, p->pos,
              "'[' must be followed by a quoted name, an index, a slice, '*' or a filter '?('");
}

static const struct {
  const char *name;
  path_func func;
} funcs[] = {
  {"length", FUNC_LENGTH}, {"size", FUNC_LENGTH},     {"min", FUNC_MIN},
  {"max", FUNC_MAX},       {"avg", FUNC_AVG},         {"sum", FUNC_SUM},
  {"stddev", FUNC_STDDEV}, {"keys", FUNC_KEYS},       {"first", FUNC_FIRST},
  {"last", FUNC_LAST},
};

/* name or name() (Jayway's readPropertyOrFunctionToken) */
static asl_status read_name(parser *p)
{
  size_t start = p->pos;
  size_t i = start;
  bool func = false;
  while (in_bounds(p, i)) {
    char c = p->s[i];
    if (c == ' ') {
      size_t end = i;
      while (end < p->len && p->s[end] != '.' && p->s[end] != '[')
        end++;
      return fail(p, i, "a name after '.' cannot hold a space; use bracket notation, as $['%.*s']",
                  (int)(end - start), p->s + start);
    }
    if (c == '.' || c == '[')
      break;
    if (c == '(') {
      func = true;
      break;
    }
    i++;
  }
  if (!func) {
    path_step *st = push_step(p, STEP_PROP);
    st->delim = '\'';
    st->n = 1;
    st->names = asl_arena_alloc(p->a, sizeof *st->names);
    st->names[0] = arena_name(p, p->s + start, i - start);
    p->pos = i;
    return ASL_OK;
  }
  size_t name_len = i - start;
  size_t close = closing_paren(p->s, p->len, i);
  if (close >= p->len)
    return fail(p, i, "the arguments of the function '%.*s' are not closed", (int)name_len,
                p->s + start);
  if (close != next_significant(p, i))
    return fail(p, i, "JSONPath functions with arguments are not supported; use %.*s()",
                (int)name_len, p->s + start);
  for (size_t k = 0; k < sizeof funcs / sizeof funcs[0]; k++) {
    if (strlen(funcs[k].name) == name_len && memcmp(funcs[k].name, p->s + start, name_len) == 0) {
      path_step *st = push_step(p, STEP_FUNC);
      st->func = funcs[k].func;
      p->pos = close + 1;
      if (p->pos < p->len)
        return fail(p, p->pos, "nothing may follow the function %.*s()", (int)name_len,
                    p->s + start);
      return ASL_OK;
    }
  }
  return fail(p, start,
              "unknown function '%.*s()'; JSONPath functions are length(), size(), min(), max(), "
              "avg(), sum(), stddev(), keys(), first() and last()",
              (int)name_len, p->s + start);
}

static asl_status read_tokens(parser *p)
{
  while (p->pos < p->len) {
    if (p->steps.len >= MAX_STEPS)
      return fail(p, p->pos, "a path may have at most %d steps", MAX_STEPS);
    char c = p->s[p->pos];
    asl_status st;
    if (c == '[') {
      st = read_bracket(p);
    } else if (c == '.') {
      if (char_at(p, p->pos + 1) == '.') {
        push_step(p, STEP_SCAN);
        p->pos += 2;
        if (p->pos >= p->len)
          return fail(p, p->pos - 2, "a path cannot end with '..'");
      } else {
        p->pos += 1;
        if (p->pos >= p->len)
          return fail(p, p->pos - 1, "a path cannot end with '.'");
      }
      if (p->s[p->pos] == '.')
        return fail(p, p->pos, "'.' is not valid here");
      if (p->s[p->pos] == ' ')
        return fail(p, p->pos, "a name after '.' cannot start with a space");
      continue;
    } else if (c == '*') {
      push_step(p, STEP_WILDCARD);
      p->pos += 1;
      st = ASL_OK;
    } else if (c == ' ') {
      return fail(p, p->pos, "unexpected space");
    } else {
      st = read_name(p);
    }
    if (st != ASL_OK)
      return st;
  }
  return ASL_OK;
}

static void finish(parser *p, asl_path *path)
{
  size_t n = p->steps.len;
  path->nsteps = n;
  path->steps = asl_arena_alloc(p->a, (n ? n : 1) * sizeof *path->steps);
  if (n)
    memcpy(path->steps, p->steps.items, n * sizeof *path->steps);
  bool upstream = true;
  bool simple = true;
  for (size_t i = 0; i < n; i++) {
    path_step *st = &path->steps[i];
    st->leaf = i + 1 == n;
    st->upstream_definite = upstream;
    switch (st->kind) {
    case STEP_PROP:
      st->definite = st->n == 1 || (st->leaf && st->n > 1);
      if (st->n != 1)
        simple = false;
      break;
    case STEP_INDEX:
      st->definite = st->n == 1;
      if (st->n != 1)
        simple = false;
      break;
    case STEP_FUNC:
      st->definite = true;
      simple = false;
      break;
    case STEP_FILTER:
      if (asl__filter_uses_root(st->filter))
        path->uses_root = true;
      st->definite = false;
      simple = false;
      break;
    case STEP_SLICE:
    case STEP_WILDCARD:
    case STEP_SCAN:
      st->definite = false;
      simple = false;
      break;
    }
    upstream = upstream && st->definite;
  }
  path->definite = upstream;
  path->simple = simple;
}

asl_status asl__path_compile(asl_arena *a, const char *text, size_t len, bool allow_item,
                             int depth, asl_path **out, asl_error *err)
{
  *out = NULL;
  parser p;
  memset(&p, 0, sizeof p);
  p.a = a;
  p.err = err;
  p.depth = depth;
  p.text = asl_arena_strndup(a, text, len);
  asl_path *path = asl_arena_alloc(a, sizeof *path);
  path->text = p.text;
  path->len = len;
  if (len == 0 || !(text[0] == '$' || (allow_item && text[0] == '@'))) {
    if (len > 0 && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n'))
      return asl_error_set(err, ASL_E_DEFINITION, NULL,
                           "the path '%s' starts with a blank; a JSONPath starts with '$'",
                           p.text);
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' is not a JSONPath: a path starts with '$', as $.name", p.text);
  }
  path->root = text[0];
  p.s = text;
  p.len = len;
  if (text[0] == '$' && len >= 2 && text[1] == '$') {
    /* "$$.x" is the context object's "$.x" */
    path->context = true;
    p.s = text + 1;
    p.len = len - 1;
    p.shift = 1;
  }
  if (text[0] == '$' && !allow_item && depth == 0 && len >= 2 &&
      asl__is_var_char((unsigned char)text[1], false)) {
    /* "$name.a" is variable name's "$.a": parsed as such, positions shifted by the name */
    size_t n = 1;
    while (1 + n < len && asl__is_var_char((unsigned char)text[1 + n], true))
      n++;
    path->var = asl_arena_strndup(a, text + 1, n);
    path->var_len = n;
    char *rest = asl_arena_alloc(a, len - n + 1);
    rest[0] = '$';
    memcpy(rest + 1, text + 1 + n, len - 1 - n);
    rest[len - n] = '\0';
    p.s = rest;
    p.len = len - n;
    p.shift = n;
  }
  asl_status st = ASL_OK;
  if (p.len > 1) {
    char c = p.s[1];
    if (c != '.' && c != '[')
      st = fail(&p, 1, "expected '.' or '[' after '%c'", p.s[0]);
    else {
      p.pos = 1;
      st = read_tokens(&p);
    }
  }
  if (st == ASL_OK) {
    finish(&p, path);
    *out = path;
  }
  ASL_VEC_FREE(p.steps);
  return st;
}

asl_status asl_path_compile(asl_arena *a, const char *text, size_t len, asl_path **out,
                            asl_error *err)
{
  return asl__path_compile(a, text, len, false, 0, out, err);
}

const char *asl_path_text(const asl_path *p)
{
  return p->text;
}

bool asl_path_is_context(const asl_path *p)
{
  return p->context;
}

bool asl_path_is_root(const asl_path *p)
{
  return !p->context && !p->var && p->nsteps == 0;
}

const char *asl_path_variable(const asl_path *p, size_t *len)
{
  if (len)
    *len = p->var_len;
  return p->var;
}

bool asl__is_var_char(unsigned char c, bool rest)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
         (rest && c >= '0' && c <= '9');
}

bool asl_path_is_definite(const asl_path *p)
{
  return p->definite;
}
