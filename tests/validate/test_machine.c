/* Unit tests of the compiled machine: what the data cases of tests/validate cannot show, i.e. the
 * structure the executor reads (Next pointers, retriers' defaults, nested lists, the name index,
 * error matching), and that loading leaks nothing. */
#include <string.h>

#include "../unit/check.h"
#include "aslrun/machine.h"

static asl_machine *load(const char *text)
{
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(text, strlen(text), NULL, &d);
  if (!m) {
    asl_buf b = ASL_BUF_INIT;
    asl_diags_print(&d, "test", text, strlen(text), &b);
    fprintf(stderr, "unexpected diagnostics:\n%s", b.data);
    asl_buf_free(&b);
  }
  asl_diags_free(&d);
  return m;
}

static void test_transitions(void)
{
  asl_machine *m = load("{\"Comment\": \"c\", \"Version\": \"1.0\", \"TimeoutSeconds\": 30,"
                        " \"StartAt\": \"A\", \"States\": {"
                        " \"A\": {\"Type\": \"Pass\", \"Result\": {\"x\": 1}, \"Next\": \"W\"},"
                        " \"W\": {\"Type\": \"Wait\", \"Seconds\": 5, \"Next\": \"F\"},"
                        " \"F\": {\"Type\": \"Fail\", \"Error\": \"E\", \"Cause\": \"C\"}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  CHECK_STR(m->comment, "c");
  CHECK_STR(m->version, "1.0");
  CHECK(m->timeout_seconds == 30);
  CHECK(m->state_count == 3);
  CHECK(m->query_language == ASL_QL_JSONPATH);
  const asl_states *top = &m->top;
  CHECK(top->count == 3);
  CHECK_STR(top->pointer, "");
  asl_state *a = top->items[0];
  asl_state *w = top->items[1];
  asl_state *f = top->items[2];
  CHECK(top->start == a);
  CHECK(a->type == ASL_STATE_PASS && a->next == w && !a->end);
  CHECK_STR(a->name, "A");
  CHECK_STR(a->pointer, "/States/A");
  CHECK(a->list == top && a->index == 0);
  CHECK(asl_json_is_object(a->u.pass.result));
  CHECK(w->type == ASL_STATE_WAIT && w->next == f);
  CHECK(w->u.wait.has_seconds && w->u.wait.seconds == 5 && !w->u.wait.has_timestamp);
  CHECK(f->type == ASL_STATE_FAIL && f->next == NULL);
  CHECK_STR(f->u.fail.error, "E");
  CHECK_STR(f->u.fail.cause, "C");
  CHECK(!a->uses_context && !w->uses_context);
  CHECK(asl_states_find(top, "W", 1) == w);
  CHECK(asl_states_find(top, "X", 1) == NULL);
  CHECK_STR(asl_state_type_name(ASL_STATE_MAP), "Map");
  CHECK_STR(asl_state_type_name(w->type), "Wait");
  asl_machine_free(m);
}

static void test_retry_catch(void)
{
  asl_machine *m =
      load("{\"StartAt\": \"T\", \"States\": {"
           " \"T\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\","
           "  \"TimeoutSeconds\": 10, \"HeartbeatSeconds\": 3, \"End\": true,"
           "  \"Retry\": [{\"ErrorEquals\": [\"A\", \"B\"]},"
           "             {\"ErrorEquals\": [\"States.TaskFailed\"], \"IntervalSeconds\": 3,"
           "              \"MaxAttempts\": 0, \"BackoffRate\": 1.5, \"MaxDelaySeconds\": 9,"
           "              \"JitterStrategy\": \"FULL\"}],"
           "  \"Catch\": [{\"ErrorEquals\": [\"States.Timeout\"], \"Next\": \"H\"},"
           "             {\"ErrorEquals\": [\"States.ALL\"], \"Next\": \"H\"}]},"
           " \"H\": {\"Type\": \"Succeed\"}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  asl_state *t = m->top.items[0];
  asl_state *h = m->top.items[1];
  CHECK_STR(t->u.task.resource, "arn:aws:states:::lambda:invoke");
  CHECK(t->u.task.timeout_seconds == 10 && t->u.task.heartbeat_seconds == 3);
  CHECK(t->end && t->next == NULL);
  CHECK(t->retrier_count == 2);
  const asl_retrier *r0 = &t->retriers[0];
  CHECK(r0->interval_seconds == 1 && r0->max_attempts == 3 && r0->backoff_rate == 2.0);
  CHECK(r0->max_delay_seconds == 0 && r0->jitter == ASL_JITTER_NONE);
  CHECK(r0->errors.count == 2 && !r0->errors.all && !r0->errors.task_failed);
  CHECK_STR(r0->errors.names[1], "B");
  const asl_retrier *r1 = &t->retriers[1];
  CHECK(r1->interval_seconds == 3 && r1->max_attempts == 0 && r1->backoff_rate == 1.5);
  CHECK(r1->max_delay_seconds == 9 && r1->jitter == ASL_JITTER_FULL);
  CHECK(r1->errors.task_failed);
  CHECK(t->catcher_count == 2);
  CHECK(t->catchers[0].next == h && t->catchers[1].next == h);
  CHECK(t->catchers[0].result_path == NULL && !t->catchers[0].result_path_null);
  CHECK(t->catchers[1].errors.all);

  /* what each ErrorEquals matches */
  CHECK(asl_error_match_test(&r0->errors, "A"));
  CHECK(!asl_error_match_test(&r0->errors, "C"));
  CHECK(asl_error_match_test(&r1->errors, "Lambda.Unknown"));
  CHECK(asl_error_match_test(&r1->errors, "States.Permissions"));
  CHECK(!asl_error_match_test(&r1->errors, "States.Timeout"));
  CHECK(!asl_error_match_test(&r1->errors, "States.HeartbeatTimeout"));
  CHECK(!asl_error_match_test(&r1->errors, "States.Runtime"));
  CHECK(asl_error_match_test(&t->catchers[0].errors, "States.Timeout"));
  CHECK(asl_error_match_test(&t->catchers[0].errors, "States.HeartbeatTimeout"));
  CHECK(!asl_error_match_test(&t->catchers[0].errors, "States.TaskFailed"));
  CHECK(asl_error_match_test(&t->catchers[1].errors, "States.Timeout"));
  CHECK(asl_error_match_test(&t->catchers[1].errors, "States.DataLimitExceeded"));
  CHECK(!asl_error_match_test(&t->catchers[1].errors, "States.Runtime"));
  asl_machine_free(m);
}

static void test_nested(void)
{
  asl_machine *m =
      load("{\"StartAt\": \"P\", \"States\": {"
           " \"P\": {\"Type\": \"Parallel\", \"Next\": \"M\", \"Branches\": ["
           "   {\"StartAt\": \"B1\", \"States\": {\"B1\": {\"Type\": \"Succeed\"}}},"
           "   {\"StartAt\": \"B2\", \"States\": {\"B2\": {\"Type\": \"Pass\", \"Next\": \"B3\"},"
           "                                      \"B3\": {\"Type\": \"Pass\", \"End\": true}}}]},"
           " \"M\": {\"Type\": \"Map\", \"End\": true, \"MaxConcurrency\": 2,"
           "   \"ToleratedFailureCount\": 1,"
           "   \"ItemProcessor\": {\"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\","
           "                                            \"ExecutionType\": \"EXPRESS\"},"
           "     \"StartAt\": \"I\", \"States\": {\"I\": {\"Type\": \"Succeed\"}}}}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  CHECK(m->state_count == 6);
  asl_state *p = m->top.items[0];
  asl_state *mp = m->top.items[1];
  CHECK(p->next == mp);
  CHECK(p->u.parallel.count == 2);
  const asl_states *b2 = &p->u.parallel.branches[1];
  CHECK_STR(b2->pointer, "/States/P/Branches/1");
  CHECK(b2->count == 2 && b2->start == b2->items[0] && b2->items[0]->next == b2->items[1]);
  CHECK_STR(b2->items[1]->pointer, "/States/P/Branches/1/States/B3");
  CHECK(asl_states_find(b2, "B3", 2) == b2->items[1]);
  CHECK(asl_states_find(&m->top, "B3", 2) == NULL); /* not in the top-level list */
  CHECK(mp->u.map.mode == ASL_MAP_DISTRIBUTED);
  CHECK_STR(mp->u.map.execution_type, "EXPRESS");
  CHECK(mp->u.map.max_concurrency == 2);
  CHECK(mp->u.map.tolerated_failure_count == 1);
  CHECK(mp->u.map.tolerated_failure_percentage == -1);
  CHECK(mp->u.map.processor.count == 1);
  CHECK_STR(mp->u.map.processor.start->pointer, "/States/M/ItemProcessor/States/I");
  asl_machine_free(m);
}

static void test_jsonata_compiled(void)
{
  asl_machine *m =
      load("{\"QueryLanguage\": \"JSONata\", \"StartAt\": \"T\", \"States\": {"
           " \"T\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\","
           "  \"Arguments\": {\"FunctionName\": \"f\", \"Payload\": \"{% $states.input %}\"},"
           "  \"Output\": \"{% $states.result.Payload %}\", \"Assign\": {\"x\": 1},"
           "  \"TimeoutSeconds\": \"{% 5 %}\", \"Next\": \"C\"},"
           " \"C\": {\"Type\": \"Choice\", \"Default\": \"W\", \"Choices\": ["
           "   {\"Condition\": \"{% $x = 1 %}\", \"Next\": \"W\", \"Output\": 3}]},"
           " \"W\": {\"Type\": \"Wait\", \"Timestamp\": \"{% $now() %}\", \"End\": true}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  CHECK(m->query_language == ASL_QL_JSONATA);
  asl_state *t = m->top.items[0];
  asl_state *c = m->top.items[1];
  asl_state *w = m->top.items[2];
  CHECK(t->query_language == ASL_QL_JSONATA && t->uses_context);
  CHECK(t->arguments && !asl_jsonata_template_is_constant(t->arguments));
  CHECK(asl_jsonata_template_uses_variable(t->arguments, "states"));
  CHECK(t->output && asl_jsonata_template_reads_member(t->output, "states", "result"));
  CHECK(asl_json_is_object(t->assign));
  CHECK(t->assign_jsonata && asl_jsonata_template_is_constant(t->assign_jsonata));
  CHECK(t->u.task.timeout_seconds == 0 && t->u.task.timeout_seconds_expr != NULL);
  CHECK(c->u.choice.count == 1 && c->u.choice.branches[0].rule == NULL);
  CHECK(c->u.choice.branches[0].condition != NULL);
  CHECK(asl_jsonata_template_uses_variable(c->u.choice.branches[0].condition, "x"));
  CHECK(c->u.choice.branches[0].output &&
        asl_jsonata_template_is_constant(c->u.choice.branches[0].output));
  CHECK(c->u.choice.branches[0].next == w && c->u.choice.default_next == w);
  CHECK(!w->u.wait.has_timestamp && w->u.wait.timestamp_expr != NULL);
  asl_machine_free(m);
}

static void test_compiled_paths(void)
{
  asl_machine *m =
      load("{\"StartAt\": \"P\", \"States\": {"
           " \"P\": {\"Type\": \"Pass\", \"InputPath\": \"$.in\", \"OutputPath\": null,"
           "  \"ResultPath\": \"$.r\", \"Parameters\": {\"a.$\": \"$.a\"}, \"Next\": \"Q\"},"
           " \"Q\": {\"Type\": \"Pass\", \"InputPath\": null, \"ResultPath\": null,"
           "  \"Parameters\": {\"id.$\": \"$$.Execution.Id\"}, \"Next\": \"W\"},"
           " \"W\": {\"Type\": \"Wait\", \"TimestampPath\": \"$$.Execution.StartTime\","
           "  \"Next\": \"M\"},"
           " \"M\": {\"Type\": \"Map\", \"ItemsPath\": \"$.items\","
           "  \"Parameters\": {\"v.$\": \"$$.Map.Item.Value\"}, \"End\": true,"
           "  \"Iterator\": {\"StartAt\": \"I\", \"States\": {\"I\": {\"Type\": \"Succeed\"}}}}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  asl_state *p = m->top.items[0];
  asl_state *q = m->top.items[1];
  asl_state *w = m->top.items[2];
  asl_state *mp = m->top.items[3];
  CHECK(p->input_path && !p->input_path_null);
  CHECK_STR(asl_path_text(p->input_path), "$.in");
  CHECK(p->output_path == NULL && p->output_path_null);
  CHECK(p->result_path && !p->result_path_null);
  CHECK_STR(asl_refpath_text(p->result_path), "$.r");
  CHECK(p->parameters != NULL && !p->uses_context);
  CHECK(q->input_path == NULL && q->input_path_null);
  CHECK(q->result_path == NULL && q->result_path_null);
  CHECK(q->output_path == NULL && !q->output_path_null); /* absent: "$" */
  CHECK(q->uses_context);
  CHECK(w->u.wait.timestamp_path && asl_path_is_context(w->u.wait.timestamp_path));
  CHECK(w->uses_context);
  CHECK(mp->u.map.items_path != NULL);
  /* the older Parameters shape each item, as ItemSelector does */
  CHECK(mp->u.map.item_selector != NULL && mp->u.map.item_selector == mp->parameters);
  CHECK(mp->uses_context);
  asl_machine_free(m);
}

static void test_assign_counts_as_context(void)
{
  asl_machine *m = load("{\"StartAt\": \"A\", \"States\": {"
                        " \"A\": {\"Type\": \"Pass\", \"Assign\": {\"x.$\": \"$$.State.Name\"},"
                        "  \"End\": true}}}");
  CHECK(m != NULL);
  if (!m)
    return;
  /* kept raw until variables land: it may read $$, so the executor must build the context */
  CHECK(m->top.items[0]->uses_context);
  CHECK(asl_json_is_object(m->top.items[0]->assign));
  asl_machine_free(m);
}

static void test_failure_returns_null(void)
{
  asl_diags d = ASL_DIAGS_INIT;
  asl_diag keep = {0, asl_strdup(""), asl_strdup("earlier")};
  ASL_VEC_PUSH(d, keep);
  const char *text = "{\"StartAt\": \"X\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}";
  asl_machine *m = asl_machine_load_text(text, strlen(text), NULL, &d);
  CHECK(m == NULL);
  CHECK(d.len == 2);
  CHECK_STR(d.items[0].message, "earlier"); /* the caller's diagnostics stay first */
  CHECK_STR(d.items[1].pointer, "/StartAt");
  asl_diags_free(&d);
  asl_machine_free(NULL);
}

int main(void)
{
  size_t live = asl_json_live();
  test_transitions();
  test_retry_catch();
  test_nested();
  test_jsonata_compiled();
  test_compiled_paths();
  test_assign_counts_as_context();
  test_failure_returns_null();
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
