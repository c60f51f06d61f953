/* Fail states: the error name and cause, each either literal (Error, Cause), a path or
 * intrinsic call (ErrorPath, CausePath; JSONPath), or a JSONata expression. */
#include "internal.h"

/* One of Error/Cause with its Path twin. */
static void load_pair(state_ctx *c, field_id lit, field_id path, const char **out_lit,
                      asl_expr **out_path, asl_jsonata_template **out_expr)
{
  loader *L = c->L;
  asl_state *st = c->st;
  const char *lname = asl__field_names[lit];
  const char *pname = asl__field_names[path];
  if (c->f[lit].v && c->f[path].v) {
    asl__sdiag(c, path, true, "a Fail state may have %s or %s, not both; keep one", lname, pname);
    return;
  }
  if (c->f[lit].v && asl__want_string(L, &c->f[lit], st->pointer, lname)) {
    if (c->jsonata && asl__is_jsonata_expr(c->f[lit].v))
      *out_expr = asl__compile_jsonata(L, &c->f[lit], st->pointer, lname, lname, 0);
    else
      *out_lit = asl__arena_str(L, c->f[lit].v);
  }
  if (c->f[path].v &&
      asl__compile_expr(L, &c->f[path], st->pointer, pname, ASL_EXPR_PATHS | ASL_EXPR_INTRINSICS,
                        out_path) &&
      asl_expr_uses_context(*out_path))
    st->uses_context = true;
}

void asl__load_fail(state_ctx *c)
{
  asl_state *st = c->st;
  load_pair(c, F_ERROR, F_ERROR_PATH, &st->u.fail.error, &st->u.fail.error_path,
            &st->u.fail.error_expr);
  load_pair(c, F_CAUSE, F_CAUSE_PATH, &st->u.fail.cause, &st->u.fail.cause_path,
            &st->u.fail.cause_expr);
}
