/* --tap: the report as TAP version 13 on stdout: the plan first (every selected case and every
 * unusable file is one test point), then "ok"/"not ok" lines in file and case order, with a YAML
 * block of diagnostics under a failure (its messages, diffs, result and trace, as YAML
 * double-quoted strings, which escape everything) and "# SKIP" for skipped cases. */
#include "test.h"

#include <string.h>

struct cli_tap_report {
  FILE *f;
  size_t n;
  bool with_trace;
  asl_buf b;
};

cli_tap_report *cli_tap_report_new(FILE *f, size_t planned, bool with_trace)
{
  cli_tap_report *r = asl_calloc(1, sizeof *r);
  r->f = f;
  r->with_trace = with_trace;
  fprintf(f, "TAP version 13\n1..%zu\n", planned);
  return r;
}

/* A test point's description: one line, '#' escaped (it would start a directive). */
static void description(asl_buf *b, const char *file, const char *name)
{
  asl_buf_adds(b, " - ");
  for (int part = 0; part < 2; part++) {
    const char *s = part ? name : file;
    if (!s)
      continue;
    if (part)
      asl_buf_adds(b, ": ");
    for (const char *p = s; *p; p++) {
      if (*p == '#')
        asl_buf_adds(b, "\\#");
      else if (*p == '\n' || *p == '\r')
        asl_buf_addc(b, ' ');
      else
        asl_buf_addc(b, *p);
    }
  }
}

/* key: "value" with JSON's escapes, which YAML's double-quoted scalars read the same way. */
static void yaml_str(asl_buf *b, const char *indent, const char *key, const char *value)
{
  asl_json *s = asl_json_cstr(value);
  asl_buf_printf(b, "%s%s: ", indent, key);
  asl_json_dump_buf(s, ASL_JSON_COMPACT, b);
  asl_buf_addc(b, '\n');
  asl_json_decref(s);
}

static void flush(cli_tap_report *r)
{
  fwrite(r->b.data, 1, r->b.len, r->f);
  fflush(r->f);
  r->b.len = 0;
}

void cli_tap_report_file_error(void *self, cli_test_file *f)
{
  cli_tap_report *r = self;
  asl_buf_printf(&r->b, "not ok %zu", ++r->n);
  description(&r->b, f->path, NULL);
  asl_buf_adds(&r->b, "\n  ---\n");
  yaml_str(&r->b, "  ", "message", "the test file cannot be used");
  yaml_str(&r->b, "  ", "severity", "fail");
  yaml_str(&r->b, "  ", "problems", f->error);
  asl_buf_adds(&r->b, "  ...\n");
  flush(r);
}

void cli_tap_report_case(void *self, cli_test_case *c)
{
  cli_tap_report *r = self;
  const cli_case_result *res = &c->res;
  bool ok = res->outcome == CLI_CASE_PASSED || res->outcome == CLI_CASE_SKIPPED ||
            res->outcome == CLI_CASE_UPDATED;
  asl_buf_printf(&r->b, "%s %zu", ok ? "ok" : "not ok", ++r->n);
  description(&r->b, c->file->path, c->name);
  if (res->outcome == CLI_CASE_SKIPPED) {
    asl_buf_adds(&r->b, " # SKIP ");
    for (const char *p = c->skip; *p; p++)
      asl_buf_addc(&r->b, *p == '\n' ? ' ' : *p);
  }
  asl_buf_addc(&r->b, '\n');
  bool show = !ok || (r->with_trace && res->outcome != CLI_CASE_SKIPPED);
  if (show) {
    asl_buf_adds(&r->b, "  ---\n");
    if (res->outcome == CLI_CASE_NOT_RUN) {
      yaml_str(&r->b, "  ", "message", "interrupted before it ran");
    } else {
      if (res->failures.len)
        yaml_str(&r->b, "  ", "message", res->failures.items[0].message);
      yaml_str(&r->b, "  ", "severity", ok ? "comment" : "fail");
      if (res->outcome != CLI_CASE_ERROR) {
        asl_buf sum = ASL_BUF_INIT;
        cli_result_summary(c, 2000, &sum);
        yaml_str(&r->b, "  ", "result", sum.data);
        asl_buf_free(&sum);
        asl_buf_printf(&r->b, "  duration_ms: %.3f\n", res->real_ms);
      }
      if (res->failures.len) {
        asl_buf_adds(&r->b, "  failures:\n");
        for (size_t i = 0; i < res->failures.len; i++) {
          yaml_str(&r->b, "    - ", "message", res->failures.items[i].message);
          if (res->failures.items[i].detail)
            yaml_str(&r->b, "      ", "diff", res->failures.items[i].detail);
        }
      }
      if (res->trace.len)
        yaml_str(&r->b, "  ", "trace", res->trace.data);
    }
    asl_buf_adds(&r->b, "  ...\n");
  }
  flush(r);
}

void cli_tap_report_end(cli_tap_report *r, const cli_report_totals *t)
{
  asl_buf_printf(&r->b, "# %zu passed, %zu failed, %zu could not run, %zu skipped in %.3f s\n",
                 t->passed + t->updated, t->failed + t->bad_files, t->errors, t->skipped,
                 t->real_ms / 1000.0);
  if (t->failed + t->errors)
    asl_buf_printf(&r->b, "# seed %llu: --seed %llu repeats these executions exactly\n",
                   (unsigned long long)t->seed, (unsigned long long)t->seed);
  flush(r);
  asl_buf_free(&r->b);
  asl_free(r);
}
