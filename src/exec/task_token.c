/* Task tokens of .waitForTaskToken Tasks: making them, the execution's table of every token it
 * issued (waiting or ended), and the SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat entry
 * points that look a token up and hand the answer to its Task (state_task.c delivers it from the
 * loop). A token is base64 of "aslrun:1:<execution ARN>:<random>", so that a server finds the
 * execution without a table of its own and tells a token it never issued from one that ended. */
#include "internal.h"

#include <string.h>
#include <uthash.h>

#define TOKEN_PREFIX "aslrun:1:"

struct asl__token {
  char *text;
  asl_run *run; /* the Task attempt waiting for it; NULL once it no longer waits */
  UT_hash_handle hh;
};

/* NULL when [s] is not canonical, padded base64 */
static char *base64_decode(const char *s, size_t *out_len)
{
  size_t n = strlen(s);
  if (n == 0 || n % 4 != 0)
    return NULL;
  size_t data = n;
  while (data > n - 2 && s[data - 1] == '=')
    data--;
  asl_buf b = ASL_BUF_INIT;
  if (asl_base64_decode(s, data, 0, &b) != data) {
    asl_buf_free(&b);
    return NULL;
  }
  return asl_buf_steal(&b, out_len);
}

asl_json *asl__task_token_new(asl_exec *e)
{
  /* the count makes tokens of one execution distinct even when its random source repeats */
  uint64_t a = asl__exec_random(e);
  uint64_t c = asl__exec_random(e);
  char *plain = asl_strfmt(TOKEN_PREFIX "%s:%llx%016llx%016llx", e->arn,
                           (unsigned long long)e->token_count++, (unsigned long long)a,
                           (unsigned long long)c);
  asl_buf enc = ASL_BUF_INIT;
  asl_base64_encode(plain, strlen(plain), &enc);
  char *text = asl_buf_steal(&enc, NULL);
  asl_free(plain);
  asl__token *t = asl_calloc(1, sizeof *t);
  t->text = text;
  HASH_ADD_KEYPTR(hh, e->tokens, t->text, strlen(t->text), t);
  return asl_json_cstr(text);
}

char *asl_task_token_execution(const char *token)
{
  if (!token || strlen(token) > 4096)
    return NULL;
  size_t n;
  char *plain = base64_decode(token, &n);
  if (!plain)
    return NULL;
  char *arn = NULL;
  const char *last = strrchr(plain, ':');
  size_t pre = sizeof TOKEN_PREFIX - 1;
  if (strlen(plain) == n && n > pre && strncmp(plain, TOKEN_PREFIX, pre) == 0 && last &&
      last > plain + pre)
    arn = asl_strndup(plain + pre, (size_t)(last - plain - pre));
  asl_free(plain);
  return arn;
}

void asl__tokens_free(asl_exec *e)
{
  asl__token *t, *tmp;
  HASH_ITER(hh, e->tokens, t, tmp)
  {
    HASH_DEL(e->tokens, t);
    asl_free(t->text);
    asl_free(t);
  }
}

/* ---------------------------------------------------------------- waiting ---- */

bool asl__task_is_callback(asl_run *r, bool *invoke)
{
  asl_exec *e = r->exec;
  const asl_state *st = r->state;
  *invoke = false;
  if (!e->has_token_sink || !asl__resource_is_callback(st->u.task.resource))
    return false;
  if (!e->handlers)
    return true;
  switch (asl_handlers_callback(e->handlers, st->name, r->u.task.style)) {
  case ASL_CALLBACK_MOCK:
    return false; /* the mock answers for the callback, as in Step Functions Local */
  case ASL_CALLBACK_FUNCTION:
    *invoke = true;
    return true;
  case ASL_CALLBACK_WAIT:
    return true;
  }
  return true;
}

static const char *context_token(const asl_run *r)
{
  const asl_json *task = r->context ? asl_json_get_cstr(r->context, "Task") : NULL;
  const asl_json *tok = task ? asl_json_get_cstr(task, "Token") : NULL;
  return tok && asl_json_is_string(tok) ? asl_json_str(tok) : NULL;
}

void asl__task_wait_begin(asl_run *r)
{
  asl_exec *e = r->exec;
  const char *text = context_token(r);
  asl__token *t = NULL;
  if (text)
    HASH_FIND_STR(e->tokens, text, t);
  /* every callback Task's context has a token from asl__task_token_new */
  if (!t)
    return;
  t->run = r;
  r->u.task.token = t;
  if (e->token_sink.on_wait)
    e->token_sink.on_wait(e->token_sink.data, e, t->text, r->state->name);
}

void asl__task_wait_end(asl_run *r)
{
  asl__token *t = r->u.task.token;
  if (!t)
    return;
  asl_exec *e = r->exec;
  t->run = NULL;
  r->u.task.token = NULL;
  if (e->token_sink.on_end)
    e->token_sink.on_end(e->token_sink.data, e, t->text);
}

/* ---------------------------------------------------------------- answers ---- */

/* The Task waiting for [token], or NULL and AWS's error in [err]. */
static asl_run *waiting_task(asl_exec *e, const char *token, asl_error *err)
{
  asl__token *t = NULL;
  if (token)
    HASH_FIND_STR(e->tokens, token, t);
  if (!t) {
    asl_error_set(err, ASL_E_USAGE, "TaskDoesNotExist",
                  "Task Does Not Exist: 'Provided task does not exist'");
    return NULL;
  }
  if (!t->run) {
    asl_error_set(err, ASL_E_USAGE, "TaskTimedOut",
                  "Task Timed Out: 'Provided task does not exist anymore'");
    return NULL;
  }
  return t->run;
}

asl_status asl_exec_task_success(asl_exec *e, const char *token, const asl_json *output,
                                 asl_error *err)
{
  asl_run *r = waiting_task(e, token, err);
  if (!r)
    return err->code;
  asl__task_callback_answer(r, output, NULL, NULL);
  return ASL_OK;
}

asl_status asl_exec_task_failure(asl_exec *e, const char *token, const char *error,
                                 const char *cause, asl_error *err)
{
  asl_run *r = waiting_task(e, token, err);
  if (!r)
    return err->code;
  asl__task_callback_answer(r, NULL, error, cause);
  return ASL_OK;
}

asl_status asl_exec_task_heartbeat(asl_exec *e, const char *token, asl_error *err)
{
  asl_run *r = waiting_task(e, token, err);
  if (!r)
    return err->code;
  asl__task_callback_heartbeat(r);
  return ASL_OK;
}
