/* Succeed: ends its run (the execution, a branch or an iteration) successfully with its input
 * through InputPath and OutputPath (JSONata: its Output, or its input). */
#include "internal.h"

asl__step asl__state_succeed_run(asl_run *r)
{
  if (r->state->query_language == ASL_QL_JSONATA) {
    asl__states s = {.input = r->input};
    if (!asl__ata_finish(r, r->state->output, NULL, &s, r->input))
      return ASL__STEP_FAILED;
    r->next = NULL;
    return ASL__STEP_DONE;
  }
  asl_json *in = asl__io_input_path(r, r->input);
  if (!in)
    return ASL__STEP_FAILED;
  r->output = asl__io_output_path(r, in);
  if (!r->output)
    return ASL__STEP_FAILED;
  r->next = NULL;
  return ASL__STEP_DONE;
}
