/* Function application (jsonata-js's apply/applyInner): argument validation against the
 * signature, lambdas with their closures, natives, partially applied natives, regexes called as
 * functions and their match objects' next(), chains (f ~> g) and transforms. Calls in tail
 * position come back as thunks and run in the trampoline loop here, so tail recursion does not
 * grow the C stack or the depth count. */
#include "internal.h"

uint32_t jn_arity(jv fn)
{
  if (!IS_FUNC(fn))
    return 0;
  const jfunc *f = fn.u.f;
  switch ((jf_kind)f->kind) {
  case F_LAMBDA:
    return f->nparams;
  case F_NATIVE:
    return f->bi->arity;
  case F_PARTIAL: {
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->nargs; i++)
      n += f->hole[i];
    return n;
  }
  case F_REGEX:
    return 2;
  case F_MATCHNEXT:
    return 0;
  case F_TRANSFORM:
  case F_CHAIN:
    return 1;
  }
  return 0;
}

/* The signature a function is validated against, NULL when none. */
static bool signature_of(const jfunc *f, jn_sig *tmp, const jn_sig **out)
{
  *out = NULL;
  switch ((jf_kind)f->kind) {
  case F_LAMBDA:
    *out = f->sig;
    return true;
  case F_NATIVE: {
    const char *code;
    size_t off;
    if (!jn_sig_parse(f->bi->sig, strlen(f->bi->sig), tmp, &code, &off))
      return false;
    *out = tmp;
    return true;
  }
  case F_TRANSFORM: {
    const char *code;
    size_t off;
    if (!jn_sig_parse("<(oa):o>", 8, tmp, &code, &off))
      return false;
    *out = tmp;
    return true;
  }
  case F_PARTIAL:
  case F_REGEX:
  case F_MATCHNEXT:
  case F_CHAIN:
    return true;
  }
  return true;
}

static jv apply_lambda(jn_ctx *c, const jfunc *f, jv *args, uint32_t nargs)
{
  jn_frame *env = jn_frame_new(c, f->env);
  for (uint32_t i = 0; i < f->nparams; i++)
    jn_bind(c, env, f->params[i]->str, f->params[i]->len, i < nargs ? args[i] : jv_undef());
  return jn_eval(c, f->body, f->input, env);
}

static jv apply_partial(jn_ctx *c, const jfunc *f, jv *args, uint32_t nargs, jv input,
                        jn_frame *env)
{
  jv *full = jn_alloc(c, (f->nargs ? f->nargs : 1) * sizeof(jv));
  uint32_t k = 0;
  for (uint32_t i = 0; i < f->nargs; i++) {
    if (f->hole[i])
      full[i] = k < nargs ? args[k++] : jv_undef();
    else
      full[i] = f->args[i];
  }
  return jn_apply(c, f->f, full, f->nargs, input, env, NULL, 0, JN_NOPOS);
}

static jv apply_match_next(jn_ctx *c, const jfunc *f)
{
  if (f->from >= f->slen)
    return jv_undef();
  uint32_t from_cp = (uint32_t)jn_utf8_count(f->str, f->from);
  jv next = jn_regex_match_obj(c, f->re, f->node ? f->node->pos : 0, f->str, f->slen, from_cp);
  PROPAGATE(next);
  if (next.t == JV_OBJ) {
    jv m = jn_obj_find(next.u.o, "match", 5);
    uint32_t ml;
    jv_strp(m, &ml);
    if (ml == 0) {
      jn_fail(c, "D1004", f->node ? f->node->pos : JN_NOPOS, NULL, NULL);
      return jv_err();
    }
  }
  return next;
}

static jv apply_inner(jn_ctx *c, jv proc, jv *args, uint32_t nargs, jv input, jn_frame *env,
                      const char *token, uint32_t token_len, uint32_t pos)
{
  if (!IS_FUNC(proc)) {
    jn_fail(c, "T1006", pos, NULL, NULL);
    jn_err_locate(c, pos, token, token_len);
    return jv_err();
  }
  const jfunc *f = proc.u.f;
  jn_sig tmp;
  const jn_sig *sig;
  if (!signature_of(f, &tmp, &sig))
    return jn_fail(c, "S0401", pos, NULL, NULL);
  jv *vargs = args;
  uint32_t nv = nargs;
  if (sig) {
    vargs = jn_alloc(c, (sig->n + nargs + 1) * sizeof(jv));
    if (!jn_sig_validate(c, sig, args, nargs, input, vargs, &nv)) {
      if (f->kind == F_NATIVE && !token) {
        token = f->bi->name;
        token_len = (uint32_t)strlen(token);
      }
      jn_err_locate(c, pos, token, token_len);
      return jv_err();
    }
  }
  jv r;
  switch ((jf_kind)f->kind) {
  case F_LAMBDA:
    r = apply_lambda(c, f, vargs, nv);
    break;
  case F_NATIVE:
    r = f->bi->fn(c, vargs, nv, input);
    if (IS_ERR(r) && !token) {
      token = f->bi->name;
      token_len = (uint32_t)strlen(token);
    }
    break;
  case F_PARTIAL:
    r = apply_partial(c, f, vargs, nv, input, env);
    break;
  case F_REGEX: {
    if (nv < 1 || !IS_STR(vargs[0])) {
      r = jv_undef();
      break;
    }
    uint32_t slen;
    const char *s = jv_strp(vargs[0], &slen);
    uint32_t from = 0;
    if (nv > 1 && vargs[1].t == JV_NUM && vargs[1].u.n > 0)
      from = (uint32_t)vargs[1].u.n;
    r = jn_regex_match_obj(c, f->re, f->node ? f->node->pos : 0, s, slen, from);
    break;
  }
  case F_MATCHNEXT:
    r = apply_match_next(c, f);
    break;
  case F_TRANSFORM:
    r = jn_apply_transform(c, f, nv > 0 ? vargs[0] : jv_undef());
    break;
  case F_CHAIN: {
    jv x = nv > 0 ? vargs[0] : jv_undef();
    jv *a1 = jn_alloc(c, sizeof(jv));
    a1[0] = x;
    jv fx = jn_apply(c, f->f, a1, 1, jv_null(), env, NULL, 0, pos);
    PROPAGATE(fx);
    jv *a2 = jn_alloc(c, sizeof(jv));
    a2[0] = fx;
    r = jn_apply(c, f->g, a2, 1, jv_null(), env, NULL, 0, pos);
    break;
  }
  default:
    r = jn_fail(c, "T1006", pos, NULL, NULL);
    break;
  }
  if (IS_ERR(r))
    jn_err_locate(c, pos, token, token_len);
  return r;
}

jv jn_apply(jn_ctx *c, jv fn, jv *args, uint32_t nargs, jv input, jn_frame *env, const char *token,
            uint32_t token_len, uint32_t pos)
{
  jfunc slot;
  jfunc *outer = c->thunk_slot;
  c->thunk_slot = &slot;
  jv r = apply_inner(c, fn, args, nargs, input, env, token, token_len, pos);
  /* the trampoline: a lambda that made a call in tail position returned it as a thunk */
  while (IS_FUNC(r) && r.u.f->kind == F_LAMBDA && r.u.f->thunk) {
    if (!jn_check_time(c)) {
      r = jv_err();
      break;
    }
    const jn_node *call = r.u.f->body;
    jv tinput = r.u.f->input;
    jn_frame *tenv = r.u.f->env;
    jv next = jn_eval(c, call->procedure, tinput, tenv);
    if (IS_ERR(next)) {
      r = next;
      break;
    }
    const char *tok = NULL;
    uint32_t tlen = 0;
    if (call->procedure->kind == N_VARIABLE) {
      tok = call->procedure->str;
      tlen = call->procedure->len;
    }
    jv *eargs = call->nitems ? jn_alloc(c, call->nitems * sizeof(jv)) : NULL;
    for (uint32_t i = 0; i < call->nitems; i++) {
      eargs[i] = jn_eval(c, call->items[i], tinput, tenv);
      if (IS_ERR(eargs[i])) {
        c->thunk_slot = outer;
        return eargs[i];
      }
    }
    r = apply_inner(c, next, eargs, call->nitems, input, env, tok, tlen, call->procedure->pos);
  }
  c->thunk_slot = outer;
  return r;
}
