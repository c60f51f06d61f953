/* What `run`, `test`, `replay` and `graph` share before an execution: loading a definition file
 * (its diagnostics printed as file:line:col), the name Step Functions Local gives a machine, the
 * payload limit from --payload-limit or the ASLRUN_PAYLOAD_LIMIT environment variable, and the
 * options of determinism, quotas and tracing (--seed, --start-time, --max-*, --trace). The
 * handler registry has its own file (run_handlers.c). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

asl_machine *cli_load_machine(const char *path, asl_buf *messages)
{
  return cli_load_machine_with(path, NULL, messages);
}

asl_machine *cli_load_machine_with(const char *path, const asl_load_opts *opts,
                                   asl_buf *messages)
{
  char *text = NULL;
  size_t len = 0;
  if (!cli_read_file(path, &text, &len))
    return NULL;
  asl_diags diags = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(text, len, opts, &diags);
  if (!m) {
    asl_buf b = ASL_BUF_INIT;
    asl_diags_sort(&diags);
    asl_diags_print(&diags, path, text, len, messages ? messages : &b);
    if (b.len)
      fwrite(b.data, 1, b.len, stderr);
    asl_buf_free(&b);
  }
  asl_diags_free(&diags);
  asl_free(text);
  return m;
}

char *cli_machine_name(const char *path)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".json") == 0)
    n -= 5;
  if (n == 0)
    return asl_strdup("StateMachine");
  if (n > 80)
    n = asl_utf8_floor(base, 80);
  char *name = asl_strndup(base, n);
  for (char *p = name; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", c))
      *p = '_';
  }
  return name;
}

bool cli_parse_limit(const char *text, size_t *out)
{
  if (strcmp(text, "none") == 0) {
    *out = SIZE_MAX;
    return true;
  }
  if (!*text)
    return false;
  size_t v = 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
      return false;
    v = v * 10 + (size_t)(*p - '0');
  }
  if (v == 0)
    return false;
  *out = v;
  return true;
}

static bool parse_quota(const char *text, int64_t min, int64_t *out);

int cli_limits_env(const char *command, cli_exec_settings *s)
{
  const char *env = getenv("ASLRUN_PAYLOAD_LIMIT");
  /* an option wins over the environment */
  if (!s->payload_limit && env && *env && !cli_parse_limit(env, &s->payload_limit))
    return cli_usage_error(command,
                           "ASLRUN_PAYLOAD_LIMIT takes a number of bytes (at least 1) or 'none', "
                           "not '%s'",
                           env);
  env = getenv("ASLRUN_MAX_HISTORY_EVENTS");
  if (!s->quotas.max_history_events && env && *env &&
      !parse_quota(env, 2, &s->quotas.max_history_events))
    return cli_usage_error(command,
                           "ASLRUN_MAX_HISTORY_EVENTS takes a number of events (at least 2) or "
                           "'none', not '%s'",
                           env);
  return CLI_OK;
}

/* ------------------------------------------------------- determinism, quotas ---- */

static bool parse_u64(const char *text, uint64_t *out)
{
  if (!*text)
    return false;
  uint64_t v = 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
      return false;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  *out = v;
  return true;
}

/* A quota: a whole number from [min], or "none" (ASL_QUOTA_NONE). */
static bool parse_quota(const char *text, int64_t min, int64_t *out)
{
  if (strcmp(text, "none") == 0) {
    *out = ASL_QUOTA_NONE;
    return true;
  }
  uint64_t v;
  if (!parse_u64(text, &v) || v >= (uint64_t)ASL_QUOTA_NONE || (int64_t)v < min)
    return false;
  *out = (int64_t)v;
  return true;
}

int cli_exec_setting(const char *command, int id, const char *value, cli_exec_settings *s)
{
  switch (id) {
  case CLI_OPT_SEED:
    if (!parse_u64(value, &s->seed))
      return cli_usage_error(command, "--seed takes a whole number from 0 to %llu, not '%s'",
                             (unsigned long long)UINT64_MAX, value);
    s->has_seed = true;
    return CLI_OK;
  case CLI_OPT_START_TIME: {
    asl_timestamp ts;
    if (!asl_timestamp_parse(value, strlen(value), &ts))
      return cli_usage_error(command,
                             "--start-time takes an RFC 3339 timestamp such as "
                             "2024-01-01T00:00:00Z, not '%s'",
                             value);
    if (ts.seconds <= 0 || ts.seconds > INT64_C(253402300799))
      return cli_usage_error(command, "--start-time must fall between 1970 and 9999, not '%s'",
                             value);
    s->has_start_time = true;
    s->start_time_ms = ts.seconds * 1000 + ts.nanos / 1000000;
    return CLI_OK;
  }
  case CLI_OPT_MAX_HISTORY:
    if (!parse_quota(value, 2, &s->quotas.max_history_events))
      return cli_usage_error(command,
                             "--max-history-events takes a number of events (at least 2: "
                             "ExecutionStarted is event 1) or 'none', not '%s'",
                             value);
    return CLI_OK;
  case CLI_OPT_MAX_DURATION:
    if (!parse_quota(value, 1, &s->quotas.max_duration_seconds))
      return cli_usage_error(command,
                             "--max-duration takes a number of seconds (at least 1) or 'none', "
                             "not '%s'",
                             value);
    return CLI_OK;
  case CLI_OPT_INLINE_MAP:
  case CLI_OPT_DISTRIBUTED_MAP: {
    int64_t *q = id == CLI_OPT_INLINE_MAP ? &s->quotas.inline_map_concurrency
                                          : &s->quotas.distributed_map_concurrency;
    if (!parse_quota(value, 1, q))
      return cli_usage_error(command, "%s takes a number of iterations (at least 1) or 'none', "
                                      "not '%s'",
                             id == CLI_OPT_INLINE_MAP ? "--inline-map-concurrency"
                                                      : "--distributed-map-concurrency",
                             value);
    return CLI_OK;
  }
  case CLI_OPT_PAYLOAD_LIMIT:
    if (!cli_parse_limit(value, &s->payload_limit))
      return cli_usage_error(command,
                             "--payload-limit takes a number of bytes (at least 1) or 'none', "
                             "not '%s'",
                             value);
    return CLI_OK;
  case CLI_OPT_TRACE:
    if (value && strcmp(value, "json") != 0 && strcmp(value, "text") != 0)
      return cli_usage_error(command, "--trace takes 'text' (the default) or 'json', not '%s'",
                             value);
    s->trace = true;
    s->trace_json = value && strcmp(value, "json") == 0;
    return CLI_OK;
  case CLI_OPT_MAX_STATE_NAME:
    if (!parse_quota(value, 1, &s->load.max_state_name))
      return cli_usage_error(command,
                             "--max-state-name takes a number of characters (at least 1) or "
                             "'none', not '%s'",
                             value);
    return CLI_OK;
  default:
    return cli_usage_error(command, "internal: option %d is not a shared one", id);
  }
}

void cli_exec_apply(const cli_exec_settings *s, asl_exec_opts *o)
{
  o->has_seed = s->has_seed;
  o->seed = s->seed;
  o->quotas = s->quotas;
  if (o->virtual_time && s->has_start_time)
    o->start_time_ms = s->start_time_ms;
  else if (o->virtual_time && s->has_seed)
    o->start_time_ms = CLI_SEEDED_START_MS;
  o->exact_time = o->virtual_time && s->has_seed;
}

uint64_t cli_random_seed(void)
{
  uint64_t v = 0;
  if (uv_random(NULL, NULL, &v, sizeof v, 0, NULL) != 0)
    v = uv_hrtime();
  /* short enough to type back in: 10 decimal digits at most */
  return v % UINT64_C(10000000000);
}
