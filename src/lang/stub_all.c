/* Temporary: every function of include/aslrun/lang.h, failing with a clear error until its real
 * implementation lands (each moves to its own file: jsonpath.c, refpath.c, expr.c, template.c,
 * choice.c, timestamp.c). Nothing here pretends to work. */
#include "aslrun/lang.h"

#define NOT_YET(what)                                                                              \
  asl_error_set(err, ASL_E_USAGE, NULL, "%s is not implemented yet in aslrun's lang module", what)

asl_status asl_path_compile(asl_arena *a, const char *text, size_t len, asl_path **out,
                            asl_error *err)
{
  (void)a, (void)text, (void)len;
  *out = NULL;
  return NOT_YET("JSONPath");
}
const char *asl_path_text(const asl_path *p) { (void)p; return ""; }
bool asl_path_is_context(const asl_path *p) { (void)p; return false; }
bool asl_path_is_root(const asl_path *p) { (void)p; return false; }
bool asl_path_is_definite(const asl_path *p) { (void)p; return true; }
asl_json *asl_path_eval(const asl_path *p, const asl_env *env, asl_error *err)
{
  (void)p, (void)env;
  NOT_YET("JSONPath");
  return NULL;
}

asl_status asl_refpath_compile(asl_arena *a, const char *text, size_t len, asl_refpath **out,
                               asl_error *err)
{
  (void)a, (void)text, (void)len;
  *out = NULL;
  return NOT_YET("ResultPath");
}
const char *asl_refpath_text(const asl_refpath *rp) { (void)rp; return ""; }
asl_json *asl_refpath_apply(const asl_refpath *rp, const asl_json *input, const asl_json *result,
                            asl_error *err)
{
  (void)rp, (void)input, (void)result;
  NOT_YET("ResultPath");
  return NULL;
}

asl_status asl_expr_compile(asl_arena *a, const char *text, size_t len, int allow, asl_expr **out,
                            asl_error *err)
{
  (void)a, (void)text, (void)len, (void)allow;
  *out = NULL;
  return NOT_YET("`.$` expressions");
}
const char *asl_expr_text(const asl_expr *e) { (void)e; return ""; }
bool asl_expr_uses_context(const asl_expr *e) { (void)e; return true; }
asl_json *asl_expr_eval(const asl_expr *e, const char *field, const asl_env *env, asl_error *err)
{
  (void)e, (void)field, (void)env;
  NOT_YET("`.$` expressions");
  return NULL;
}

asl_template *asl_template_compile(asl_arena *a, const asl_json *tmpl, const char *pointer,
                                   asl_diags *d)
{
  (void)a;
  asl_diags_add(d, asl_json_pos(tmpl), pointer,
                "payload templates are not implemented yet in aslrun's lang module");
  return NULL;
}
bool asl_template_uses_context(const asl_template *t) { (void)t; return true; }
asl_json *asl_template_eval(const asl_template *t, const asl_env *env, asl_error *err)
{
  (void)t, (void)env;
  NOT_YET("payload templates");
  return NULL;
}

asl_choice *asl_choice_compile(asl_arena *a, const asl_json *rule, const char *pointer,
                               bool top_level, asl_diags *d)
{
  (void)a, (void)top_level;
  asl_diags_add(d, asl_json_pos(rule), pointer,
                "Choice rules are not implemented yet in aslrun's lang module");
  return NULL;
}
bool asl_choice_uses_context(const asl_choice *c) { (void)c; return true; }
asl_status asl_choice_eval(const asl_choice *c, const asl_env *env, bool *matched, asl_error *err)
{
  (void)c, (void)env;
  *matched = false;
  return NOT_YET("Choice rules");
}

bool asl_timestamp_parse(const char *s, size_t len, asl_timestamp *out)
{
  (void)s, (void)len;
  out->seconds = 0;
  out->nanos = 0;
  return false; /* not implemented yet: every timestamp is rejected, never guessed */
}
int asl_timestamp_cmp(asl_timestamp a, asl_timestamp b)
{
  if (a.seconds != b.seconds)
    return a.seconds < b.seconds ? -1 : 1;
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos;
}
size_t asl_timestamp_format_ms(int64_t ms, char buf[32])
{
  (void)ms;
  buf[0] = '\0';
  return 0;
}
