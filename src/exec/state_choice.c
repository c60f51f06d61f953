/* Choice: the rules in order on the effective input (after InputPath); the first that matches
 * names the next state, else Default, else States.NoChoiceMatched. The output is the effective
 * input through OutputPath; a note says which rule decided. The rules themselves are lang's
 * (asl_choice_eval). */
#include "internal.h"
#include "vars.h"

asl__step asl__state_choice_run(asl_run *r)
{
  const asl_state *st = r->state;
  asl_json *in = asl__io_input_path(r, r->input);
  if (!in)
    return ASL__STEP_FAILED;
  asl_env env = asl__run_env(r, in);
  const asl_state *next = NULL;
  const asl_template *assign = st->assign_template; /* the Default's, unless a rule matches */
  int64_t rule = -1;
  for (size_t i = 0; i < st->u.choice.count && !next; i++) {
    const asl_choice_branch *b = &st->u.choice.branches[i];
    bool matched = false;
    asl_error err = ASL_ERROR_INIT;
    if (asl_choice_eval(b->rule, &env, &matched, &err) != ASL_OK) {
      asl_json_decref(in);
      return asl__run_fail_state(r, &err);
    }
    if (matched) {
      next = b->next;
      assign = b->assign_template;
      rule = (int64_t)i;
    }
  }
  if (!next)
    next = st->u.choice.default_next;
  if (!next) {
    asl_json_decref(in);
    asl_error err = ASL_ERROR_INIT;
    asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(NO_CHOICE_MATCHED),
                  "No Choice Rule matched the input and the Choice state has no Default.");
    return asl__run_fail_state(r, &err);
  }
  /* Assign reads the effective input, and the old variables as OutputPath does */
  asl_json *values = assign ? asl__vars_eval(r, assign, in) : NULL;
  if (assign && !values) {
    asl_json_decref(in);
    return ASL__STEP_FAILED;
  }
  r->output = asl__io_output_path(r, in);
  if (!r->output || !asl__vars_apply(r, values)) {
    if (!r->output)
      asl_json_decref(values);
    return ASL__STEP_FAILED;
  }
  r->next = next;
  if (asl__notes_wanted(r->exec)) {
    /* which rule matched is not in the history; coverage reads it here */
    asl_note n = {.kind = ASL_NOTE_CHOICE, .next = next->name, .index = rule};
    asl__run_note(r, &n);
  }
  return ASL__STEP_DONE;
}
