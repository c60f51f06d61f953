/* The load-time check of workflow variables: a JSONPath reference ($name in a path, a template
 * or an intrinsic call) to a variable that no Assign of its scope, or of the scopes around it,
 * ever sets can only fail when it runs, so it is reported at load instead. A scope is a state
 * list: the top level, each Parallel branch, a Map's item processor; a Distributed Map's
 * processor sees no scope around it, as on AWS. JSONata references are left to run time: AWS
 * accepts them and the expression then returns nothing (variables/test_undefined_reference__*). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* A chain of scopes, innermost first, each the set of names its Assigns set (an object used as
 * a hash set: name -> null). */
typedef struct scope {
  const struct scope *outer;
  asl_json *names;
  bool sealed; /* a Distributed Map's processor: the outer scopes are out of sight */
} scope;

typedef struct checker {
  loader *L;
  const asl_json *all; /* every name any Assign of the machine sets */
  const scope *sc;
  const asl_state *st;
  const char *field; /* the field being checked, below the state ("Catch/0/Assign") */
} checker;

static void add_names(asl_json *set, const asl_json *assign)
{
  if (!assign || !asl_json_is_object(assign))
    return;
  for (size_t i = 0; i < asl_json_len(assign); i++) {
    size_t len;
    const char *k = asl_json_key_at(assign, i, &len);
    if (len >= 2 && k[len - 2] == '.' && k[len - 1] == '$')
      len -= 2;
    asl_json_obj_put(set, k, len, asl_json_null());
  }
}

static asl_json *names_of(const asl_states *list)
{
  asl_json *set = asl_json_object(0);
  for (size_t i = 0; i < list->count; i++) {
    const asl_state *st = list->items[i];
    add_names(set, st->assign);
    if (st->type == ASL_STATE_CHOICE)
      for (size_t b = 0; b < st->u.choice.count; b++)
        add_names(set, st->u.choice.branches[b].assign);
    for (size_t k = 0; k < st->catcher_count; k++)
      add_names(set, st->catchers[k].assign);
  }
  return set;
}

static void on_ref(void *data, const char *name, size_t len, size_t offset)
{
  const checker *c = data;
  bool sealed_off = false;
  for (const scope *s = c->sc; s; s = s->outer) {
    if (asl_json_get(s->names, name, len)) {
      if (!sealed_off)
        return;
      break;
    }
    if (s->sealed)
      sealed_off = true;
  }
  /* the field's pointer, built only now: [field] is member names below the state separated by
   * '/' ("Catch/0/Assign"), none holding a '/' itself */
  char *ptr = asl_strdup(c->st->pointer);
  for (const char *f = c->field; *f;) {
    const char *end = strchr(f, '/');
    size_t n = end ? (size_t)(end - f) : strlen(f);
    char *q = asl_pointer_join(ptr, f, n);
    asl_free(ptr);
    ptr = q;
    f += n + (end ? 1 : 0);
  }
  const asl_json *def = c->L->m->definition;
  if (offset == ASL_NOPOS)
    offset = asl_json_pointer_pos(def, ptr, false);
  if (offset == ASL_NOPOS)
    offset = c->st->offset;
  if (sealed_off)
    asl__diag(c->L, offset, ptr, NULL,
              "the variable '$%.*s' is assigned outside this Distributed Map, whose item "
              "processor cannot read the variables around it; pass its value in ItemSelector",
              (int)len, name);
  else if (asl_json_get(c->all, name, len))
    asl__diag(c->L, offset, ptr, NULL,
              "the variable '$%.*s' is not assigned in this scope or the scopes around it: the "
              "Parallel branch or Map iteration that assigns it keeps it to itself (return it in "
              "its output instead)",
              (int)len, name);
  else
    asl__diag(c->L, offset, ptr, NULL,
              "the variable '$%.*s' is never assigned: no state sets it with Assign", (int)len,
              name);
  asl_free(ptr);
}

static void at(checker *c, const char *field)
{
  c->field = field;
}

static void path(checker *c, const asl_path *p, const char *field)
{
  size_t len;
  const char *name = p ? asl_path_variable(p, &len) : NULL;
  if (!name)
    return;
  at(c, field);
  on_ref(c, name, len, ASL_NOPOS);
}

/* An expression's own offsets are inside its text: the field's position is reported instead. */
static void on_expr_ref(void *data, const char *name, size_t len, size_t offset)
{
  (void)offset;
  on_ref(data, name, len, ASL_NOPOS);
}

static void expr(checker *c, const asl_expr *e, const char *field)
{
  if (!e)
    return;
  at(c, field);
  asl_expr_each_variable(e, on_expr_ref, c);
}

static void tmpl(checker *c, const asl_template *t, const char *field)
{
  if (!t)
    return;
  at(c, field);
  asl_template_each_variable(t, on_ref, c);
}

static void check_list(loader *L, const asl_json *all, const asl_states *list,
                       const scope *outer, bool sealed);

static void check_state(loader *L, const asl_json *all, const asl_state *st, const scope *sc)
{
  checker c = {L, all, sc, st, ""};
  if (st->query_language == ASL_QL_JSONPATH) {
    path(&c, st->input_path, "InputPath");
    path(&c, st->output_path, "OutputPath");
    tmpl(&c, st->result_selector, "ResultSelector");
    tmpl(&c, st->assign_template, "Assign");
    if (st->type != ASL_STATE_MAP)
      tmpl(&c, st->parameters, "Parameters");
    for (size_t k = 0; k < st->catcher_count; k++) {
      char f[48];
      snprintf(f, sizeof f, "Catch/%zu/Assign", k);
      tmpl(&c, st->catchers[k].assign_template, f);
    }
  }
  switch (st->type) {
  case ASL_STATE_TASK:
    path(&c, st->u.task.timeout_seconds_path, "TimeoutSecondsPath");
    path(&c, st->u.task.heartbeat_seconds_path, "HeartbeatSecondsPath");
    expr(&c, st->u.task.role_arn_path, "Credentials/RoleArn.$");
    break;
  case ASL_STATE_CHOICE:
    for (size_t b = 0; b < st->u.choice.count; b++) {
      const asl_choice_branch *br = &st->u.choice.branches[b];
      char f[48];
      snprintf(f, sizeof f, "Choices/%zu", b);
      at(&c, f);
      if (br->rule)
        asl_choice_each_variable(br->rule, on_ref, &c);
      snprintf(f, sizeof f, "Choices/%zu/Assign", b);
      tmpl(&c, br->assign_template, f);
    }
    break;
  case ASL_STATE_WAIT:
    path(&c, st->u.wait.seconds_path, "SecondsPath");
    path(&c, st->u.wait.timestamp_path, "TimestampPath");
    break;
  case ASL_STATE_FAIL:
    expr(&c, st->u.fail.error_path, "ErrorPath");
    expr(&c, st->u.fail.cause_path, "CausePath");
    break;
  case ASL_STATE_PARALLEL:
    for (size_t b = 0; b < st->u.parallel.count; b++)
      check_list(L, all, &st->u.parallel.branches[b], sc, false);
    break;
  case ASL_STATE_MAP: {
    const char *sel = asl_json_get_cstr(st->definition, "ItemSelector") ? "ItemSelector"
                                                                         : "Parameters";
    path(&c, st->u.map.items_path, "ItemsPath");
    tmpl(&c, st->u.map.item_selector, sel);
    path(&c, st->u.map.max_concurrency_path, "MaxConcurrencyPath");
    path(&c, st->u.map.tolerated_failure_count_path, "ToleratedFailureCountPath");
    path(&c, st->u.map.tolerated_failure_percentage_path, "ToleratedFailurePercentagePath");
    tmpl(&c, st->u.map.reader_parameters, "ItemReader/Parameters");
    path(&c, st->u.map.reader_max_items_path, "ItemReader/ReaderConfig/MaxItemsPath");
    path(&c, st->u.map.batcher_max_items_path, "ItemBatcher/MaxItemsPerBatchPath");
    path(&c, st->u.map.batcher_max_input_bytes_path, "ItemBatcher/MaxInputBytesPerBatchPath");
    tmpl(&c, st->u.map.batcher_batch_input, "ItemBatcher/BatchInput");
    tmpl(&c, st->u.map.writer_parameters, "ResultWriter/Parameters");
    check_list(L, all, &st->u.map.processor, sc, st->u.map.mode == ASL_MAP_DISTRIBUTED);
    break;
  }
  case ASL_STATE_PASS:
  case ASL_STATE_SUCCEED:
    break;
  }
}

static void check_list(loader *L, const asl_json *all, const asl_states *list,
                       const scope *outer, bool sealed)
{
  scope sc = {outer, names_of(list), sealed};
  for (size_t i = 0; i < list->count; i++)
    check_state(L, all, list->items[i], &sc);
  asl_json_decref(sc.names);
}

void asl__check_variables(loader *L)
{
  asl_json *all = asl_json_object(0);
  for (size_t i = 0; i < L->lists.len; i++) {
    asl_json *names = names_of(L->lists.items[i]);
    for (size_t k = 0; k < asl_json_len(names); k++) {
      size_t len;
      const char *name = asl_json_key_at(names, k, &len);
      asl_json_obj_put(all, name, len, asl_json_null());
    }
    asl_json_decref(names);
  }
  check_list(L, all, &L->m->top, NULL, false);
  asl_json_decref(all);
}
