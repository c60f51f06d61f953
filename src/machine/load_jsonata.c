/* The JSONata fields of JSONata states, compiled at load: each field's value becomes a template
 * (jsonata.h) whose "{% ... %}" strings are parsed once, with the engine's syntax errors and
 * Step Functions' own refusals reported at their line and column. What each field may read of
 * $states is checked here too: $states.result only exists once a Task, Parallel or Map has its
 * result (their Output and Assign), $states.errorOutput only in a catcher. Evaluating them is the
 * executor's business (src/exec/jsonata.c). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* The first $states member [t] reads that [allowed] does not give, or NULL. */
static const char *forbidden_member(const asl_jsonata_template *t, unsigned allowed)
{
  if (!(allowed & ASL__ATA_RESULT) && asl_jsonata_template_reads_member(t, "states", "result"))
    return "result";
  if (!(allowed & ASL__ATA_ERROR_OUTPUT) &&
      asl_jsonata_template_reads_member(t, "states", "errorOutput"))
    return "errorOutput";
  return NULL;
}

static void report_member(loader *L, size_t pos, const char *ptr, const char *field,
                          const char *member)
{
  const char *where =
      strcmp(member, "result") == 0
          ? "it exists only in the Output and Assign of a Task, Parallel or Map state (a "
            "catcher reads the error as $states.errorOutput)"
          : "it exists only in the Output and Assign of a catcher (Catch)";
  asl__diag(L, pos, ptr, NULL, "%s cannot read $states.%s: %s", field, member, where);
}

/* Reports each expression string inside [v] (at [ptr]) that reads a member [allowed] does not
 * give, at its own line and column. Runs only once the whole template is known to have one,
 * so compiling the expressions again, alone, costs nothing in the common case. */
static void locate_members(loader *L, asl_arena *scratch, const asl_json *v, const char *ptr,
                           const char *field, unsigned allowed, int depth)
{
  if (depth > 1000)
    return;
  if (asl_jsonata_is_expression(v)) {
    asl_diags none = {0};
    asl_jsonata_template *t = asl_jsonata_template_compile(scratch, v, field, ptr, &none);
    asl_diags_free(&none);
    const char *member = t ? forbidden_member(t, allowed) : NULL;
    if (member)
      report_member(L, asl_json_pos(v), ptr, field, member);
    return;
  }
  size_t n = asl_json_len(v);
  for (size_t i = 0; i < n; i++) {
    char idx[24];
    size_t klen;
    const char *key;
    const asl_json *kid;
    if (asl_json_is_array(v)) {
      klen = (size_t)snprintf(idx, sizeof idx, "%zu", i);
      key = idx;
      kid = asl_json_at(v, i);
    } else if (asl_json_is_object(v)) {
      key = asl_json_key_at(v, i, &klen);
      kid = asl_json_value_at(v, i);
    } else {
      return;
    }
    char *kptr = asl_pointer_join(ptr, key, klen);
    locate_members(L, scratch, kid, kptr, field, allowed, depth + 1);
    asl_free(kptr);
  }
}

asl_jsonata_template *asl__compile_jsonata(loader *L, const slot *s, const char *base,
                                           const char *token, const char *field, unsigned allowed)
{
  if (!s->v)
    return NULL;
  char *ptr = asl__ptr(base, token);
  size_t before = L->d->len;
  asl_jsonata_template *t = asl_jsonata_template_compile(L->a, s->v, field, ptr, L->d);
  if (!t || L->d->len > before) {
    asl_free(ptr);
    return NULL;
  }
  const char *member = forbidden_member(t, allowed);
  if (member) {
    asl_arena *scratch = asl_arena_new();
    locate_members(L, scratch, s->v, ptr, field, allowed, 0);
    asl_arena_free(scratch);
    if (L->d->len == before) /* not reached: the template's expressions are its strings' */
      report_member(L, asl__vpos(s), ptr, field, member);
    asl_free(ptr);
    return NULL;
  }
  asl_free(ptr);
  return t;
}

unsigned asl__ata_result_of(asl_state_type t)
{
  switch (t) {
  case ASL_STATE_TASK:
  case ASL_STATE_PARALLEL:
  case ASL_STATE_MAP:
    return ASL__ATA_RESULT;
  case ASL_STATE_PASS:
  case ASL_STATE_CHOICE:
  case ASL_STATE_WAIT:
  case ASL_STATE_SUCCEED:
  case ASL_STATE_FAIL:
    return 0;
  }
  return 0;
}
