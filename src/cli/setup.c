/* What `run`, `test` and `graph` share before an execution: loading a definition file (its
 * diagnostics printed as file:line:col), the name Step Functions Local gives a machine, and the
 * payload limit from --payload-limit or the ASLRUN_PAYLOAD_LIMIT environment variable. The
 * handler registry has its own file (run_handlers.c). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

asl_machine *cli_load_machine(const char *path, asl_buf *messages)
{
  char *text = NULL;
  size_t len = 0;
  if (!cli_read_file(path, &text, &len))
    return NULL;
  asl_diags diags = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(text, len, NULL, &diags);
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
  if (n > 80) {
    n = 80;
    while (n > 0 && ((unsigned char)base[n] & 0xC0) == 0x80)
      n--;
  }
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

int cli_payload_limit_env(const char *command, size_t *limit)
{
  if (*limit)
    return CLI_OK; /* --payload-limit wins */
  const char *env = getenv("ASLRUN_PAYLOAD_LIMIT");
  if (!env || !*env)
    return CLI_OK;
  if (!cli_parse_limit(env, limit))
    return cli_usage_error(command,
                           "ASLRUN_PAYLOAD_LIMIT takes a number of bytes (at least 1) or 'none', "
                           "not '%s'",
                           env);
  return CLI_OK;
}
