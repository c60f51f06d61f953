/* Intrinsic function calls: not implemented yet (phase 2 of the lang module); every call is
 * rejected at load with a clear message rather than guessed at. */
#include "intrinsic.h"

struct intr_call {
  int unused;
};

asl_status asl__intr_compile(asl_arena *a, const char *text, size_t len, intr_call **out,
                             asl_error *err)
{
  (void)a;
  *out = NULL;
  return asl_error_set(err, ASL_E_DEFINITION, NULL,
                       "intrinsic functions such as '%.*s' are not supported yet by aslrun",
                       (int)len, text);
}

bool asl__intr_uses_context(const intr_call *c)
{
  (void)c;
  return false;
}

asl_json *asl__intr_eval(const intr_call *c, const asl_env *env, const char *field,
                         asl_error *err)
{
  (void)c, (void)env, (void)field;
  asl__runtime_error(err, "States.IntrinsicFailure", "intrinsic functions are not supported yet");
  return NULL;
}
