/* Option parsing shared by the commands: "--name value", "--name=value", "--" ends the
 * options, and every mistake is a usage error that points to the command's --help. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

int cli_usage_error(const char *command, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("aslrun: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (command)
    fprintf(stderr, "\nTry 'aslrun %s --help' for its options.\n", command);
  else
    fputs("\nTry 'aslrun --help' for the commands.\n", stderr);
  return CLI_USAGE;
}

int cli_next(cli_args *a, const cli_opt *opts, const char **value)
{
  *value = NULL;
  if (a->i >= a->argc)
    return CLI_ARG_END;
  const char *arg = a->argv[a->i++];
  if (a->only_positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
    *value = arg;
    return CLI_ARG_POSITIONAL;
  }
  if (strcmp(arg, "--") == 0) {
    a->only_positional = true;
    return cli_next(a, opts, value);
  }
  const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
  size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
  for (const cli_opt *o = opts; o->name; o++) {
    bool is_name = strlen(o->name) == n && strncmp(o->name, arg, n) == 0;
    bool is_alias = o->alias && !eq && strcmp(o->alias, arg) == 0;
    if (!is_name && !is_alias)
      continue;
    if (o->takes_value == CLI_VALUE_NONE) {
      if (eq) {
        cli_usage_error(a->command, "option '%s' takes no value", o->name);
        return CLI_ARG_ERROR;
      }
      return o->id;
    }
    if (o->takes_value == CLI_VALUE_OPTIONAL) {
      *value = eq ? eq + 1 : NULL;
      return o->id;
    }
    if (eq) {
      *value = eq + 1;
    } else if (a->i < a->argc) {
      *value = a->argv[a->i++];
    } else {
      cli_usage_error(a->command, "option '%s' needs a value", o->name);
      return CLI_ARG_ERROR;
    }
    return o->id;
  }
  cli_usage_error(a->command, "unknown option '%.*s'", (int)n, arg);
  return CLI_ARG_ERROR;
}
