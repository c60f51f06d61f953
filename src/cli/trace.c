/* --trace: a readable line a step on stderr (or in memory, for a test case) (states entered and exited with their input and
 * output abbreviated, handler calls with their real durations and logs, errors, retries with
 * their back-off, catches), coloured when stderr is a terminal (unless NO_COLOR is set);
 * --trace=json: one JSON object a line, each event as the history has it plus "elapsedMs",
 * "state" and "depth", and aslrun's notes as {"note": "retry" | "catch" | "handler" | "choice",
 * ...}. It is
 * an event sink like the history file: what the trace shows is what the history records. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ABBREV 96

struct cli_trace {
  FILE *f;
  asl_buf *out; /* instead of [f]: a trace kept in memory (a test case's) */
  bool json;
  bool colour;
  bool started;
  int64_t start_ms;
  asl_buf line;
};

enum { C_DIM, C_BOLD, C_RED, C_GREEN, C_YELLOW, C_CYAN, C_OFF };
static const char *const colours[] = {"\033[2m", "\033[1m", "\033[31m", "\033[32m",
                                      "\033[33m", "\033[36m", "\033[0m"};

cli_trace *cli_trace_open(FILE *f, bool json)
{
  cli_trace *t = asl_calloc(1, sizeof *t);
  t->f = f;
  t->json = json;
  /* NO_COLOR (no-color.org): plain text even on a terminal */
  const char *no_colour = getenv("NO_COLOR");
  t->colour = !json && isatty(fileno(f)) && !(no_colour && *no_colour);
  return t;
}

cli_trace *cli_trace_open_buf(asl_buf *out, bool json, bool colour)
{
  cli_trace *t = asl_calloc(1, sizeof *t);
  t->out = out;
  t->json = json;
  t->colour = colour && !json;
  return t;
}

void cli_trace_close(cli_trace *t)
{
  if (!t)
    return;
  if (t->f)
    fflush(t->f);
  asl_buf_free(&t->line);
  asl_free(t);
}

static void colour(cli_trace *t, int c)
{
  if (t->colour)
    asl_buf_adds(&t->line, colours[c]);
}

static void flush_line(cli_trace *t)
{
  asl_buf_addc(&t->line, '\n');
  if (t->out)
    asl_buf_add(t->out, t->line.data, t->line.len);
  else
    fwrite(t->line.data, 1, t->line.len, t->f);
  t->line.len = 0;
}

static int64_t elapsed(cli_trace *t, int64_t ts)
{
  if (!t->started) {
    t->started = true;
    t->start_ms = ts;
  }
  return ts - t->start_ms;
}

/* "  12.345s" then two spaces a nesting level */
static void prefix(cli_trace *t, int64_t ts, int depth, bool child)
{
  int64_t ms = elapsed(t, ts);
  t->line.len = 0;
  colour(t, C_DIM);
  asl_buf_printf(&t->line, "%6lld.%03llds ", (long long)(ms / 1000), (long long)(ms % 1000));
  colour(t, C_OFF);
  for (int i = 0; i < depth; i++)
    asl_buf_adds(&t->line, "  ");
  if (child)
    asl_buf_adds(&t->line, "(child) ");
}

/* [text] (JSON text of an input or output) cut to ABBREV bytes, at a character boundary */
static void abbrev(cli_trace *t, const char *text, size_t n)
{
  if (n <= ABBREV) {
    asl_buf_add(&t->line, text, n);
    return;
  }
  asl_buf_add(&t->line, text, asl_utf8_floor(text, ABBREV - 3));
  asl_buf_adds(&t->line, "...");
}

/* The workflow variables a state assigned ("assignedVariables": name -> JSON text), as
 * "  assigns $name=value ...", abbreviated as a whole. */
static void assigned(cli_trace *t, const asl_json *d)
{
  const asl_json *vars = d ? asl_json_get_cstr(d, "assignedVariables") : NULL;
  if (!vars || !asl_json_is_object(vars) || asl_json_len(vars) == 0)
    return;
  asl_buf b = ASL_BUF_INIT;
  for (size_t i = 0; i < asl_json_len(vars); i++) {
    size_t kl;
    const char *k = asl_json_key_at(vars, i, &kl);
    const asl_json *v = asl_json_value_at(vars, i);
    asl_buf_printf(&b, "%s$%.*s=", i ? " " : "", (int)kl, k);
    if (asl_json_is_string(v))
      asl_buf_add(&b, asl_json_str(v), asl_json_str_len(v));
  }
  asl_buf_adds(&t->line, "  assigns ");
  abbrev(t, b.data, b.len);
  asl_buf_free(&b);
}

static void field(cli_trace *t, const asl_json *d, const char *key, const char *label)
{
  const asl_json *v = d ? asl_json_get_cstr(d, key) : NULL;
  if (!v || !asl_json_is_string(v))
    return;
  asl_buf_printf(&t->line, "  %s ", label);
  abbrev(t, asl_json_str(v), asl_json_str_len(v));
}

static void state_name(cli_trace *t, const char *name)
{
  colour(t, C_BOLD);
  asl_buf_adds(&t->line, name ? name : "?");
  colour(t, C_OFF);
}

static void error_text(cli_trace *t, const char *error, const char *cause)
{
  colour(t, C_RED);
  asl_buf_adds(&t->line, error ? error : "(no error name)");
  if (cause && *cause) {
    asl_buf_adds(&t->line, ": ");
    abbrev(t, cause, strlen(cause));
  }
  colour(t, C_OFF);
}

static const char *str_of(const asl_json *d, const char *key)
{
  const asl_json *v = d ? asl_json_get_cstr(d, key) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

/* The function a Task calls, shortly: a Lambda ARN's function name, else the resource. */
static const char *short_resource(const char *res)
{
  const char *fn = res ? strstr(res, ":function:") : NULL;
  return fn ? fn + 10 : res;
}

static void text_event(cli_trace *t, const asl_event *ev)
{
  const asl_json *d = ev->details;
  const char *type = asl_event_type_name(ev->type);
  size_t tl = strlen(type);
  bool entered = tl > 7 && strcmp(type + tl - 7, "Entered") == 0;
  bool exited = tl > 6 && strcmp(type + tl - 6, "Exited") == 0;
  /* a task's Started follows its Scheduled line at once: nothing to read in it */
  if (ev->type == ASL_EVENT_TASK_STARTED || ev->type == ASL_EVENT_LAMBDA_FUNCTION_STARTED ||
      ev->type == ASL_EVENT_ACTIVITY_STARTED)
    return;
  prefix(t, ev->timestamp_ms, ev->depth, ev->child_execution);
  /* lines inside a state line up under its name */
  if (!entered && !exited && ev->state)
    asl_buf_adds(&t->line, "  ");
  switch (ev->type) {
  case ASL_EVENT_EXECUTION_STARTED:
    asl_buf_adds(&t->line, "execution started");
    field(t, d, "input", "input");
    break;
  case ASL_EVENT_EXECUTION_SUCCEEDED:
    colour(t, C_GREEN);
    asl_buf_adds(&t->line, "execution SUCCEEDED");
    colour(t, C_OFF);
    field(t, d, "output", "output");
    break;
  case ASL_EVENT_EXECUTION_FAILED:
    asl_buf_adds(&t->line, "execution FAILED  ");
    error_text(t, str_of(d, "error"), str_of(d, "cause"));
    break;
  case ASL_EVENT_EXECUTION_REDRIVEN: {
    const asl_json *n = d ? asl_json_get_cstr(d, "redriveCount") : NULL;
    asl_buf_printf(&t->line, "execution redriven (%lld)", n ? (long long)asl_json_int_val(n) : 0LL);
    break;
  }
  case ASL_EVENT_TASK_SUBMITTED:
    state_name(t, ev->state);
    asl_buf_adds(&t->line, "  waits for its task token");
    break;
  case ASL_EVENT_EXECUTION_TIMED_OUT:
  case ASL_EVENT_EXECUTION_ABORTED:
    colour(t, C_YELLOW);
    asl_buf_printf(&t->line, "execution %s",
                   ev->type == ASL_EVENT_EXECUTION_ABORTED ? "ABORTED" : "TIMED_OUT");
    colour(t, C_OFF);
    break;
  case ASL_EVENT_TASK_SCHEDULED:
  case ASL_EVENT_LAMBDA_FUNCTION_SCHEDULED:
  case ASL_EVENT_ACTIVITY_SCHEDULED: {
    state_name(t, ev->state);
    const char *res = str_of(d, "resource");
    const char *rtype = str_of(d, "resourceType");
    if (rtype)
      asl_buf_printf(&t->line, "  calls %s:%s", rtype, res ? res : "?");
    else
      asl_buf_printf(&t->line, "  calls %s", res ? short_resource(res) : "?");
    field(t, d, ev->type == ASL_EVENT_TASK_SCHEDULED ? "parameters" : "input", "with");
    break;
  }
  case ASL_EVENT_TASK_SUCCEEDED:
  case ASL_EVENT_LAMBDA_FUNCTION_SUCCEEDED:
  case ASL_EVENT_ACTIVITY_SUCCEEDED:
    state_name(t, ev->state);
    field(t, d, "output", "result");
    break;
  case ASL_EVENT_TASK_FAILED:
  case ASL_EVENT_LAMBDA_FUNCTION_FAILED:
  case ASL_EVENT_ACTIVITY_FAILED:
  case ASL_EVENT_TASK_TIMED_OUT:
  case ASL_EVENT_LAMBDA_FUNCTION_TIMED_OUT:
  case ASL_EVENT_ACTIVITY_TIMED_OUT:
  case ASL_EVENT_MAP_RUN_FAILED:
  case ASL_EVENT_EVALUATION_FAILED:
    state_name(t, ev->state);
    asl_buf_adds(&t->line, "  ");
    error_text(t, str_of(d, "error"), str_of(d, "cause"));
    break;
  case ASL_EVENT_MAP_STATE_STARTED: {
    const asl_json *len = d ? asl_json_get_cstr(d, "length") : NULL;
    state_name(t, ev->state);
    asl_buf_printf(&t->line, "  map over %lld items",
                   len ? (long long)asl_json_int_val(len) : -1LL);
    break;
  }
  case ASL_EVENT_MAP_ITERATION_STARTED:
  case ASL_EVENT_MAP_ITERATION_SUCCEEDED:
  case ASL_EVENT_MAP_ITERATION_FAILED:
  case ASL_EVENT_MAP_ITERATION_ABORTED: {
    const asl_json *idx = d ? asl_json_get_cstr(d, "index") : NULL;
    state_name(t, ev->state);
    int c = ev->type == ASL_EVENT_MAP_ITERATION_FAILED    ? C_RED
            : ev->type == ASL_EVENT_MAP_ITERATION_ABORTED ? C_YELLOW
                                                          : C_CYAN;
    asl_buf_adds(&t->line, "  ");
    colour(t, c);
    asl_buf_printf(&t->line, "iteration %lld %s", idx ? (long long)asl_json_int_val(idx) : -1LL,
                   type + 12);
    colour(t, C_OFF);
    break;
  }
  case ASL_EVENT_MAP_RUN_STARTED:
    state_name(t, ev->state);
    asl_buf_printf(&t->line, "  map run %s", str_of(d, "mapRunArn") ? str_of(d, "mapRunArn") : "");
    break;
  case ASL_EVENT_TASK_STATE_ABORTED:
  case ASL_EVENT_WAIT_STATE_ABORTED:
  case ASL_EVENT_PARALLEL_STATE_ABORTED:
  case ASL_EVENT_MAP_STATE_ABORTED:
  case ASL_EVENT_MAP_RUN_ABORTED:
    state_name(t, ev->state);
    asl_buf_adds(&t->line, "  ");
    colour(t, C_YELLOW);
    asl_buf_adds(&t->line, "aborted");
    colour(t, C_OFF);
    break;
  case ASL_EVENT_PASS_STATE_ENTERED:
  case ASL_EVENT_PASS_STATE_EXITED:
  case ASL_EVENT_CHOICE_STATE_ENTERED:
  case ASL_EVENT_CHOICE_STATE_EXITED:
  case ASL_EVENT_WAIT_STATE_ENTERED:
  case ASL_EVENT_WAIT_STATE_EXITED:
  case ASL_EVENT_SUCCEED_STATE_ENTERED:
  case ASL_EVENT_SUCCEED_STATE_EXITED:
  case ASL_EVENT_FAIL_STATE_ENTERED:
  case ASL_EVENT_TASK_STATE_ENTERED:
  case ASL_EVENT_TASK_STATE_EXITED:
  case ASL_EVENT_PARALLEL_STATE_ENTERED:
  case ASL_EVENT_PARALLEL_STATE_EXITED:
  case ASL_EVENT_MAP_STATE_ENTERED:
  case ASL_EVENT_MAP_STATE_EXITED:
    asl_buf_adds(&t->line, entered ? "> " : "< ");
    state_name(t, ev->state);
    if (entered) {
      asl_buf_printf(&t->line, " (%.*s)", (int)(tl - 12), type);
      field(t, d, "input", "input");
    } else if (exited) {
      field(t, d, "output", "output");
      assigned(t, d);
    }
    break;
  case ASL_EVENT_TASK_STARTED:
  case ASL_EVENT_LAMBDA_FUNCTION_STARTED:
  case ASL_EVENT_ACTIVITY_STARTED:
  case ASL_EVENT_PARALLEL_STATE_STARTED:
  case ASL_EVENT_PARALLEL_STATE_SUCCEEDED:
  case ASL_EVENT_PARALLEL_STATE_FAILED:
  case ASL_EVENT_MAP_STATE_SUCCEEDED:
  case ASL_EVENT_MAP_STATE_FAILED:
  case ASL_EVENT_MAP_RUN_SUCCEEDED:
    state_name(t, ev->state);
    asl_buf_printf(&t->line, "  %s", type);
    break;
  }
  flush_line(t);
}

static void json_event(cli_trace *t, const asl_event *ev)
{
  asl_json *o = asl_json_object(9);
  asl_json_obj_put_cstr(o, "timestamp", cli_timestamp(ev->timestamp_ms));
  asl_json_obj_put_cstr(o, "elapsedMs", asl_json_int(elapsed(t, ev->timestamp_ms)));
  asl_json_obj_put_cstr(o, "type", asl_json_cstr(asl_event_type_name(ev->type)));
  asl_json_obj_put_cstr(o, "id", asl_json_int(ev->id));
  asl_json_obj_put_cstr(o, "previousEventId", asl_json_int(ev->previous_id));
  if (ev->state)
    asl_json_obj_put_cstr(o, "state", asl_json_cstr(ev->state));
  asl_json_obj_put_cstr(o, "depth", asl_json_int(ev->depth));
  if (ev->child_execution)
    asl_json_obj_put_cstr(o, "childExecution", asl_json_bool(true));
  const char *key = asl_event_details_key(ev->type);
  if (key && ev->details)
    asl_json_obj_put_cstr(o, key, asl_json_incref(ev->details));
  t->line.len = 0;
  asl_json_dump_buf(o, ASL_JSON_COMPACT, &t->line);
  asl_json_decref(o);
  flush_line(t);
}

static void on_event(void *data, const asl_event *ev)
{
  cli_trace *t = data;
  if (t->json)
    json_event(t, ev);
  else
    text_event(t, ev);
}

static const char *note_name(asl_note_kind k)
{
  switch (k) {
  case ASL_NOTE_RETRY:
    return "retry";
  case ASL_NOTE_CATCH:
    return "catch";
  case ASL_NOTE_HANDLER:
    return "handler";
  case ASL_NOTE_CHOICE:
    return "choice";
  }
  return "?";
}

static void put_str(asl_json *o, const char *k, const char *v)
{
  if (v)
    asl_json_obj_put_cstr(o, k, asl_json_cstr(v));
}

static void json_note(cli_trace *t, const asl_note *n)
{
  asl_json *o = asl_json_object(12);
  asl_json_obj_put_cstr(o, "note", asl_json_cstr(note_name(n->kind)));
  asl_json_obj_put_cstr(o, "timestamp", cli_timestamp(n->timestamp_ms));
  asl_json_obj_put_cstr(o, "elapsedMs", asl_json_int(elapsed(t, n->timestamp_ms)));
  put_str(o, "state", n->state);
  asl_json_obj_put_cstr(o, "depth", asl_json_int(n->depth));
  if (n->child_execution)
    asl_json_obj_put_cstr(o, "childExecution", asl_json_bool(true));
  switch (n->kind) {
  case ASL_NOTE_RETRY:
    put_str(o, "error", n->error);
    put_str(o, "cause", n->cause);
    asl_json_obj_put_cstr(o, "retry", asl_json_int(n->attempt));
    asl_json_obj_put_cstr(o, "maxAttempts", asl_json_int(n->max_attempts));
    asl_json_obj_put_cstr(o, "delayMs", asl_json_int(n->delay_ms));
    break;
  case ASL_NOTE_CATCH:
    put_str(o, "error", n->error);
    put_str(o, "cause", n->cause);
    put_str(o, "next", n->next);
    break;
  case ASL_NOTE_HANDLER:
    put_str(o, "resource", n->resource);
    asl_json_obj_put_cstr(o, "invocation", asl_json_int(n->attempt));
    asl_json_obj_put_cstr(o, "status", asl_json_cstr(n->status == ASL_OK            ? "ok"
                                                     : n->status == ASL_E_CANCELED ? "cancelled"
                                                                                   : "error"));
    put_str(o, "error", n->error);
    put_str(o, "cause", n->cause);
    asl_json_obj_put_cstr(o, "durationMs", asl_json_double(n->duration_ms));
    put_str(o, "log", n->log);
    put_str(o, "answeredBy", n->answer);
    break;
  case ASL_NOTE_CHOICE:
    if (n->index >= 0)
      asl_json_obj_put_cstr(o, "rule", asl_json_int(n->index));
    else
      asl_json_obj_put_cstr(o, "rule", asl_json_cstr("Default"));
    put_str(o, "next", n->next);
    break;
  }
  t->line.len = 0;
  asl_json_dump_buf(o, ASL_JSON_COMPACT, &t->line);
  asl_json_decref(o);
  flush_line(t);
}

/* the handler's log, a line each, under the call; Lambda's Python runtime separates the lines
 * of a traceback with '\r', which a terminal would print over each other */
static void log_lines(cli_trace *t, const asl_note *n)
{
  const char *p = n->log;
  while (p && *p) {
    size_t len = strcspn(p, "\r\n");
    const char *nl = p[len] ? p + len : NULL;
    prefix(t, n->timestamp_ms, n->depth + 2, n->child_execution);
    colour(t, C_DIM);
    asl_buf_adds(&t->line, "| ");
    asl_buf_add(&t->line, p, len);
    colour(t, C_OFF);
    flush_line(t);
    p = !nl ? NULL : nl[0] == '\r' && nl[1] == '\n' ? nl + 2 : nl + 1;
  }
}

static void text_note(cli_trace *t, const asl_note *n)
{
  prefix(t, n->timestamp_ms, n->depth, n->child_execution);
  asl_buf_adds(&t->line, "  ");
  state_name(t, n->state);
  asl_buf_adds(&t->line, "  ");
  switch (n->kind) {
  case ASL_NOTE_RETRY:
    colour(t, C_YELLOW);
    asl_buf_printf(&t->line, "retry %lld of %lld in %lld.%03lld s", (long long)n->attempt,
                   (long long)n->max_attempts, (long long)(n->delay_ms / 1000),
                   (long long)(n->delay_ms % 1000));
    colour(t, C_OFF);
    asl_buf_printf(&t->line, " after %s", n->error ? n->error : "(no error name)");
    break;
  case ASL_NOTE_CATCH:
    colour(t, C_YELLOW);
    asl_buf_printf(&t->line, "caught %s -> %s", n->error ? n->error : "(no error name)",
                   n->next ? n->next : "?");
    colour(t, C_OFF);
    break;
  case ASL_NOTE_HANDLER:
    asl_buf_printf(&t->line, "%s (invocation %lld) ", short_resource(n->resource),
                   (long long)n->attempt);
    colour(t, n->status == ASL_OK ? C_GREEN : n->status == ASL_E_CANCELED ? C_YELLOW : C_RED);
    asl_buf_adds(&t->line, n->status == ASL_OK            ? "answered"
                           : n->status == ASL_E_CANCELED ? "cancelled"
                                                         : "failed");
    colour(t, C_OFF);
    if (n->answer)
      asl_buf_printf(&t->line, " by %s", n->answer);
    else
      asl_buf_printf(&t->line, " in %.2f ms", n->duration_ms);
    break;
  case ASL_NOTE_CHOICE:
    if (n->index >= 0)
      asl_buf_printf(&t->line, "Choices[%lld] -> %s", (long long)n->index,
                     n->next ? n->next : "?");
    else
      asl_buf_printf(&t->line, "Default -> %s", n->next ? n->next : "?");
    break;
  }
  flush_line(t);
  if (n->kind == ASL_NOTE_HANDLER)
    log_lines(t, n);
}

static void on_note(void *data, const asl_note *n)
{
  cli_trace *t = data;
  if (t->json)
    json_note(t, n);
  else
    text_note(t, n);
}

asl_event_sink cli_trace_sink(cli_trace *t)
{
  asl_event_sink s = {.on_event = on_event, .data = t, .on_note = on_note};
  return s;
}
