/* The JSONata parser: Pratt's top-down operator precedence, with jsonata-js's binding powers,
 * nud/led rules and error codes, producing the raw tree that ast.c then turns into paths and
 * steps. Nesting is capped so that no text can exhaust the C stack. */
#include "syntax.h"

#include <stdio.h>

#define MAX_NESTING 500

enum { SYM_NAME = OP__COUNT, SYM_LITERAL, SYM_REGEX, SYM_END, SYM_OTHER };

typedef struct parser {
  jn_lexer L;
  asl_arena *a;
  jn_parse_error *err;
  jn_node *node; /* the current token */
  int nesting;
  int flags;
} parser;

static int sym_of(const jn_node *n)
{
  switch ((int)n->kind) {
  case N_NAME:
  case N_VARIABLE:
    return SYM_NAME;
  case N_STRING:
  case N_NUMBER:
  case N_VALUE:
    return SYM_LITERAL;
  case N_REGEX:
    return SYM_REGEX;
  case R_END:
    return SYM_END;
  case R_OPERATOR:
    return n->op;
  default:
    return SYM_OTHER;
  }
}

/* Left binding powers of the parser's symbol table (operators without a led bind 0). */
static int lbp_of(int sym)
{
  switch (sym) {
  case OP_DOT: return 75;
  case OP_LBRACKET:
  case OP_LPAREN:
  case OP_AT:
  case OP_HASH: return 80;
  case OP_LBRACE: return 70;
  case OP_QUESTION: return 20;
  case OP_PLUS:
  case OP_MINUS:
  case OP_AMP: return 50;
  case OP_STAR:
  case OP_SLASH:
  case OP_PERCENT: return 60;
  case OP_EQ:
  case OP_LT:
  case OP_GT:
  case OP_NE:
  case OP_LE:
  case OP_GE:
  case OP_IN:
  case OP_APPLY:
  case OP_CARET:
  case OP_ELVIS:
  case OP_COALESCE: return 40;
  case OP_AND: return 30;
  case OP_OR: return 25;
  case OP_ASSIGN: return 10;
  default: return 0;
  }
}

/* JSON text of a token's value, as jsonata-js puts it in messages. */
static void token_json(const jn_node *n, asl_buf *b)
{
  switch ((int)n->kind) {
  case N_NAME:
  case N_VARIABLE:
  case N_STRING: {
    asl_json *s = asl_json_string(n->str, n->len);
    asl_json_dump_buf(s, ASL_JSON_COMPACT, b);
    asl_json_decref(s);
    return;
  }
  case N_NUMBER: {
    char buf[32];
    size_t k = jn_num_to_js(n->num, buf);
    asl_buf_add(b, buf, k);
    return;
  }
  case N_VALUE:
    asl_buf_adds(b, n->vk == VK_TRUE ? "true" : n->vk == VK_FALSE ? "false" : "null");
    return;
  case N_REGEX:
    asl_buf_adds(b, "{}");
    return;
  case R_END:
    asl_buf_adds(b, "\"(end)\"");
    return;
  case R_OPERATOR:
    asl_buf_printf(b, "\"%s\"", jn_op_text((jn_op)n->op));
    return;
  default:
    asl_buf_adds(b, "null");
    return;
  }
}

static void *fail_tok(parser *P, const char *code, const jn_node *tok, const char *value)
{
  if (P->err->code)
    return NULL;
  asl_buf b = ASL_BUF_INIT;
  token_json(tok, &b);
  jn_syntax_error(P->err, P->a, code, tok->pos, b.data, b.len, false);
  asl_buf_free(&b);
  if (value) {
    char buf[64];
    snprintf(buf, sizeof buf, "\"%s\"", value);
    P->err->value = asl_arena_strdup(P->a, buf);
  }
  return NULL;
}

static const char *sym_text(int sym)
{
  switch (sym) {
  case SYM_NAME: return "(name)";
  case SYM_LITERAL: return "(literal)";
  case SYM_REGEX: return "(regex)";
  case SYM_END: return "(end)";
  default: return jn_op_text((jn_op)sym);
  }
}

/* Moves to the next token after checking that the current one is [id] (-1: any). */
static bool advance(parser *P, int id, bool infix)
{
  if (id >= 0 && sym_of(P->node) != id) {
    fail_tok(P, P->node->kind == R_END ? "S0203" : "S0202", P->node, sym_text(id));
    return false;
  }
  jn_node *t = jn_lex(&P->L, infix);
  if (!t)
    return false;
  if (t->kind == R_OPERATOR && (t->op == OP_BANG || t->op == OP_TILDE)) {
    fail_tok(P, "S0204", t, NULL);
    return false;
  }
  P->node = t;
  return true;
}

static jn_node *expression(parser *P, int rbp);

typedef ASL_VEC(jn_node *) node_vec;

static void finish_items(parser *P, jn_node *n, node_vec *v)
{
  n->nitems = (uint32_t)v->len;
  if (v->len) {
    n->items = asl_arena_alloc(P->a, v->len * sizeof *n->items);
    memcpy(n->items, v->items, v->len * sizeof *n->items);
  }
  ASL_VEC_FREE(*v);
}

static jn_node *parse_block(parser *P, jn_node *t)
{
  node_vec v = {0};
  while (sym_of(P->node) != OP_RPAREN) {
    jn_node *e = expression(P, 0);
    if (!e) {
      ASL_VEC_FREE(v);
      return NULL;
    }
    ASL_VEC_PUSH(v, e);
    if (sym_of(P->node) != OP_SEMI)
      break;
    if (!advance(P, OP_SEMI, false)) {
      ASL_VEC_FREE(v);
      return NULL;
    }
  }
  if (!advance(P, OP_RPAREN, true)) {
    ASL_VEC_FREE(v);
    return NULL;
  }
  t->kind = N_BLOCK;
  finish_items(P, t, &v);
  return t;
}

static jn_node *parse_array(parser *P, jn_node *t)
{
  node_vec v = {0};
  if (sym_of(P->node) != OP_RBRACKET) {
    for (;;) {
      jn_node *item = expression(P, 0);
      if (!item)
        goto fail;
      if (sym_of(P->node) == OP_DOTDOT) {
        jn_node *range = jn_node_new(P->a, R_BINARY, P->node->pos);
        range->op = OP_DOTDOT;
        range->lhs = item;
        if (!advance(P, OP_DOTDOT, false))
          goto fail;
        range->rhs = expression(P, 0);
        if (!range->rhs)
          goto fail;
        item = range;
      }
      ASL_VEC_PUSH(v, item);
      if (sym_of(P->node) != OP_COMMA)
        break;
      if (!advance(P, OP_COMMA, false))
        goto fail;
    }
  }
  if (!advance(P, OP_RBRACKET, true))
    goto fail;
  t->kind = N_ARRAY;
  finish_items(P, t, &v);
  return t;
fail:
  ASL_VEC_FREE(v);
  return NULL;
}

/* { key: value, ... } as a constructor (left NULL) or a group-by on [left]. */
static jn_node *parse_object(parser *P, jn_node *t, jn_node *left)
{
  ASL_VEC(jn_pair) v = {0};
  if (sym_of(P->node) != OP_RBRACE) {
    for (;;) {
      jn_pair pr;
      pr.key = expression(P, 0);
      if (!pr.key || !advance(P, OP_COLON, false))
        goto fail;
      pr.value = expression(P, 0);
      if (!pr.value)
        goto fail;
      ASL_VEC_PUSH(v, pr);
      if (sym_of(P->node) != OP_COMMA)
        break;
      if (!advance(P, OP_COMMA, false))
        goto fail;
    }
  }
  if (!advance(P, OP_RBRACE, true))
    goto fail;
  t->npairs = (uint32_t)v.len;
  if (v.len) {
    t->pairs = asl_arena_alloc(P->a, v.len * sizeof *t->pairs);
    memcpy(t->pairs, v.items, v.len * sizeof *t->pairs);
  }
  ASL_VEC_FREE(v);
  if (left) {
    t->kind = R_BINARY;
    t->op = OP_LBRACE;
    t->lhs = left;
  } else {
    t->kind = N_OBJECT;
  }
  return t;
fail:
  ASL_VEC_FREE(v);
  return NULL;
}

static jn_node *parse_transform(parser *P, jn_node *t)
{
  t->kind = N_TRANSFORM;
  t->lhs = expression(P, 0);
  if (!t->lhs || !advance(P, OP_PIPE, false))
    return NULL;
  t->rhs = expression(P, 0);
  if (!t->rhs)
    return NULL;
  if (sym_of(P->node) == OP_COMMA) {
    if (!advance(P, OP_COMMA, false))
      return NULL;
    t->third = expression(P, 0);
    if (!t->third)
      return NULL;
  }
  if (!advance(P, OP_PIPE, false))
    return NULL;
  return t;
}

static jn_node *nud(parser *P, jn_node *t)
{
  switch (sym_of(t)) {
  case SYM_NAME:
  case SYM_LITERAL:
  case SYM_REGEX:
  case SYM_END:
  case OP_AND:
  case OP_OR:
  case OP_IN:
    return t;
  case OP_MINUS:
    t->kind = N_NEG;
    t->lhs = expression(P, 70);
    return t->lhs ? t : NULL;
  case OP_STAR:
    t->kind = N_WILDCARD;
    return t;
  case OP_STARSTAR:
    t->kind = N_DESCENDANT;
    return t;
  case OP_PERCENT:
    t->kind = N_PARENT;
    return t;
  case OP_LPAREN:
    return parse_block(P, t);
  case OP_LBRACKET:
    return parse_array(P, t);
  case OP_LBRACE:
    return parse_object(P, t, NULL);
  case OP_PIPE:
    return parse_transform(P, t);
  default:
    return fail_tok(P, "S0211", t, NULL);
  }
}

static jn_node *parse_call(parser *P, jn_node *t, jn_node *left)
{
  t->kind = N_FUNCTION;
  t->procedure = left;
  node_vec v = {0};
  if (sym_of(P->node) != OP_RPAREN) {
    for (;;) {
      if (P->node->kind == R_OPERATOR && P->node->op == OP_QUESTION) {
        t->kind = N_PARTIAL;
        ASL_VEC_PUSH(v, P->node);
        if (!advance(P, OP_QUESTION, false))
          goto fail;
      } else {
        jn_node *arg = expression(P, 0);
        if (!arg)
          goto fail;
        ASL_VEC_PUSH(v, arg);
      }
      if (sym_of(P->node) != OP_COMMA)
        break;
      if (!advance(P, OP_COMMA, false))
        goto fail;
    }
  }
  if (!advance(P, OP_RPAREN, true))
    goto fail;
  finish_items(P, t, &v);
  bool is_lambda =
    left->kind == N_NAME && ((left->len == 8 && memcmp(left->str, "function", 8) == 0) ||
                             (left->len == 2 && memcmp(left->str, "\xce\xbb", 2) == 0));
  if (!is_lambda)
    return t;
  for (uint32_t i = 0; i < t->nitems; i++) {
    if (t->items[i]->kind != N_VARIABLE) {
      fail_tok(P, "S0208", t->items[i], NULL);
      char buf[16];
      snprintf(buf, sizeof buf, "%u", i + 1);
      P->err->value = asl_arena_strdup(P->a, buf);
      return NULL;
    }
  }
  t->kind = N_LAMBDA;
  if (sym_of(P->node) == OP_LT) {
    size_t sig_pos = P->node->pos;
    int depth = 1;
    asl_buf sig = ASL_BUF_INIT;
    asl_buf_addc(&sig, '<');
    while (depth > 0 && sym_of(P->node) != OP_LBRACE && sym_of(P->node) != SYM_END) {
      if (!advance(P, -1, false)) {
        asl_buf_free(&sig);
        return NULL;
      }
      jn_node *tok = P->node;
      if (sym_of(tok) == OP_GT)
        depth--;
      else if (sym_of(tok) == OP_LT)
        depth++;
      /* the signature is the concatenation of the tokens' values */
      switch ((int)tok->kind) {
      case N_NAME:
      case N_VARIABLE:
      case N_STRING:
        asl_buf_add(&sig, tok->str, tok->len);
        break;
      case R_OPERATOR:
        asl_buf_adds(&sig, jn_op_text((jn_op)tok->op));
        break;
      case R_END:
        break;
      default: {
        asl_buf tj = ASL_BUF_INIT;
        token_json(tok, &tj);
        asl_buf_add(&sig, tj.data, tj.len);
        asl_buf_free(&tj);
        break;
      }
      }
    }
    if (!advance(P, OP_GT, false)) {
      asl_buf_free(&sig);
      return NULL;
    }
    jn_sig *s = asl_arena_alloc(P->a, sizeof *s);
    const char *code = NULL;
    size_t off = 0;
    if (!jn_sig_parse(sig.data, sig.len, s, &code, &off)) {
      asl_buf_free(&sig);
      return jn_syntax_error(P->err, P->a, code, sig_pos + off, NULL, 0, false);
    }
    asl_buf_free(&sig);
    t->sig = s;
  }
  if (!advance(P, OP_LBRACE, false))
    return NULL;
  t->rhs = expression(P, 0); /* the body */
  if (!t->rhs || !advance(P, OP_RBRACE, false))
    return NULL;
  return t;
fail:
  ASL_VEC_FREE(v);
  return NULL;
}

static jn_node *parse_predicate(parser *P, jn_node *t, jn_node *left)
{
  if (sym_of(P->node) == OP_RBRACKET) {
    /* an empty predicate keeps singleton arrays in the output */
    jn_node *step = left;
    while (step && step->kind == R_BINARY && step->op == OP_LBRACKET)
      step = step->lhs;
    step->keep_array = true;
    if (!advance(P, OP_RBRACKET, false))
      return NULL;
    return left;
  }
  t->kind = R_BINARY;
  t->op = OP_LBRACKET;
  t->lhs = left;
  t->rhs = expression(P, 0);
  if (!t->rhs || !advance(P, OP_RBRACKET, true))
    return NULL;
  return t;
}

static jn_node *parse_order_by(parser *P, jn_node *t, jn_node *left)
{
  if (!advance(P, OP_LPAREN, false))
    return NULL;
  node_vec v = {0};
  for (;;) {
    jn_node *term = jn_node_new(P->a, N_SORT, P->node->pos);
    if (sym_of(P->node) == OP_LT) {
      if (!advance(P, OP_LT, false))
        goto fail;
    } else if (sym_of(P->node) == OP_GT) {
      term->descending = true;
      if (!advance(P, OP_GT, false))
        goto fail;
    }
    term->lhs = expression(P, 0);
    if (!term->lhs)
      goto fail;
    ASL_VEC_PUSH(v, term);
    if (sym_of(P->node) != OP_COMMA)
      break;
    if (!advance(P, OP_COMMA, false))
      goto fail;
  }
  if (!advance(P, OP_RPAREN, false))
    goto fail;
  t->kind = R_BINARY;
  t->op = OP_CARET;
  t->lhs = left;
  finish_items(P, t, &v);
  return t;
fail:
  ASL_VEC_FREE(v);
  return NULL;
}

static jn_node *led(parser *P, jn_node *t, jn_node *left)
{
  int sym = sym_of(t);
  switch (sym) {
  case OP_LPAREN:
    return parse_call(P, t, left);
  case OP_LBRACKET:
    return parse_predicate(P, t, left);
  case OP_CARET:
    return parse_order_by(P, t, left);
  case OP_LBRACE:
    return parse_object(P, t, left);
  case OP_ASSIGN:
    if (left->kind != N_VARIABLE)
      return fail_tok(P, "S0212", left, NULL);
    t->kind = R_BINARY;
    t->lhs = left;
    t->rhs = expression(P, lbp_of(OP_ASSIGN) - 1); /* right associative */
    return t->rhs ? t : NULL;
  case OP_AT:
  case OP_HASH:
    t->kind = R_BINARY;
    t->lhs = left;
    t->rhs = expression(P, lbp_of(sym));
    if (!t->rhs)
      return NULL;
    if (t->rhs->kind != N_VARIABLE) {
      jn_syntax_error(P->err, P->a, "S0214", t->rhs->pos, sym == OP_AT ? "@" : "#", 1, true);
      return NULL;
    }
    return t;
  case OP_QUESTION:
    t->kind = N_CONDITION;
    t->lhs = left;
    t->rhs = expression(P, 0);
    if (!t->rhs)
      return NULL;
    if (sym_of(P->node) == OP_COLON) {
      if (!advance(P, OP_COLON, false))
        return NULL;
      t->third = expression(P, 0);
      if (!t->third)
        return NULL;
    }
    return t;
  case OP_COALESCE:
  case OP_ELVIS:
    t->kind = sym == OP_COALESCE ? N_COALESCE : N_ELVIS;
    t->lhs = left;
    t->rhs = expression(P, 0);
    return t->rhs ? t : NULL;
  default:
    /* the plain infix operators */
    t->kind = R_BINARY;
    t->lhs = left;
    t->rhs = expression(P, lbp_of(sym));
    return t->rhs ? t : NULL;
  }
}

static jn_node *expression(parser *P, int rbp)
{
  if (++P->nesting > MAX_NESTING)
    return jn_syntax_error(P->err, P->a, "S0220", P->node->pos, NULL, 0, false);
  jn_node *t = P->node;
  if (!advance(P, -1, true))
    return NULL;
  jn_node *left = nud(P, t);
  if (!left)
    return NULL;
  while (rbp < lbp_of(sym_of(P->node))) {
    t = P->node;
    if (!advance(P, -1, false))
      return NULL;
    left = led(P, t, left);
    if (!left)
      return NULL;
  }
  P->nesting--;
  return left;
}

jn_node *jn_parse(asl_arena *a, const char *src, size_t len, int flags, jn_parse_error *err)
{
  memset(err, 0, sizeof *err);
  parser P = {0};
  P.a = a;
  P.err = err;
  P.flags = flags;
  P.L.a = a;
  P.L.src = src;
  P.L.len = len;
  P.L.flags = flags;
  P.L.err = err;
  P.node = jn_lex(&P.L, false);
  if (!P.node)
    return NULL;
  if (P.node->kind == R_OPERATOR && (P.node->op == OP_BANG || P.node->op == OP_TILDE))
    return fail_tok(&P, "S0204", P.node, NULL);
  jn_node *expr = expression(&P, 0);
  if (!expr)
    return NULL;
  if (P.node->kind != R_END)
    return fail_tok(&P, "S0201", P.node, NULL);
  return jn_process(a, expr, err);
}
