/* Task states: Resource (checked by resource.c), TimeoutSeconds/HeartbeatSeconds and their
 * Path forms, and Credentials. Parameters, ResultSelector, Retry and Catch are shared with other
 * states (common.c, retry_catch.c). */
#include "internal.h"

#include <string.h>

#define MAX_TASK_SECONDS 99999999

/* TimeoutSeconds or HeartbeatSeconds with its Path twin; returns the literal value or 0. */
static int64_t load_seconds(state_ctx *c, field_id lit, field_id path, asl_path **out_path,
                            asl_jsonata_template **out_expr)
{
  loader *L = c->L;
  asl_state *st = c->st;
  const char *lname = asl__field_names[lit];
  const char *pname = asl__field_names[path];
  if (c->f[lit].v && c->f[path].v) {
    asl__sdiag(c, path, true, "a Task state may have %s or %s, not both; keep one", lname, pname);
    return 0;
  }
  int64_t value = 0;
  if (c->f[lit].v) {
    if (c->jsonata && asl__is_jsonata_expr(c->f[lit].v))
      *out_expr = asl__compile_jsonata(L, &c->f[lit], st->pointer, lname, lname, 0);
    else
      asl__want_int(L, &c->f[lit], st->pointer, lname, 1, MAX_TASK_SECONDS,
                    c->jsonata ? "a positive integer (at most 99999999) or a JSONata expression "
                                 "\"{% ... %}\""
                               : "a positive integer (at most 99999999)",
                    &value);
  }
  if (c->f[path].v && asl__compile_value_path(L, &c->f[path], st->pointer, pname, out_path) &&
      asl_path_is_context(*out_path))
    st->uses_context = true;
  return value;
}

enum { K_ROLE_ARN, K_ROLE_ARN_PATH, K_COUNT };
static const char *const credential_fields[K_COUNT] = {"RoleArn", "RoleArn.$"};

static void load_credentials(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *s = &c->f[F_CREDENTIALS];
  char *ptr = asl__ptr(st->pointer, "Credentials");
  slot f[K_COUNT];
  if (!asl__scan_object(L, s->v, asl__vpos(s), ptr, "Credentials", credential_fields, K_COUNT, f)) {
    asl_free(ptr);
    return;
  }
  st->u.task.credentials = s->v;
  if (f[K_ROLE_ARN].v && f[K_ROLE_ARN_PATH].v) {
    asl__diag(L, f[K_ROLE_ARN_PATH].kpos, ptr, "RoleArn.$",
              "Credentials may have RoleArn or \"RoleArn.$\", not both; keep one");
  } else if (f[K_ROLE_ARN].v) {
    if (!asl__want_string(L, &f[K_ROLE_ARN], ptr, "RoleArn"))
      ;
    else if (c->jsonata && asl__is_jsonata_expr(f[K_ROLE_ARN].v))
      st->u.task.role_arn_expr =
          asl__compile_jsonata(L, &f[K_ROLE_ARN], ptr, "RoleArn", "Credentials/RoleArn", 0);
    else
      st->u.task.role_arn = asl__arena_str(L, f[K_ROLE_ARN].v);
  } else if (f[K_ROLE_ARN_PATH].v) {
    if (c->jsonata)
      asl__diag(L, f[K_ROLE_ARN_PATH].kpos, ptr, "RoleArn.$",
                "\"RoleArn.$\" is JSONPath and this state uses JSONata; use \"RoleArn\": "
                "\"{%% ... %%}\"");
    else if (asl__compile_expr(L, &f[K_ROLE_ARN_PATH], ptr, "RoleArn.$",
                               ASL_EXPR_PATHS | ASL_EXPR_INTRINSICS, &st->u.task.role_arn_path) &&
             asl_expr_uses_context(st->u.task.role_arn_path))
      st->uses_context = true;
  } else {
    asl__diag(L, asl__vpos(s), ptr, NULL,
              "Credentials needs \"RoleArn\": the ARN of the IAM role the task runs as");
  }
  asl_free(ptr);
}

void asl__load_task(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *res = &c->f[F_RESOURCE];
  if (!res->v) {
    if (asl__missing(c, F_RESOURCE))
      asl__diag(L, st->offset, st->pointer, NULL,
                "missing \"Resource\": the ARN of what the task runs, e.g. "
                "\"arn:aws:states:::lambda:invoke\" or a Lambda function's ARN");
  } else if (asl__want_string(L, res, st->pointer, "Resource")) {
    st->u.task.resource = asl__arena_str(L, res->v);
    asl__check_resource(c, asl_json_str(res->v), asl_json_str_len(res->v));
  }
  int64_t timeout =
      load_seconds(c, F_TIMEOUT_SECONDS, F_TIMEOUT_SECONDS_PATH, &st->u.task.timeout_seconds_path,
                   &st->u.task.timeout_seconds_expr);
  int64_t heartbeat =
      load_seconds(c, F_HEARTBEAT_SECONDS, F_HEARTBEAT_SECONDS_PATH,
                   &st->u.task.heartbeat_seconds_path, &st->u.task.heartbeat_seconds_expr);
  st->u.task.timeout_seconds = timeout;
  st->u.task.heartbeat_seconds = heartbeat;
  if (timeout > 0 && heartbeat > 0 && heartbeat >= timeout)
    asl__sdiag(c, F_HEARTBEAT_SECONDS, false,
               "HeartbeatSeconds (%lld) must be smaller than TimeoutSeconds (%lld): a heartbeat "
               "is expected several times before the task times out",
               (long long)heartbeat, (long long)timeout);
  if (c->f[F_CREDENTIALS].v)
    load_credentials(c);
}
