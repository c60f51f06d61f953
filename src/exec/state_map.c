/* Map: each attempt reads the items (ItemsPath on the input after InputPath, or JSONata's Items),
 * shapes each with ItemSelector (or the older Parameters; $$.Map.Item.Index and .Value; in
 * JSONata $states.context.Map.Item), groups them with
 * ItemBatcher when there is one, and runs an iteration a child run, at most MaxConcurrency at
 * once (and at most 40 in INLINE mode, AWS's quota, asl_exec_quotas). Results come back in item
 * order. An inline Map with no tolerated failures fails with the failing iteration's own error
 * (conformance map/test_map_state_catch.json); with ToleratedFailureCount/Percentage, and always
 * in DISTRIBUTED mode, failures beyond the threshold give States.ExceedToleratedFailureThreshold.
 * DISTRIBUTED iterations are child executions with histories of their own (MapRun* events in
 * the parent, conformance map/test_map_state_config_distributed_*); items from S3 (ItemReader)
 * and results to S3 (ResultWriter) cannot be served locally and fail clearly. The numbers are
 * read by map_config.c; Retry and Catch are retry.c's. A failed or aborted attempt keeps its
 * results and its unsuccessful iterations, which a redrive runs again with those it had not
 * started (redrive.c). */
#include "internal.h"

#include <string.h>


struct asl__map {
  asl_run *owner;
  bool distributed;
  asl_json *eff;          /* the input after InputPath: $ of ItemSelector */
  asl_json *items;        /* the items (ItemsPath) */
  asl_json **selected;    /* batched: every item after ItemSelector */
  size_t *bounds;         /* batched: iteration i takes selected[bounds[i], bounds[i + 1]) */
  asl_json *batch_input;  /* ItemBatcher's BatchInput, evaluated, or NULL */
  size_t count;           /* iterations */
  size_t next;            /* the next iteration to start */
  size_t running;
  size_t failed;
  size_t cap;             /* iterations at once */
  bool tolerance;         /* failures are counted against the thresholds */
  int64_t tol_count;      /* -1: no count threshold */
  double tol_pct;         /* -1: no percentage threshold */
  asl_run **live;         /* running iterations by index */
  asl_run **kept;         /* iterations that failed or were aborted, for a redrive */
  size_t *redo;           /* a redrive: the kept iterations to run again, in index order */
  size_t redo_len;
  size_t redo_pos;        /* the next of them to start */
  asl_json **results;
  bool canceling;
  asl__failure failure;
};

static void map_free(asl__map *m)
{
  asl_json_decref(m->eff);
  asl_json_decref(m->items);
  asl_json_decref(m->batch_input);
  if (m->selected) {
    size_t n = asl_json_len(m->items);
    for (size_t i = 0; i < n; i++)
      asl_json_decref(m->selected[i]);
    asl_free(m->selected);
  }
  asl_free(m->bounds);
  if (m->results) {
    for (size_t i = 0; i < m->count; i++)
      asl_json_decref(m->results[i]);
    asl_free(m->results);
  }
  if (m->kept) {
    for (size_t i = 0; i < m->count; i++)
      asl__run_free(m->kept[i]);
    asl_free(m->kept);
  }
  asl_free(m->redo);
  asl_free(m->live);
  asl__failure_clear(&m->failure);
  asl_free(m);
}

/* MapIterationStarted / Succeeded / Failed / Aborted {"name", "index"}: the Map's events,
 * following [previous]. */
static int64_t emit_iteration(asl_run *r, asl_event_type type, size_t index, int64_t previous)
{
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = asl_json_object(2);
    asl_json_obj_put_cstr(d, "name", asl_json_string(r->state->name, r->state->name_len));
    asl_json_obj_put_cstr(d, "index", asl_json_int((int64_t)index));
  }
  return asl__run_emit_after(r, type, previous, d);
}

/* ---------------------------------------------------------------------- items ---- */

/* Item [i] through ItemSelector (JSONata: with $states.context.Map.Item); NULL and r->error
 * when the selector fails. */
static asl_json *select_item(asl__map *m, size_t i)
{
  asl_run *r = m->owner;
  const asl_json *item = asl_json_at(m->items, i);
  const asl_jsonata_template *ata = r->state->u.map.jsonata_item_selector;
  if (ata) {
    asl_json *ctx = asl__context_for_item(r, i, item);
    asl__states s = {.input = r->input, .context = ctx};
    asl_json *v = asl__ata_eval(r, ata, &s);
    asl_json_decref(ctx);
    return v;
  }
  const asl_template *sel = r->state->u.map.item_selector;
  if (!sel)
    return asl_json_incref(item);
  asl_json *ctx = asl_template_uses_context(sel) ? asl__context_for_item(r, i, item) : NULL;
  asl_env env = asl__run_env(r, m->eff);
  env.context = ctx;
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_template_eval(sel, &env, &err);
  asl_json_decref(ctx);
  if (!v)
    asl__run_fail_state(r, &err);
  return v;
}

/* {"BatchInput": ..., "Items": [...]}: AWS's shape of a batch */
static asl_json *batch_of(asl__map *m, size_t i)
{
  size_t from = m->bounds[i];
  size_t to = m->bounds[i + 1];
  asl_json *items = asl_json_array(to - from);
  for (size_t k = from; k < to; k++)
    asl_json_arr_push(items, asl_json_incref(m->selected[k]));
  asl_json *b = asl_json_object(2);
  if (m->batch_input)
    asl_json_obj_put_cstr(b, "BatchInput", asl_json_incref(m->batch_input));
  asl_json_obj_put_cstr(b, "Items", items);
  return b;
}

/* Every item selected, then cut into batches of at most [max_items] items and [max_bytes]
 * bytes of compact JSON (a single item larger than that makes a batch of its own). */
static bool make_batches(asl__map *m, int64_t max_items, int64_t max_bytes)
{
  size_t n = asl_json_len(m->items);
  m->selected = asl_calloc(n ? n : 1, sizeof *m->selected);
  m->bounds = asl_calloc(n + 1, sizeof *m->bounds);
  /* {"BatchInput":...,"Items":[]} */
  size_t empty = 12 + (m->batch_input ? 14 + asl_json_size(m->batch_input) : 0);
  size_t count = 0;
  size_t in_batch = 0;
  size_t bytes = empty;
  for (size_t i = 0; i < n; i++) {
    m->selected[i] = select_item(m, i);
    if (!m->selected[i])
      return false;
    size_t s = asl_json_size(m->selected[i]) + (in_batch ? 1 : 0);
    bool full = in_batch > 0 && ((max_items > 0 && (int64_t)in_batch >= max_items) ||
                                 (max_bytes > 0 && (int64_t)(bytes + s) > max_bytes));
    if (full) {
      m->bounds[++count] = i;
      in_batch = 0;
      bytes = empty;
      s = asl_json_size(m->selected[i]);
    }
    in_batch++;
    bytes += s;
  }
  if (in_batch > 0)
    m->bounds[++count] = n;
  m->count = count;
  return true;
}

/* ----------------------------------------------------------------- iterations ---- */

static void on_iteration_done(asl_run *child);

static asl__step map_finish(asl__map *m);
static void keep(asl_run *r, asl__map *m);

/* Fails the whole Map with r->error (an error of the Map itself, e.g. its ItemSelector) and
 * stops the running iterations. */
static void fail_map(asl__map *m)
{
  asl_run *r = m->owner;
  asl__failure_set(&m->failure, &r->error);
  asl__children_cancel(m->live, m->count);
}

static void start_iteration(asl__map *m, size_t i)
{
  asl_run *r = m->owner;
  asl_json *in = m->bounds ? batch_of(m, i) : select_item(m, i);
  if (!in) {
    fail_map(m);
    return;
  }
  if (!m->distributed)
    r->last_event_id = emit_iteration(r, ASL_EVENT_MAP_ITERATION_STARTED, i, r->last_event_id);
  asl_run *child =
      asl__run_new(r->exec, r, &r->state->u.map.processor, in, on_iteration_done, m);
  asl_json_decref(in);
  child->index = i;
  if (m->distributed)
    asl__run_own_history(child);
  else
    child->last_event_id = r->last_event_id;
  m->live[i] = child;
  m->running++;
  asl__run_post(child);
}

/* A redrive: kept iteration [i] goes on from where it stopped. */
static void restart_iteration(asl__map *m, size_t i)
{
  asl_run *r = m->owner;
  asl_run *child = m->kept[i];
  m->kept[i] = NULL;
  int64_t previous = child->last_event_id; /* a child execution's own history goes on */
  if (!m->distributed) {
    r->last_event_id = emit_iteration(r, ASL_EVENT_MAP_ITERATION_STARTED, i, r->last_event_id);
    previous = r->last_event_id;
  }
  asl__run_redrive(child, previous);
  m->live[i] = child;
  m->running++;
  asl__run_post(child);
}

static bool has_pending(const asl__map *m)
{
  return m->redo_pos < m->redo_len || m->next < m->count;
}

static void fill(asl__map *m)
{
  while (!m->failure.set && !m->canceling && m->running < m->cap && has_pending(m)) {
    if (m->redo_pos < m->redo_len)
      restart_iteration(m, m->redo[m->redo_pos++]);
    else
      start_iteration(m, m->next++);
  }
}

static bool exceeded(const asl__map *m)
{
  if (m->tol_count >= 0 && (int64_t)m->failed > m->tol_count)
    return true;
  return m->tol_pct >= 0 && (double)m->failed * 100.0 / (double)m->count > m->tol_pct;
}

static void iteration_failed(asl__map *m, asl_run *child)
{
  m->failed++;
  if (m->failure.set || m->canceling)
    return;
  if (!m->tolerance) {
    asl__failure_take(&m->failure, child);
    asl__children_cancel(m->live, m->count);
    return;
  }
  /* a tolerated failure leaves its error output in the results */
  asl_json *out = asl_json_object(2);
  asl_json_obj_put_cstr(out, "Error",
                        child->error.name ? asl_json_cstr(child->error.name) : asl_json_null());
  asl_json_obj_put_cstr(out, "Cause", asl_json_cstr(child->error.cause ? child->error.cause : ""));
  m->results[child->index] = out;
  if (!exceeded(m))
    return;
  asl_error err = ASL_ERROR_INIT;
  asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(EXCEED_TOLERATED_FAILURE_THRESHOLD),
                "The specified tolerated failure threshold was exceeded");
  asl__failure_set(&m->failure, &err);
  asl__children_cancel(m->live, m->count);
}

static void on_iteration_done(asl_run *child)
{
  asl__map *m = child->data;
  asl_run *r = m->owner;
  size_t i = child->index;
  m->live[i] = NULL;
  m->running--;
  asl_event_type type = ASL_EVENT_MAP_ITERATION_ABORTED;
  switch (child->status) {
  case ASL_EXEC_SUCCEEDED:
    type = ASL_EVENT_MAP_ITERATION_SUCCEEDED;
    m->results[i] = child->result;
    child->result = NULL;
    break;
  case ASL_EXEC_FAILED:
    type = ASL_EVENT_MAP_ITERATION_FAILED;
    break;
  case ASL_EXEC_ABORTED:
  case ASL_EXEC_TIMED_OUT:
  case ASL_EXEC_RUNNING:
    break;
  }
  if (!m->distributed)
    r->last_event_id = emit_iteration(r, type, i, child->last_event_id);
  if (type == ASL_EVENT_MAP_ITERATION_FAILED)
    iteration_failed(m, child);
  if (type == ASL_EVENT_MAP_ITERATION_SUCCEEDED)
    asl__run_free(child);
  else
    m->kept[i] = child; /* a redrive takes it up where it stopped */
  fill(m);
  if (m->running > 0 || (has_pending(m) && !m->failure.set && !m->canceling))
    return;
  if (m->canceling) {
    if (m->distributed)
      asl__run_emit(r, ASL_EVENT_MAP_RUN_ABORTED, NULL);
    r->u.map = NULL;
    keep(r, m);
    asl__run_state_done_later(r, ASL__OUT_CANCELED);
    return;
  }
  asl__attempt_done(r, map_finish(m), true);
}

static asl__step map_resume(asl_run *r);

static void map_free_data(void *data)
{
  map_free(data);
}

/* The attempt did not succeed: what it did is kept for a redrive (dropped when a retry or a
 * catcher goes on). */
static void keep(asl_run *r, asl__map *m)
{
  asl__failure_clear(&m->failure);
  asl__kept_drop(r);
  r->kept = (asl__kept){.resume = map_resume, .free = map_free_data, .data = m};
}

/* Every iteration has ended (or none could start): the attempt's outcome. */
static asl__step map_finish(asl__map *m)
{
  asl_run *r = m->owner;
  r->u.map = NULL;
  if (m->failure.set) {
    asl__failure_emit_abort(r, &m->failure);
    if (m->distributed) {
      asl_json *d = NULL;
      if (asl__events_wanted(r->exec))
        d = asl__event_error_details(m->failure.error.name, m->failure.error.cause, true);
      asl__run_emit(r, ASL_EVENT_MAP_RUN_FAILED, d);
    }
    asl_error_move(&r->error, &m->failure.error);
    keep(r, m);
    return ASL__STEP_FAILED;
  }
  if (m->distributed)
    asl__run_emit(r, ASL_EVENT_MAP_RUN_SUCCEEDED, NULL);
  asl__run_emit(r, ASL_EVENT_MAP_STATE_SUCCEEDED, NULL);
  asl_json *out = asl_json_array(m->count);
  for (size_t i = 0; i < m->count; i++) {
    asl_json_arr_push(out, m->results[i] ? m->results[i] : asl_json_null());
    m->results[i] = NULL;
  }
  map_free(m);
  if (r->state->query_language == ASL_QL_JSONATA) {
    r->output = asl__ata_result(r, out);
    asl_json_decref(out);
  } else {
    r->output = asl__io_output(r, r->input, out, true);
  }
  if (!r->output)
    return ASL__STEP_FAILED;
  r->next = r->state->next;
  return ASL__STEP_DONE;
}

/* ------------------------------------------------------------------- attempts ---- */

/* the JSONata form of this error is recorded (map/test_map_state_items_input_types__*: a
 * QueryEvaluationError); the JSONPath one is worded the same, as an interpreter error */
static void fail_not_array(asl_run *r, const asl_json *v)
{
  char *text = asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  if (r->state->query_language == ASL_QL_JSONATA) {
    asl__ata_fail(r, "Items", "Map state input must be an array but was: %s", text);
  } else {
    asl_error err = ASL_ERROR_INIT;
    asl_error_set(&err, ASL_E_RUNTIME, ASL__ERR(RUNTIME),
                  "Map state input must be an array but was: %s", text);
    asl__run_fail_state(r, &err);
  }
  asl_free(text);
}

/* The items: ItemsPath on the input after InputPath, or in a JSONata state Items (an array or
 * an expression that must give one) or the state's input. NULL and r->error when they are not
 * an array. */
static asl_json *items_of(asl_run *r, const asl_json *in)
{
  const asl_state *st = r->state;
  const asl_jsonata_template *t = st->u.map.items;
  if (t) {
    asl__states s = {.input = r->input};
    asl_json *v = asl__ata_eval(r, t, &s);
    if (v && !asl_json_is_array(v)) {
      asl__ata_fail_type(r, t, "array", v);
      asl_json_decref(v);
      return NULL;
    }
    return v;
  }
  asl_json *v = st->u.map.items_path ? asl__io_eval_path(r, st->u.map.items_path, in)
                                     : asl_json_incref(in);
  if (v && !asl_json_is_array(v)) {
    fail_not_array(r, v);
    asl_json_decref(v);
    return NULL;
  }
  return v;
}

static void emit_started(asl_run *r, size_t length)
{
  asl_json *d = NULL;
  if (asl__events_wanted(r->exec)) {
    d = asl_json_object(1);
    asl_json_obj_put_cstr(d, "length", asl_json_int((int64_t)length));
  }
  asl__run_emit(r, ASL_EVENT_MAP_STATE_STARTED, d);
}

static void emit_map_run_started(asl_run *r)
{
  asl_exec *e = r->exec;
  asl_json *d = NULL;
  if (asl__events_wanted(e)) {
    /* arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID */
    const char *label = r->state->u.map.label ? r->state->u.map.label : r->state->name;
    uint64_t a = asl__exec_random(e);
    uint64_t b = asl__exec_random(e);
    char *arn = asl_strfmt("arn:aws:states:%s:%s:mapRun:%s/%s:%08x-%04x-4%03x-%04x-%012llx",
                           e->region, e->account, e->sm_name, label, (unsigned)(a >> 32),
                           (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF,
                           (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
                           (unsigned long long)(b & 0xFFFFFFFFFFFFull));
    d = asl_json_object(1);
    asl_json_obj_put_cstr(d, "mapRunArn", asl_json_cstr(arn));
    asl_free(arn);
  }
  asl__run_emit(r, ASL_EVENT_MAP_RUN_STARTED, d);
}

/* Everything read before the iterations start; false (and r->error) on a bad value. The order
 * is AWS's: MaxConcurrency and the items before MapStateStarted, the tolerated failures after
 * it (map/test_map_state_tolerated_failure_count_path__-1.json). */
static asl__map *prepare(asl_run *r)
{
  const asl_state *st = r->state;
  asl_json *in = asl__io_input_path(r, r->input);
  if (!in)
    return NULL;
  int64_t max_conc;
  asl_json *items = NULL;
  if (!asl__map_max_concurrency(r, in, &max_conc))
    goto fail;
  items = items_of(r, in);
  if (!items)
    goto fail;
  emit_started(r, asl_json_len(items));
  int64_t tol_count;
  double tol_pct;
  if (!asl__map_tolerance(r, in, &tol_count, &tol_pct))
    goto fail;

  asl__map *m = asl_calloc(1, sizeof *m);
  m->owner = r;
  m->distributed = st->u.map.mode == ASL_MAP_DISTRIBUTED;
  m->eff = in;
  m->items = items;
  m->count = asl_json_len(items);
  m->tol_count = tol_count;
  m->tol_pct = tol_pct;
  m->tolerance = m->distributed || tol_count >= 0 || tol_pct >= 0;
  /* a Distributed Map tolerates no failure unless told otherwise */
  if (m->distributed && tol_count < 0 && tol_pct < 0)
    m->tol_count = 0;
  /* AWS runs at most 40 inline iterations at once whatever MaxConcurrency says, and 10,000
   * child executions of a Distributed Map (quotas, raised by options) */
  int64_t q = m->distributed ? r->exec->quotas.distributed_map_concurrency
                             : r->exec->quotas.inline_map_concurrency;
  size_t limit = q == ASL_QUOTA_NONE || (uint64_t)q > SIZE_MAX ? SIZE_MAX : (size_t)q;
  m->cap = max_conc > 0 && (uint64_t)max_conc < limit ? (size_t)max_conc : limit;
  if (st->u.map.item_batcher) {
    int64_t max_items;
    int64_t max_bytes;
    asl_error err = ASL_ERROR_INIT;
    if (!asl__map_batch_limits(r, in, &max_items, &max_bytes)) {
      map_free(m);
      return NULL;
    }
    if (st->u.map.batcher_batch_input_expr) {
      asl__states s = {.input = r->input};
      m->batch_input = asl__ata_eval(r, st->u.map.batcher_batch_input_expr, &s);
      if (!m->batch_input) {
        map_free(m);
        return NULL;
      }
    } else if (st->u.map.batcher_batch_input) {
      asl_env env = asl__run_env(r, in);
      m->batch_input = asl_template_eval(st->u.map.batcher_batch_input, &env, &err);
      if (!m->batch_input) {
        asl__run_fail_state(r, &err);
        map_free(m);
        return NULL;
      }
    }
    if (!make_batches(m, max_items, max_bytes)) {
      map_free(m);
      return NULL;
    }
  }
  m->live = asl_calloc(m->count ? m->count : 1, sizeof *m->live);
  m->kept = asl_calloc(m->count ? m->count : 1, sizeof *m->kept);
  m->results = asl_calloc(m->count ? m->count : 1, sizeof *m->results);
  return m;
fail:
  asl_json_decref(items);
  asl_json_decref(in);
  return NULL;
}

static asl__step map_attempt(asl_run *r)
{
  const asl_state *st = r->state;
  if (st->u.map.item_reader)
    return asl__state_not_supported(
        r, "reads its items with ItemReader (from S3), which aslrun cannot serve locally; give "
           "the items in the state's input instead (ItemsPath)");
  if (st->u.map.result_writer)
    return asl__state_not_supported(
        r, "writes its results with ResultWriter (to S3), which aslrun cannot serve locally; "
           "leave ResultWriter out to get the results as the state's output");
  if (st->uses_context && r->retry_total > 0)
    asl__run_rebuild_context(r);
  asl__map *m = prepare(r);
  if (!m)
    return ASL__STEP_FAILED;
  if (m->distributed)
    emit_map_run_started(r);
  r->u.map = m;
  fill(m);
  if (m->running == 0)
    return map_finish(m);
  return ASL__STEP_PENDING;
}

/* A redrive: the iterations the failed attempt kept run again from where they stopped, then
 * those it had not started, beside the results of those that had succeeded. */
static asl__step map_resume_first(asl_run *r)
{
  asl__map *m = r->kept.data;
  r->kept = (asl__kept){0};
  asl_free(m->redo);
  m->redo = asl_calloc(m->count ? m->count : 1, sizeof *m->redo);
  m->redo_len = 0;
  m->redo_pos = 0;
  for (size_t i = 0; i < m->count; i++) {
    if (!m->kept[i])
      continue;
    m->redo[m->redo_len++] = i;
    /* a tolerated failure's error output goes: the iteration runs again */
    asl_json_decref(m->results[i]);
    m->results[i] = NULL;
  }
  m->failed = 0;
  m->canceling = false;
  emit_started(r, m->count);
  if (m->distributed)
    emit_map_run_started(r);
  r->u.map = m;
  fill(m);
  if (m->running == 0)
    return map_finish(m);
  return ASL__STEP_PENDING;
}

static void map_cancel(asl_run *r)
{
  asl__map *m = r->u.map;
  m->canceling = true;
  asl__children_cancel(m->live, m->count);
}

static const asl__attempt_ops map_attempts = {map_attempt, map_cancel, true,
                                              ASL_EVENT_MAP_STATE_FAILED};

asl__step asl__state_map_run(asl_run *r)
{
  return asl__attempts_begin(r, &map_attempts);
}

static asl__step map_resume(asl_run *r)
{
  return asl__attempts_resume(r, &map_attempts, map_resume_first);
}
