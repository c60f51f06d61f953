/* Workflow variables (Assign, $name), private to src/exec: each run (the top level, a Parallel
 * branch, a Map iteration) has a scope of its own that reads the scopes around it, except a
 * Distributed Map's child executions, which see only their own. A state's expressions all read
 * the values from before the state (AWS evaluates every Assign expression and the Output against
 * them), so a state evaluates first and hands the finished assignments to asl__vars_assign. */
#ifndef ASLRUN_EXEC_VARS_H
#define ASLRUN_EXEC_VARS_H

#include "internal.h"

/* The value of workflow variable [name] ([len] bytes, no '$') as the current state of run [run]
 * sees it, borrowed (alive until the run's next assignment); NULL when unset. Its signature is
 * asl_jsonata_lookup_cb's, so that a JSONata env can use it with lookup_data = the run. */
const asl_json *asl__var_lookup(void *run, const char *name, size_t len);

/* Applies a state's assignments: [values] is an object name -> value (taken: the callee owns
 * it), all evaluated beforehand with the variables as they were when the state was entered.
 * Checks AWS's limits and scope rules; on a violation returns the error AWS gives (the caller
 * fails the state with it, so Catch/Retry apply as on AWS) and assigns nothing. On success the
 * names are remembered for the state's *StateExited event (assignedVariables). */
asl_status asl__vars_assign(asl_run *r, asl_json *values, asl_error *err);

/* The values JSONPath Assign [t] of the current state gives on [in] ($ for its paths: the
 * result, the effective input or the error output, as the state type decides): a new object,
 * or NULL with r->error filled as AWS words a failing path or intrinsic. */
asl_json *asl__vars_eval(asl_run *r, const asl_template *t, const asl_json *in);
/* asl__vars_assign for the current state with [values] (taken; NULL assigns nothing): false with
 * r->error when it refuses them. */
bool asl__vars_apply(asl_run *r, asl_json *values);

/* Frees the run's own scope and what it remembered for its events. */
void asl__vars_free(asl_run *r);

#endif
