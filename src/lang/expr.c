/* `.$` expressions and fields such as ErrorPath: a JSONPath, a context path ($$...) or an
 * intrinsic function call, compiled once; evaluation words a miss as AWS does for payload
 * templates ("The JSONPath '$.x' specified for the field 'value.$' could not be found in the
 * input '{...}'": jsonpath/test_invalid_jsonpath__*). Intrinsic calls are in intrinsic*.c. */
#include "internal.h"
#include "intrinsic.h"

#include <string.h>

struct asl_expr {
  const char *text;
  asl_path *path;     /* a path, or */
  intr_call *call;    /* an intrinsic function call */
  bool uses_context;
};

asl_status asl_expr_compile(asl_arena *a, const char *text, size_t len, int allow, asl_expr **out,
                            asl_error *err)
{
  *out = NULL;
  asl_expr *e = asl_arena_alloc(a, sizeof *e);
  e->text = asl_arena_strndup(a, text, len);
  if (len > 0 && text[0] == '$' && (allow & ASL_EXPR_PATHS)) {
    asl_status st = asl_path_compile(a, text, len, &e->path, err);
    if (st != ASL_OK)
      return st;
    e->uses_context = e->path->context;
  } else if (len >= 7 && memcmp(text, "States.", 7) == 0 && (allow & ASL_EXPR_INTRINSICS)) {
    asl_status st = asl__intr_compile(a, text, len, &e->call, err);
    if (st != ASL_OK)
      return st;
    e->uses_context = asl__intr_uses_context(e->call);
  } else if (allow == ASL_EXPR_PATHS) {
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' is not a JSONPath: a path starts with '$', as $.name", e->text);
  } else if (allow == ASL_EXPR_INTRINSICS) {
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' is not an intrinsic function call such as States.Format('{}', "
                         "$.name)",
                         e->text);
  } else {
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' is neither a JSONPath (starting with '$') nor an intrinsic "
                         "function call (starting with 'States.')",
                         e->text);
  }
  *out = e;
  return ASL_OK;
}

const char *asl_expr_text(const asl_expr *e)
{
  return e->text;
}

bool asl_expr_uses_context(const asl_expr *e)
{
  return e->uses_context;
}

static void call_each_variable(const intr_call *c, asl_var_ref_cb cb, void *data)
{
  for (size_t i = 0; i < c->nargs; i++) {
    const intr_arg *a = &c->args[i];
    if (a->kind == ARG_PATH && a->path->var)
      cb(data, a->path->var, a->path->var_len, a->pos);
    else if (a->kind == ARG_CALL)
      call_each_variable(a->call, cb, data);
  }
}

void asl_expr_each_variable(const asl_expr *e, asl_var_ref_cb cb, void *data)
{
  if (e->path && e->path->var)
    cb(data, e->path->var, e->path->var_len, 0);
  else if (e->call)
    call_each_variable(e->call, cb, data);
}

asl_json *asl__path_value(const asl_path *p, const asl_env *env, const char *field,
                          asl_error *err)
{
  const asl_json *doc = asl__path_doc(p, env);
  if (p->var && !doc)
    return asl_path_eval(p, env, err); /* words the unset variable */
  if (p->simple && doc) {
    const asl_json *found = asl__path_lookup(p, doc);
    if (found)
      return asl_json_incref(found);
  }
  asl_error tmp = ASL_ERROR_INIT;
  asl_json *v = asl_path_eval(p, env, &tmp);
  if (!v && tmp.code == ASL_E_LIMIT) {
    asl_error_move(err, &tmp); /* the path ran out of steps: say so rather than "not found" */
  } else if (!v) {
    asl_buf b = ASL_BUF_INIT;
    asl__dump(env->input, &b);
    /* the input quoted is the state's, also for a $$ path */
    asl__runtime_error(err, "States.Runtime",
                       "The JSONPath '%s' specified for the field '%s' could not be found in the "
                       "input '%s'",
                       p->text, field ? field : "", b.data);
    asl_buf_free(&b);
  }
  asl_error_clear(&tmp);
  return v;
}

asl_json *asl_expr_eval(const asl_expr *e, const char *field, const asl_env *env, asl_error *err)
{
  if (e->path)
    return asl__path_value(e->path, env, field, err);
  return asl__intr_eval(e->call, env, field, err);
}
