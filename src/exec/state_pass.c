/* Pass: the effective input (InputPath, Parameters) or the literal Result becomes the result,
 * then ResultPath and OutputPath. A Result is a literal: its "x.$" keys stay as written
 * (conformance pass/test_state_pass_result_jsonpaths.json). A JSONata Pass has only Output and
 * Assign. */
#include "internal.h"

asl__step asl__state_pass_run(asl_run *r)
{
  const asl_state *st = r->state;
  if (st->query_language == ASL_QL_JSONATA) {
    /* Output (the input when absent) and Assign, both on $states.input */
    asl__states s = {.input = r->input};
    if (!asl__ata_finish(r, st->output, st->assign_jsonata, &s, r->input))
      return ASL__STEP_FAILED;
    r->next = st->next;
    return ASL__STEP_DONE;
  }
  asl_json *result;
  if (st->u.pass.result) {
    /* InputPath and Parameters are still evaluated, and fail as they would without Result */
    if (st->input_path || st->parameters) {
      asl_json *ignored = asl__io_effective_input(r, r->input);
      if (!ignored)
        return ASL__STEP_FAILED;
      asl_json_decref(ignored);
    }
    result = asl_json_incref(st->u.pass.result);
  } else {
    result = asl__io_effective_input(r, r->input);
    if (!result)
      return ASL__STEP_FAILED;
  }
  r->output = asl__io_output(r, r->input, result, false);
  if (!r->output)
    return ASL__STEP_FAILED;
  r->next = st->next;
  return ASL__STEP_DONE;
}
