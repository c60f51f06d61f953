/* The process handler ("command" in aslrun.json): any executable serves a function, one process
 * per invocation. The event goes to its stdin as JSON and its stdout is the result; a non-zero
 * exit is the function's error, named by a JSON {"errorType", "errorMessage"} on stdout when
 * there is one, else States.TaskFailed with the end of stderr as cause. The function's timeout
 * kills it (with anything it started). Result shapes are lambda.c's. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

#define STDERR_TAIL 4096 /* how much of stderr a States.TaskFailed cause quotes */
#define MEMORY_POLL_MS 20 /* how often a command with "memory" has its resident memory read */
#define MEMORY_TREE_MAX 256 /* processes of one command whose memory is summed */

typedef struct proc_run {
  asl_task_call *call;
  asl__fn *fn;
  asl_handlers *reg;
  uv_process_t proc;
  uv_pipe_t in, out, err;
  uv_timer_t timer;
  uv_timer_t mem_timer; /* "memory": polls the resident memory of the command's processes */
  uv_write_t wr;
  uv_shutdown_t sd;
  int open_handles;
  int pid;
  bool exited, out_done, err_done, timed_out, too_big, finished;
  bool err_cut; /* stderr went past ASL_LOG_LIMIT: its oldest part was dropped */
  bool out_of_memory; /* killed for using more than the function's "memory" */
  int64_t status;
  int sig;
  asl_buf out_buf, err_buf;
} proc_run;

static void run_free(proc_run *r)
{
  asl_buf_free(&r->out_buf);
  asl_buf_free(&r->err_buf);
  asl_handlers *reg = r->reg;
  asl_free(r);
  asl__handlers_release(reg);
}

static void on_closed(uv_handle_t *h)
{
  proc_run *r = h->data;
  if (--r->open_handles == 0)
    run_free(r);
}

static void close_all(proc_run *r)
{
  uv_handle_t *hs[] = {(uv_handle_t *)&r->proc, (uv_handle_t *)&r->in, (uv_handle_t *)&r->out,
                       (uv_handle_t *)&r->err, (uv_handle_t *)&r->timer,
                       (uv_handle_t *)&r->mem_timer};
  for (size_t i = 0; i < sizeof hs / sizeof *hs; i++)
    if (!uv_is_closing(hs[i]))
      uv_close(hs[i], on_closed);
}

/* The stderr tail, trimmed at a line start where one is near, without trailing newlines. */
static char *stderr_tail(const asl_buf *b)
{
  size_t from = b->len > STDERR_TAIL ? b->len - STDERR_TAIL : 0;
  if (from) {
    const char *nl = memchr(b->data + from, '\n', b->len - from);
    if (nl && (size_t)(nl - b->data) + 1 < b->len)
      from = (size_t)(nl - b->data) + 1;
  }
  size_t end = b->len;
  while (end > from && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r'))
    end--;
  return asl_strndup(b->len ? b->data + from : "", end - from);
}

static bool has_error_type(const asl_buf *b)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = b->len ? asl_json_parse(b->data, b->len, NULL, &err) : NULL;
  asl_error_clear(&err);
  const asl_json *t = v && asl_json_is_object(v) ? asl_json_get_cstr(v, "errorType") : NULL;
  bool ok = t && asl_json_is_string(t);
  asl_json_decref(v);
  return ok;
}

static void finish(proc_run *r)
{
  if (r->finished || !r->exited || !r->out_done || !r->err_done)
    return;
  r->finished = true;
  uv_timer_stop(&r->timer);
  uv_timer_stop(&r->mem_timer);
  asl_task_call *c = r->call;
  char *log = r->err_buf.len ? asl_strfmt("%s%.*s",
                                          r->err_cut ? "[aslrun: log cut to its last 1 MiB]\n" : "",
                                          (int)r->err_buf.len, r->err_buf.data)
                             : NULL;
  if (r->timed_out) {
    asl_buf p = ASL_BUF_INIT;
    asl__timeout_payload(&p, c->request_id, r->fn->timeout_s);
    asl__call_function_done(c, p.data, p.len, true, log);
    asl_buf_free(&p);
  } else if (r->too_big) {
    asl_buf p = ASL_BUF_INIT;
    asl_buf_printf(&p, "{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":"
                       "\"Response payload size exceeded maximum allowed payload size (%d "
                       "bytes).\"}",
                   ASL_RESPONSE_LIMIT);
    asl__call_function_done(c, p.data, p.len, true, log);
    asl_buf_free(&p);
  } else if (r->out_of_memory) {
    /* as the kernel's OOM killer would end it inside Lambda's sandbox */
    asl__call_fail(c, "States.TaskFailed",
                   "%s was killed by signal %d (killed): its processes used more than its %lld MB "
                   "of memory",
                   r->fn->argv[0], SIGKILL, (long long)r->fn->memory_mb);
  } else if (r->status == 0 && r->sig == 0) {
    asl__call_function_done(c, r->out_buf.data ? r->out_buf.data : "", r->out_buf.len, false, log);
  } else if (has_error_type(&r->out_buf)) {
    asl__call_function_done(c, r->out_buf.data, r->out_buf.len, true, log);
  } else {
    char *tail = stderr_tail(&r->err_buf);
    const char *sname = r->sig ? asl__signal_name(r->sig) : NULL;
    if (tail[0])
      asl__call_fail(c, "States.TaskFailed", "%s", tail);
    else if (r->sig)
      asl__call_fail(c, "States.TaskFailed", "%s was killed by signal %d%s%s%s", r->fn->argv[0],
                     r->sig, sname ? " (" : "", sname ? sname : "", sname ? ")" : "");
    else
      asl__call_fail(c, "States.TaskFailed", "%s exited with status %lld", r->fn->argv[0],
                     (long long)r->status);
    asl_free(tail);
  }
  asl_free(log);
  close_all(r);
}

/* Kills the run's process group; once the process was reaped, only what is left of its group. */
static void kill_run(proc_run *r)
{
  if (r->exited)
    asl__kill_group_after_exit(r->pid);
  else
    asl__kill_group(r->pid);
}

static void on_child_exit(uv_process_t *p, int64_t status, int sig)
{
  proc_run *r = p->data;
  r->exited = true;
  r->status = status;
  r->sig = sig;
  /* the process is gone; what it started may still hold the pipes open, so stop waiting */
  asl__kill_group_after_exit(r->pid);
  finish(r);
}

static void on_timeout(uv_timer_t *t)
{
  proc_run *r = t->data;
  r->timed_out = true;
  kill_run(r);
}

/* Resident bytes of [pid] and of its descendants (through /proc/PID/task/PID/children), up to
 * MEMORY_TREE_MAX processes. */
static uint64_t tree_rss(int pid)
{
  int todo[MEMORY_TREE_MAX];
  size_t n = 0, seen = 0;
  uint64_t pages = 0;
  todo[n++] = pid;
  while (seen < n) {
    int p = todo[seen++];
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/statm", p);
    FILE *f = fopen(path, "r");
    unsigned long long size = 0, resident = 0;
    if (f) {
      if (fscanf(f, "%llu %llu", &size, &resident) == 2)
        pages += resident;
      fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", p, p);
    f = fopen(path, "r");
    int child;
    while (f && n < MEMORY_TREE_MAX && fscanf(f, "%d", &child) == 1)
      todo[n++] = child;
    if (f)
      fclose(f);
  }
  return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Lambda ends a sandbox that uses more than its memory size; a command with "memory" is
 * measured MEMORY_POLL_MS apart, so a fast allocator may pass the size by what it allocates in
 * that time before it is killed. */
static void on_memory_poll(uv_timer_t *t)
{
  proc_run *r = t->data;
  if (r->exited || r->out_of_memory)
    return;
  if (tree_rss(r->pid) > (uint64_t)r->fn->memory_mb * 1024 * 1024) {
    r->out_of_memory = true;
    uv_timer_stop(t);
    kill_run(r);
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  (void)h;
  buf->base = asl_alloc(suggested);
  buf->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  proc_run *r = s->data;
  bool is_out = s == (uv_stream_t *)&r->out;
  asl_buf *b = is_out ? &r->out_buf : &r->err_buf;
  if (n > 0) {
    size_t cap = is_out ? ASL_RESPONSE_LIMIT : ASL_LOG_LIMIT;
    if (b->len + (size_t)n > cap) {
      if (is_out && !r->too_big) {
        r->too_big = true; /* Lambda refuses responses over 6 MB */
        kill_run(r);
      } else if (!is_out) { /* keep the newest stderr: its tail is the cause */
        size_t drop = b->len / 2;
        r->err_cut = true;
        memmove(b->data, b->data + drop, b->len - drop);
        b->len -= drop;
        asl_buf_add(b, buf->base, (size_t)n);
      }
    } else {
      asl_buf_add(b, buf->base, (size_t)n);
    }
  }
  asl_free(buf->base);
  if (n < 0) {
    uv_read_stop(s);
    if (is_out)
      r->out_done = true;
    else
      r->err_done = true;
    finish(r);
  }
}

static void on_written(uv_write_t *w, int status)
{
  proc_run *r = w->data;
  (void)status; /* a program that ignores its input closes the pipe early: not an error */
  if (!uv_is_closing((uv_handle_t *)&r->in))
    uv_close((uv_handle_t *)&r->in, on_closed);
}

static asl_status proc_invoke(asl_task_call *c, asl_error *err)
{
  asl__fn *fn = c->fn;
  asl_handlers *reg = fn->reg;
  uv_loop_t *loop = asl__handlers_loop(reg);
  proc_run *r = asl_calloc(1, sizeof *r);
  r->call = c;
  r->fn = fn;
  r->reg = reg;
  c->impl = r;
  uv_pipe_init(loop, &r->in, 0);
  uv_pipe_init(loop, &r->out, 0);
  uv_pipe_init(loop, &r->err, 0);
  uv_timer_init(loop, &r->timer);
  uv_timer_init(loop, &r->mem_timer);
  r->proc.data = r->in.data = r->out.data = r->err.data = r->timer.data = r->mem_timer.data = r;
  r->wr.data = r;
  r->open_handles = 5; /* the three pipes and the timers; the process handle counts once spawned */
  asl__handlers_hold(reg);

  char *extra[9];
  size_t ne = 0;
  extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_NAME=%s", fn->name);
  extra[ne++] = asl_strdup("AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
  extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_TIMEOUT=%.3f", fn->timeout_s);
  extra[ne++] = asl_strfmt("AWS_REGION=%s", c->target.region);
  extra[ne++] = asl_strfmt("AWS_DEFAULT_REGION=%s", c->target.region);
  extra[ne++] = asl_strfmt("AWS_LAMBDA_REQUEST_ID=%s", c->request_id);
  extra[ne++] = asl_strfmt("AWS_LAMBDA_INVOKED_FUNCTION_ARN=%s", c->target.arn);
  if (fn->memory_mb > 0)
    extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%lld", (long long)fn->memory_mb);
  char **env = asl__child_env(fn, extra, ne);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
  stdio[0].data.stream = (uv_stream_t *)&r->in;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t *)&r->out;
  stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[2].data.stream = (uv_stream_t *)&r->err;
  uv_process_options_t o = {0};
  o.exit_cb = on_child_exit;
  o.file = fn->argv[0];
  o.args = fn->argv;
  o.env = env;
  o.cwd = fn->cwd;
  o.flags = UV_PROCESS_DETACHED; /* its own process group, killed as a whole */
  o.stdio_count = 3;
  o.stdio = stdio;
  int rc = uv_spawn(loop, &r->proc, &o);
  asl__child_env_free(env);
  r->open_handles++;
  if (rc < 0) {
    asl_error_set(err, ASL_E_IO, "States.Runtime", "cannot run %s for function \"%s\": %s",
                  fn->argv[0], fn->name, uv_strerror(rc));
    r->finished = true;
    close_all(r);
    return ASL_E_IO;
  }
  r->pid = r->proc.pid;
  /* an injected fault (handler.h): the process has really started, and, before it can read its
   * event, dies of a segmentation fault, stops (its timeout, or the Task's, then kills it) or is
   * killed as the kernel's OOM killer kills */
  int sig = c->fault == ASL_TASK_FAULT_CRASH  ? SIGSEGV
            : c->fault == ASL_TASK_FAULT_HANG ? SIGSTOP
            : c->fault == ASL_TASK_FAULT_OOM  ? SIGKILL
                                              : 0;
  if (sig && kill(-r->pid, sig) != 0)
    kill(r->pid, sig);
  uv_read_start((uv_stream_t *)&r->out, on_alloc, on_read);
  uv_read_start((uv_stream_t *)&r->err, on_alloc, on_read);
  uv_buf_t buf = uv_buf_init(c->event, (unsigned)c->event_len);
  if (uv_write(&r->wr, (uv_stream_t *)&r->in, &buf, 1, on_written) < 0)
    uv_close((uv_handle_t *)&r->in, on_closed);
  uv_timer_start(&r->timer, on_timeout, (uint64_t)(fn->timeout_s * 1000.0), 0);
  if (fn->memory_mb > 0)
    uv_timer_start(&r->mem_timer, on_memory_poll, MEMORY_POLL_MS, MEMORY_POLL_MS);
  return ASL_OK;
}

static void proc_cancel(asl_task_call *c)
{
  proc_run *r = c->impl;
  if (r && !r->finished)
    kill_run(r);
}

static void proc_fn_free(asl__fn *fn)
{
  (void)fn; /* each run ends with its process; asl_handlers_free cancels the running ones */
}

const asl__fn_ops asl__process_ops = {proc_invoke, proc_cancel, proc_fn_free};
