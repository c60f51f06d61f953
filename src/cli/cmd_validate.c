/* aslrun validate FILE...: every diagnostic of every file, as "file:line:col: /pointer: message"
 * lines or (--format json) one JSON array of {"file", "line", "column", "pointer", "message"}
 * for editors and CI; with --strict, the lints too ("... warning: message", asl_machine_lint),
 * checking Choice rules against --input-schema FILE. Exit 1 when any file has a problem (or,
 * with --strict, a warning), 2 when a file cannot be read. */
#include "cli.h"

#include <string.h>

enum { OPT_FORMAT = 1, OPT_STRICT, OPT_INPUT_SCHEMA, OPT_MAX_STATE_NAME, OPT_HELP };

static const cli_opt validate_opts[] = {
    {"--format", NULL, CLI_VALUE_REQUIRED, OPT_FORMAT},
    {"--strict", NULL, CLI_VALUE_NONE, OPT_STRICT},
    {"--input-schema", NULL, CLI_VALUE_REQUIRED, OPT_INPUT_SCHEMA},
    {"--max-state-name", NULL, CLI_VALUE_REQUIRED, OPT_MAX_STATE_NAME},
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

static void add_json_diags(asl_json *out, const char *file, const asl_diags *d, const char *text,
                           size_t len)
{
  for (size_t i = 0; i < d->len; i++) {
    const asl_diag *x = &d->items[i];
    int line = 1;
    int col = 1;
    if (x->offset != ASL_NOPOS)
      asl_text_linecol(text, len, x->offset, &line, &col);
    asl_json *o = asl_json_object(5);
    asl_json_obj_put_cstr(o, "file", asl_json_cstr(file));
    asl_json_obj_put_cstr(o, "line", asl_json_int(line));
    asl_json_obj_put_cstr(o, "column", asl_json_int(col));
    asl_json_obj_put_cstr(o, "pointer", asl_json_cstr(x->pointer));
    asl_json_obj_put_cstr(o, "message", asl_json_cstr(x->message));
    asl_json_arr_push(out, o);
  }
}

int cli_validate(int argc, char **argv, int first)
{
  cli_args a = {"validate", argv, argc, first, false};
  const char *value;
  bool json = false;
  bool strict = false;
  const char *schema_path = NULL;
  cli_exec_settings settings = {0};
  int id;
  ASL_VEC(const char *) files = {0};
  while ((id = cli_next(&a, validate_opts, &value)) != CLI_ARG_END) {
    if (id == CLI_ARG_ERROR) {
      ASL_VEC_FREE(files);
      return CLI_USAGE;
    }
    if (id == OPT_HELP) {
      ASL_VEC_FREE(files);
      fputs(cli_help_validate, stdout);
      return CLI_OK;
    }
    if (id == OPT_STRICT) {
      strict = true;
      continue;
    }
    if (id == OPT_INPUT_SCHEMA) {
      schema_path = value;
      continue;
    }
    if (id == OPT_MAX_STATE_NAME) {
      int code = cli_exec_setting("validate", CLI_OPT_MAX_STATE_NAME, value, &settings);
      if (code != CLI_OK) {
        ASL_VEC_FREE(files);
        return code;
      }
      continue;
    }
    if (id == OPT_FORMAT) {
      if (strcmp(value, "json") == 0) {
        json = true;
      } else if (strcmp(value, "text") == 0) {
        json = false;
      } else {
        ASL_VEC_FREE(files);
        return cli_usage_error("validate", "--format takes 'text' or 'json', not '%s'", value);
      }
      continue;
    }
    ASL_VEC_PUSH(files, value);
  }
  if (files.len == 0)
    return cli_usage_error("validate", "missing the definition file(s) to validate");
  if (schema_path && !strict) {
    ASL_VEC_FREE(files);
    return cli_usage_error("validate", "--input-schema checks Choice rules, one of the lints of "
                                       "--strict: give --strict too");
  }
  asl_json *schema = NULL;
  if (schema_path) {
    schema = cli_read_json(schema_path);
    if (!schema) {
      ASL_VEC_FREE(files);
      return CLI_USAGE;
    }
    if (!asl_json_is_object(schema) && !asl_json_is_bool(schema)) {
      asl_json_decref(schema);
      ASL_VEC_FREE(files);
      return cli_usage_error("validate", "%s is not a JSON Schema (an object, or true/false)",
                             schema_path);
    }
  }
  asl_lint_opts lint = {.input_schema = schema};

  bool problems = false;
  bool unreadable = false;
  asl_json *all = json ? asl_json_array(0) : NULL;
  asl_buf out = ASL_BUF_INIT;
  for (size_t i = 0; i < files.len; i++) {
    char *text = NULL;
    size_t len = 0;
    if (!cli_read_file(files.items[i], &text, &len)) {
      unreadable = true;
      continue;
    }
    asl_diags d = ASL_DIAGS_INIT;
    asl_machine *m = asl_machine_load_text(text, len, &settings.load, &d);
    if (m && strict)
      asl_machine_lint(m, &lint, &d);
    asl_machine_free(m);
    if (d.len > 0) {
      problems = true;
      asl_diags_sort(&d);
      if (json)
        add_json_diags(all, files.items[i], &d, text, len);
      else
        asl_diags_print(&d, files.items[i], text, len, &out);
    }
    asl_diags_free(&d);
    asl_free(text);
  }
  if (json) {
    /* yajl's beautifier writes an empty array over three lines */
    if (asl_json_len(all) == 0)
      asl_buf_adds(&out, "[]");
    else
      asl_json_dump_buf(all, ASL_JSON_PRETTY, &out);
    asl_buf_addc(&out, '\n');
    asl_json_decref(all);
  }
  if (out.len > 0)
    fwrite(out.data, 1, out.len, stdout);
  asl_buf_free(&out);
  asl_json_decref(schema);
  ASL_VEC_FREE(files);
  if (unreadable)
    return CLI_USAGE;
  return problems ? CLI_FAILED : CLI_OK;
}
