/* What the process and python handlers share about child processes: the environment a function
 * sees, killing a worker with everything it started (its own process group), and the payloads
 * Lambda's platform (not the function) sends when a runtime dies or runs out of time
 * (lambda-python-runtime.md, "Platform-level failures"). */
#include <signal.h>
#include <string.h>

#include "spawn.h"

extern char **environ;

static size_t key_len(const char *kv)
{
  const char *eq = strchr(kv, '=');
  return eq ? (size_t)(eq - kv) : strlen(kv);
}

typedef ASL_VEC(char *) str_vec;

static void env_put(str_vec *v, char *kv)
{
  size_t kl = key_len(kv);
  for (size_t i = 0; i < v->len; i++) {
    if (key_len(v->items[i]) == kl && memcmp(v->items[i], kv, kl) == 0) {
      asl_free(v->items[i]);
      v->items[i] = kv;
      return;
    }
  }
  ASL_VEC_PUSH(*v, kv);
}

char **asl__child_env(const asl__fn *fn, char **extra, size_t n_extra)
{
  str_vec v = {0};
  for (char **e = environ; e && *e; e++)
    ASL_VEC_PUSH(v, asl_strdup(*e));
  for (size_t i = 0; i < n_extra; i++)
    env_put(&v, extra[i]); /* takes the strings */
  for (size_t i = 0; i < fn->env_len; i++)
    env_put(&v, asl_strdup(fn->env[i]));
  ASL_VEC_PUSH(v, NULL);
  return v.items;
}

void asl__child_env_free(char **env)
{
  for (char **e = env; e && *e; e++)
    asl_free(*e);
  asl_free(env);
}

void asl__kill_group(int pid)
{
  /* workers run in their own process group (UV_PROCESS_DETACHED), so this also ends whatever
   * the function started */
  if (pid > 0 && kill(-pid, SIGKILL) != 0)
    kill(pid, SIGKILL);
}

void asl__kill_group_after_exit(int pid)
{
  /* a group's id stays reserved while any member lives, so this reaches only its stragglers */
  if (pid > 0)
    kill(-pid, SIGKILL);
}

const char *asl__signal_name(int sig)
{
  /* Go's names: Lambda's supervisor is written in Go and prints ProcessState.String() */
  switch (sig) {
  case SIGKILL: return "killed";
  case SIGSEGV: return "segmentation fault";
  case SIGABRT: return "aborted";
  case SIGTERM: return "terminated";
  case SIGBUS: return "bus error";
  case SIGFPE: return "floating point exception";
  case SIGILL: return "illegal instruction";
  case SIGPIPE: return "broken pipe";
  case SIGINT: return "interrupt";
  case SIGHUP: return "hangup";
  case SIGQUIT: return "quit";
  case SIGXCPU: return "CPU time limit exceeded";
  case SIGXFSZ: return "file size limit exceeded";
  case SIGUSR1: return "user defined signal 1";
  case SIGUSR2: return "user defined signal 2";
  case SIGALRM: return "alarm clock";
  case SIGTRAP: return "trace/breakpoint trap";
  case SIGSYS: return "bad system call";
  default: return NULL;
  }
}

static void json_str(asl_buf *b, const char *s)
{
  asl_json *v = asl_json_cstr(s);
  asl_json_dump_buf(v, ASL_JSON_COMPACT, b);
  asl_json_decref(v);
}

void asl__exit_payload(asl_buf *b, const char *request_id, int64_t status, int sig)
{
  char *msg;
  if (sig) {
    const char *name = asl__signal_name(sig);
    msg = name ? asl_strfmt("RequestId: %s Error: Runtime exited with error: signal: %s",
                            request_id, name)
               : asl_strfmt("RequestId: %s Error: Runtime exited with error: signal %d",
                            request_id, sig);
  } else if (status == 0) {
    msg = asl_strfmt("RequestId: %s Error: Runtime exited without providing a reason", request_id);
  } else {
    msg = asl_strfmt("RequestId: %s Error: Runtime exited with error: exit status %lld",
                     request_id, (long long)status);
  }
  asl_buf_adds(b, "{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":");
  json_str(b, msg);
  asl_buf_adds(b, "}");
  asl_free(msg);
}

void asl__timeout_payload(asl_buf *b, const char *request_id, double timeout_s)
{
  char *msg =
      asl_strfmt("RequestId: %s Error: Task timed out after %.2f seconds", request_id, timeout_s);
  asl_buf_adds(b, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":");
  json_str(b, msg);
  asl_buf_adds(b, "}");
  asl_free(msg);
}

char *asl__log_stream_name(asl_handlers *h, int64_t now_ms)
{
  char uuid[37];
  asl__handlers_uuid(h, uuid);
  time_t t = (time_t)(now_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char hex[33];
  size_t o = 0;
  for (size_t i = 0; uuid[i]; i++)
    if (uuid[i] != '-')
      hex[o++] = uuid[i];
  hex[o] = '\0';
  return asl_strfmt("%04d/%02d/%02d/[$LATEST]%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                    hex);
}
