/* What cannot be served locally at all (a Map reading its items from S3 or writing its results
 * there), said clearly instead of run wrongly: the execution fails when such a state is
 * reached, with an error that names the state and what is missing. */
#include "internal.h"

#define NOT_SUPPORTED "aslrun.NotSupported"

asl__step asl__state_not_supported(asl_run *r, const char *what)
{
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_USAGE, NOT_SUPPORTED, "The state '%s' %s", r->state->name, what);
  return asl__run_fail(r, &err);
}
