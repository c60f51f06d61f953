/* The readable report of `aslrun test`: each file's name, then one line a case (outcome, name,
 * real time; a case without expectations shows its result), and under a failing case each failed
 * expectation with its diff and the trace of the run; a summary line at the end. Coloured on a
 * terminal only. */
#include "test.h"

#include <string.h>

struct cli_text_report {
  FILE *f;
  bool colour;
  bool all_traces;
  const cli_test_file *last_file;
  asl_buf b;
};

enum { C_RED, C_GREEN, C_YELLOW, C_DIM, C_BOLD, C_OFF };
static const char *const colours[] = {"\033[31m", "\033[32m", "\033[33m",
                                      "\033[2m",  "\033[1m",  "\033[0m"};

cli_text_report *cli_text_report_new(FILE *f, bool colour, bool all_traces)
{
  cli_text_report *r = asl_calloc(1, sizeof *r);
  r->f = f;
  r->colour = colour;
  r->all_traces = all_traces;
  return r;
}

static void col(cli_text_report *r, int c)
{
  if (r->colour)
    asl_buf_adds(&r->b, colours[c]);
}

static void flush(cli_text_report *r)
{
  fwrite(r->b.data, 1, r->b.len, r->f);
  fflush(r->f);
  r->b.len = 0;
}

/* Each line of [text] indented by [indent]. */
static void indented(asl_buf *b, const char *indent, const char *text)
{
  const char *p = text;
  while (*p) {
    size_t n = strcspn(p, "\n");
    asl_buf_adds(b, indent);
    asl_buf_add(b, p, n);
    asl_buf_addc(b, '\n');
    p += n;
    if (*p)
      p++;
  }
}

static void file_header(cli_text_report *r, const cli_test_file *f)
{
  if (r->last_file == f)
    return;
  r->last_file = f;
  col(r, C_BOLD);
  asl_buf_adds(&r->b, f->path);
  col(r, C_OFF);
  asl_buf_addc(&r->b, '\n');
}

void cli_text_report_file_error(void *self, cli_test_file *f)
{
  cli_text_report *r = self;
  file_header(r, f);
  asl_buf_adds(&r->b, "  ");
  col(r, C_RED);
  asl_buf_adds(&r->b, "ERROR");
  col(r, C_OFF);
  asl_buf_adds(&r->b, " the file cannot be used:\n");
  indented(&r->b, "        ", f->error);
  flush(r);
}

void cli_text_report_case(void *self, cli_test_case *c)
{
  cli_text_report *r = self;
  const cli_case_result *res = &c->res;
  file_header(r, c->file);
  asl_buf_adds(&r->b, "  ");
  int colour = res->outcome == CLI_CASE_PASSED || res->outcome == CLI_CASE_UPDATED ? C_GREEN
               : res->outcome == CLI_CASE_SKIPPED || res->outcome == CLI_CASE_NOT_RUN
                   ? C_YELLOW
                   : C_RED;
  col(r, colour);
  asl_buf_printf(&r->b, "%-5s", cli_outcome_word(res->outcome));
  col(r, C_OFF);
  asl_buf_printf(&r->b, " %s", c->name);
  if (res->outcome == CLI_CASE_SKIPPED) {
    asl_buf_printf(&r->b, " (%s)\n", c->skip);
    flush(r);
    return;
  }
  if (res->outcome == CLI_CASE_NOT_RUN) {
    asl_buf_adds(&r->b, " (interrupted before it ran)\n");
    flush(r);
    return;
  }
  if (!c->expect && res->outcome != CLI_CASE_ERROR) {
    asl_buf_adds(&r->b, "  ");
    cli_result_summary(c, 100, &r->b);
  }
  if (res->outcome != CLI_CASE_ERROR) {
    col(r, C_DIM);
    asl_buf_printf(&r->b, "  %.2f ms", res->real_ms);
    col(r, C_OFF);
  }
  asl_buf_addc(&r->b, '\n');
  bool failed = res->outcome == CLI_CASE_FAILED || res->outcome == CLI_CASE_ERROR;
  for (size_t i = 0; i < res->failures.len; i++) {
    const cli_failure *fl = &res->failures.items[i];
    indented(&r->b, "        ", fl->message);
    if (fl->detail)
      indented(&r->b, "          ", fl->detail);
  }
  if ((failed || r->all_traces) && res->trace.len) {
    asl_buf_adds(&r->b, "        trace");
    if (res->execution_name)
      asl_buf_printf(&r->b, " of execution %s", res->execution_name);
    asl_buf_adds(&r->b, ":\n");
    indented(&r->b, "        ", res->trace.data);
  }
  flush(r);
}

void cli_text_report_end(cli_text_report *r, const cli_report_totals *t)
{
  size_t bad = t->failed + t->errors + t->bad_files;
  col(r, bad ? C_RED : C_GREEN);
  asl_buf_printf(&r->b, "%zu passed, %zu failed", t->passed + t->updated, t->failed);
  if (t->errors)
    asl_buf_printf(&r->b, ", %zu could not run", t->errors);
  if (t->bad_files)
    asl_buf_printf(&r->b, ", %zu test file%s unusable", t->bad_files,
                   t->bad_files == 1 ? "" : "s");
  if (t->skipped)
    asl_buf_printf(&r->b, ", %zu skipped", t->skipped);
  if (t->updated)
    asl_buf_printf(&r->b, " (%zu updated)", t->updated);
  col(r, C_OFF);
  asl_buf_printf(&r->b, " in %.3f s\n", t->real_ms / 1000.0);
  if (t->failed + t->errors)
    asl_buf_printf(&r->b, "seed %llu: --seed %llu repeats these executions exactly\n",
                   (unsigned long long)t->seed, (unsigned long long)t->seed);
  flush(r);
  asl_buf_free(&r->b);
  asl_free(r);
}
