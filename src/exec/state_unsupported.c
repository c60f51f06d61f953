/* What this version of the executor cannot run yet, said clearly instead of run wrongly: Task,
 * Parallel and Map states, JSONata states and variables (Assign). Each fails the execution when
 * reached, with an error that names the state and what is missing. */
#include "internal.h"

#define NOT_SUPPORTED "aslrun.NotSupported"

asl__step asl__state_unsupported_run(asl_run *r)
{
  const asl_state *st = r->state;
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_USAGE, NOT_SUPPORTED,
                "The state '%s' is a %s state, which this version of aslrun cannot run yet "
                "(Task, Parallel and Map states come in a later version)",
                st->name, asl_state_type_name(st->type));
  return asl__run_fail(r, &err);
}

bool asl__state_supported(asl_run *r)
{
  const asl_state *st = r->state;
  const char *what = NULL;
  if (st->query_language == ASL_QL_JSONATA)
    what = "uses JSONata (QueryLanguage \"JSONata\")";
  else if (st->assign)
    what = "assigns variables (Assign)";
  if (!what)
    return true;
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_USAGE, NOT_SUPPORTED,
                "The state '%s' %s, which this version of aslrun cannot run yet", st->name, what);
  asl__run_fail(r, &err);
  return false;
}
