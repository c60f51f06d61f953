/* --junit FILE: JUnit XML as Jenkins, GitLab and GitHub Actions read it: <testsuites> with one
 * <testsuite> a test file and one <testcase> a case, <failure message type> for a failed
 * expectation (the text holds every message, diff and the trace), <error> for a case or file
 * that could not run, <skipped/> for skipped cases. Text is escaped for XML 1.0: markup
 * characters as entities, terminal colours removed, other characters XML forbids as U+FFFD. */
#include "test.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void xml_text(asl_buf *b, const char *s, bool attribute)
{
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned char ch = *p;
    if (ch == 0x1B && p[1] == '[') {
      /* a terminal colour (ESC [ ... m): nothing for a report */
      p += 2;
      while (*p && !((*p >= 0x40 && *p <= 0x7E)))
        p++;
      if (*p)
        p++;
      continue;
    }
    switch (ch) {
    case '&':
      asl_buf_adds(b, "&amp;");
      break;
    case '<':
      asl_buf_adds(b, "&lt;");
      break;
    case '>':
      asl_buf_adds(b, "&gt;");
      break;
    case '"':
      asl_buf_adds(b, attribute ? "&quot;" : "\"");
      break;
    case '\n':
    case '\t':
    case '\r':
      if (attribute)
        asl_buf_printf(b, "&#%d;", ch);
      else
        asl_buf_addc(b, (char)ch);
      break;
    default:
      if (ch < 0x20) {
        asl_buf_adds(b, "\xEF\xBF\xBD");
      } else if (ch < 0x80) {
        asl_buf_addc(b, (char)ch);
      } else {
        /* a whole UTF-8 sequence, or U+FFFD for a broken one */
        size_t n = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
        bool whole = n > 1;
        for (size_t i = 1; whole && i < n; i++)
          whole = p[i] != 0;
        whole = whole && asl_utf8_valid((const char *)p, n);
        if (whole) {
          asl_buf_add(b, p, n);
          p += n;
          continue;
        }
        asl_buf_adds(b, "\xEF\xBF\xBD");
      }
    }
    p++;
  }
}

static void attr(asl_buf *b, const char *name, const char *value)
{
  asl_buf_printf(b, " %s=\"", name);
  xml_text(b, value, true);
  asl_buf_addc(b, '"');
}

static void failure_text(asl_buf *b, const cli_test_case *c)
{
  asl_buf t = ASL_BUF_INIT;
  for (size_t i = 0; i < c->res.failures.len; i++) {
    asl_buf_printf(&t, "%s\n", c->res.failures.items[i].message);
    if (c->res.failures.items[i].detail)
      asl_buf_printf(&t, "%s", c->res.failures.items[i].detail);
  }
  if (c->res.outcome != CLI_CASE_ERROR) {
    asl_buf_adds(&t, "result: ");
    cli_result_summary(c, 2000, &t);
    asl_buf_addc(&t, '\n');
  }
  if (c->res.trace.len)
    asl_buf_printf(&t, "trace:\n%s", c->res.trace.data);
  xml_text(b, t.data ? t.data : "", false);
  asl_buf_free(&t);
}

static void testcase(asl_buf *b, const cli_test_case *c)
{
  const cli_case_result *r = &c->res;
  asl_buf_adds(b, "    <testcase");
  attr(b, "name", c->name);
  attr(b, "classname", c->file->path);
  asl_buf_printf(b, " time=\"%.6f\"", r->real_ms / 1000.0);
  switch (r->outcome) {
  case CLI_CASE_PASSED:
  case CLI_CASE_UPDATED:
    asl_buf_adds(b, "/>\n");
    return;
  case CLI_CASE_SKIPPED:
    asl_buf_adds(b, ">\n      <skipped");
    attr(b, "message", c->skip);
    asl_buf_adds(b, "/>\n    </testcase>\n");
    return;
  case CLI_CASE_NOT_RUN:
    asl_buf_adds(b, ">\n      <error message=\"interrupted before it ran\" "
                    "type=\"aslrun.Interrupted\"/>\n    </testcase>\n");
    return;
  case CLI_CASE_FAILED:
  case CLI_CASE_ERROR: {
    bool error = r->outcome == CLI_CASE_ERROR;
    asl_buf_printf(b, ">\n      <%s", error ? "error" : "failure");
    attr(b, "message", r->failures.len ? r->failures.items[0].message : "failed");
    attr(b, "type", error ? "aslrun.CaseError" : "aslrun.ExpectationFailed");
    asl_buf_addc(b, '>');
    failure_text(b, c);
    asl_buf_printf(b, "</%s>\n    </testcase>\n", error ? "error" : "failure");
    return;
  }
  }
}

bool cli_junit_write(const char *path, cli_test_file **files, size_t nfiles,
                     const cli_report_totals *t)
{
  asl_buf b = ASL_BUF_INIT;
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  size_t tests = 0;
  for (size_t i = 0; i < nfiles; i++) {
    if (files[i]->error)
      tests++;
    for (size_t j = 0; j < files[i]->case_count; j++)
      tests += files[i]->cases[j].selected;
  }
  asl_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  asl_buf_printf(&b,
                 "<testsuites name=\"aslrun test\" tests=\"%zu\" failures=\"%zu\" "
                 "errors=\"%zu\" time=\"%.6f\">\n",
                 tests, t->failed, t->errors + t->bad_files, t->real_ms / 1000.0);
  for (size_t i = 0; i < nfiles; i++) {
    const cli_test_file *f = files[i];
    size_t n = 0, failures = 0, errors = 0, skipped = 0;
    double secs = 0;
    for (size_t j = 0; j < f->case_count; j++) {
      const cli_test_case *c = &f->cases[j];
      if (!c->selected)
        continue;
      n++;
      failures += c->res.outcome == CLI_CASE_FAILED;
      errors += c->res.outcome == CLI_CASE_ERROR || c->res.outcome == CLI_CASE_NOT_RUN;
      skipped += c->res.outcome == CLI_CASE_SKIPPED;
      secs += c->res.real_ms / 1000.0;
    }
    if (f->error) {
      n = 1;
      errors = 1;
    }
    if (n == 0)
      continue; /* every case filtered out */
    asl_buf_adds(&b, "  <testsuite");
    attr(&b, "name", f->path);
    asl_buf_printf(&b,
                   " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                   "time=\"%.6f\" timestamp=\"%s\">\n",
                   n, failures, errors, skipped, secs, stamp);
    /* the seed every case ran with: --seed N repeats the executions exactly */
    asl_buf_printf(&b, "    <properties>\n      <property name=\"seed\" value=\"%llu\"/>\n"
                       "    </properties>\n",
                   (unsigned long long)t->seed);
    if (f->error) {
      asl_buf_adds(&b, "    <testcase name=\"(test file)\"");
      attr(&b, "classname", f->path);
      asl_buf_adds(&b, " time=\"0\">\n      <error message=\"the test file cannot be used\" "
                       "type=\"aslrun.BadTestFile\">");
      xml_text(&b, f->error, false);
      asl_buf_adds(&b, "</error>\n    </testcase>\n");
    }
    for (size_t j = 0; j < f->case_count; j++)
      if (f->cases[j].selected)
        testcase(&b, &f->cases[j]);
    asl_buf_adds(&b, "  </testsuite>\n");
  }
  asl_buf_adds(&b, "</testsuites>\n");
  FILE *out = fopen(path, "wb");
  bool ok = out != NULL;
  int e = errno;
  if (ok) {
    ok = fwrite(b.data, 1, b.len, out) == b.len;
    e = errno;
    if (fclose(out) != 0 && ok) {
      ok = false;
      e = errno;
    }
  }
  if (!ok)
    fprintf(stderr, "aslrun: cannot write the JUnit report to '%s': %s\n", path, strerror(e));
  asl_buf_free(&b);
  return ok;
}
