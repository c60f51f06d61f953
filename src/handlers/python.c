/* The python handler: Lambda Python functions run by our own bootstrap (runtimes/python), one
 * long-lived worker process per concurrent invocation, kept warm between invocations as Lambda
 * keeps an execution environment (module state survives), discarded after a timeout, a crash or
 * with --cold. This file owns the workers' lifecycle, the deadline, the log of each invocation
 * and Lambda's REPORT line; the bootstrap reproduces what the handler sees, and lambda.c turns the
 * payload into Step Functions' result. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap_py.h"
#include "spawn.h"

#define INIT_LIMIT_S 10.0 /* Lambda's init phase limit, after which init runs again in the invoke */
#define MARK_INIT "\0aslrun:init\0"
#define MARK_END "\0aslrun:done\0"
#define MARK_LEN 13 /* both markers have this many bytes */

/* the bootstrap runs under its own file name, so its frames can be dropped from stack traces */
static const char bootstrap_stub[] =
    "import sys;exec(compile(sys.argv.pop(1),'<aslrun-bootstrap>','exec'))";

typedef struct py_pool py_pool;
typedef struct py_worker py_worker;

struct py_worker {
  py_pool *pool;
  uv_process_t proc;
  uv_pipe_t req, resp, out, err;
  uv_timer_t timer;
  int open_handles;
  int pid;
  bool ready, exited, retiring, timed_out;
  int64_t exit_status;
  int term_signal;
  asl_task_call *call;
  /* the current invocation */
  bool got_response, got_marker, resp_err, exit_after;
  char *resp_payload;
  size_t resp_len;
  int64_t dur_us, rss_kb;
  uint64_t sent_ns;
  bool report_init;
  bool log_cut; /* the invocation's output went past ASL_LOG_LIMIT: its middle was dropped */
  asl_buf rbuf; /* unparsed bytes from fd 4 */
  asl_buf log;  /* the function's output since the last marker */
  char *init_log;
  int64_t init_us;
  py_worker *next_all, *prev_all, *next_idle;
};

struct py_pool {
  asl__fn *fn; /* NULL once the registry is being freed */
  asl_handlers *reg;
  py_worker *all, *idle;
  int64_t count;  /* workers that can take work */
  int64_t alive;  /* worker structs not yet freed (their handles are still closing) */
  asl_task_call *wait_head, *wait_tail; /* calls waiting for a worker (linked by c->impl) */
  char *exe;       /* the interpreter's real path, once a worker reported it */
  char *task_root; /* absolute code directory */
  char *log_stream;
  bool shutting;
};

/* ---- worker lifecycle ---- */

/* Kills the worker's process group; once the worker was reaped, only what is left of its group
 * (its pid may already be another process's). */
static void kill_worker(py_worker *w)
{
  if (w->exited)
    asl__kill_group_after_exit(w->pid);
  else
    asl__kill_group(w->pid);
}

static void worker_free(py_worker *w)
{
  py_pool *p = w->pool;
  asl_buf_free(&w->rbuf);
  asl_buf_free(&w->log);
  asl_free(w->resp_payload);
  asl_free(w->init_log);
  asl_handlers *reg = p->reg;
  asl_free(w);
  asl__handlers_release(reg);
  if (--p->alive == 0 && p->shutting) {
    asl_free(p->exe);
    asl_free(p->task_root);
    asl_free(p->log_stream);
    asl_free(p);
  }
}

static void on_closed(uv_handle_t *h)
{
  py_worker *w = h->data;
  if (--w->open_handles == 0)
    worker_free(w);
}

static void close_handle(uv_handle_t *h)
{
  if (!uv_is_closing(h))
    uv_close(h, on_closed);
}

static void set_ref(py_worker *w, bool on)
{
  uv_handle_t *hs[] = {(uv_handle_t *)&w->proc, (uv_handle_t *)&w->req, (uv_handle_t *)&w->resp,
                       (uv_handle_t *)&w->out, (uv_handle_t *)&w->err};
  for (size_t i = 0; i < sizeof hs / sizeof *hs; i++) {
    if (uv_is_closing(hs[i]))
      continue;
    if (on)
      uv_ref(hs[i]);
    else
      uv_unref(hs[i]); /* an idle warm worker must not keep the loop running */
  }
}

static void pool_unlink(py_worker *w)
{
  py_pool *p = w->pool;
  if (w->prev_all)
    w->prev_all->next_all = w->next_all;
  else if (p->all == w)
    p->all = w->next_all;
  if (w->next_all)
    w->next_all->prev_all = w->prev_all;
  w->prev_all = w->next_all = NULL;
  for (py_worker **q = &p->idle; *q; q = &(*q)->next_idle) {
    if (*q == w) {
      *q = w->next_idle;
      break;
    }
  }
  p->count--;
}

static void pool_serve(py_pool *p);

/* The worker will take no more work: let it end (closing its request pipe ends the bootstrap's
 * loop), or kill it. Its handles close once the process is gone. */
static void worker_retire(py_worker *w, bool kill_it)
{
  if (!w->retiring) {
    w->retiring = true;
    pool_unlink(w);
  }
  uv_timer_stop(&w->timer);
  set_ref(w, true); /* until it is gone, so that nothing is left behind */
  if (kill_it && !w->exited)
    kill_worker(w);
  close_handle((uv_handle_t *)&w->req);
  if (w->exited) {
    close_handle((uv_handle_t *)&w->proc);
    close_handle((uv_handle_t *)&w->resp);
    close_handle((uv_handle_t *)&w->out);
    close_handle((uv_handle_t *)&w->err);
    close_handle((uv_handle_t *)&w->timer);
  }
}

static void reset_invocation(py_worker *w)
{
  w->call = NULL;
  w->got_response = w->got_marker = w->resp_err = w->exit_after = false;
  asl_free(w->resp_payload);
  w->resp_payload = NULL;
  w->resp_len = 0;
  w->report_init = false;
}

/* START, the output, END and REPORT, as Lambda writes an invocation's log. */
static char *build_log(py_worker *w, const char *rid, double dur_ms, const char *extra)
{
  asl_buf b = ASL_BUF_INIT;
  if (w->report_init && w->init_log && w->init_log[0])
    asl_buf_adds(&b, w->init_log);
  asl_buf_printf(&b, "START RequestId: %s Version: $LATEST\n", rid);
  if (w->log.len)
    asl_buf_add(&b, w->log.data, w->log.len);
  if (w->log.len && w->log.data[w->log.len - 1] != '\n')
    asl_buf_addc(&b, '\n');
  if (w->log_cut)
    asl_buf_adds(&b, "[aslrun: log cut at 1 MiB]\n");
  w->log_cut = false;
  if (extra)
    asl_buf_printf(&b, "%s\n", extra);
  asl_buf_printf(&b, "END RequestId: %s\n", rid);
  long long billed = (long long)dur_ms + ((double)(long long)dur_ms < dur_ms ? 1 : 0);
  asl_buf_printf(&b,
                 "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: "
                 "%lld MB\tMax Memory Used: %lld MB\t",
                 rid, dur_ms, billed < 1 ? 1 : billed, (long long)w->pool->fn->memory_mb,
                 (long long)((w->rss_kb + 1023) / 1024));
  if (w->report_init)
    asl_buf_printf(&b, "Init Duration: %.2f ms\t", (double)w->init_us / 1000.0);
  asl_buf_addc(&b, '\n');
  w->log.len = 0;
  if (w->log.data)
    w->log.data[0] = '\0';
  return asl_buf_steal(&b, NULL);
}

static void finish_ok(py_worker *w)
{
  asl_task_call *c = w->call;
  uv_timer_stop(&w->timer);
  char *log = build_log(w, c->request_id, (double)w->dur_us / 1000.0, NULL);
  bool retire = w->exit_after || w->exited || w->pool->fn->cold ||
                asl__handlers_cold(w->pool->reg);
  char *payload = w->resp_payload;
  size_t len = w->resp_len;
  bool err = w->resp_err;
  w->resp_payload = NULL;
  reset_invocation(w);
  asl__call_function_done(c, payload, len, err, log);
  asl_free(payload);
  asl_free(log);
  if (retire || w->pool->shutting) {
    worker_retire(w, false);
  } else {
    set_ref(w, false);
    w->next_idle = w->pool->idle;
    w->pool->idle = w;
  }
  pool_serve(w->pool);
}

/* The invocation ends without the worker's answer: a timeout or the worker's death. */
static void finish_dead(py_worker *w)
{
  asl_task_call *c = w->call;
  asl_buf payload = ASL_BUF_INIT;
  const char *extra = NULL;
  char *line = NULL;
  if (w->timed_out) {
    asl__timeout_payload(&payload, c->request_id, w->pool->fn->timeout_s);
    line = asl_strfmt("%s Task timed out after %.2f seconds", c->request_id,
                      w->pool->fn->timeout_s);
  } else {
    asl__exit_payload(&payload, c->request_id, w->exit_status, w->term_signal);
    line = asl_strfmt("RequestId: %s Error: Runtime exited with error: %s", c->request_id,
                      w->term_signal && asl__signal_name(w->term_signal) ? "signal" : "exit");
  }
  extra = line;
  double dur_ms = (double)(uv_hrtime() - w->sent_ns) / 1e6;
  char *log = build_log(w, c->request_id, dur_ms, extra);
  reset_invocation(w);
  asl__call_function_done(c, payload.data, payload.len, true, log);
  asl_buf_free(&payload);
  asl_free(log);
  asl_free(line);
}

static void try_finish(py_worker *w)
{
  if (w->call && w->got_response && w->got_marker)
    finish_ok(w);
}

static void on_child_exit(uv_process_t *proc, int64_t status, int sig)
{
  py_worker *w = proc->data;
  w->exited = true;
  w->exit_status = status;
  w->term_signal = sig;
  /* what the function started goes with its sandbox, as on Lambda (a cold worker's forked
   * child would otherwise outlive aslrun) */
  asl__kill_group_after_exit(w->pid);
  if (w->call) {
    if (w->got_response)
      finish_ok(w); /* the answer came; the output after it is lost with the process */
    else
      finish_dead(w);
  }
  worker_retire(w, false);
  pool_serve(w->pool);
}

static void on_timeout(uv_timer_t *t)
{
  py_worker *w = t->data;
  if (!w->call || w->exited)
    return;
  /* Lambda stops the sandbox at the deadline; the next invocation starts cold */
  w->timed_out = true;
  kill_worker(w);
}

/* ---- reading the worker ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  (void)h;
  buf->base = asl_alloc(suggested);
  buf->len = suggested;
}

static void take_log(py_worker *w, const char *s, size_t n)
{
  if (w->log.len + n > ASL_LOG_LIMIT) {
    w->log_cut = true;
    return;
  }
  asl_buf_add(&w->log, s, n);
}

/* Splits the output stream at the bootstrap's markers. */
static void on_log_data(py_worker *w, const char *s, size_t n)
{
  size_t from = w->log.len >= MARK_LEN ? w->log.len - MARK_LEN + 1 : 0;
  asl_buf_add(&w->log, s, n);
  if (w->log.len > 2 * (size_t)ASL_LOG_LIMIT) {
    /* a chatty function: keep the first MiB and the latest bytes, where a marker may be */
    const size_t keep = 4096;
    memmove(w->log.data + ASL_LOG_LIMIT, w->log.data + w->log.len - keep, keep);
    w->log.len = (size_t)ASL_LOG_LIMIT + keep;
    w->log.data[w->log.len] = '\0';
    w->log_cut = true;
    from = ASL_LOG_LIMIT;
  }
  for (;;) {
    char *m = memmem(w->log.data + from, w->log.len - from, "\0aslrun:", 8);
    if (!m || (size_t)(m - w->log.data) + MARK_LEN > w->log.len)
      break;
    size_t at = (size_t)(m - w->log.data);
    bool is_init = memcmp(m, MARK_INIT, MARK_LEN) == 0;
    bool is_end = memcmp(m, MARK_END, MARK_LEN) == 0;
    if (!is_init && !is_end) {
      from = at + 1;
      continue;
    }
    size_t rest = w->log.len - at - MARK_LEN;
    char *tail = asl_strndup(m + MARK_LEN, rest);
    w->log.len = at;
    w->log.data[at] = '\0';
    if (w->log.len > ASL_LOG_LIMIT) {
      w->log.len = ASL_LOG_LIMIT;
      w->log.data[ASL_LOG_LIMIT] = '\0';
      w->log_cut = true;
    }
    if (is_init) {
      if (w->log_cut)
        asl_buf_adds(&w->log, "\n[aslrun: log cut at 1 MiB]\n");
      w->log_cut = false;
      asl_free(w->init_log);
      w->init_log = asl_buf_steal(&w->log, NULL);
    } else {
      w->got_marker = true;
      try_finish(w);
    }
    from = w->log.len;
    take_log(w, tail, rest);
    asl_free(tail);
  }
}

static void on_out_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  py_worker *w = s->data;
  if (n > 0)
    on_log_data(w, buf->base, (size_t)n);
  asl_free(buf->base);
  if (n < 0) {
    uv_read_stop(s);
    if (s == (uv_stream_t *)&w->out && !w->got_marker && w->call) {
      w->got_marker = true; /* no more output can come */
      try_finish(w);
    }
  }
}

static void bad_frame(py_worker *w)
{
  /* the bootstrap never writes this: the function must have written to our descriptor */
  kill_worker(w);
}

static void parse_frames(py_worker *w)
{
  for (;;) {
    char *nl = memchr(w->rbuf.data, '\n', w->rbuf.len);
    if (!nl)
      return;
    size_t hl = (size_t)(nl - w->rbuf.data) + 1;
    char *line = asl_strndup(w->rbuf.data, hl - 1);
    size_t consumed = hl;
    if (line[0] == 'I' && line[1] == ' ') {
      char *end;
      w->init_us = strtoll(line + 2, &end, 10);
      if (*end == ' ' && end[1] == '/' && !w->pool->exe)
        w->pool->exe = asl_strdup(end + 1); /* later workers skip any shim (pyenv: 80 ms) */
      w->ready = true;
      if (w->call && !w->exited) /* the function's timeout counts from the end of init */
        uv_timer_start(&w->timer, on_timeout, (uint64_t)(w->pool->fn->timeout_s * 1000.0), 0);
    } else if (line[0] == 'R' && line[1] == ' ') {
      char kind[8] = {0};
      unsigned long long len = 0;
      long long dur = 0, rss = 0;
      int exit_after = 0;
      if (sscanf(line + 2, "%7s %llu %lld %lld %d", kind, &len, &dur, &rss, &exit_after) != 5 ||
          !w->call) {
        asl_free(line);
        bad_frame(w);
        return;
      }
      if (len > ASL_RESPONSE_LIMIT) {
        /* Lambda refuses the response; the sandbox does not survive it here */
        asl_buf p = ASL_BUF_INIT;
        asl_buf_printf(&p, "{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":"
                           "\"Response payload size exceeded maximum allowed payload size (%d "
                           "bytes).\"}",
                       ASL_RESPONSE_LIMIT);
        w->resp_payload = asl_buf_steal(&p, &w->resp_len);
        w->resp_err = true;
        w->got_response = w->got_marker = true;
        w->exit_after = true;
        asl_free(line);
        kill_worker(w);
        try_finish(w);
        return;
      }
      if (w->rbuf.len < hl + len) {
        asl_free(line);
        return; /* wait for the whole payload */
      }
      w->resp_payload = asl_strndup(w->rbuf.data + hl, (size_t)len);
      w->resp_len = (size_t)len;
      w->resp_err = strcmp(kind, "err") == 0;
      w->dur_us = dur;
      w->rss_kb = rss;
      w->exit_after = exit_after != 0;
      w->got_response = true;
      consumed += (size_t)len;
    } else {
      asl_free(line);
      bad_frame(w);
      return;
    }
    asl_free(line);
    memmove(w->rbuf.data, w->rbuf.data + consumed, w->rbuf.len - consumed);
    w->rbuf.len -= consumed;
    w->rbuf.data[w->rbuf.len] = '\0';
    if (w->got_response) {
      try_finish(w);
      if (!w->call || w->retiring)
        return;
    }
  }
}

static void on_resp_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  py_worker *w = s->data;
  if (n > 0) {
    if (w->rbuf.len + (size_t)n > (size_t)ASL_RESPONSE_LIMIT + 4096 && !w->got_response) {
      asl_free(buf->base);
      bad_frame(w);
      return;
    }
    asl_buf_add(&w->rbuf, buf->base, (size_t)n);
  }
  asl_free(buf->base);
  if (n < 0)
    uv_read_stop(s);
  else
    parse_frames(w);
}

/* ---- starting workers and sending work ---- */

static asl_status worker_spawn(py_pool *p, const asl_task_call *c, py_worker **out,
                               asl_error *err)
{
  asl__fn *fn = p->fn;
  uv_loop_t *loop = asl__handlers_loop(p->reg);
  py_worker *w = asl_calloc(1, sizeof *w);
  w->pool = p;
  uv_pipe_init(loop, &w->req, 0);
  uv_pipe_init(loop, &w->resp, 0);
  uv_pipe_init(loop, &w->out, 0);
  uv_pipe_init(loop, &w->err, 0);
  uv_timer_init(loop, &w->timer);
  w->proc.data = w->req.data = w->resp.data = w->out.data = w->err.data = w->timer.data = w;
  w->open_handles = 5;
  p->alive++;
  asl__handlers_hold(p->reg);

  char *extra[16];
  size_t ne = 0;
  extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_NAME=%s", fn->name);
  extra[ne++] = asl_strdup("AWS_LAMBDA_FUNCTION_VERSION=$LATEST");
  extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%lld", (long long)fn->memory_mb);
  extra[ne++] = asl_strfmt("AWS_LAMBDA_FUNCTION_TIMEOUT=%.3f", fn->timeout_s);
  extra[ne++] = asl_strfmt("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/%s", fn->name);
  extra[ne++] = asl_strfmt("AWS_LAMBDA_LOG_STREAM_NAME=%s", p->log_stream);
  extra[ne++] = asl_strfmt("AWS_REGION=%s", c->target.region);
  extra[ne++] = asl_strfmt("AWS_DEFAULT_REGION=%s", c->target.region);
  extra[ne++] = asl_strdup("AWS_LAMBDA_INITIALIZATION_TYPE=on-demand");
  extra[ne++] = asl_strfmt("LAMBDA_TASK_ROOT=%s", p->task_root);
  extra[ne++] = asl_strfmt("_HANDLER=%s", fn->handler);
  extra[ne++] = asl_strdup("TZ=:UTC");
  extra[ne++] = asl_strdup("LANG=en_US.UTF-8");
  /* prints must reach the log even when the worker is killed at its deadline */
  extra[ne++] = asl_strdup("PYTHONUNBUFFERED=1");
  char **env = asl__child_env(fn, extra, ne);

  const char *exe = p->exe ? p->exe : fn->runtime;
  char *args[] = {(char *)exe, "-c", (char *)bootstrap_stub, (char *)asl_python_bootstrap, NULL};
  uv_stdio_container_t stdio[5];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t *)&w->out;
  stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[2].data.stream = (uv_stream_t *)&w->err;
  stdio[3].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
  stdio[3].data.stream = (uv_stream_t *)&w->req;
  stdio[4].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[4].data.stream = (uv_stream_t *)&w->resp;
  uv_process_options_t o = {0};
  o.exit_cb = on_child_exit;
  o.file = exe;
  o.args = args;
  o.env = env;
  o.cwd = p->task_root;
  o.flags = UV_PROCESS_DETACHED; /* its own process group: a kill takes its children too */
  o.stdio_count = 5;
  o.stdio = stdio;
  int rc = uv_spawn(loop, &w->proc, &o);
  asl__child_env_free(env);
  w->open_handles++; /* the process handle, closed in both outcomes */
  if (rc < 0) {
    asl_error_set(err, ASL_E_IO, "States.Runtime",
                  "cannot start the Python runtime \"%s\" for function \"%s\": %s (set "
                  "\"runtime\" in aslrun.json to a python3 on this machine)",
                  exe, fn->name, uv_strerror(rc));
    w->exited = true;
    w->retiring = true;
    worker_retire(w, false);
    return ASL_E_IO;
  }
  w->pid = w->proc.pid;
  uv_read_start((uv_stream_t *)&w->resp, on_alloc, on_resp_read);
  uv_read_start((uv_stream_t *)&w->out, on_alloc, on_out_read);
  uv_read_start((uv_stream_t *)&w->err, on_alloc, on_out_read);
  w->next_all = p->all;
  if (p->all)
    p->all->prev_all = w;
  p->all = w;
  p->count++;
  w->report_init = true;
  *out = w;
  return ASL_OK;
}

static void on_req_written(uv_write_t *wr, int status)
{
  (void)status; /* a dead worker shows itself through its exit */
  asl_free(wr->data);
  asl_free(wr);
}

static void assign(py_worker *w, asl_task_call *c)
{
  w->call = c;
  c->impl = w;
  w->sent_ns = uv_hrtime();
  w->timed_out = false;
  set_ref(w, true);
  asl_buf b = ASL_BUF_INIT;
  /* an injected fault (handler.h) goes first: the worker acts it out instead of the handler */
  static const char *const faults[] = {[ASL_TASK_FAULT_CRASH] = "crash",
                                       [ASL_TASK_FAULT_HANG] = "hang",
                                       [ASL_TASK_FAULT_OOM] = "oom"};
  if (c->fault == ASL_TASK_FAULT_CRASH || c->fault == ASL_TASK_FAULT_HANG ||
      c->fault == ASL_TASK_FAULT_OOM)
    asl_buf_printf(&b, "F %s\n", faults[c->fault]);
  /* X-Ray's trace header as Lambda sets _X_AMZN_TRACE_ID */
  asl_buf_printf(&b, "Q %zu %s Root=1-%08llx-%.8s%.4s%.4s%.8s;Parent=%.16s;Sampled=0 %s\n",
                 c->event_len, c->request_id, (unsigned long long)(c->now_ms / 1000),
                 c->request_id, c->request_id + 9, c->request_id + 14, c->request_id + 24,
                 c->request_id + 19, c->target.arn);
  asl_buf_add(&b, c->event, c->event_len);
  uv_write_t *wr = asl_alloc(sizeof *wr);
  size_t len;
  wr->data = asl_buf_steal(&b, &len);
  uv_buf_t buf = uv_buf_init(wr->data, (unsigned)len);
  if (uv_write(wr, (uv_stream_t *)&w->req, &buf, 1, on_req_written) < 0) {
    asl_free(wr->data);
    asl_free(wr);
    kill_worker(w); /* reported as the runtime's exit */
    return;
  }
  double limit = w->pool->fn->timeout_s + (w->ready ? 0.0 : INIT_LIMIT_S);
  uv_timer_start(&w->timer, on_timeout, (uint64_t)(limit * 1000.0), 0);
}

static void pool_serve(py_pool *p)
{
  while (p->wait_head && !p->shutting) {
    py_worker *w = p->idle;
    bool cold = p->fn->cold || asl__handlers_cold(p->reg);
    if (w && !cold) {
      p->idle = w->next_idle;
      w->next_idle = NULL;
    } else if (p->count < p->fn->concurrency) {
      asl_error err = ASL_ERROR_INIT;
      w = NULL;
      if (worker_spawn(p, p->wait_head, &w, &err) != ASL_OK) {
        asl_task_call *c = p->wait_head;
        p->wait_head = c->impl;
        if (!p->wait_head)
          p->wait_tail = NULL;
        c->impl = NULL;
        asl__call_fail(c, err.name, "%s", err.cause);
        asl_error_clear(&err);
        continue;
      }
    } else {
      return; /* every worker is busy: the call waits for one */
    }
    asl_task_call *c = p->wait_head;
    p->wait_head = c->impl;
    if (!p->wait_head)
      p->wait_tail = NULL;
    assign(w, c);
  }
}

static py_pool *pool_of(asl__fn *fn, const asl_task_call *c, asl_error *err)
{
  if (fn->impl)
    return fn->impl;
  char *root = realpath(fn->code_dir, NULL);
  if (!root) {
    asl_error_set(err, ASL_E_IO, "States.Runtime",
                  "function \"%s\": its code directory \"%s\" does not exist", fn->name,
                  fn->code_dir);
    return NULL;
  }
  py_pool *p = asl_calloc(1, sizeof *p);
  p->fn = fn;
  p->reg = fn->reg;
  p->task_root = asl_strdup(root);
  free(root);
  p->log_stream = asl__log_stream_name(fn->reg, c->now_ms);
  fn->impl = p;
  return p;
}

static asl_status py_invoke(asl_task_call *c, asl_error *err)
{
  py_pool *p = pool_of(c->fn, c, err);
  if (!p)
    return err->code;
  c->impl = NULL;
  if (p->wait_tail)
    p->wait_tail->impl = c;
  else
    p->wait_head = c;
  p->wait_tail = c;
  pool_serve(p);
  return ASL_OK;
}

static void py_cancel(asl_task_call *c)
{
  py_pool *p = c->fn->impl;
  if (!p)
    return;
  for (py_worker *w = p->all; w; w = w->next_all) {
    if (w->call == c) {
      /* the worker may be anywhere in the function: it is not reused */
      w->timed_out = false;
      kill_worker(w);
      return;
    }
  }
  /* still waiting for a worker */
  asl_task_call **q = &p->wait_head;
  asl_task_call *prev = NULL;
  while (*q && *q != c) {
    prev = *q;
    q = (asl_task_call **)&(*q)->impl;
  }
  if (*q) {
    *q = c->impl;
    if (p->wait_tail == c)
      p->wait_tail = prev;
    c->impl = NULL;
    asl__call_release(c);
  }
}

static void py_fn_free(asl__fn *fn)
{
  py_pool *p = fn->impl;
  if (!p)
    return;
  fn->impl = NULL;
  p->shutting = true;
  while (p->wait_head) {
    asl_task_call *c = p->wait_head;
    p->wait_head = c->impl;
    c->impl = NULL;
    asl__call_release(c);
  }
  p->wait_tail = NULL;
  while (p->all)
    worker_retire(p->all, true);
  if (p->alive == 0) {
    asl_free(p->exe);
    asl_free(p->task_root);
    asl_free(p->log_stream);
    asl_free(p);
  }
}

const asl__fn_ops asl__python_ops = {py_invoke, py_cancel, py_fn_free};
