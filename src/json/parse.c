/* JSON text to values, on yajl's callback API. Each node records the byte offset where it starts
 * (yajl reports how far it has read when a token's callback runs, so the start is found by
 * stepping back over the token), which later turns any JSON pointer into line:col. */
#include "value_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define DEFAULT_MAX_DEPTH 1000

/* An open array or object. Its elements wait on the parser's scratch vector (from [base] on)
 * until it closes, and are then moved into a container of exactly the right size: no growing
 * by doubling, which dominated the cost of large documents. */
typedef struct frame {
  asl_json *node;
  size_t base;
} frame;

typedef struct parser {
  yajl_handle h;
  const char *text;
  size_t len;
  size_t max_depth;
  frame *stack;
  size_t depth;
  size_t cap;
  ASL_VEC(member) scratch; /* elements of open containers; val NULL: a key awaiting its value */
  asl_json *root;
  asl_error *err;
  bool failed; /* our own error, already in *err */
} parser;

static size_t consumed(parser *p)
{
  size_t n = yajl_get_bytes_consumed(p->h);
  return n > p->len ? p->len : n;
}

/* Start of the string token whose closing quote is the last byte read: the opening quote is the
 * nearest earlier quote that is not escaped (preceded by an even number of backslashes). */
static uint32_t string_start(parser *p)
{
  size_t end = consumed(p);
  if (end == 0)
    return 0;
  size_t i = end - 1; /* the closing quote */
  while (i > 0) {
    i--;
    if (p->text[i] != '"')
      continue;
    size_t bs = 0;
    while (i >= bs + 1 && p->text[i - bs - 1] == '\\')
      bs++;
    if (bs % 2 == 0)
      return (uint32_t)i;
  }
  return 0;
}

static uint32_t token_start(parser *p, size_t toklen)
{
  size_t end = consumed(p);
  size_t start = end >= toklen ? end - toklen : 0;
  /* a number at the very end of the text is only seen at yajl_complete_parse: skip whitespace */
  while (start < p->len && (p->text[start] == ' ' || p->text[start] == '\t' ||
                            p->text[start] == '\n' || p->text[start] == '\r'))
    start++;
  return (uint32_t)start;
}

static int add_value(parser *p, asl_json *v)
{
  if (p->depth == 0) {
    p->root = v;
    return 1;
  }
  if (p->stack[p->depth - 1].node->kind == ASL_JSON_OBJECT) {
    p->scratch.items[p->scratch.len - 1].val = v; /* the key came first */
    return 1;
  }
  member m;
  m.val = v;
  m.klen = 0;
  ASL_VEC_PUSH(p->scratch, m);
  return 1;
}

/* null, true and false are shared static nodes without positions; a diagnostic about one points
 * at its member's key instead. */
static int on_null(void *ctx)
{
  return add_value(ctx, asl_json_null());
}

static int on_boolean(void *ctx, int b)
{
  return add_value(ctx, asl_json_bool(b));
}

static bool is_integral_literal(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
      return false;
  return true;
}

/* Reads a short integral literal without strtoll's locale and errno work; false when it has 19
 * digits or more, which may not fit. */
static bool small_int(const char *s, size_t n, int64_t *out)
{
  bool neg = n && s[0] == '-';
  size_t i = neg ? 1 : 0;
  if (n - i == 0 || n - i > 18)
    return false;
  int64_t v = 0;
  for (; i < n; i++)
    v = v * 10 + (s[i] - '0');
  *out = neg ? -v : v;
  return true;
}

static int on_number(void *ctx, const char *s, size_t n)
{
  parser *p = ctx;
  asl_json *v = NULL;
  int64_t iv;
  bool integral = is_integral_literal(s, n);
  if (integral && small_int(s, n, &iv)) {
    v = asl_json_int(iv);
    v->pos = token_start(p, n);
    return add_value(p, v);
  }
  char small[64];
  char *tmp = n < sizeof small ? small : asl_alloc(n + 1);
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  if (integral) {
    errno = 0;
    long long i = strtoll(tmp, NULL, 10);
    if (errno == 0)
      v = asl_json_int((int64_t)i);
  }
  if (!v)
    v = asl_json_double(strtod(tmp, NULL));
  if (tmp != small)
    asl_free(tmp);
  v->pos = token_start(p, n);
  return add_value(p, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
  parser *p = ctx;
  asl_json *v = asl_json_string((const char *)s, n);
  v->pos = string_start(p);
  return add_value(p, v);
}

static int push(parser *p, asl_json *node)
{
  if (p->depth >= p->max_depth) {
    asl_json_decref(node);
    asl_error_set(p->err, ASL_E_LIMIT, NULL,
                  "JSON nested deeper than %zu levels; flatten the data", p->max_depth);
    p->err->offset = consumed(p) ? consumed(p) - 1 : 0;
    p->failed = true;
    return 0;
  }
  node->pos = token_start(p, 1);
  if (p->depth == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 16;
    p->stack = asl_realloc(p->stack, p->cap * sizeof(frame));
  }
  p->stack[p->depth++] = (frame){node, p->scratch.len};
  return 1;
}

static int on_start_map(void *ctx)
{
  return push(ctx, asl_json_object(0));
}

static int on_map_key(void *ctx, const unsigned char *k, size_t n)
{
  parser *p = ctx;
  member m;
  m.val = NULL;
  asl__member_set_key(&m, (const char *)k, n);
  m.kpos = string_start(p);
  ASL_VEC_PUSH(p->scratch, m);
  return 1;
}

static int pop(void *ctx)
{
  parser *p = ctx;
  frame f = p->stack[--p->depth];
  size_t n = p->scratch.len - f.base;
  member *items = n ? p->scratch.items + f.base : NULL; /* NULL + 0 is undefined */
  asl_json *node = f.node;
  if (node->kind == ASL_JSON_ARRAY) {
    node->u.a.items = asl_alloc((n ? n : 1) * sizeof(asl_json *));
    node->u.a.cap = n;
    for (size_t i = 0; i < n; i++)
      node->u.a.items[i] = items[i].val;
    node->u.a.len = n;
  } else {
    node->u.o.m = asl_alloc((n ? n : 1) * sizeof(member));
    node->u.o.cap = n;
    /* a repeated key keeps its first place and takes the last value, as Jackson does */
    for (size_t i = 0; i < n; i++)
      asl__json_obj_adopt(node, &items[i]);
  }
  p->scratch.len = f.base;
  return add_value(p, node);
}

static int on_start_array(void *ctx)
{
  return push(ctx, asl_json_array(0));
}

static const yajl_callbacks callbacks = {
    on_null,      on_boolean, NULL, NULL,           on_number, on_string,
    on_start_map, on_map_key, pop,  on_start_array, pop,
};

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_word(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '+' || c == '-';
}

/* Start of the token that ends just before [end] (yajl reports parse errors after reading it). */
static size_t last_token_start(const char *t, size_t end)
{
  size_t i = end;
  while (i > 0 && is_space(t[i - 1]))
    i--;
  if (i == 0)
    return 0;
  i--;
  if (t[i] == '"') {
    while (i > 0) {
      i--;
      if (t[i] != '"')
        continue;
      size_t bs = 0;
      while (i >= bs + 1 && t[i - bs - 1] == '\\')
        bs++;
      if (bs % 2 == 0)
        return i;
    }
    return 0;
  }
  if (is_word(t[i]))
    while (i > 0 && is_word(t[i - 1]))
      i--;
  return i;
}

/* Describes a syntax error in our words, keeping yajl's where they are clear, and finds the
 * offset of the offending token. */
static char *describe_error(parser *p, bool at_end, size_t *offset)
{
  unsigned char *raw = yajl_get_error(p->h, 0, (const unsigned char *)p->text, p->len);
  const char *msg = (const char *)raw;
  bool lexical = strncmp(msg, "lexical error", 13) == 0;
  const char *colon = strstr(msg, "error: ");
  if (colon)
    msg = colon + 7;
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
    n--;
  /* yajl_complete_parse counts from 0 again: an error there is at the end of the text */
  size_t at = at_end ? p->len : consumed(p);
  size_t first = 0;
  while (first < p->len && is_space(p->text[first]))
    first++;
  /* yajl has read past a stray character, but stops at the first wrong letter of a literal */
  bool bad_char = lexical && strncmp(msg, "invalid char in json text", 25) == 0;
  bool bad_literal = lexical && strncmp(msg, "invalid string in json text", 27) == 0;
  if (bad_char && at > 0)
    at--;
  if (bad_literal && at > 0 && (at == p->len || !is_word(p->text[at])))
    at--; /* a literal cut short ("tru}"): point into the word */
  asl_buf b = ASL_BUF_INIT;
  if (first == p->len) {
    *offset = p->len;
    asl_buf_adds(&b, "the text is empty: expected a JSON value");
  } else if (strncmp(msg, "premature EOF", 13) == 0) {
    *offset = p->len;
    asl_buf_adds(&b, "unexpected end of text: a string, array or object is not closed");
  } else if ((bad_literal || bad_char) && at < p->len && is_word(p->text[at])) {
    size_t s = at;
    size_t e = at;
    while (s > 0 && is_word(p->text[s - 1]))
      s--;
    while (e < p->len && is_word(p->text[e]) && e - s < 40)
      e++;
    *offset = s;
    asl_buf_printf(&b, "unexpected '%.*s': expected a JSON value (strings need double quotes; "
                       "null, true and false are lower case)",
                   (int)(e - s), p->text + s);
  } else {
    bool garbage = strncmp(msg, "trailing garbage", 16) == 0;
    size_t s = lexical ? at : last_token_start(p->text, at);
    if (bad_char) {
      n = 0;
      msg = "";
      asl_buf_adds(&b, "unexpected character: expected a JSON value (strings need double quotes)");
    }
    if (s >= p->len)
      s = p->len - 1;
    *offset = s;
    if (garbage)
      asl_buf_adds(&b, "more text after the JSON value; a file holds exactly one value");
    else
      asl_buf_add(&b, msg, n);
    size_t e = s + 1;
    if (!lexical && (p->text[s] == '"' || is_word(p->text[s])))
      while (e < p->len && e - s < 40 && (p->text[s] == '"' ? p->text[e - 1] != '"' || e == s + 1
                                                               : is_word(p->text[e])))
        e++;
    unsigned char c = (unsigned char)p->text[s];
    if (c >= 0x20 && c < 0x7f)
      asl_buf_printf(&b, " (found '%.*s')", (int)(e - s), p->text + s);
    else
      asl_buf_printf(&b, " (found byte 0x%02x)", c);
  }
  yajl_free_error(p->h, raw);
  return asl_buf_steal(&b, NULL);
}

asl_json *asl_json_parse(const char *text, size_t len, const asl_json_parse_opts *opts,
                         asl_error *err)
{
  parser p = {0};
  p.text = text;
  p.len = len;
  p.err = err;
  p.max_depth = opts && opts->max_depth ? opts->max_depth : DEFAULT_MAX_DEPTH;
  if (len > UINT32_MAX - 1) {
    asl_error_set(err, ASL_E_LIMIT, NULL, "JSON text of %zu bytes is too large", len);
    return NULL;
  }
  p.h = yajl_alloc(&callbacks, NULL, &p);
  yajl_status st = yajl_parse(p.h, (const unsigned char *)text, len);
  bool at_end = false;
  if (st == yajl_status_ok) {
    st = yajl_complete_parse(p.h);
    at_end = true;
  }
  if (st != yajl_status_ok && !p.failed) {
    size_t off = 0;
    char *msg = describe_error(&p, at_end, &off);
    asl_error_set(err, ASL_E_SYNTAX, NULL, "%s", msg);
    asl_free(msg);
    if (err)
      err->offset = off;
  }
  if (st != yajl_status_ok || !p.root) {
    if (st == yajl_status_ok) { /* only whitespace */
      asl_error_set(err, ASL_E_SYNTAX, NULL, "the text is empty: expected a JSON value");
      if (err)
        err->offset = 0;
    }
    for (size_t i = 0; i < p.depth; i++)
      asl_json_decref(p.stack[i].node);
    for (size_t i = 0; i < p.scratch.len; i++) {
      asl__member_free_key(&p.scratch.items[i]); /* array elements have klen 0: nothing to free */
      asl_json_decref(p.scratch.items[i].val);
    }
    asl_json_decref(p.root);
    p.root = NULL;
  }
  asl_free(p.stack);
  ASL_VEC_FREE(p.scratch);
  yajl_free(p.h);
  return p.root;
}
