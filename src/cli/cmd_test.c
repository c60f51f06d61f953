/* aslrun test PATH...: finds the test files, selects cases (--filter), runs them (testrun.c) and
 * reports as text, TAP or JUnit XML; --update rewrites expectations; --mock-config runs the
 * test cases of a Step Functions Local MockConfigFile against machine files instead; --coverage
 * reports what the cases exercised (coverage.c); every case runs seeded (--seed, or a seed drawn
 * here and shown when something fails). Exit 0 when every case passed, 1 when any failed or
 * could not run (or coverage is below --coverage-min), 2 on bad usage. */
#include "test.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  OPT_JOBS = 1,
  OPT_FILTER,
  OPT_TAP,
  OPT_JUNIT,
  OPT_UPDATE,
  OPT_REAL_TIME,
  OPT_MOCK_CONFIG,
  OPT_SM_NAME,
  OPT_INPUT,
  OPT_INPUT_FILE,
  OPT_CONFIG,
  OPT_COLD,
  OPT_LAMBDA_ENDPOINT,
  OPT_COVERAGE,
  OPT_COVERAGE_MIN,
  OPT_HELP,
};

static const cli_opt test_opts[] = {
    {"--jobs", "-j", CLI_VALUE_REQUIRED, OPT_JOBS},
    {"--filter", NULL, CLI_VALUE_REQUIRED, OPT_FILTER},
    {"--tap", NULL, CLI_VALUE_NONE, OPT_TAP},
    {"--junit", NULL, CLI_VALUE_REQUIRED, OPT_JUNIT},
    {"--update", NULL, CLI_VALUE_NONE, OPT_UPDATE},
    {"--real-time", NULL, CLI_VALUE_NONE, OPT_REAL_TIME},
    {"--mock-config", NULL, CLI_VALUE_REQUIRED, OPT_MOCK_CONFIG},
    {"--state-machine-name", NULL, CLI_VALUE_REQUIRED, OPT_SM_NAME},
    {"--input", NULL, CLI_VALUE_REQUIRED, OPT_INPUT},
    {"--input-file", NULL, CLI_VALUE_REQUIRED, OPT_INPUT_FILE},
    {"--config", NULL, CLI_VALUE_REQUIRED, OPT_CONFIG},
    {"--cold", NULL, CLI_VALUE_NONE, OPT_COLD},
    {"--lambda-endpoint", NULL, CLI_VALUE_REQUIRED, OPT_LAMBDA_ENDPOINT},
    {"--coverage", NULL, CLI_VALUE_OPTIONAL, OPT_COVERAGE},
    {"--coverage-min", NULL, CLI_VALUE_REQUIRED, OPT_COVERAGE_MIN},
    CLI_EXEC_OPTS,
    {"--help", "-h", CLI_VALUE_NONE, OPT_HELP},
    {NULL, NULL, CLI_VALUE_NONE, 0},
};

#define DEFAULT_JOBS 8
#define MAX_JOBS 10000

typedef struct test_options {
  cli_path_list paths; /* borrowed argv strings */
  int jobs;
  const char *filter;
  bool tap;
  const char *junit;
  bool update;
  bool real_time;
  const char *mock_config;
  const char *sm_name;
  const char *input;
  const char *input_file;
  const char *config;
  bool cold;
  const char *lambda_endpoint;
  bool coverage;
  bool coverage_json;
  bool has_coverage_min;
  double coverage_min;
  cli_exec_settings exec;
} test_options;

static int parse_args(int argc, char **argv, int first, test_options *o, bool *help)
{
  cli_args a = {"test", argv, argc, first, false};
  const char *value;
  int id;
  while ((id = cli_next(&a, test_opts, &value)) != CLI_ARG_END) {
    switch (id) {
    case CLI_ARG_ERROR:
      return CLI_USAGE;
    case CLI_ARG_POSITIONAL:
      ASL_VEC_PUSH(o->paths, (char *)value);
      break;
    case OPT_JOBS: {
      char *end;
      long n = strtol(value, &end, 10);
      if (!value[0] || *end || n < 1 || n > MAX_JOBS)
        return cli_usage_error("test", "--jobs takes a number of cases from 1 to %d, not '%s'",
                               MAX_JOBS, value);
      o->jobs = (int)n;
      break;
    }
    case OPT_FILTER:
      o->filter = value;
      break;
    case OPT_TAP:
      o->tap = true;
      break;
    case OPT_JUNIT:
      o->junit = value;
      break;
    case OPT_UPDATE:
      o->update = true;
      break;
    case OPT_REAL_TIME:
      o->real_time = true;
      break;
    case OPT_MOCK_CONFIG:
      o->mock_config = value;
      break;
    case OPT_SM_NAME:
      o->sm_name = value;
      break;
    case OPT_INPUT:
    case OPT_INPUT_FILE:
      if (o->input || o->input_file)
        return cli_usage_error("test", "give the input once, with --input or --input-file");
      if (id == OPT_INPUT)
        o->input = value;
      else
        o->input_file = value;
      break;
    case OPT_CONFIG:
      o->config = value;
      break;
    case OPT_COLD:
      o->cold = true;
      break;
    case OPT_LAMBDA_ENDPOINT:
      o->lambda_endpoint = value;
      break;
    case OPT_COVERAGE:
      if (value && strcmp(value, "json") != 0 && strcmp(value, "text") != 0)
        return cli_usage_error("test", "--coverage takes 'text' (the default) or 'json', not '%s'",
                               value);
      o->coverage = true;
      o->coverage_json = value && strcmp(value, "json") == 0;
      break;
    case OPT_COVERAGE_MIN: {
      char *end;
      double v = strtod(value, &end);
      if (!value[0] || *end || !(v >= 0 && v <= 100))
        return cli_usage_error("test", "--coverage-min takes a percentage from 0 to 100, not '%s'",
                               value);
      o->has_coverage_min = true;
      o->coverage_min = v;
      o->coverage = true;
      break;
    }
    case OPT_HELP:
      *help = true;
      return CLI_OK;
    default:
      if (id >= CLI_OPT_SEED) {
        int code = cli_exec_setting("test", id, value, &o->exec);
        if (code != CLI_OK)
          return code;
      }
      break;
    }
  }
  if (o->exec.has_start_time && o->real_time)
    return cli_usage_error("test", "--start-time sets the start of virtual time; it cannot be "
                                   "given with --real-time");
  if (o->paths.len == 0)
    return cli_usage_error("test", o->mock_config
                                       ? "missing the state machine file(s) to run the mock "
                                         "config's test cases against"
                                       : "missing the test files or folders to run");
  if ((o->input || o->input_file) && !o->mock_config)
    return cli_usage_error("test", "--input and --input-file give the input of --mock-config's "
                                   "test cases; a test file gives each case's \"input\"");
  if (o->sm_name && !o->mock_config)
    return cli_usage_error("test", "--state-machine-name names the machine in --mock-config's "
                                   "file: give the file with --mock-config FILE");
  if (o->update && o->mock_config)
    return cli_usage_error("test", "--update rewrites test files; a MockConfigFile has no "
                                   "expectations to update");
  return cli_limits_env("test", &o->exec);
}

/* --filter: a glob (with * ? [) or a substring, of the case's name or "FILE: NAME". */
static bool selected(const char *filter, const cli_test_case *c)
{
  if (!filter)
    return true;
  char *full = asl_strfmt("%s: %s", c->file->path, c->name);
  bool glob = strpbrk(filter, "*?[") != NULL;
  bool hit = glob ? fnmatch(filter, c->name, 0) == 0 || fnmatch(filter, full, 0) == 0
                  : strstr(c->name, filter) != NULL || strstr(full, filter) != NULL;
  asl_free(full);
  return hit;
}

static asl_json *read_input(const test_options *o)
{
  if (o->input)
    return cli_parse_json("--input", o->input, strlen(o->input));
  if (o->input_file)
    return cli_read_json(o->input_file);
  return asl_json_object(0);
}

typedef struct reporters {
  cli_text_report *text;
  cli_tap_report *tap;
  bool update;
} reporters;

static void on_case(void *data, cli_test_case *c)
{
  reporters *r = data;
  /* --update makes a failed expectation the new one (the file is written at the end) */
  if (r->update && c->res.outcome == CLI_CASE_FAILED)
    c->res.outcome = CLI_CASE_UPDATED;
  if (r->tap)
    cli_tap_report_case(r->tap, c);
  else
    cli_text_report_case(r->text, c);
}

static void on_file_error(void *data, cli_test_file *f)
{
  reporters *r = data;
  if (r->tap)
    cli_tap_report_file_error(r->tap, f);
  else
    cli_text_report_file_error(r->text, f);
}

/* --coverage: the table after the report, or the JSON alone on stdout; --coverage-min. */
static bool report_coverage(const test_options *o, const cli_coverage_set *cov)
{
  asl_buf b = ASL_BUF_INIT;
  if (o->coverage_json) {
    asl_json *j = cli_coverage_json(cov);
    asl_json_dump_buf(j, ASL_JSON_PRETTY, &b);
    asl_buf_addc(&b, '\n');
    asl_json_decref(j);
  } else {
    cli_coverage_text(cov, &b);
  }
  fwrite(b.data, 1, b.len, stdout);
  asl_buf_free(&b);
  if (!o->has_coverage_min)
    return true;
  asl_buf msgs = ASL_BUF_INIT;
  bool ok = cli_coverage_check_min(cov, o->coverage_min, &msgs);
  if (msgs.len)
    fwrite(msgs.data, 1, msgs.len, stderr);
  asl_buf_free(&msgs);
  return ok;
}

static int run_files(const test_options *o, cli_test_file **files, size_t nfiles)
{
  size_t planned = 0;
  for (size_t i = 0; i < nfiles; i++) {
    cli_test_file *f = files[i];
    if (f->error)
      planned++;
    for (size_t j = 0; j < f->case_count; j++) {
      f->cases[j].selected = selected(o->filter, &f->cases[j]);
      planned += f->cases[j].selected;
    }
  }
  if (planned == 0) {
    fprintf(stderr, "aslrun: no test case matches --filter '%s'\n", o->filter);
    return CLI_FAILED;
  }
  /* --coverage=json owns stdout: the report goes to stderr (as jest --json does) */
  FILE *report_to = o->coverage_json ? stderr : stdout;
  const char *no_colour = getenv("NO_COLOR");
  bool colour = !o->tap && isatty(fileno(report_to)) && !(no_colour && *no_colour);
  reporters rep = {.update = o->update};
  if (o->tap)
    rep.tap = cli_tap_report_new(report_to, planned, o->exec.trace);
  else
    rep.text = cli_text_report_new(report_to, colour, o->exec.trace);
  uint64_t seed = o->exec.has_seed ? o->exec.seed : cli_random_seed();
  cli_coverage_set *cov = o->coverage ? cli_coverage_set_new() : NULL;
  cli_test_run_opts ro = {
      .jobs = o->jobs ? o->jobs : DEFAULT_JOBS,
      .real_time = o->real_time,
      .cold = o->cold,
      .colour = colour,
      .trace_json = o->exec.trace_json,
      .payload_limit = o->exec.payload_limit,
      .lambda_endpoint = o->lambda_endpoint,
      .seed = seed,
      .exec = o->exec,
      .coverage = cov,
      .on_case = on_case,
      .on_file_error = on_file_error,
      .data = &rep,
  };
  uint64_t t0 = uv_hrtime();
  int sig = 0;
  cli_test_run(files, nfiles, &ro, &sig);
  cli_report_totals t = {0};
  t.real_ms = (double)(uv_hrtime() - t0) / 1e6;
  t.seed = seed;
  bool update_failed = false;
  for (size_t i = 0; i < nfiles; i++) {
    cli_test_file *f = files[i];
    if (f->error)
      t.bad_files++;
    if (o->update && !f->error && !sig) {
      char *why = NULL;
      if (!cli_test_update(f, &why)) {
        fprintf(stderr, "aslrun: %s\n", why);
        asl_free(why);
        update_failed = true;
      }
    }
    for (size_t j = 0; j < f->case_count; j++) {
      cli_test_case *c = &f->cases[j];
      if (!c->selected)
        continue;
      switch (c->res.outcome) {
      case CLI_CASE_PASSED:
        t.passed++;
        break;
      case CLI_CASE_UPDATED:
        t.updated++;
        break;
      case CLI_CASE_FAILED:
        t.failed++;
        break;
      case CLI_CASE_ERROR:
      case CLI_CASE_NOT_RUN:
        t.errors++;
        break;
      case CLI_CASE_SKIPPED:
        t.skipped++;
        break;
      }
    }
  }
  if (rep.tap)
    cli_tap_report_end(rep.tap, &t);
  else
    cli_text_report_end(rep.text, &t);
  bool junit_ok = !o->junit || cli_junit_write(o->junit, files, nfiles, &t);
  bool coverage_ok = !cov || sig || report_coverage(o, cov);
  cli_coverage_set_free(cov);
  if (sig)
    return 128 + sig;
  if (!junit_ok || update_failed)
    return CLI_USAGE;
  return t.failed + t.errors + t.bad_files || !coverage_ok ? CLI_FAILED : CLI_OK;
}

int cli_test(int argc, char **argv, int first)
{
  test_options o = {0};
  bool help = false;
  int code = parse_args(argc, argv, first, &o, &help);
  if (code != CLI_OK || help) {
    ASL_VEC_FREE(o.paths);
    if (help)
      fputs(cli_help_test, stdout);
    return code;
  }
  ASL_VEC(cli_test_file *) files = {0};
  if (o.mock_config) {
    asl_json *input = read_input(&o);
    if (!input) {
      ASL_VEC_FREE(o.paths);
      return CLI_USAGE;
    }
    for (size_t i = 0; i < o.paths.len; i++)
      ASL_VEC_PUSH(files, cli_test_file_from_mock_config(o.paths.items[i], o.mock_config,
                                                         o.sm_name, o.config, input,
                                                         &o.exec.load));
    asl_json_decref(input);
  } else {
    cli_path_list found = {0};
    bool ok = true;
    for (size_t i = 0; i < o.paths.len; i++)
      ok = cli_test_find(o.paths.items[i], &found) && ok;
    for (size_t i = 0; i < found.len; i++) {
      if (ok)
        ASL_VEC_PUSH(files, cli_test_file_load(found.items[i], o.config, &o.exec.load));
      asl_free(found.items[i]);
    }
    ASL_VEC_FREE(found);
    if (!ok) {
      ASL_VEC_FREE(o.paths);
      ASL_VEC_FREE(files);
      return CLI_USAGE;
    }
  }
  code = run_files(&o, files.items, files.len);
  for (size_t i = 0; i < files.len; i++)
    cli_test_file_free(files.items[i]);
  ASL_VEC_FREE(files);
  ASL_VEC_FREE(o.paths);
  return code;
}
