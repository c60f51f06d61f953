/* What this version of the executor cannot run, said clearly instead of run wrongly: JSONata
 * states, which come in a later version, and what cannot be served
 * locally at all (a Map reading its items from S3). Each fails the execution when reached, with
 * an error that names the state and what is missing. */
#include "internal.h"

#define NOT_SUPPORTED "aslrun.NotSupported"

asl__step asl__state_not_supported(asl_run *r, const char *what)
{
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_USAGE, NOT_SUPPORTED, "The state '%s' %s", r->state->name, what);
  return asl__run_fail(r, &err);
}

bool asl__state_supported(asl_run *r)
{
  const asl_state *st = r->state;
  const char *what = NULL;
  if (st->query_language == ASL_QL_JSONATA)
    what = "uses JSONata (QueryLanguage \"JSONata\"), which this version of aslrun cannot run "
           "yet";
  if (!what)
    return true;
  asl__state_not_supported(r, what);
  return false;
}
