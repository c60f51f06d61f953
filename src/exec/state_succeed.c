/* Succeed: ends its run (the execution, a branch or an iteration) successfully with its input
 * through InputPath and OutputPath. */
#include "internal.h"

asl__step asl__state_succeed_run(asl_run *r)
{
  asl_json *in = asl__io_input_path(r, r->input);
  if (!in)
    return ASL__STEP_FAILED;
  r->output = asl__io_output_path(r, in);
  if (!r->output)
    return ASL__STEP_FAILED;
  r->next = NULL;
  return ASL__STEP_DONE;
}
