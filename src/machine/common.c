/* The parts several state types share, loaded once for all of them: Next/End, the JSONPath
 * input/output pipeline (InputPath, Parameters, ResultSelector, ResultPath, OutputPath), the
 * JSONata fields Arguments and Output (compiled by load_jsonata.c), Assign, and nested state
 * lists (Parallel branches, Map processors). Retry and Catch are in retry_catch.c. */
#include "internal.h"

#include <string.h>

void asl__load_transition(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *next = &c->f[F_NEXT];
  slot *end = &c->f[F_END];
  bool end_true = false;
  bool end_ok = true;
  if (end->v) {
    end_ok = asl__want_bool(L, end, st->pointer, "End");
    end_true = end_ok && asl_json_bool_val(end->v);
  }
  if (next->v && end_true)
    asl__diag(L, end->kpos, st->pointer, "End",
              "a state cannot have both \"Next\" and \"End\": true; keep Next to go on to "
              "another state, or End to finish here");
  if (next->v) {
    asl__add_ref(L, st->list, &st->next, next, st->pointer, "Next");
  } else if (end->v && end_ok && !end_true) {
    asl__diag(L, asl__vpos(end), st->pointer, "End",
              "\"End\": false needs a \"Next\"; name the state to go to, or set \"End\": true");
    asl__mark_broken(L, st->list);
  } else if (!end_ok) {
    asl__mark_broken(L, st->list);
  } else if (!end->v) {
    if (asl__missing(c, F_NEXT) && asl__missing(c, F_END))
      asl__diag(L, st->offset, st->pointer, NULL,
                "missing \"Next\" or \"End\": name the state to go to with \"Next\", or finish "
                "with \"End\": true");
    asl__mark_broken(L, st->list); /* where it was meant to go may look unreachable */
  }
  st->end = end_true;
}

/* Arguments: an object, or one JSONata expression that makes the whole value. */
static void load_arguments(state_ctx *c)
{
  slot *s = &c->f[F_ARGUMENTS];
  if (!s->v)
    return;
  if (!asl_json_is_object(s->v) && !asl__is_jsonata_expr(s->v)) {
    char *got = asl__describe(s->v);
    asl__sdiag(c, F_ARGUMENTS, false,
               "Arguments must be an object or a JSONata expression \"{%% ... %%}\", not %s", got);
    asl_free(got);
    return;
  }
  c->st->arguments =
      asl__compile_jsonata(c->L, s, c->st->pointer, "Arguments", "Arguments", 0);
}

void asl__load_io(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  const char *p = st->pointer;
  if (c->f[F_INPUT_PATH].v &&
      asl__compile_path(L, &c->f[F_INPUT_PATH], p, "InputPath", &st->input_path_null,
                        &st->input_path) &&
      asl_path_is_context(st->input_path))
    st->uses_context = true;
  if (c->f[F_OUTPUT_PATH].v &&
      asl__compile_path(L, &c->f[F_OUTPUT_PATH], p, "OutputPath", &st->output_path_null,
                        &st->output_path) &&
      asl_path_is_context(st->output_path))
    st->uses_context = true;
  if (c->f[F_PARAMETERS].v &&
      asl__compile_template(L, &c->f[F_PARAMETERS], p, "Parameters", &st->parameters) &&
      asl_template_uses_context(st->parameters))
    st->uses_context = true;
  if (c->f[F_RESULT_SELECTOR].v &&
      asl__compile_template(L, &c->f[F_RESULT_SELECTOR], p, "ResultSelector",
                            &st->result_selector) &&
      asl_template_uses_context(st->result_selector))
    st->uses_context = true;
  if (c->f[F_RESULT_PATH].v)
    asl__compile_refpath(L, &c->f[F_RESULT_PATH], p, "ResultPath", &st->result_path_null,
                         &st->result_path);
  load_arguments(c);
  unsigned after = asl__ata_result_of(c->st->type);
  st->output = asl__compile_jsonata(L, &c->f[F_OUTPUT], p, "Output", "Output", after);
  /* Assign: a payload template in JSONPath states (assign.c), JSONata's in the others */
  if (c->f[F_ASSIGN].v && asl__want_object(L, &c->f[F_ASSIGN], p, "Assign")) {
    st->assign = c->f[F_ASSIGN].v;
    st->assign_template = asl__load_assign(c, &c->f[F_ASSIGN], p);
    if (c->jsonata)
      st->assign_jsonata = asl__compile_jsonata(L, &c->f[F_ASSIGN], p, "Assign", "Assign", after);
  }
}

enum { SUB_START_AT, SUB_STATES, SUB_COMMENT, SUB_FIXED };

bool asl__load_sublist(state_ctx *c, const asl_json *v, size_t vpos, const char *ptr,
                       const char *what, asl_states *out, const char *const *extra, size_t nextra,
                       slot *extra_out)
{
  loader *L = c->L;
  const char *names[8] = {"StartAt", "States", "Comment"};
  slot f[8];
  size_t n = SUB_FIXED;
  for (size_t i = 0; i < nextra && n < 8; i++)
    names[n++] = extra[i];
  if (!asl__scan_object(L, v, vpos, ptr, what, names, n, f)) {
    out->pointer = asl_arena_strdup(L->a, ptr);
    return false;
  }
  for (size_t i = 0; i < nextra; i++)
    extra_out[i] = f[SUB_FIXED + i];
  if (f[SUB_COMMENT].v)
    asl__want_string(L, &f[SUB_COMMENT], ptr, "Comment");
  asl__load_states(L, &f[SUB_START_AT], &f[SUB_STATES], vpos, ptr, out);
  return true;
}
