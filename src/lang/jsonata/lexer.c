/* The JSONata tokenizer, as jsonata-js's: operators, string and number literals, names and
 * `quoted names`, $variables, /regex/flags and comments, with the same error codes and
 * positions (a token's position is the offset just past it). Regexes are compiled here, once. */
#include "syntax.h"

#include <math.h>
#include <stdlib.h>

static const char *const op_texts[OP__COUNT] = {
  [OP_NONE] = "",      [OP_DOT] = ".",       [OP_LBRACKET] = "[", [OP_RBRACKET] = "]",
  [OP_LBRACE] = "{",   [OP_RBRACE] = "}",    [OP_LPAREN] = "(",   [OP_RPAREN] = ")",
  [OP_COMMA] = ",",    [OP_AT] = "@",        [OP_HASH] = "#",     [OP_SEMI] = ";",
  [OP_COLON] = ":",    [OP_QUESTION] = "?",  [OP_PLUS] = "+",     [OP_MINUS] = "-",
  [OP_STAR] = "*",     [OP_SLASH] = "/",     [OP_PERCENT] = "%",  [OP_PIPE] = "|",
  [OP_EQ] = "=",       [OP_LT] = "<",        [OP_GT] = ">",       [OP_CARET] = "^",
  [OP_STARSTAR] = "**", [OP_DOTDOT] = "..",  [OP_ASSIGN] = ":=",  [OP_NE] = "!=",
  [OP_LE] = "<=",      [OP_GE] = ">=",       [OP_APPLY] = "~>",   [OP_ELVIS] = "?:",
  [OP_COALESCE] = "??", [OP_AND] = "and",    [OP_OR] = "or",      [OP_IN] = "in",
  [OP_AMP] = "&",      [OP_BANG] = "!",      [OP_TILDE] = "~",
};

const char *jn_op_text(jn_op op)
{
  return op < OP__COUNT ? op_texts[op] : "";
}

/* The one-character operators, which also end names. */
static jn_op single_op(char c)
{
  switch (c) {
  case '.': return OP_DOT;
  case '[': return OP_LBRACKET;
  case ']': return OP_RBRACKET;
  case '{': return OP_LBRACE;
  case '}': return OP_RBRACE;
  case '(': return OP_LPAREN;
  case ')': return OP_RPAREN;
  case ',': return OP_COMMA;
  case '@': return OP_AT;
  case '#': return OP_HASH;
  case ';': return OP_SEMI;
  case ':': return OP_COLON;
  case '?': return OP_QUESTION;
  case '+': return OP_PLUS;
  case '-': return OP_MINUS;
  case '*': return OP_STAR;
  case '/': return OP_SLASH;
  case '%': return OP_PERCENT;
  case '|': return OP_PIPE;
  case '=': return OP_EQ;
  case '<': return OP_LT;
  case '>': return OP_GT;
  case '^': return OP_CARET;
  case '&': return OP_AMP;
  case '!': return OP_BANG;
  case '~': return OP_TILDE;
  default: return OP_NONE;
  }
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

jn_node *jn_node_new(asl_arena *a, jn_kind kind, uint32_t pos)
{
  jn_node *n = asl_arena_alloc(a, sizeof *n);
  n->kind = (uint8_t)kind;
  n->pos = pos;
  return n;
}

void *jn_syntax_error(jn_parse_error *err, asl_arena *a, const char *code, size_t pos,
                      const char *token, size_t token_len, bool token_is_text)
{
  if (err->code)
    return NULL;
  err->code = code;
  err->pos = (uint32_t)pos;
  if (token) {
    if (token_is_text) {
      /* JSON.stringify of the token text */
      asl_buf b = ASL_BUF_INIT;
      asl_json *s = asl_json_string(token, token_len);
      asl_json_dump_buf(s, ASL_JSON_COMPACT, &b);
      asl_json_decref(s);
      err->token = asl_arena_strndup(a, b.data, b.len);
      asl_buf_free(&b);
    } else {
      err->token = asl_arena_strndup(a, token, token_len);
    }
  }
  return NULL;
}

static char peek(const jn_lexer *L, size_t i)
{
  return i < L->len ? L->src[i] : '\0';
}

static jn_node *make(jn_lexer *L, jn_kind kind)
{
  return jn_node_new(L->a, kind, (uint32_t)L->pos);
}

static jn_node *op_token(jn_lexer *L, jn_op op, size_t width)
{
  L->pos += width;
  jn_node *n = make(L, R_OPERATOR);
  n->op = (uint8_t)op;
  return n;
}

/* Writes a UTF-16 code unit sequence's code point; lone surrogates are kept as three bytes
 * (WTF-8) so that functions that must refuse them ($encodeUrl) still can. */
static void put_cp(asl_buf *b, uint32_t cp)
{
  jn_utf8_put(b, cp);
}

static jn_node *scan_string(jn_lexer *L, char quote)
{
  L->pos++;
  asl_buf b = ASL_BUF_INIT;
  uint32_t pending_high = 0; /* a high surrogate waiting for its low half */
  while (L->pos < L->len) {
    char ch = L->src[L->pos];
    if (ch == '\\') {
      L->pos++;
      ch = peek(L, L->pos);
      uint32_t unit = 0;
      bool is_unit = false;
      switch (ch) {
      case '"': asl_buf_addc(&b, '"'); break;
      case '\\': asl_buf_addc(&b, '\\'); break;
      case '/': asl_buf_addc(&b, '/'); break;
      case 'b': asl_buf_addc(&b, '\b'); break;
      case 'f': asl_buf_addc(&b, '\f'); break;
      case 'n': asl_buf_addc(&b, '\n'); break;
      case 'r': asl_buf_addc(&b, '\r'); break;
      case 't': asl_buf_addc(&b, '\t'); break;
      case 'u': {
        int v = 0;
        for (size_t k = 1; k <= 4; k++) {
          int h = asl_hex_value(peek(L, L->pos + k));
          if (h < 0) {
            asl_buf_free(&b);
            return jn_syntax_error(L->err, L->a, "S0104", L->pos, NULL, 0, false);
          }
          v = v * 16 + h;
        }
        L->pos += 4;
        unit = (uint32_t)v;
        is_unit = true;
        break;
      }
      default:
        asl_buf_free(&b);
        if (L->pos >= L->len)
          return jn_syntax_error(L->err, L->a, "S0101", L->pos, NULL, 0, false);
        {
          size_t i = L->pos;
          uint32_t cp = jn_utf8_next(L->src, L->len, &i);
          asl_buf t = ASL_BUF_INIT;
          jn_utf8_put(&t, cp);
          void *r = jn_syntax_error(L->err, L->a, "S0103", L->pos, t.data, t.len, true);
          asl_buf_free(&t);
          return r;
        }
      }
      if (pending_high) {
        if (is_unit && unit >= 0xDC00 && unit <= 0xDFFF) {
          b.len -= 3; /* the provisional bytes of the high half */
          b.data[b.len] = '\0';
          put_cp(&b, 0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00));
          pending_high = 0;
          L->pos++;
          continue;
        }
        /* the high half stood alone: it went out before what followed it */
      }
      if (is_unit) {
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          pending_high = unit;
          put_cp(&b, unit); /* provisional; replaced when a low half follows */
          L->pos++;
          continue;
        }
        put_cp(&b, unit);
      }
      pending_high = 0;
    } else if (ch == quote) {
      L->pos++;
      jn_node *n = make(L, N_STRING);
      n->len = (uint32_t)b.len;
      n->str = asl_arena_strndup(L->a, b.data ? b.data : "", b.len);
      asl_buf_free(&b);
      return n;
    } else {
      asl_buf_addc(&b, ch);
      pending_high = 0;
    }
    L->pos++;
  }
  asl_buf_free(&b);
  return jn_syntax_error(L->err, L->a, "S0101", L->pos, NULL, 0, false);
}

static jn_node *scan_regex(jn_lexer *L)
{
  size_t start = L->pos;
  int depth = 0;
  while (L->pos < L->len) {
    char ch = L->src[L->pos];
    bool closing = false;
    if (ch == '/' && depth == 0) {
      size_t bs = 0;
      while (L->pos >= bs + 1 + start && L->src[L->pos - (bs + 1)] == '\\')
        bs++;
      closing = bs % 2 == 0;
    }
    if (closing) {
      size_t plen = L->pos - start;
      if (plen == 0)
        return jn_syntax_error(L->err, L->a, "S0301", L->pos, NULL, 0, false);
      L->pos++;
      int flags = 0;
      while (L->pos < L->len && (L->src[L->pos] == 'i' || L->src[L->pos] == 'm')) {
        flags |= L->src[L->pos] == 'i' ? RE_ICASE : RE_MULTILINE;
        L->pos++;
      }
      const char *msg = NULL;
      jn_regex *re = jn_regex_compile(L->a, L->src + start, plen, flags, &msg);
      if (!re) {
        jn_syntax_error(L->err, L->a, "S0303", L->pos, L->src + start, plen, true);
        L->err->detail = (char *)msg;
        return NULL;
      }
      jn_node *n = make(L, N_REGEX);
      n->re = re;
      n->re_src = L->src + start;
      n->re_len = (uint32_t)plen;
      return n;
    }
    if ((ch == '(' || ch == '[' || ch == '{') && (L->pos == 0 || L->src[L->pos - 1] != '\\'))
      depth++;
    if ((ch == ')' || ch == ']' || ch == '}') && (L->pos == 0 || L->src[L->pos - 1] != '\\'))
      depth--;
    L->pos++;
  }
  return jn_syntax_error(L->err, L->a, "S0302", L->pos, NULL, 0, false);
}

/* /^-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?/ at the current position; the length of
 * the match, 0 when none. */
static size_t number_match(const jn_lexer *L)
{
  size_t i = L->pos;
  if (peek(L, i) == '-')
    i++;
  if (peek(L, i) == '0') {
    i++;
  } else if (peek(L, i) >= '1' && peek(L, i) <= '9') {
    while (peek(L, i) >= '0' && peek(L, i) <= '9')
      i++;
  } else {
    return 0;
  }
  if (peek(L, i) == '.' && peek(L, i + 1) >= '0' && peek(L, i + 1) <= '9') {
    i += 2;
    while (peek(L, i) >= '0' && peek(L, i) <= '9')
      i++;
  }
  if (peek(L, i) == 'e' || peek(L, i) == 'E') {
    size_t j = i + 1;
    if (peek(L, j) == '+' || peek(L, j) == '-')
      j++;
    if (peek(L, j) >= '0' && peek(L, j) <= '9') {
      while (peek(L, j) >= '0' && peek(L, j) <= '9')
        j++;
      i = j;
    }
  }
  return i - L->pos;
}

jn_node *jn_lex(jn_lexer *L, bool infix)
{
  for (;;) {
    while (L->pos < L->len && is_space(L->src[L->pos]))
      L->pos++;
    if (L->pos >= L->len)
      return make(L, R_END);
    char ch = L->src[L->pos];
    if (ch == '/' && peek(L, L->pos + 1) == '*') {
      size_t start = L->pos;
      L->pos += 2;
      while (!(peek(L, L->pos) == '*' && peek(L, L->pos + 1) == '/')) {
        L->pos++;
        if (L->pos >= L->len)
          return jn_syntax_error(L->err, L->a, "S0106", start, NULL, 0, false);
      }
      L->pos += 2;
      continue;
    }
    break;
  }
  char ch = L->src[L->pos];
  char nx = peek(L, L->pos + 1);
  if (!infix && ch == '/') {
    L->pos++;
    return scan_regex(L);
  }
  if (ch == '.' && nx == '.')
    return op_token(L, OP_DOTDOT, 2);
  if (ch == ':' && nx == '=')
    return op_token(L, OP_ASSIGN, 2);
  if (ch == '!' && nx == '=')
    return op_token(L, OP_NE, 2);
  if (ch == '>' && nx == '=')
    return op_token(L, OP_GE, 2);
  if (ch == '<' && nx == '=')
    return op_token(L, OP_LE, 2);
  if (ch == '*' && nx == '*')
    return op_token(L, OP_STARSTAR, 2);
  if (ch == '~' && nx == '>')
    return op_token(L, OP_APPLY, 2);
  if (!(L->flags & ASL_JSONATA_SFN)) {
    /* JSONata 2.1's default and coalescing operators; Step Functions has 2.0.6 */
    if (ch == '?' && nx == ':')
      return op_token(L, OP_ELVIS, 2);
    if (ch == '?' && nx == '?')
      return op_token(L, OP_COALESCE, 2);
  }
  jn_op op = single_op(ch);
  if (op != OP_NONE)
    return op_token(L, op, 1);
  if (ch == '"' || ch == '\'')
    return scan_string(L, ch);
  size_t nlen = number_match(L);
  if (nlen) {
    char buf[64];
    double d;
    if (nlen < sizeof buf) {
      memcpy(buf, L->src + L->pos, nlen);
      buf[nlen] = '\0';
      d = strtod(buf, NULL);
    } else {
      char *tmp = asl_strndup(L->src + L->pos, nlen);
      d = strtod(tmp, NULL);
      asl_free(tmp);
    }
    if (!isfinite(d))
      return jn_syntax_error(L->err, L->a, "S0102", L->pos, L->src + L->pos, nlen, false);
    L->pos += nlen;
    jn_node *n = make(L, N_NUMBER);
    n->num = d;
    return n;
  }
  if (ch == '`') {
    L->pos++;
    const char *end = memchr(L->src + L->pos, '`', L->len - L->pos);
    if (!end) {
      L->pos = L->len;
      return jn_syntax_error(L->err, L->a, "S0105", L->pos, NULL, 0, false);
    }
    size_t start = L->pos;
    L->pos = (size_t)(end - L->src) + 1;
    jn_node *n = make(L, N_NAME);
    n->str = asl_arena_strndup(L->a, L->src + start, (size_t)(end - L->src) - start);
    n->len = (uint32_t)((size_t)(end - L->src) - start);
    return n;
  }
  size_t i = L->pos;
  while (i < L->len && !is_space(L->src[i]) && single_op(L->src[i]) == OP_NONE)
    i++;
  size_t start = L->pos;
  L->pos = i;
  if (L->src[start] == '$') {
    jn_node *n = make(L, N_VARIABLE);
    n->str = asl_arena_strndup(L->a, L->src + start + 1, i - start - 1);
    n->len = (uint32_t)(i - start - 1);
    return n;
  }
  size_t len = i - start;
  const char *s = L->src + start;
  if ((len == 2 && memcmp(s, "or", 2) == 0) || (len == 2 && memcmp(s, "in", 2) == 0) ||
      (len == 3 && memcmp(s, "and", 3) == 0)) {
    jn_node *n = make(L, R_OPERATOR);
    n->op = (uint8_t)(s[0] == 'o' ? OP_OR : s[0] == 'i' ? OP_IN : OP_AND);
    return n;
  }
  if ((len == 4 && memcmp(s, "true", 4) == 0) || (len == 5 && memcmp(s, "false", 5) == 0) ||
      (len == 4 && memcmp(s, "null", 4) == 0)) {
    jn_node *n = make(L, N_VALUE);
    n->vk = (uint8_t)(s[0] == 't' ? VK_TRUE : s[0] == 'f' ? VK_FALSE : VK_NULL);
    return n;
  }
  if (len == 0)
    return make(L, R_END);
  jn_node *n = make(L, N_NAME);
  n->str = asl_arena_strndup(L->a, s, len);
  n->len = (uint32_t)len;
  return n;
}
