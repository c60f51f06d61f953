/* Executions: StartExecution (with Step Functions Local's "stateMachineArn#TestCase" choosing a
 * test case of the mock config), StartSyncExecution, DescribeExecution, StopExecution,
 * ListExecutions, GetExecutionHistory and DescribeStateMachineForExecution. Each execution runs
 * on the server's loop (src/exec) with a handler registry per test case; its events are kept as
 * GetExecutionHistory shapes them. A finished execution is written to the state directory before
 * its final status shows, so that nothing reported as done is lost in a crash. */
#include "internal.h"

#include <string.h>

#define EXECUTIONS_DIR "executions"
#define TEXT_OF(x) #x
#define TEXT_OF_VALUE(x) TEXT_OF(x)
#define KEPT_MAX_TEXT TEXT_OF_VALUE(SERVE_KEPT_MAX)

/* ---- records ---- */

void asl__execution_free(srv_execution *x)
{
  if (!x)
    return;
  /* the kept executor runs x->ver's machine: it goes first */
  asl_exec_free(x->kept);
  asl__version_unref(x->ver);
  for (size_t i = 0; i < x->events.len; i++)
    asl_json_decref(x->events.items[i]);
  ASL_VEC_FREE(x->events);
  ASL_VEC_FREE(x->waiters);
  asl_free(x->arn);
  asl_free(x->name);
  asl_free(x->sm_arn);
  asl_free(x->sm_name);
  asl_free(x->test_case);
  asl_free(x->input);
  asl_free(x->trace_header);
  asl_free(x->output);
  asl_free(x->error);
  asl_free(x->cause);
  asl_free(x->detail_file);
  asl_free(x->redrive_token);
  asl_free(x);
}

/* Adds [x], just started (so the newest), to the server. */
void asl__execution_insert(asl_sfn_server *s, srv_execution *x)
{
  HASH_ADD_KEYPTR(hh, s->executions, x->arn, strlen(x->arn), x);
  x->newer = NULL;
  x->older = s->newest;
  if (s->newest)
    s->newest->newer = x;
  else
    s->oldest = x;
  s->newest = x;
}

static asl_json *str_or_null(const char *s)
{
  return s ? asl_json_cstr(s) : asl_json_null();
}

asl_json *asl__execution_record(const srv_execution *x, asl_json **detail)
{
  asl_json *r = asl_json_object(22);
  asl_json_obj_put_cstr(r, "executionArn", asl_json_cstr(x->arn));
  asl_json_obj_put_cstr(r, "stateMachineArn", asl_json_cstr(x->sm_arn));
  asl_json_obj_put_cstr(r, "name", asl_json_cstr(x->name));
  asl_json_obj_put_cstr(r, "stateMachineName", asl_json_cstr(x->sm_name));
  asl_json_obj_put_cstr(r, "testCase", str_or_null(x->test_case));
  asl_json_obj_put_cstr(r, "express", asl_json_bool(x->express));
  asl_json_obj_put_cstr(r, "status", asl_json_cstr(asl_exec_status_name(x->status)));
  asl_json_obj_put_cstr(r, "startDate", asl_json_int(x->start_ms));
  asl_json_obj_put_cstr(r, "stopDate", asl_json_int(x->stop_ms));
  asl_json_obj_put_cstr(r, "input", asl_json_cstr(x->input));
  asl_json_obj_put_cstr(r, "traceHeader", str_or_null(x->trace_header));
  asl_json_obj_put_cstr(r, "output", str_or_null(x->output));
  asl_json_obj_put_cstr(r, "error", str_or_null(x->error));
  asl_json_obj_put_cstr(r, "cause", str_or_null(x->cause));
  asl_json_obj_put_cstr(r, "roleArn", asl_json_cstr(x->ver->role_arn));
  asl_json_obj_put_cstr(r, "updateDate", asl_json_int(x->ver->update_ms));
  asl_json_obj_put_cstr(r, "revisionId", str_or_null(x->ver->revision_id));
  asl_json_obj_put_cstr(r, "seq", asl_json_int((int64_t)x->seq));
  asl_json_obj_put_cstr(r, "eventCount", asl_json_int((int64_t)x->event_count));
  asl_json_obj_put_cstr(r, "redriveCount", asl_json_int(x->redrive_count));
  asl_json_obj_put_cstr(r, "redriveDate", asl_json_int(x->redrive_ms));
  asl_json *d = asl_json_object(2);
  asl_json_obj_put_cstr(d, "definition",
                        asl_json_string(x->ver->definition, x->ver->definition_len));
  asl_json *ev = asl_json_array(x->events.len);
  for (size_t i = 0; i < x->events.len; i++)
    asl_json_arr_push(ev, asl_json_incref(x->events.items[i]));
  asl_json_obj_put_cstr(d, "events", ev);
  *detail = d;
  return r;
}

static char *rec_dup(const asl_json *rec, const char *key, bool *ok)
{
  const asl_json *v = asl_json_get_cstr(rec, key);
  if (v && asl_json_is_string(v))
    return asl_strndup(asl_json_str(v), asl_json_str_len(v));
  if (!v || !asl_json_is_null(v))
    *ok = false;
  return NULL;
}

static int64_t rec_int(const asl_json *rec, const char *key, bool *ok)
{
  const asl_json *v = asl_json_get_cstr(rec, key);
  if (!v || asl_json_kind_of(v) != ASL_JSON_INT) {
    *ok = false;
    return 0;
  }
  return asl_json_int_val(v);
}

static bool status_of(const char *name, asl_exec_status *out)
{
  static const asl_exec_status all[] = {ASL_EXEC_SUCCEEDED, ASL_EXEC_FAILED, ASL_EXEC_TIMED_OUT,
                                        ASL_EXEC_ABORTED};
  for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++) {
    if (strcmp(asl_exec_status_name(all[i]), name) == 0) {
      *out = all[i];
      return true;
    }
  }
  return false;
}

srv_execution *asl__execution_from_record(asl_sfn_server *s, const asl_json *rec,
                                          const char *path, asl_error *err)
{
  bool ok = true;
  srv_execution *x = asl_calloc(1, sizeof *x);
  x->srv = s;
  x->arn = rec_dup(rec, "executionArn", &ok);
  x->sm_arn = rec_dup(rec, "stateMachineArn", &ok);
  x->name = rec_dup(rec, "name", &ok);
  x->sm_name = rec_dup(rec, "stateMachineName", &ok);
  x->test_case = rec_dup(rec, "testCase", &ok);
  const asl_json *express = asl_json_get_cstr(rec, "express");
  x->express = express && asl_json_is_bool(express) && asl_json_bool_val(express);
  char *status = rec_dup(rec, "status", &ok);
  ok = status_of(status, &x->status) && ok;
  asl_free(status);
  x->start_ms = rec_int(rec, "startDate", &ok);
  x->stop_ms = rec_int(rec, "stopDate", &ok);
  x->input = rec_dup(rec, "input", &ok);
  x->trace_header = rec_dup(rec, "traceHeader", &ok);
  x->output = rec_dup(rec, "output", &ok);
  x->error = rec_dup(rec, "error", &ok);
  x->cause = rec_dup(rec, "cause", &ok);
  x->seq = (uint64_t)rec_int(rec, "seq", &ok);
  x->event_count = (size_t)rec_int(rec, "eventCount", &ok);
  /* records written before redrive existed have neither */
  bool redrive_ok = true;
  x->redrive_count = rec_int(rec, "redriveCount", &redrive_ok);
  x->redrive_ms = redrive_ok ? rec_int(rec, "redriveDate", &redrive_ok) : 0;
  if (!redrive_ok)
    x->redrive_count = x->redrive_ms = 0;
  char *role = rec_dup(rec, "roleArn", &ok);
  int64_t updated = rec_int(rec, "updateDate", &ok);
  if (!ok || !x->arn || !x->sm_arn || !x->name || !x->sm_name || !x->input || !role) {
    asl_free(role);
    asl__execution_free(x);
    asl_error_set(err, ASL_E_IO, NULL, "not an execution record of aslrun serve");
    return NULL;
  }
  /* the definition it ran is read with its history, when asked for */
  srv_version *v = asl_calloc(1, sizeof *v);
  v->refs = 1;
  v->role_arn = role;
  v->update_ms = updated;
  v->revision_id = rec_dup(rec, "revisionId", &ok);
  x->ver = v;
  x->detail_file = asl_strdup(path);
  return x;
}

bool asl__execution_detail(srv_request *rq, srv_execution *x)
{
  if (!x->detail_file)
    return true;
  asl_error err = ASL_ERROR_INIT;
  asl_json *d = asl__persist_read(x->detail_file, 1, &err);
  const asl_json *def = d ? asl_json_get_cstr(d, "definition") : NULL;
  const asl_json *events = d ? asl_json_get_cstr(d, "events") : NULL;
  if (!d || !def || !asl_json_is_string(def) || !events || !asl_json_is_array(events) ||
      asl_json_len(events) != x->event_count) {
    asl__fail(rq, 500, "com.amazon.coral.service#InternalFailure",
              "aslrun serve cannot read the history of %s back: %s", x->arn,
              err.cause ? err.cause : "its record is damaged");
    asl_error_clear(&err);
    asl_json_decref(d);
    return false;
  }
  if (!x->ver->definition) {
    x->ver->definition = asl_strndup(asl_json_str(def), asl_json_str_len(def));
    x->ver->definition_len = asl_json_str_len(def);
  }
  for (size_t i = 0; i < asl_json_len(events); i++)
    ASL_VEC_PUSH(x->events, asl_json_incref(asl_json_at(events, i)));
  asl_json_decref(d);
  asl_free(x->detail_file);
  x->detail_file = NULL;
  return true;
}

/* ---- registries ---- */

asl_handlers *asl__registry_get(asl_sfn_server *s, const char *sm_name, const char *test_case,
                                asl_error *err)
{
  char *key = test_case ? asl_strfmt("%s#%s", sm_name, test_case) : asl_strdup("");
  srv_registry *r = NULL;
  HASH_FIND_STR(s->registries, key, r);
  if (r) {
    asl_free(key);
    return r->h;
  }
  if (test_case && !s->mock_config) {
    asl_error_set(err, ASL_E_USAGE, NULL,
                  "test case '%s' was asked for, but aslrun serve has no mock config: start it "
                  "with --mock-config FILE or SFN_MOCK_CONFIG=FILE",
                  test_case);
    asl_free(key);
    return NULL;
  }
  asl_handlers_opts o = {.loop = s->loop, .config = s->config, .config_dir = s->config_dir,
                         .mock_config = test_case ? s->mock_config : NULL,
                         .test_case = test_case, .state_machine_name = sm_name, .cold = s->cold,
                         .lambda_endpoint = s->lambda_endpoint};
  asl_handlers *h = asl_handlers_new(&o, err);
  if (!h) {
    asl_free(key);
    return NULL;
  }
  r = asl_calloc(1, sizeof *r);
  r->key = key;
  r->h = h;
  HASH_ADD_KEYPTR(hh, s->registries, r->key, strlen(r->key), r);
  return h;
}

/* ---- running ---- */

static void on_event(void *data, const asl_event *ev)
{
  srv_execution *x = data;
  /* a Distributed Map's child executions have histories of their own, as on AWS */
  if (ev->child_execution)
    return;
  asl_json *o = asl_event_json(ev, asl_json_int(ev->timestamp_ms));
  ASL_VEC_PUSH(x->events, o);
  x->event_count++;
}

static asl_json *sync_answer(const srv_execution *x, bool with_data)
{
  asl_json *r = asl_json_object(14);
  asl_json_obj_put_cstr(r, "executionArn", asl_json_cstr(x->arn));
  asl_json_obj_put_cstr(r, "stateMachineArn", asl_json_cstr(x->sm_arn));
  asl_json_obj_put_cstr(r, "name", asl_json_cstr(x->name));
  asl_json_obj_put_cstr(r, "startDate", asl__timestamp(x->start_ms));
  asl_json_obj_put_cstr(r, "stopDate", asl__timestamp(x->stop_ms));
  /* the synchronous answer knows SUCCEEDED, FAILED and TIMED_OUT; a stopped one failed */
  asl_exec_status st = x->status == ASL_EXEC_ABORTED ? ASL_EXEC_FAILED : x->status;
  asl_json_obj_put_cstr(r, "status", asl_json_cstr(asl_exec_status_name(st)));
  if (x->error)
    asl_json_obj_put_cstr(r, "error", asl_json_cstr(x->error));
  if (x->cause)
    asl_json_obj_put_cstr(r, "cause", asl_json_cstr(x->cause));
  if (x->trace_header)
    asl_json_obj_put_cstr(r, "traceHeader", asl_json_cstr(x->trace_header));
  if (with_data)
    asl_json_obj_put_cstr(r, "input", asl_json_cstr(x->input));
  asl_json *d = asl_json_object(1);
  asl_json_obj_put_cstr(d, "included", asl_json_bool(with_data));
  asl_json_obj_put_cstr(r, "inputDetails", d);
  if (x->output) {
    if (with_data)
      asl_json_obj_put_cstr(r, "output", asl_json_cstr(x->output));
    d = asl_json_object(1);
    asl_json_obj_put_cstr(d, "included", asl_json_bool(with_data));
    asl_json_obj_put_cstr(r, "outputDetails", d);
  }
  asl_json *b = asl_json_object(2);
  int64_t ms = x->stop_ms - x->start_ms;
  asl_json_obj_put_cstr(b, "billedMemoryUsedInMB", asl_json_int(64));
  asl_json_obj_put_cstr(b, "billedDurationInMilliseconds", asl_json_int(ms < 100 ? 100 : ms));
  asl_json_obj_put_cstr(r, "billingDetails", b);
  return r;
}

/* The execution's final status is visible from now on: answer whoever waited for it. */
static void finish(srv_execution *x, asl_exec_status status)
{
  x->status = status;
  x->saving = false;
  for (size_t i = 0; i < x->waiters.len; i++) {
    srv_waiter *w = &x->waiters.items[i];
    if (w->kind == SRV_WAIT_SYNC) {
      asl__reply(w->rq, sync_answer(x, !w->metadata_only));
    } else {
      asl_json *r = asl_json_object(1);
      asl_json_obj_put_cstr(r, "stopDate", asl__timestamp(w->stop_ms));
      asl__reply(w->rq, r);
    }
  }
  x->waiters.len = 0;
}

typedef struct save_ctx {
  srv_execution *x;
  asl_exec_status status;
  char *path; /* the record's file, or NULL (memory only) */
} save_ctx;

static void on_saved(void *data, asl_status st, const char *why)
{
  save_ctx *c = data;
  srv_execution *x = c->x;
  asl_exec_status status = c->status;
  if (st == ASL_OK && c->path && !x->srv->closing) {
    /* the history is in the file now: memory holds only what listing and describing need */
    for (size_t i = 0; i < x->events.len; i++)
      asl_json_decref(x->events.items[i]);
    ASL_VEC_FREE(x->events);
    x->detail_file = c->path;
    c->path = NULL;
  }
  asl_free(c->path);
  asl_free(c);
  if (st != ASL_OK && x->srv->log) {
    char *line = asl_strfmt("aslrun serve: could not write execution %s to the state directory: "
                            "%s; it is kept in memory only",
                            x->arn, why);
    x->srv->log(x->srv->log_data, line);
    asl_free(line);
  }
  finish(x, status);
}

/* [x]'s executor stays for RedriveExecution; past SERVE_KEPT_MAX the oldest kept one goes. */
static void keep_for_redrive(asl_sfn_server *s, srv_execution *x, asl_exec *e)
{
  x->kept = e;
  if (++s->kept <= SERVE_KEPT_MAX)
    return;
  for (srv_execution *o = s->oldest; o; o = o->newer) {
    if (o->kept && o != x) {
      ASL_VEC_PUSH(s->finished, o->kept);
      o->kept = NULL;
      s->kept--;
      return;
    }
  }
}

static void on_done(asl_exec *e, void *data);

bool asl__execution_redrivable(asl_sfn_server *s, const srv_execution *x, const char **why)
{
  if (x->express)
    *why = "Execution is an Express execution and cannot be redriven.";
  else if (x->status == ASL_EXEC_RUNNING || x->saving)
    *why = "Execution is RUNNING and cannot be redriven.";
  else if (x->status == ASL_EXEC_SUCCEEDED)
    *why = "Execution is SUCCEEDED and cannot be redriven.";
  else if (!asl__machine_find(s, x->sm_arn))
    *why = "State machine is in DELETING status.";
  else if (!x->kept && x->done_wall_ms == 0)
    *why = "aslrun serve has restarted since the execution ran: its executor state is gone.";
  else if (!x->kept)
    *why = "aslrun serve keeps the executor state of the " KEPT_MAX_TEXT " most recent "
           "unsuccessful executions only; this one is older.";
  else if (asl__now_ms() - x->done_wall_ms > SERVE_REDRIVE_PERIOD_MS)
    *why = "Execution redrivable period exceeded.";
  else
    return asl_exec_redrivable(x->kept, why);
  return false;
}

bool asl__execution_redrive(srv_request *rq, srv_execution *x)
{
  asl_sfn_server *s = rq->srv;
  /* the history goes on: the part on disk comes back into memory first */
  if (!asl__execution_detail(rq, x))
    return false;
  asl_error err = ASL_ERROR_INIT;
  if (asl_exec_redrive(x->kept, on_done, x, &err) != ASL_OK) {
    asl__fail(rq, 400, err.name ? err.name : "ExecutionNotRedrivable", "%s",
              err.cause ? err.cause : "the execution cannot be redriven");
    asl_error_clear(&err);
    return false;
  }
  x->exec = x->kept;
  x->kept = NULL;
  s->kept--;
  s->running++;
  x->status = ASL_EXEC_RUNNING;
  x->stopping = false;
  x->stop_ms = 0;
  asl_free(x->output);
  asl_free(x->error);
  asl_free(x->cause);
  x->output = x->error = x->cause = NULL;
  x->redrive_count = asl_exec_redrive_count(x->exec);
  x->redrive_ms = asl_exec_redrive_ms(x->exec);
  return true;
}

static void on_done(asl_exec *e, void *data)
{
  srv_execution *x = data;
  asl_sfn_server *s = x->srv;
  asl_exec_status status = asl_exec_status_of(e);
  x->stop_ms = asl_exec_stop_ms(e);
  const asl_json *out = asl_exec_output(e);
  x->output = out ? asl_json_dump(out, ASL_JSON_COMPACT, NULL) : NULL;
  const char *error = asl_exec_error(e);
  const char *cause = asl_exec_cause(e);
  /* a stop's error and cause were kept when it was asked; the executor's own win */
  if (error) {
    asl_free(x->error);
    x->error = asl_strdup(error);
  }
  if (cause) {
    asl_free(x->cause);
    x->cause = asl_strdup(cause);
  }
  x->exec = NULL;
  x->done_wall_ms = asl__now_ms();
  const char *why;
  if (!s->closing && asl_exec_redrivable(e, &why))
    keep_for_redrive(s, x, e);
  else
    ASL_VEC_PUSH(s->finished, e); /* freed between loop turns: we are inside its callback */
  s->running--;
  if (s->closing) {
    finish(x, status); /* stopped by the shutdown: never finished, so never written */
    return;
  }
  x->saving = true;
  /* the record says how it ended, while x->status still says RUNNING until it is written */
  x->status = status;
  asl_json *detail;
  asl_json *rec = asl__execution_record(x, &detail);
  x->status = ASL_EXEC_RUNNING;
  save_ctx *c = asl_calloc(1, sizeof *c);
  c->x = x;
  c->status = status;
  /* an Express execution's name need not be unique: its ARN's UUID names the file apart */
  const char *id = x->express ? strrchr(x->arn, ':') + 1 : NULL;
  char *exec_part = id ? asl_strfmt("%s:%s", x->name, id) : asl_strdup(x->name);
  char *file = asl__persist_execution_file(x->sm_name, exec_part);
  asl_free(exec_part);
  c->path = s->state_dir ? asl__persist_path(s, EXECUTIONS_DIR, file) : NULL;
  asl__persist_write(s, EXECUTIONS_DIR, file, rec, detail, on_saved, c);
  asl_free(file);
}

/* "arn#TestCase" split; [tc] NULL when there is no '#'. */
static char *split_test_case(const char *arn, const char **tc)
{
  const char *hash = strchr(arn, '#');
  *tc = hash ? hash + 1 : NULL;
  return hash ? asl_strndup(arn, (size_t)(hash - arn)) : asl_strdup(arn);
}

static void start(srv_request *rq, const asl_json *body, bool sync)
{
  asl_sfn_server *s = rq->srv;
  bool ok;
  const char *given = asl__param_str(rq, body, "stateMachineArn", true, 1, 256 + 81, &ok);
  if (!ok)
    return;
  const char *name = asl__param_str(rq, body, "name", false, 1, 80, &ok);
  if (!ok)
    return;
  const char *input = asl__param_str(rq, body, "input", false, 0, 262144, &ok);
  if (!ok)
    return;
  const char *trace = asl__param_str(rq, body, "traceHeader", false, 0, 256, &ok);
  if (!ok)
    return;
  const char *included = NULL;
  if (sync) {
    static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
    included = asl__param_enum(rq, body, "includedData", data, &ok);
    if (!ok)
      return;
  }
  const char *tc;
  char *sm_arn = split_test_case(given, &tc);
  asl_json *in = NULL;
  char uuid[37];
  char *arn = NULL;
  srv_execution *x = NULL;
  asl_error err = ASL_ERROR_INIT;
  if (!asl__arn_check(rq, sm_arn, SRV_ARN_STATE_MACHINE))
    goto out;
  if (tc && !*tc) {
    asl__fail(rq, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN resource: %.300s' (an empty test "
                                     "case after '#')",
              given);
    goto out;
  }
  srv_machine *m = asl__machine_find(s, sm_arn);
  if (!m) {
    asl__fail(rq, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", sm_arn);
    goto out;
  }
  if (sync && !m->express) {
    asl__fail(rq, 400, "StateMachineTypeNotSupported",
              "This operation is not supported by this type of state machine");
    goto out;
  }
  if (name && !asl__name_valid(name)) {
    asl__fail(rq, 400, "InvalidName", "Invalid Name: '%s'", name);
    goto out;
  }
  in = asl_json_parse(input ? input : "{}", input ? strlen(input) : 2, NULL, &err);
  if (!in) {
    asl__fail(rq, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
              err.cause ? err.cause : "not JSON");
    goto out;
  }
  asl__uuid(uuid);
  if (!name)
    name = uuid;
  /* an Express execution's ARN ends with a UUID that the executor draws: never a duplicate */
  if (!m->express)
    arn = asl_strfmt("arn:aws:states:%s:%s:execution:%s:%s", s->region, s->account, m->name, name);
  srv_execution *old = NULL;
  if (arn)
    HASH_FIND_STR(s->executions, arn, old);
  if (old) {
    /* AWS: a running execution started again with the same name and input is the same start */
    size_t il;
    char *text = asl_json_dump(in, ASL_JSON_COMPACT, &il);
    bool same = !sync && old->status == ASL_EXEC_RUNNING && !old->saving &&
                strcmp(text, old->input) == 0;
    asl_free(text);
    if (same) {
      asl_json *res = asl_json_object(2);
      asl_json_obj_put_cstr(res, "executionArn", asl_json_cstr(old->arn));
      asl_json_obj_put_cstr(res, "startDate", asl__timestamp(old->start_ms));
      asl__reply(rq, res);
    } else {
      asl__fail(rq, 400, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn);
    }
    goto out;
  }
  if (s->running >= SERVE_RUNNING_MAX) {
    asl__fail(rq, 400, "ExecutionLimitExceeded",
              "The maximum number of running executions (%d) has been reached. Running "
              "executions must end or be stopped before a new execution can be started.",
              SERVE_RUNNING_MAX);
    goto out;
  }
  asl_handlers *h = asl__registry_get(s, m->name, tc, &err);
  if (!h) {
    asl__fail(rq, 400, "ValidationException", "%s", err.cause ? err.cause : "no handlers");
    goto out;
  }
  x = asl_calloc(1, sizeof *x);
  x->srv = s;
  x->arn = arn;
  arn = NULL;
  x->name = asl_strdup(name);
  x->sm_arn = asl_strdup(m->arn);
  x->sm_name = asl_strdup(m->name);
  x->test_case = tc ? asl_strdup(tc) : NULL;
  x->express = m->express;
  x->ver = asl__version_ref(m->ver);
  x->status = ASL_EXEC_RUNNING;
  x->input = asl_json_dump(in, ASL_JSON_COMPACT, NULL);
  x->trace_header = trace ? asl_strdup(trace) : NULL;
  x->seq = s->next_seq++;
  asl_event_sink sink = {.on_event = on_event, .data = x};
  asl_exec_opts o = {.loop = s->loop, .virtual_time = s->virtual_time, .name = x->name,
                     .state_machine_arn = x->sm_arn, .state_machine_name = x->sm_name,
                     .role_arn = x->ver->role_arn, .sinks = &sink, .sink_count = 1,
                     .handlers = h, .express = m->express, .task_tokens = asl__token_sink(s)};
  if (asl_exec_start(m->ver->machine, in, &o, on_done, x, &x->exec, &err) != ASL_OK) {
    asl__fail(rq, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
              err.cause ? err.cause : "the execution cannot start");
    asl__execution_free(x);
    goto out;
  }
  if (!x->arn)
    x->arn = asl_strdup(asl_exec_arn(x->exec));
  x->start_ms = asl_exec_start_ms(x->exec);
  s->running++;
  asl__execution_insert(s, x);
  if (sync) {
    srv_waiter w = {.rq = rq, .kind = SRV_WAIT_SYNC,
                    .metadata_only = included && strcmp(included, "METADATA_ONLY") == 0};
    ASL_VEC_PUSH(x->waiters, w);
  } else {
    asl_json *res = asl_json_object(2);
    asl_json_obj_put_cstr(res, "executionArn", asl_json_cstr(x->arn));
    asl_json_obj_put_cstr(res, "startDate", asl__timestamp(x->start_ms));
    asl__reply(rq, res);
  }
out:
  asl_error_clear(&err);
  asl_json_decref(in);
  asl_free(arn);
  asl_free(sm_arn);
}

void asl__op_start_execution(srv_request *rq, const asl_json *body)
{
  start(rq, body, false);
}

void asl__op_start_sync_execution(srv_request *rq, const asl_json *body)
{
  start(rq, body, true);
}

/* ---- reading executions ---- */

/* The execution named by member [key] of [body]; NULL after answering otherwise. */
static srv_execution *find_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "executionArn", true, 1, 256, &ok);
  if (!ok || !asl__arn_check(rq, arn, SRV_ARN_EXECUTION))
    return NULL;
  srv_execution *x = NULL;
  HASH_FIND_STR(rq->srv->executions, arn, x);
  if (!x)
    asl__fail(rq, 400, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
  return x;
}

/* {"included": true}, or false when METADATA_ONLY left the data out */
static asl_json *included_details(bool included)
{
  asl_json *d = asl_json_object(1);
  asl_json_obj_put_cstr(d, "included", asl_json_bool(included));
  return d;
}

void asl__op_describe_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
  const char *included = asl__param_enum(rq, body, "includedData", data, &ok);
  if (!ok)
    return;
  bool with_data = !included || strcmp(included, "METADATA_ONLY") != 0;
  srv_execution *x = find_execution(rq, body);
  if (!x)
    return;
  bool done = x->status != ASL_EXEC_RUNNING;
  asl_json *r = asl_json_object(16);
  asl_json_obj_put_cstr(r, "executionArn", asl_json_cstr(x->arn));
  asl_json_obj_put_cstr(r, "stateMachineArn", asl_json_cstr(x->sm_arn));
  asl_json_obj_put_cstr(r, "name", asl_json_cstr(x->name));
  asl_json_obj_put_cstr(r, "status", asl_json_cstr(asl_exec_status_name(x->status)));
  asl_json_obj_put_cstr(r, "startDate", asl__timestamp(x->start_ms));
  if (done)
    asl_json_obj_put_cstr(r, "stopDate", asl__timestamp(x->stop_ms));
  if (with_data)
    asl_json_obj_put_cstr(r, "input", asl_json_cstr(x->input));
  asl_json_obj_put_cstr(r, "inputDetails", included_details(with_data));
  if (done && x->status == ASL_EXEC_SUCCEEDED && x->output) {
    if (with_data)
      asl_json_obj_put_cstr(r, "output", asl_json_cstr(x->output));
    asl_json_obj_put_cstr(r, "outputDetails", included_details(with_data));
  }
  if (done && x->error)
    asl_json_obj_put_cstr(r, "error", asl_json_cstr(x->error));
  if (done && x->cause)
    asl_json_obj_put_cstr(r, "cause", asl_json_cstr(x->cause));
  if (x->trace_header)
    asl_json_obj_put_cstr(r, "traceHeader", asl_json_cstr(x->trace_header));
  if (!x->express) {
    asl_json_obj_put_cstr(r, "redriveCount", asl_json_int(x->redrive_count));
    if (x->redrive_count > 0)
      asl_json_obj_put_cstr(r, "redriveDate", asl__timestamp(x->redrive_ms));
    const char *why = NULL;
    bool redrivable = asl__execution_redrivable(rq->srv, x, &why);
    asl_json_obj_put_cstr(r, "redriveStatus",
                          asl_json_cstr(redrivable ? "REDRIVABLE" : "NOT_REDRIVABLE"));
    if (!redrivable)
      asl_json_obj_put_cstr(r, "redriveStatusReason", asl_json_cstr(why));
  }
  asl__reply(rq, r);
}

void asl__op_stop_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *error = asl__param_str(rq, body, "error", false, 0, 256, &ok);
  if (!ok)
    return;
  const char *cause = asl__param_str(rq, body, "cause", false, 0, 32768, &ok);
  if (!ok)
    return;
  srv_execution *x = find_execution(rq, body);
  if (!x)
    return;
  if (x->exec && !x->saving) {
    /* answered once the execution has stopped and its record is written, so that a
     * DescribeExecution after the answer sees ABORTED */
    srv_waiter w = {.rq = rq, .kind = SRV_WAIT_STOP, .stop_ms = asl__now_ms()};
    ASL_VEC_PUSH(x->waiters, w);
    if (x->stopping)
      return; /* a second stop waits for the first: the first one's error and cause stand */
    x->stopping = true;
    asl_free(x->error);
    asl_free(x->cause);
    x->error = error ? asl_strdup(error) : NULL;
    x->cause = cause ? asl_strdup(cause) : NULL;
    asl_exec_stop(x->exec, error, cause);
    return;
  }
  if (x->saving) {
    srv_waiter w = {.rq = rq, .kind = SRV_WAIT_STOP, .stop_ms = x->stop_ms};
    ASL_VEC_PUSH(x->waiters, w);
    return;
  }
  asl_json *r = asl_json_object(1);
  asl_json_obj_put_cstr(r, "stopDate", asl__timestamp(x->stop_ms));
  asl__reply(rq, r);
}

void asl__op_list_executions(srv_request *rq, const asl_json *body)
{
  asl_sfn_server *s = rq->srv;
  bool ok;
  const char *sm_arn = asl__param_str(rq, body, "stateMachineArn", false, 1, 256, &ok);
  if (!ok)
    return;
  const char *map_run = asl__param_str(rq, body, "mapRunArn", false, 1, 2000, &ok);
  if (!ok)
    return;
  static const char *const statuses[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED",
                                         "PENDING_REDRIVE", NULL};
  const char *filter = asl__param_enum(rq, body, "statusFilter", statuses, &ok);
  if (!ok)
    return;
  static const char *const redrive[] = {"REDRIVEN", "NOT_REDRIVEN", NULL};
  const char *redrive_filter = asl__param_enum(rq, body, "redriveFilter", redrive, &ok);
  if (!ok)
    return;
  int64_t max = asl__param_int(rq, body, "maxResults", 0, SERVE_PAGE_MAX, 0, &ok);
  if (!ok)
    return;
  const char *token = asl__param_str(rq, body, "nextToken", false, 1, 3096, &ok);
  if (!ok)
    return;
  if (map_run) {
    asl__fail(rq, 400, "ResourceNotFound", "Resource not found: '%s'", map_run);
    return;
  }
  if (!sm_arn) {
    asl__fail(rq, 400, "ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
    return;
  }
  if (!asl__arn_check(rq, sm_arn, SRV_ARN_STATE_MACHINE))
    return;
  srv_machine *m = asl__machine_find(s, sm_arn);
  if (!m) {
    asl__fail(rq, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", sm_arn);
    return;
  }
  if (m->express) {
    asl__fail(rq, 400, "StateMachineTypeNotSupported",
              "This operation is not supported by this type of state machine");
    return;
  }
  int64_t before = INT64_MAX;
  if (token && !asl__token_read(rq, token, "ex", sm_arn, &before))
    return;
  if (max == 0)
    max = SERVE_PAGE_DEFAULT;
  asl_json *list = asl_json_array(8);
  srv_execution *last = NULL;
  bool more = false;
  for (srv_execution *x = s->newest; x; x = x->older) {
    if ((int64_t)x->seq >= before || strcmp(x->sm_arn, sm_arn) != 0)
      continue;
    if (filter && strcmp(filter, asl_exec_status_name(x->status)) != 0)
      continue;
    if (redrive_filter && (strcmp(redrive_filter, "REDRIVEN") == 0) != (x->redrive_count > 0))
      continue;
    if ((int64_t)asl_json_len(list) == max) {
      more = true;
      break;
    }
    asl_json *o = asl_json_object(9);
    asl_json_obj_put_cstr(o, "executionArn", asl_json_cstr(x->arn));
    asl_json_obj_put_cstr(o, "stateMachineArn", asl_json_cstr(x->sm_arn));
    asl_json_obj_put_cstr(o, "name", asl_json_cstr(x->name));
    asl_json_obj_put_cstr(o, "status", asl_json_cstr(asl_exec_status_name(x->status)));
    asl_json_obj_put_cstr(o, "startDate", asl__timestamp(x->start_ms));
    if (x->status != ASL_EXEC_RUNNING)
      asl_json_obj_put_cstr(o, "stopDate", asl__timestamp(x->stop_ms));
    asl_json_obj_put_cstr(o, "redriveCount", asl_json_int(x->redrive_count));
    if (x->redrive_count > 0)
      asl_json_obj_put_cstr(o, "redriveDate", asl__timestamp(x->redrive_ms));
    asl_json_arr_push(list, o);
    last = x;
  }
  asl_json *r = asl_json_object(2);
  asl_json_obj_put_cstr(r, "executions", list);
  if (more && last) {
    char *t = asl__token_make("ex", sm_arn, (int64_t)last->seq);
    asl_json_obj_put_cstr(r, "nextToken", asl_json_cstr(t));
    asl_free(t);
  }
  asl__reply(rq, r);
}

/* One stored event as GetExecutionHistory answers it; without execution data, the details lose
 * their input and output (AWS keeps the *Details siblings). */
static asl_json *event_answer(const asl_json *ev, bool with_data)
{
  asl_json *o = asl_json_object(5);
  for (size_t i = 0; i < asl_json_len(ev); i++) {
    size_t kl;
    const char *k = asl_json_key_at(ev, i, &kl);
    const asl_json *v = asl_json_value_at(ev, i);
    if (strcmp(k, "timestamp") == 0) {
      asl_json_obj_put_cstr(o, k, asl__timestamp(asl_json_int_val(v)));
    } else if (!with_data && asl_json_is_object(v)) {
      asl_json *d = asl_json_object(asl_json_len(v));
      for (size_t j = 0; j < asl_json_len(v); j++) {
        size_t dl;
        const char *dk = asl_json_key_at(v, j, &dl);
        if (strcmp(dk, "input") != 0 && strcmp(dk, "output") != 0)
          asl_json_obj_put(d, dk, dl, asl_json_incref(asl_json_value_at(v, j)));
      }
      asl_json_obj_put(o, k, kl, d);
    } else {
      asl_json_obj_put(o, k, kl, asl_json_incref(v));
    }
  }
  return o;
}

void asl__op_get_execution_history(srv_request *rq, const asl_json *body)
{
  bool ok;
  int64_t max = asl__param_int(rq, body, "maxResults", 0, SERVE_PAGE_MAX, 0, &ok);
  if (!ok)
    return;
  bool reverse = asl__param_bool(rq, body, "reverseOrder", false, &ok);
  if (!ok)
    return;
  bool with_data = asl__param_bool(rq, body, "includeExecutionData", true, &ok);
  if (!ok)
    return;
  const char *token = asl__param_str(rq, body, "nextToken", false, 1, 1024, &ok);
  if (!ok)
    return;
  srv_execution *x = find_execution(rq, body);
  if (!x || !asl__execution_detail(rq, x))
    return;
  if (max == 0)
    max = SERVE_PAGE_DEFAULT;
  int64_t n = (int64_t)x->events.len;
  /* the position is the id of the last event given; ids are 1..n in order */
  int64_t pos = reverse ? n + 1 : 0;
  if (token && !asl__token_read(rq, token, reverse ? "hr" : "hf", x->arn, &pos))
    return;
  if (pos < 0 || pos > n + 1) {
    asl__fail(rq, 400, "InvalidToken", "Invalid Token: '%.300s'", token);
    return;
  }
  asl_json *list = asl_json_array(8);
  int64_t id = reverse ? pos - 1 : pos + 1;
  int64_t count = 0;
  for (; id >= 1 && id <= n && count < max; id += reverse ? -1 : 1, count++)
    asl_json_arr_push(list, event_answer(x->events.items[id - 1], with_data));
  asl_json *r = asl_json_object(2);
  asl_json_obj_put_cstr(r, "events", list);
  if (id >= 1 && id <= n) {
    char *t = asl__token_make(reverse ? "hr" : "hf", x->arn, reverse ? id + 1 : id - 1);
    asl_json_obj_put_cstr(r, "nextToken", asl_json_cstr(t));
    asl_free(t);
  }
  asl__reply(rq, r);
}

void asl__op_describe_sm_for_execution(srv_request *rq, const asl_json *body)
{
  bool ok;
  static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
  const char *included = asl__param_enum(rq, body, "includedData", data, &ok);
  if (!ok)
    return;
  bool metadata_only = included && strcmp(included, "METADATA_ONLY") == 0;
  srv_execution *x = find_execution(rq, body);
  if (!x || (!x->ver->definition && !asl__execution_detail(rq, x)))
    return;
  srv_machine *m = asl__machine_find(rq->srv, x->sm_arn);
  asl_json *r = asl_json_object(8);
  asl_json_obj_put_cstr(r, "stateMachineArn", asl_json_cstr(x->sm_arn));
  asl_json_obj_put_cstr(r, "name", asl_json_cstr(x->sm_name));
  asl_json *def = metadata_only ? asl_json_cstr("{}")
                                : asl_json_string(x->ver->definition, x->ver->definition_len);
  asl_json_obj_put_cstr(r, "definition", def);
  asl_json_obj_put_cstr(r, "roleArn", asl_json_cstr(x->ver->role_arn));
  asl_json_obj_put_cstr(r, "updateDate", asl__timestamp(x->ver->update_ms));
  if (m) {
    asl_json_obj_put_cstr(r, "loggingConfiguration", asl_json_incref(m->logging));
    if (m->tracing)
      asl_json_obj_put_cstr(r, "tracingConfiguration", asl_json_incref(m->tracing));
  }
  if (x->ver->revision_id)
    asl_json_obj_put_cstr(r, "revisionId", asl_json_cstr(x->ver->revision_id));
  asl__reply(rq, r);
}
