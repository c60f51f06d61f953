/* TestState: one state run on its own, as AWS's enhanced TestState runs it. The state (given
 * alone, or picked with stateName from a whole definition) becomes a one-state machine whose
 * transitions lead to Succeed placeholders; it runs in virtual time through a handler registry of
 * its own, in which a "mock" (result, or errorOutput's error and cause) is an inline mock of the
 * state (src/handlers). The run's events and notes give AWS's answer: status SUCCEEDED,
 * CAUGHT_ERROR (a catcher took the error: nextState is its Next), RETRIABLE (a retrier would
 * retry; with stateConfiguration.retrierRetryCount N the first N retries are taken first) or
 * FAILED; output, error, cause, nextState, and inspectionData with the state's input, the task's
 * result (DEBUG and TRACE), the error handler chosen and the workflow variables after the state
 * (those given in "variables", which the state starts with, and what it assigned). The registry
 * is retired, to be freed between loop turns. */
#include "internal.h"

#include <string.h>

#define DEFAULT_NAME "TestState"

typedef struct ts_run {
  srv_request *rq;
  asl_sfn_server *srv;
  asl_machine *machine;
  asl_handlers *h;
  asl_exec *exec;
  const asl_state *state;
  char *name;
  bool debug;            /* inspectionLevel DEBUG or TRACE */
  int64_t retry_count;   /* stateConfiguration.retrierRetryCount */
  bool own_state_seen;   /* its *StateEntered went by */
  bool exited;
  char *output;          /* the state's output (its *StateExited) */
  char *next_state;
  char *input;           /* the state's input, as text */
  char *result;          /* a Task's result (its *Succeeded event) */
  char *error, *cause;   /* the last failure seen */
  bool retriable, caught;
  int64_t retry_index, catch_index, backoff_s;
  bool stopping;
  asl_json *vars;        /* the variables after the state; NULL when none was given or set */
} ts_run;

static const char *detail_str(const asl_json *details, const char *key)
{
  const asl_json *v = details ? asl_json_get_cstr(details, key) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

static void set_str(char **slot, const char *v)
{
  asl_free(*slot);
  *slot = v ? asl_strdup(v) : NULL;
}

static int64_t handler_index_retry(const asl_state *st, const char *error)
{
  for (size_t i = 0; st && error && i < st->retrier_count; i++)
    if (asl_error_match_test(&st->retriers[i].errors, error))
      return (int64_t)i;
  return -1;
}

static int64_t handler_index_catch(const asl_state *st, const char *error)
{
  for (size_t i = 0; st && error && i < st->catcher_count; i++)
    if (asl_error_match_test(&st->catchers[i].errors, error))
      return (int64_t)i;
  return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s);
  size_t m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Ends the run where TestState stops; an event reported while asl_exec_start is still running
 * (before t->exec is known) stops it right after. */
static void stop(ts_run *t)
{
  if (t->stopping)
    return;
  t->stopping = true;
  if (t->exec)
    asl_exec_stop(t->exec, NULL, NULL);
}

/* assignedVariables (name -> the value as JSON text) into t->vars. */
static void take_assigned(ts_run *t, const asl_json *assigned)
{
  size_t n = assigned ? asl_json_len(assigned) : 0;
  if (n == 0)
    return;
  t->vars = t->vars ? asl_json_unshare(t->vars) : asl_json_object(n);
  for (size_t i = 0; i < n; i++) {
    size_t klen;
    const char *k = asl_json_key_at(assigned, i, &klen);
    const asl_json *text = asl_json_value_at(assigned, i);
    asl_error err = ASL_ERROR_INIT;
    asl_json *v = asl_json_parse(asl_json_str(text), asl_json_str_len(text), NULL, &err);
    asl_error_clear(&err);
    if (v) /* the executor wrote it: always JSON */
      asl_json_obj_put(t->vars, k, klen, v);
  }
}

static void on_event(void *data, const asl_event *ev)
{
  ts_run *t = data;
  if (ev->depth > 0 || ev->child_execution)
    return; /* inside a Parallel or Map: the state's own events are at depth 0 */
  const char *type = asl_event_type_name(ev->type);
  const asl_json *d = ev->details;
  if (ends_with(type, "StateEntered")) {
    if (!t->own_state_seen) {
      t->own_state_seen = true;
      set_str(&t->input, detail_str(d, "input"));
    } else if (!t->next_state) {
      /* the state handed on: that is all TestState runs */
      set_str(&t->next_state, ev->state);
      stop(t);
    }
  } else if (ends_with(type, "StateExited") && !t->next_state) {
    t->exited = true;
    set_str(&t->output, detail_str(d, "output"));
    take_assigned(t, d ? asl_json_get_cstr(d, "assignedVariables") : NULL);
  } else if (ev->type == ASL_EVENT_TASK_SUCCEEDED ||
             ev->type == ASL_EVENT_LAMBDA_FUNCTION_SUCCEEDED) {
    set_str(&t->result, detail_str(d, "output"));
  } else if (d && detail_str(d, "error") && ev->type != ASL_EVENT_EXECUTION_FAILED &&
             ev->type != ASL_EVENT_EXECUTION_ABORTED) {
    set_str(&t->error, detail_str(d, "error"));
    set_str(&t->cause, detail_str(d, "cause"));
  }
}

static void on_note(void *data, const asl_note *n)
{
  ts_run *t = data;
  if (n->depth > 0 || n->child_execution)
    return;
  if (n->kind == ASL_NOTE_RETRY && n->attempt > t->retry_count && !t->stopping) {
    t->retriable = true;
    set_str(&t->error, n->error);
    set_str(&t->cause, n->cause);
    t->retry_index = handler_index_retry(t->state, n->error);
    t->backoff_s = n->delay_ms / 1000;
    stop(t);
  } else if (n->kind == ASL_NOTE_CATCH) {
    t->caught = true;
    set_str(&t->error, n->error);
    set_str(&t->cause, n->cause);
    t->catch_index = handler_index_catch(t->state, n->error);
  }
}

static void ts_free(ts_run *t)
{
  asl_machine_free(t->machine);
  asl_free(t->name);
  asl_free(t->output);
  asl_free(t->next_state);
  asl_free(t->input);
  asl_free(t->result);
  asl_free(t->error);
  asl_free(t->cause);
  asl_json_decref(t->vars);
  asl_free(t);
}

static void on_done(asl_exec *e, void *data)
{
  ts_run *t = data;
  asl_sfn_server *s = t->srv;
  asl_exec_status st = asl_exec_status_of(e);
  asl_json *r = asl_json_object(8);
  const char *status;
  if (t->retriable) {
    status = "RETRIABLE";
  } else if (st == ASL_EXEC_SUCCEEDED || t->next_state || (t->exited && st == ASL_EXEC_ABORTED)) {
    status = t->caught ? "CAUGHT_ERROR" : "SUCCEEDED";
  } else {
    status = "FAILED";
    if (asl_exec_error(e))
      set_str(&t->error, asl_exec_error(e));
    if (asl_exec_cause(e))
      set_str(&t->cause, asl_exec_cause(e));
  }
  bool failed = strcmp(status, "FAILED") == 0 || strcmp(status, "RETRIABLE") == 0;
  if (!failed) {
    if (t->output)
      asl_json_obj_put_cstr(r, "output", asl_json_cstr(t->output));
    else if (asl_exec_output(e)) {
      size_t ol;
      char *otext = asl_json_dump(asl_exec_output(e), ASL_JSON_COMPACT, &ol);
      asl_json_obj_put_cstr(r, "output", asl_json_string_take(otext, ol));
    }
  }
  if ((failed || t->caught) && t->error)
    asl_json_obj_put_cstr(r, "error", asl_json_cstr(t->error));
  if ((failed || t->caught) && t->cause)
    asl_json_obj_put_cstr(r, "cause", asl_json_cstr(t->cause));
  if (!failed && t->next_state)
    asl_json_obj_put_cstr(r, "nextState", asl_json_cstr(t->next_state));
  asl_json_obj_put_cstr(r, "status", asl_json_cstr(status));
  asl_json *insp = asl_json_object(4);
  if (t->input)
    asl_json_obj_put_cstr(insp, "input", asl_json_cstr(t->input));
  if (t->result && t->debug)
    asl_json_obj_put_cstr(insp, "result", asl_json_cstr(t->result));
  if (t->retriable || t->caught) {
    asl_json *ed = asl_json_object(2);
    if (t->retriable && t->retry_index >= 0) {
      asl_json_obj_put_cstr(ed, "retryIndex", asl_json_int(t->retry_index));
      asl_json_obj_put_cstr(ed, "retryBackoffIntervalSeconds", asl_json_int(t->backoff_s));
    }
    if (t->caught && t->catch_index >= 0)
      asl_json_obj_put_cstr(ed, "catchIndex", asl_json_int(t->catch_index));
    asl_json_obj_put_cstr(insp, "errorDetails", ed);
  }
  if (t->vars) {
    size_t vl;
    char *vtext = asl_json_dump(t->vars, ASL_JSON_COMPACT, &vl);
    asl_json_obj_put_cstr(insp, "variables", asl_json_string_take(vtext, vl));
  }
  asl_json_obj_put_cstr(r, "inspectionData", insp);
  asl__reply(t->rq, r);
  ASL_VEC_PUSH(s->finished, e);
  ASL_VEC_PUSH(s->retired, t->h);
  for (size_t i = 0; i < s->testing.len; i++) {
    if (s->testing.items[i] == e) {
      s->testing.items[i] = s->testing.items[--s->testing.len];
      break;
    }
  }
  s->running--;
  ts_free(t);
}

/* ---- building the one-state machine ---- */

static void add_target(asl_json *states, const char *own, const asl_json *v)
{
  if (!v || !asl_json_is_string(v) || strcmp(asl_json_str(v), own) == 0)
    return;
  if (asl_json_get(states, asl_json_str(v), asl_json_str_len(v)))
    return;
  asl_json *placeholder = asl_json_object(1);
  asl_json_obj_put_cstr(placeholder, "Type", asl_json_cstr("Succeed"));
  asl_json_obj_put(states, asl_json_str(v), asl_json_str_len(v), placeholder);
}

/* {"StartAt": name, "States": {name: state, each target: Succeed}} (plus the machine's
 * QueryLanguage). */
static asl_json *one_state_machine(const char *name, const asl_json *state, const asl_json *ql)
{
  asl_json *states = asl_json_object(4);
  asl_json_obj_put_cstr(states, name, asl_json_incref(state));
  add_target(states, name, asl_json_get_cstr(state, "Next"));
  add_target(states, name, asl_json_get_cstr(state, "Default"));
  static const char *const lists[] = {"Choices", "Catch"};
  for (size_t l = 0; l < 2; l++) {
    const asl_json *arr = asl_json_get_cstr(state, lists[l]);
    for (size_t i = 0; arr && asl_json_is_array(arr) && i < asl_json_len(arr); i++) {
      const asl_json *it = asl_json_at(arr, i);
      if (asl_json_is_object(it))
        add_target(states, name, asl_json_get_cstr(it, "Next"));
    }
  }
  asl_json *m = asl_json_object(3);
  if (ql)
    asl_json_obj_put_cstr(m, "QueryLanguage", asl_json_incref(ql));
  asl_json_obj_put_cstr(m, "StartAt", asl_json_cstr(name));
  asl_json_obj_put_cstr(m, "States", states);
  return m;
}

static bool unsupported(srv_request *rq, const asl_json *body, const char *key)
{
  const asl_json *v = asl_json_get_cstr(body, key);
  if (v && !asl_json_is_null(v))
    return !asl__fail(rq, 400, "ValidationException",
                      "aslrun serve's TestState does not take '%s' yet: the executor cannot start "
                      "a state with a given context object",
                      key);
  return false;
}

void asl__op_test_state(srv_request *rq, const asl_json *body)
{
  asl_sfn_server *s = rq->srv;
  bool ok;
  const char *def = asl__param_str(rq, body, "definition", true, 1, 1048576, &ok);
  if (!ok)
    return;
  const char *role = asl__param_str(rq, body, "roleArn", false, 1, 256, &ok);
  if (!ok)
    return;
  const char *input = asl__param_str(rq, body, "input", false, 0, 262144, &ok);
  if (!ok)
    return;
  static const char *const levels[] = {"INFO", "DEBUG", "TRACE", NULL};
  const char *level = asl__param_enum(rq, body, "inspectionLevel", levels, &ok);
  if (!ok)
    return;
  asl__param_bool(rq, body, "revealSecrets", false, &ok);
  if (!ok)
    return;
  const char *state_name = asl__param_str(rq, body, "stateName", false, 1, 80, &ok);
  if (!ok)
    return;
  if (unsupported(rq, body, "context"))
    return;
  const char *vars_text = asl__param_str(rq, body, "variables", false, 0, 262144, &ok);
  if (!ok)
    return;
  const asl_json *mock = asl_json_get_cstr(body, "mock");
  const asl_json *conf = asl_json_get_cstr(body, "stateConfiguration");
  if ((mock && !asl_json_is_null(mock) && !asl_json_is_object(mock)) ||
      (conf && !asl_json_is_null(conf) && !asl_json_is_object(conf))) {
    asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
              "The values of 'mock' and 'stateConfiguration' must be objects");
    return;
  }
  mock = mock && asl_json_is_object(mock) ? mock : NULL;
  conf = conf && asl_json_is_object(conf) ? conf : NULL;
  int64_t retry_count = conf ? asl__param_int(rq, conf, "retrierRetryCount", 0, INT64_MAX, 0, &ok)
                             : 0;
  if (!ok)
    return;
  for (size_t i = 0; conf && i < asl_json_len(conf); i++) {
    const char *k = asl_json_key_at(conf, i, NULL);
    if (strcmp(k, "retrierRetryCount") != 0) {
      asl__fail(rq, 400, "ValidationException",
                "aslrun serve's TestState does not take stateConfiguration.%s yet", k);
      return;
    }
  }
  const char *mock_result = mock ? asl__param_str(rq, mock, "result", false, 0, 262144, &ok) : NULL;
  if (!ok)
    return;
  /* AWS checks a mocked result against the service's response shape (STRICT, PRESENT); aslrun
   * has no service models, so every mode uses the result as given, as NONE does */
  static const char *const modes[] = {"STRICT", "PRESENT", "NONE", NULL};
  if (mock)
    asl__param_enum(rq, mock, "fieldValidationMode", modes, &ok);
  if (!ok)
    return;
  const asl_json *mock_error = mock ? asl_json_get_cstr(mock, "errorOutput") : NULL;
  if (mock && ((mock_result != NULL) == (mock_error != NULL && !asl_json_is_null(mock_error)))) {
    asl__fail(rq, 400, "ValidationException",
              "A mock must have exactly one of 'result' and 'errorOutput'");
    return;
  }
  if (role && strncmp(role, "arn:", 4) != 0) {
    asl__fail(rq, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %.300s'", role);
    return;
  }

  asl_error err = ASL_ERROR_INIT;
  asl_json *vars = NULL;
  if (vars_text) {
    vars = asl_json_parse(vars_text, strlen(vars_text), NULL, &err);
    if (!vars || !asl_json_is_object(vars)) {
      asl_json_decref(vars);
      asl__fail(rq, 400, "ValidationException",
                "'variables' must be a JSON object of variable names and values: %s",
                vars ? "it is not an object" : err.cause ? err.cause : "not JSON");
      asl_error_clear(&err);
      return;
    }
  }
  asl_json *parsed = asl_json_parse(def, strlen(def), NULL, &err);
  asl_json *in = NULL;
  asl_json *machine_doc = NULL;
  asl_json *config = NULL;
  ts_run *t = NULL;
  if (!parsed || !asl_json_is_object(parsed)) {
    asl__fail(rq, 400, "InvalidDefinition", "Invalid State Machine Definition: '%s'",
              parsed ? "SCHEMA_VALIDATION_FAILED: the definition must be a JSON object"
                     : err.cause ? err.cause : "INVALID_JSON_DESCRIPTION");
    goto out;
  }
  const asl_json *state = parsed;
  const asl_json *ql = NULL;
  const char *name = state_name ? state_name : DEFAULT_NAME;
  if (state_name) {
    const asl_json *states = asl_json_get_cstr(parsed, "States");
    state = states && asl_json_is_object(states) ? asl_json_get_cstr(states, state_name) : NULL;
    ql = asl_json_get_cstr(parsed, "QueryLanguage");
    if (!state) {
      asl__fail(rq, 400, "ValidationException",
                "stateName '%s' is not a state of the definition's top-level States", state_name);
      goto out;
    }
  }
  const asl_json *type = asl_json_is_object(state) ? asl_json_get_cstr(state, "Type") : NULL;
  bool is_task = type && asl_json_is_string(type) && strcmp(asl_json_str(type), "Task") == 0;
  if (mock && !is_task) {
    asl__fail(rq, 400, "ValidationException", "A mock can only be given for a Task state");
    goto out;
  }
  in = asl_json_parse(input ? input : "{}", input ? strlen(input) : 2, NULL, &err);
  if (!in) {
    asl__fail(rq, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
              err.cause ? err.cause : "not JSON");
    goto out;
  }
  machine_doc = one_state_machine(name, state, ql);
  size_t len;
  char *text = asl_json_dump(machine_doc, ASL_JSON_COMPACT, &len);
  /* the state's variables may come from "variables" or from states left out of the one-state
   * machine: references to them are no definition error here */
  asl_load_opts lo = {.unchecked_variables = true};
  asl_machine *am = asl__definition_load_opts(rq, text, len, &lo);
  asl_free(text);
  if (!am)
    goto out;

  /* the registry: aslrun.json's functions, and the mock as an inline mock of the state */
  config = asl_json_object(2);
  const asl_json *fns = s->config ? asl_json_get_cstr(s->config, "functions") : NULL;
  if (fns)
    asl_json_obj_put_cstr(config, "functions", asl_json_incref(fns));
  if (mock) {
    asl_json *entry = asl_json_object(1);
    if (mock_result) {
      asl_json *rv = asl_json_parse(mock_result, strlen(mock_result), NULL, &err);
      if (!rv) {
        asl_json_decref(entry);
        asl_machine_free(am);
        asl__fail(rq, 400, "ValidationException", "The mock result is not valid JSON: %s",
                  err.cause ? err.cause : "");
        goto out;
      }
      asl_json_obj_put_cstr(entry, "Return", rv);
    } else {
      const asl_json *e = asl_json_get_cstr(mock_error, "error");
      const asl_json *c = asl_json_get_cstr(mock_error, "cause");
      asl_json *th = asl_json_object(2);
      asl_json_obj_put_cstr(th, "Error", e && asl_json_is_string(e) ? asl_json_incref(e)
                                                                     : asl_json_cstr(""));
      if (c && asl_json_is_string(c))
        asl_json_obj_put_cstr(th, "Cause", asl_json_incref(c));
      asl_json_obj_put_cstr(entry, "Throw", th);
    }
    asl_json *mocks = asl_json_object(1);
    asl_json_obj_put_cstr(mocks, name, entry);
    asl_json_obj_put_cstr(config, "mocks", mocks);
  }
  asl_handlers_opts ho = {.loop = s->loop, .config = config, .config_dir = s->config_dir,
                          .cold = s->cold, .lambda_endpoint = s->lambda_endpoint};
  asl_handlers *h = asl_handlers_new(&ho, &err);
  if (!h) {
    asl_machine_free(am);
    asl__fail(rq, 400, "ValidationException", "%s", err.cause ? err.cause : "bad mock");
    goto out;
  }
  t = asl_calloc(1, sizeof *t);
  t->rq = rq;
  t->srv = s;
  t->machine = am;
  t->h = h;
  t->name = asl_strdup(name);
  t->state = asl_states_find(&am->top, name, strlen(name));
  t->debug = level && strcmp(level, "INFO") != 0;
  t->retry_count = retry_count;
  t->retry_index = t->catch_index = -1;
  t->vars = asl_json_incref(vars);
  asl_event_sink sink = {.on_event = on_event, .data = t, .on_note = on_note};
  char *sm_arn = asl__sm_arn(s, "TestStateMachine");
  asl_exec_opts o = {.loop = s->loop, .virtual_time = true, .state_machine_arn = sm_arn,
                     .state_machine_name = "TestStateMachine", .role_arn = role, .sinks = &sink,
                     .sink_count = 1, .handlers = h, .variables = vars};
  asl_status st = asl_exec_start(am, in, &o, on_done, t, &t->exec, &err);
  asl_free(sm_arn);
  if (st != ASL_OK) {
    asl__fail(rq, 400, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'",
              err.cause ? err.cause : "the state cannot start");
    ASL_VEC_PUSH(s->retired, h);
    ts_free(t);
    goto out;
  }
  s->running++;
  ASL_VEC_PUSH(s->testing, t->exec);
  if (t->stopping)
    asl_exec_stop(t->exec, NULL, NULL);
out:
  asl_error_clear(&err);
  asl_json_decref(vars);
  asl_json_decref(parsed);
  asl_json_decref(in);
  asl_json_decref(machine_doc);
  asl_json_decref(config);
}
