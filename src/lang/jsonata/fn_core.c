/* The table of built-in functions and the general ones: $string, $type, $boolean, $not,
 * $exists, $number, $error, $assert, $eval, $clone, $now, $millis; plus what the higher-order
 * functions share (hofFuncArgs and calling a function value). */
#include "functions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const jn_builtin builtins[] = {
#define FN(name, sig, impl, arity, nparams, flags) {name, sig, impl, arity, nparams, flags},
#include "functions.def"
#undef FN
};

const jn_builtin *jn_builtin_find(const char *name, uint32_t len, int flags)
{
  bool sfn = flags & ASL_JSONATA_SFN;
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
    const jn_builtin *b = &builtins[i];
    if (strlen(b->name) != len || memcmp(b->name, name, len) != 0)
      continue;
    if ((b->flags & BI_SFN_ONLY) && !sfn)
      continue;
    if ((b->flags & BI_NOT_SFN) && sfn)
      continue;
    return b;
  }
  return NULL;
}

uint32_t jn_hof_args(jv fn, jv v, jv i, jv all, jv *out)
{
  uint32_t arity = jn_arity(fn);
  uint32_t n = 0;
  out[n++] = v;
  if (arity >= 2)
    out[n++] = i;
  if (arity >= 3)
    out[n++] = all;
  return n;
}

jv jn_call(jn_ctx *c, jv fn, jv *args, uint32_t nargs)
{
  jv *copy = jn_alloc(c, (nargs ? nargs : 1) * sizeof(jv));
  memcpy(copy, args, nargs * sizeof(jv));
  return jn_apply(c, fn, copy, nargs, jv_null(), c->root, NULL, 0, JN_NOPOS);
}

jv jn_own_json(jn_ctx *c, asl_json *j)
{
  if (c->nowned == c->cap_owned) {
    c->cap_owned = c->cap_owned ? c->cap_owned * 2 : 4;
    c->owned = asl_realloc(c->owned, c->cap_owned * sizeof *c->owned);
  }
  c->owned[c->nowned++] = j;
  return jv_from_json(j);
}

/* ------------------------------------------------------------------ general ---- */
jv fn_string(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv pretty = arg_at(args, nargs, 1);
  return jn_string(c, arg_at(args, nargs, 0), pretty.t == JV_BOOL && pretty.b);
}

jv jn_type_name(jv v)
{
  switch ((jv_type)v.t) {
  case JV_UNDEF:
  case JV_ERR:
    return jv_undef();
  case JV_NULL:
    return jn_cstr("null");
  case JV_NUM:
    return isnan(v.u.n) ? jn_cstr("object") : jn_cstr("number");
  case JV_STR:
  case JV_JSTR:
    return jn_cstr("string");
  case JV_BOOL:
    return jn_cstr("boolean");
  case JV_ARR:
  case JV_JARR:
    return jn_cstr("array");
  case JV_FUNC:
    return jn_cstr("function");
  case JV_OBJ:
  case JV_JOBJ:
    return jn_cstr("object");
  }
  return jv_undef();
}

jv fn_type(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (v.t == JV_NUM && isinf(v.u.n))
    return jn_fail_v(c, "D1001", JN_NOPOS, v);
  return jn_type_name(v);
}

jv fn_boolean(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return jn_boolean(c, arg_at(args, nargs, 0));
}

jv fn_not(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv b = jn_boolean(c, arg_at(args, nargs, 0));
  if (b.t == JV_BOOL)
    b.b = !b.b;
  return b;
}

jv fn_exists(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)c, (void)input;
  return jv_bool(!IS_UNDEF(arg_at(args, nargs, 0)));
}

/* /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/ */
static bool decimal_literal(const char *s, uint32_t n)
{
  uint32_t i = 0;
  if (i < n && s[i] == '-')
    i++;
  uint32_t d = i;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    i++;
  if (i == d)
    return false;
  if (i < n && s[i] == '.') {
    i++;
    d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
    if (i == d)
      return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      i++;
    if (i == d)
      return false;
  }
  return i == n;
}

/* 0x.., 0o.., 0b.. as JavaScript's Number() reads them; NaN when malformed */
static double radix_literal(const char *s, uint32_t n)
{
  int base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
  double v = 0;
  if (n < 3)
    return NAN;
  for (uint32_t i = 2; i < n; i++) {
    int d;
    char ch = s[i];
    if (ch >= '0' && ch <= '9')
      d = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      d = ch - 'A' + 10;
    else
      return NAN;
    if (d >= base)
      return NAN;
    v = v * base + d;
  }
  return v;
}

jv fn_number(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v) || v.t == JV_NUM)
    return v;
  if (v.t == JV_BOOL)
    return jv_num(v.b ? 1 : 0);
  if (IS_STR(v)) {
    uint32_t n;
    const char *s = jv_strp(v, &n);
    if (decimal_literal(s, n)) {
      char *tmp = jn_strdup(c, s, n);
      double d = strtod(tmp, NULL);
      if (isfinite(d))
        return jv_num(d);
    } else if (n >= 2 && s[0] == '0' &&
               (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' ||
                s[1] == 'B')) {
      return jv_num(radix_literal(s, n));
    }
  }
  jn_fail_arg(c, "D3030", 1, v);
  return jv_err();
}

jv fn_error(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv m = arg_at(args, nargs, 0);
  uint32_t len = 0;
  const char *s = IS_STR(m) ? jv_strp(m, &len) : "";
  if (len == 0)
    s = "$error() function evaluated", len = (uint32_t)strlen(s);
  return jn_fail_msg(c, "D3137", s, len);
}

jv fn_assert(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv cond = arg_at(args, nargs, 0);
  if (cond.t == JV_BOOL && cond.b)
    return jv_undef();
  jv m = arg_at(args, nargs, 1);
  uint32_t len = 0;
  const char *s = IS_STR(m) ? jv_strp(m, &len) : "";
  if (len == 0)
    s = "$assert() statement failed", len = (uint32_t)strlen(s);
  return jn_fail_msg(c, "D3141", s, len);
}

jv fn_clone(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return jn_clone(c, arg_at(args, nargs, 0));
}

jv fn_millis(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)args, (void)nargs, (void)input;
  return jv_num((double)jn_now_ms(c));
}

/* ------------------------------------------------------------------ $eval ---- */
jv jn_eval_text(jn_ctx *c, const char *src, size_t len, jv input, jn_frame *env)
{
  if (!c->eval_arena)
    c->eval_arena = asl_arena_new();
  jn_parse_error perr;
  jn_node *ast = jn_parse(c->eval_arena, src, len, c->flags, &perr);
  if (!ast) {
    jn_err e;
    memset(&e, 0, sizeof e);
    snprintf(e.code, sizeof e.code, "%s", perr.code ? perr.code : "S0201");
    e.token = perr.token ? asl_strdup(perr.token) : NULL;
    e.value = perr.value ? asl_strdup(perr.value) : NULL;
    e.message = perr.detail ? asl_strdup(perr.detail) : NULL;
    char *msg = jn_err_message(&e);
    jn_err_clear(&e);
    jv m = jn_str_new(c, msg, strlen(msg));
    asl_free(msg);
    return jn_fail_v(c, "D3120", JN_NOPOS, m);
  }
  jn_frame *frame = jn_frame_new(c, env);
  jn_bind(c, frame, "$", 1, input);
  jv r = jn_eval(c, ast, input, frame);
  if (IS_ERR(r) && c->err.status != ASL_E_LIMIT) {
    /* wrap the error as D3121, its message as the value */
    char *msg = jn_err_message(&c->err);
    jv m = jn_str_new(c, msg, strlen(msg));
    asl_free(msg);
    c->failed = false;
    jn_err_clear(&c->err);
    return jn_fail_v(c, "D3121", JN_NOPOS, m);
  }
  return r;
}

jv fn_eval(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  jv expr = arg_at(args, nargs, 0);
  if (IS_UNDEF(expr))
    return expr;
  if (nargs > 1 && !IS_UNDEF(args[1])) {
    input = args[1];
    if (IS_ARR(input) && !jv_is_seq(input)) {
      jv w = jn_seq1(c, input);
      w.u.a->flags |= AF_OUTER;
      input = w;
    }
  }
  uint32_t len;
  const char *s = jv_strp(expr, &len);
  /* the evaluated expression sees the built-ins and the caller's bindings, not the local ones */
  jv r = jn_eval_text(c, s, len, input, NULL);
  return r;
}
