/* Choice: the rules in order on the effective input (after InputPath); the first that matches
 * names the next state, else Default, else States.NoChoiceMatched. The output is the effective
 * input through OutputPath; a note says which rule decided. The rules themselves are lang's
 * (asl_choice_eval). JSONata states test each rule's Condition instead. */
#include "internal.h"
#include "vars.h"

static void note_choice(asl_run *r, const asl_state *next, int64_t rule)
{
  if (asl__notes_wanted(r->exec)) {
    /* which rule matched is not in the history; coverage reads it here */
    asl_note n = {.kind = ASL_NOTE_CHOICE, .next = next->name, .index = rule};
    asl__run_note(r, &n);
  }
}

static asl__step no_choice(asl_run *r)
{
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(NO_CHOICE_MATCHED),
                "No Choice Rule matched the input and the Choice state has no Default.");
  return asl__run_fail_state(r, &err);
}

/* JSONata: each rule's Condition must give a boolean. The matching rule's Output and Assign
 * make the state's end; the state's own are those of the Default, as on AWS (a rule's Assign
 * replaces the state's: variables/test_assign_in_choice_state__*). */
static asl__step run_jsonata(asl_run *r)
{
  const asl_state *st = r->state;
  asl__states s = {.input = r->input};
  const asl_choice_branch *taken = NULL;
  int64_t rule = -1;
  for (size_t i = 0; i < st->u.choice.count && !taken; i++) {
    const asl_choice_branch *b = &st->u.choice.branches[i];
    asl_json *v = asl__ata_eval(r, b->condition, &s);
    if (!v)
      return ASL__STEP_FAILED;
    if (!asl_json_is_bool(v)) {
      asl__step step = asl__ata_fail_type(r, b->condition, "boolean", v);
      asl_json_decref(v);
      return step;
    }
    if (asl_json_bool_val(v)) {
      taken = b;
      rule = (int64_t)i;
    }
    asl_json_decref(v);
  }
  const asl_state *next = taken ? taken->next : st->u.choice.default_next;
  if (!next)
    return no_choice(r);
  const asl_jsonata_template *output = taken ? taken->output : st->output;
  const asl_jsonata_template *assign = taken ? taken->assign_jsonata : st->assign_jsonata;
  if (!asl__ata_finish(r, output, assign, &s, r->input))
    return ASL__STEP_FAILED;
  r->next = next;
  note_choice(r, next, rule);
  return ASL__STEP_DONE;
}

asl__step asl__state_choice_run(asl_run *r)
{
  const asl_state *st = r->state;
  if (st->query_language == ASL_QL_JSONATA)
    return run_jsonata(r);
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
    return no_choice(r);
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
  note_choice(r, next, rule);
  return ASL__STEP_DONE;
}
