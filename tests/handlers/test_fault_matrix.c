/* The handler fault matrix (tests/handlers/faults.md): each row of the table run as a real
 * execution of a one-Task machine, with a loop and a registry of its own, checked for its ending
 * (status, error and cause, or output), its history (complete, written as --history writes it),
 * its descriptors (as many open after as before) and its processes (none left, zombie or alive).
 * Arguments: tests/handlers [ROW-FILTER]. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aslrun/exec.h"
#include "child_server.h"
#include "harness.h"

#define MAX_EVENTS 256

typedef struct row {
  int line;
  char *handler, *fault, *fn_name, *fn_config, *input, *ends, *result, *cause, *also;
} row;

typedef struct seen {
  asl_json *events; /* the history as GetExecutionHistory shapes it */
  char *log;        /* the handler's log for the call (its note) */
  bool done;
} seen;

static char dir[4096];
static char endpoint[64], closed_endpoint[64];
static pid_t server_pid;

/* ---- the table ---- */

static char *trim(char *s)
{
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
    s[--n] = '\0';
  if (n >= 2 && s[0] == '`' && s[n - 1] == '`') {
    s[n - 1] = '\0';
    s++;
  }
  return s;
}

/* The rows of the table: lines "| ... |" after the header and its "|---" line. */
static size_t read_rows(const char *path, row *rows, size_t max)
{
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  char line[8192];
  size_t n = 0;
  int lineno = 0;
  bool in_table = false;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (strncmp(line, "|---", 4) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line[0] != '|')
      continue;
    char *cells[8];
    int nc = 0;
    char *p = line + 1;
    while (nc < 8) {
      char *bar = strchr(p, '|');
      if (!bar)
        break;
      *bar = '\0';
      cells[nc++] = trim(p);
      p = bar + 1;
    }
    if (nc != 8 || n == max) {
      fprintf(stderr, "%s:%d: a row has 8 cells\n", path, lineno);
      exit(2);
    }
    row *r = &rows[n++];
    r->line = lineno;
    r->handler = strdup(cells[0]);
    r->fault = strdup(cells[1]);
    char *sp = strchr(cells[2], ' ');
    if (!sp) {
      fprintf(stderr, "%s:%d: the function cell is NAME {config}\n", path, lineno);
      exit(2);
    }
    *sp = '\0';
    r->fn_name = strdup(cells[2]);
    r->fn_config = strdup(trim(sp + 1));
    r->input = strdup(cells[3]);
    r->ends = strdup(cells[4]);
    r->result = strdup(cells[5]);
    r->cause = strdup(cells[6]);
    r->also = strdup(cells[7]);
  }
  fclose(f);
  return n;
}

static void row_free(row *r)
{
  free(r->handler);
  free(r->fault);
  free(r->fn_name);
  free(r->fn_config);
  free(r->input);
  free(r->ends);
  free(r->result);
  free(r->cause);
  free(r->also);
}

/* [text] with $PIDFILE, $ENDPOINT and $CLOSED replaced; asl_free it. */
static char *expand(const char *text, const char *pidfile)
{
  asl_buf b = ASL_BUF_INIT;
  for (const char *p = text; *p;) {
    if (strncmp(p, "$PIDFILE", 8) == 0) {
      asl_buf_adds(&b, pidfile);
      p += 8;
    } else if (strncmp(p, "$ENDPOINT", 9) == 0) {
      asl_buf_adds(&b, endpoint);
      p += 9;
    } else if (strncmp(p, "$CLOSED", 7) == 0) {
      asl_buf_adds(&b, closed_endpoint);
      p += 7;
    } else {
      asl_buf_addc(&b, *p++);
    }
  }
  return asl_buf_steal(&b, NULL);
}

/* ---- what the process holds ---- */

static int count_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n - 1; /* the directory's own descriptor */
}

static void list_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[300], target[300];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    fprintf(stderr, "    fd %s -> %s\n", e->d_name, target);
  }
  closedir(d);
}

/* Processes whose parent is this one, other than the fault server: "PID STATE" each, or "". */
static void our_children(char *out, size_t cap)
{
  out[0] = '\0';
  DIR *d = opendir("/proc");
  struct dirent *e;
  size_t len = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f)
      continue;
    int pid = 0, ppid = 0;
    char state = 0;
    if (fscanf(f, "%d (%*[^)]) %c %d", &pid, &state, &ppid) == 3 && ppid == getpid() &&
        pid != server_pid && len + 32 < cap)
      len += (size_t)snprintf(out + len, cap - len, "%d %c; ", pid, state);
    fclose(f);
  }
  closedir(d);
}

/* Is [pid] gone (or a zombie that is not ours to reap)? Waits up to 2 s. */
static bool gone(int pid)
{
  for (int i = 0; i < 200; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    char state = 0;
    bool dead = !f || (fscanf(f, "%*d (%*[^)]) %c", &state) == 1 && state == 'Z');
    if (f)
      fclose(f);
    if (dead)
      return true;
    uv_sleep(10);
  }
  return false;
}

/* ---- one execution ---- */

static void on_event(void *data, const asl_event *ev)
{
  seen *s = data;
  asl_json_arr_push(s->events, asl_event_json(ev, asl_json_int(ev->timestamp_ms)));
}

static void on_note(void *data, const asl_note *n)
{
  seen *s = data;
  if (n->kind == ASL_NOTE_HANDLER && n->log) {
    free(s->log);
    s->log = strdup(n->log);
  }
}

static void on_exec_done(asl_exec *e, void *data)
{
  (void)e;
  ((seen *)data)->done = true;
}

static const char *detail(const asl_json *ev, const char *field)
{
  for (size_t i = 0; i < asl_json_len(ev); i++) {
    const char *k = asl_json_key_at(ev, i, NULL);
    if (strstr(k, "EventDetails")) {
      const asl_json *v = asl_json_get_cstr(asl_json_value_at(ev, i), field);
      return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
    }
  }
  return NULL;
}

static const char *type_of(const asl_json *ev)
{
  return asl_json_str(asl_json_get_cstr(ev, "type"));
}

/* The history's shape: complete, in order, its failure event agreeing with the execution's. */
static void check_history(const row *r, const asl_json *events, const char *error,
                          const char *cause)
{
  size_t n = asl_json_len(events);
  CHECK(n >= 5);
  if (n < 5)
    return;
  for (size_t i = 0; i < n; i++) {
    const asl_json *ev = asl_json_at(events, i);
    CHECK(asl_json_int_val(asl_json_get_cstr(ev, "id")) == (int64_t)i + 1);
  }
  CHECK_STR(type_of(asl_json_at(events, 0)), "ExecutionStarted");
  CHECK_STR(type_of(asl_json_at(events, 2)), "LambdaFunctionScheduled");
  CHECK_STR(type_of(asl_json_at(events, 3)), "LambdaFunctionStarted");
  const char *last = type_of(asl_json_at(events, n - 1));
  if (strcmp(r->ends, "SUCCEEDED") == 0) {
    CHECK_STR(last, "ExecutionSucceeded");
    CHECK_STR(type_of(asl_json_at(events, 4)), "LambdaFunctionSucceeded");
    return;
  }
  CHECK_STR(last, "ExecutionFailed");
  const asl_json *failed = asl_json_at(events, 4);
  CHECK_STR(type_of(failed), "LambdaFunctionFailed");
  CHECK_STR(detail(failed, "error"), error);
  CHECK_STR(detail(failed, "cause"), cause ? cause : "(null)");
  CHECK_STR(detail(asl_json_at(events, n - 1), "error"), error);
}

static void write_history(const char *out_dir, int line, const asl_json *events)
{
  char path[4200];
  snprintf(path, sizeof path, "%s/line%d.json", out_dir, line);
  asl_json *doc = asl_json_object(1);
  asl_json_obj_put_cstr(doc, "events", asl_json_incref((asl_json *)events));
  char *text = asl_json_dump(doc, ASL_JSON_COMPACT, NULL);
  FILE *f = fopen(path, "w");
  CHECK(f && fputs(text, f) >= 0);
  if (f)
    fclose(f);
  asl_free(text);
  asl_json_decref(doc);
}

static void run_row(const row *r, const char *out_dir)
{
  int failures = check_failures;
  char pidfile[] = "/tmp/aslrun-fault-XXXXXX";
  int pf = mkstemp(pidfile);
  close(pf);
  char *fn_config = expand(r->fn_config, pidfile);
  char *input_text = expand(r->input, pidfile);
  uint64_t t0 = uv_hrtime();

  int fds_before = count_fds();
  uv_loop_t loop;
  uv_loop_init(&loop);
  char *cfg_text = asl_strfmt("{\"functions\": {\"%s\": %s}}", r->fn_name, fn_config);
  asl_json *cfg = J(cfg_text);
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts ho = {.loop = &loop, .config = cfg, .config_dir = dir};
  asl_handlers *h = asl_handlers_new(&ho, &err);
  if (!h) {
    fprintf(stderr, "faults.md:%d: registry: %s\n", r->line, err.cause);
    exit(2);
  }
  char *def = asl_strfmt("{\"StartAt\": \"Call\", \"States\": {\"Call\": {\"Type\": \"Task\", "
                         "\"Resource\": \"arn:aws:lambda:us-east-1:123456789012:function:%s\", "
                         "\"End\": true}}}",
                         r->fn_name);
  asl_machine *m = load_machine(def);
  seen s = {.events = asl_json_array(16)};
  asl_event_sink sink = {.on_event = on_event, .data = &s, .on_note = on_note};
  asl_exec_opts o = {.loop = &loop, .sinks = &sink, .sink_count = 1, .handlers = h};
  asl_json *input = J(input_text);
  asl_exec *e = NULL;
  CHECK(asl_exec_start(m, input, &o, on_exec_done, &s, &e, &err) == ASL_OK);
  while (!s.done)
    uv_run(&loop, UV_RUN_ONCE);

  /* the ending */
  const char *status = asl_exec_status_name(asl_exec_status_of(e));
  CHECK_STR(status, r->ends);
  if (strcmp(r->ends, "SUCCEEDED") == 0) {
    char *out = dump(asl_exec_output(e));
    CHECK_STR(out, r->result);
    asl_free(out);
  } else {
    CHECK_STR(asl_exec_error(e), r->result);
    if (r->cause[0])
      CHECK_CONTAINS(asl_exec_cause(e), r->cause);
  }
  if (strncmp(r->also, "log: ", 5) == 0 && !(s.log && strstr(s.log, r->also + 5))) {
    size_t len = s.log ? strlen(s.log) : 0;
    fprintf(stderr, "faults.md:%d: the log (%zu bytes) lacks \"%s\"; it ends:\n%s\n", r->line,
            len, r->also + 5, s.log ? s.log + (len > 400 ? len - 400 : 0) : "(none)");
    check_failures++;
  }
  check_history(r, s.events, asl_exec_error(e), asl_exec_cause(e));
  write_history(out_dir, r->line, s.events);

  /* everything closed: descriptors and processes as before the row */
  asl_exec_free(e);
  asl_json_decref(input);
  asl_machine_free(m);
  asl_handlers_free(h);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  int fds_after = count_fds();
  if (fds_after != fds_before) {
    fprintf(stderr, "faults.md:%d: %d descriptors open before, %d after:\n", r->line, fds_before,
            fds_after);
    list_fds();
    check_failures++;
  }
  char children[512];
  our_children(children, sizeof children);
  if (children[0]) {
    fprintf(stderr, "faults.md:%d: processes left: %s\n", r->line, children);
    check_failures++;
  }
  if (strcmp(r->also, "gone") == 0) {
    FILE *f = fopen(pidfile, "r");
    int pid = 0;
    CHECK(f && fscanf(f, "%d", &pid) == 1 && pid > 0);
    if (f)
      fclose(f);
    if (pid > 0 && !gone(pid)) {
      fprintf(stderr, "faults.md:%d: the function's child %d outlived the registry\n", r->line,
              pid);
      kill(pid, SIGKILL);
      check_failures++;
    }
  }
  unlink(pidfile);
  asl_json_decref(s.events);
  free(s.log);
  asl_free(def);
  asl_free(cfg_text);
  asl_json_decref(cfg);
  asl_free(fn_config);
  asl_free(input_text);
  fprintf(stderr, "%s faults.md:%d %s: %s (%.2f s)\n", check_failures == failures ? "ok  " : "FAIL",
          r->line, r->handler, r->fault, (double)(uv_hrtime() - t0) / 1e9);
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  if (argc < 2) {
    fprintf(stderr, "usage: test_fault_matrix TESTS_HANDLERS_DIR [ROW-FILTER]\n");
    return 2;
  }
  const char *filter = argc > 2 ? argv[2] : NULL;
  snprintf(dir, sizeof dir, "%s", argv[1]);
  /* no credentials, no endpoint from the environment: requests go unsigned to the fault server */
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_PROFILE");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_LAMBDA");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  char script[4200];
  snprintf(script, sizeof script, "%s/http/fault_server.py", dir);
  char *server_argv[] = {"python3", script, NULL};
  child_server server;
  if (child_server_start(&server, server_argv) != 0)
    return 1;
  server_pid = server.pid;
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", server.port);
  snprintf(closed_endpoint, sizeof closed_endpoint, "http://127.0.0.1:%d",
           child_server_closed_port());
  const char *out_dir = "fault-histories";
  mkdir(out_dir, 0755);

  static row rows[128];
  char table[4200];
  snprintf(table, sizeof table, "%s/faults.md", dir);
  size_t n = read_rows(table, rows, 128);
  size_t live = asl_json_live();
  size_t ran = 0;
  for (size_t i = 0; i < n; i++) {
    char name[512];
    snprintf(name, sizeof name, "%s: %s", rows[i].handler, rows[i].fault);
    if (!filter || strstr(name, filter)) {
      run_row(&rows[i], out_dir);
      ran++;
    }
    row_free(&rows[i]);
  }
  CHECK(ran > 0);
  CHECK(asl_json_live() == live);
  child_server_stop(&server);
  fprintf(stderr, "%zu rows, %d failed checks\n", ran, check_failures);
  return CHECK_DONE();
}
