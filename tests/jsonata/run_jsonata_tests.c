/* Runs the data-driven tests of the JSONata engine: run_jsonata_tests FILE...
 *
 * A group is a few lines ended by a blank line; '#' starts a comment line. Lines starting with
 * '%' set options for the group:
 *   %sfn              compile in Step Functions' dialect (ASL_JSONATA_SFN)
 *   %bind NAME JSON   bind $NAME (repeatable)
 *   %depth N, %time MS, %memory BYTES, %seed N, %now MS   the evaluation's environment
 *   %template FIELD   the expression line is a template (JSON) for the field FIELD
 *   %check            expect asl_jsonata_sfn_check's message as the result ("ok" when none)
 * Then: the expression, the input (a JSON value, or `undefined` for none), the expectation: a
 * compact JSON value, `undefined`, `!! CODE` (any message) or `!! CODE: message` (exact). A
 * template's errors read `!! States.QueryEvaluationError: cause`, its load problems
 * `!! load: message`.
 *
 * Each group must leave asl_json_live() where it found it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/jsonata.h"

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  asl_buf b = ASL_BUF_INIT;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    asl_buf_add(&b, chunk, n);
  fclose(f);
  return asl_buf_steal(&b, len);
}

typedef struct group {
  const char *file;
  size_t line;
  char *lines[8];
  size_t n;
  char *opts[16];
  size_t nopts;
} group;

static asl_json *parse_or_die(const group *g, const char *text)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, strlen(text), NULL, &err);
  if (!v) {
    fprintf(stderr, "%s:%zu: bad JSON in the test itself: %s\n  %s\n", g->file, g->line,
            err.cause, text);
    exit(2);
  }
  asl_error_clear(&err);
  return v;
}

static void run_group(const group *g, asl_buf *got)
{
  int flags = 0;
  const char *template_field = NULL;
  bool check = false;
  asl_jsonata_var vars[8];
  asl_json *bound[8];
  char *names[8];
  size_t nvars = 0;
  uint64_t seed = 42;
  asl_jsonata_env env = {0};
  env.rng = &seed;
  env.now_ms = 1700000000000;
  for (size_t i = 0; i < g->nopts; i++) {
    const char *o = g->opts[i];
    if (strcmp(o, "%sfn") == 0) {
      flags |= ASL_JSONATA_SFN;
    } else if (strncmp(o, "%bind ", 6) == 0 && nvars < 8) {
      const char *sp = strchr(o + 6, ' ');
      names[nvars] = asl_strndup(o + 6, (size_t)(sp - (o + 6)));
      bound[nvars] = parse_or_die(g, sp + 1);
      vars[nvars].name = names[nvars];
      vars[nvars].value = bound[nvars];
      nvars++;
    } else if (strncmp(o, "%depth ", 7) == 0) {
      env.max_depth = (unsigned)strtoul(o + 7, NULL, 10);
    } else if (strncmp(o, "%time ", 6) == 0) {
      env.time_limit_ms = (unsigned)strtoul(o + 6, NULL, 10);
    } else if (strncmp(o, "%memory ", 8) == 0) {
      env.max_memory = (size_t)strtoull(o + 8, NULL, 10);
    } else if (strncmp(o, "%seed ", 6) == 0) {
      seed = strtoull(o + 6, NULL, 10);
    } else if (strncmp(o, "%now ", 5) == 0) {
      env.now_ms = strtoll(o + 5, NULL, 10);
    } else if (strncmp(o, "%template ", 10) == 0) {
      template_field = o + 10;
    } else if (strcmp(o, "%check") == 0) {
      check = true;
    } else {
      fprintf(stderr, "%s:%zu: unknown option %s\n", g->file, g->line, o);
      exit(2);
    }
  }
  env.vars = vars;
  env.nvars = nvars;
  asl_json *input = strcmp(g->lines[1], "undefined") == 0 ? NULL : parse_or_die(g, g->lines[1]);
  env.input = input;
  asl_arena *a = asl_arena_new();
  asl_error err = ASL_ERROR_INIT;
  if (template_field) {
    asl_json *tmpl = parse_or_die(g, g->lines[0]);
    asl_diags d = ASL_DIAGS_INIT;
    asl_jsonata_template *t = asl_jsonata_template_compile(a, tmpl, template_field, "", &d);
    asl_json_decref(tmpl);
    if (!t) {
      for (size_t i = 0; i < d.len; i++)
        asl_buf_printf(got, "%s!! load: %s", i ? "\n" : "", d.items[i].message);
    } else {
      asl_json *v = asl_jsonata_template_eval(t, &env, &err);
      if (v)
        asl_json_dump_buf(v, ASL_JSON_COMPACT, got);
      else
        asl_buf_printf(got, "!! %s: %s", err.name, err.cause);
      asl_json_decref(v);
    }
    asl_diags_free(&d);
  } else {
    asl_jsonata *e;
    const char *text = g->lines[0];
    if (asl_jsonata_compile(a, text, strlen(text), flags, &e, &err) != ASL_OK) {
      asl_buf_printf(got, "!! %s: %s", err.name, err.cause);
    } else if (check) {
      size_t off = 0;
      char *msg = asl_jsonata_sfn_check(e, &off);
      asl_buf_adds(got, msg ? msg : "ok");
      asl_free(msg);
    } else {
      asl_json *v = NULL;
      if (asl_jsonata_eval(e, &env, &v, &err) != ASL_OK)
        asl_buf_printf(got, "!! %s: %s", err.name, err.cause);
      else if (!v)
        asl_buf_adds(got, "undefined");
      else
        asl_json_dump_buf(v, ASL_JSON_COMPACT, got);
      asl_json_decref(v);
    }
  }
  asl_error_clear(&err);
  asl_arena_free(a);
  asl_json_decref(input);
  for (size_t i = 0; i < nvars; i++) {
    asl_json_decref(bound[i]);
    asl_free(names[i]);
  }
}

/* `!! CODE` matches any message with that code. */
static bool matches(const char *want, const char *got)
{
  if (strcmp(want, got) == 0)
    return true;
  if (strncmp(want, "!! ", 3) == 0 && !strchr(want, ':')) {
    size_t l = strlen(want);
    return strncmp(got, want, l) == 0 && got[l] == ':';
  }
  return false;
}

int main(int argc, char **argv)
{
  int failed = 0, total = 0;
  for (int f = 1; f < argc; f++) {
    size_t len;
    char *text = read_file(argv[f], &len);
    if (!text) {
      fprintf(stderr, "cannot read %s\n", argv[f]);
      return 2;
    }
    group g = {0};
    g.file = argv[f];
    size_t lineno = 0;
    char *p = text;
    bool more = true;
    while (more) {
      char *nl = strchr(p, '\n');
      if (nl)
        *nl = '\0';
      else
        more = false;
      lineno++;
      if (p[0] == '#' && g.n == 0 && g.nopts == 0) {
        /* a comment */
      } else if (p[0] == '\0') {
        if (g.n > 0) {
          if (g.n < 3) {
            fprintf(stderr, "%s:%zu: a group needs 3 lines\n", g.file, g.line);
            return 2;
          }
          total++;
          size_t live = asl_json_live();
          asl_buf got = ASL_BUF_INIT;
          run_group(&g, &got);
          const char *want = g.lines[g.n - 1];
          const char *have = got.data ? got.data : "";
          if (!matches(want, have)) {
            failed++;
            fprintf(stderr, "%s:%zu: %s\n  expected: %s\n  got:      %s\n", g.file, g.line,
                    g.lines[0], want, have);
          }
          if (asl_json_live() != live) {
            failed++;
            fprintf(stderr, "%s:%zu: leaked %zd values\n", g.file, g.line,
                    (ssize_t)(asl_json_live() - live));
          }
          asl_buf_free(&got);
        }
        g.n = 0;
        g.nopts = 0;
      } else if (p[0] == '%' && g.n == 0) {
        if (g.nopts == 0)
          g.line = lineno;
        if (g.nopts < 16)
          g.opts[g.nopts++] = p;
      } else {
        if (g.n == 0 && g.nopts == 0)
          g.line = lineno;
        if (g.n < 8)
          g.lines[g.n++] = p;
      }
      if (nl)
        p = nl + 1;
    }
    if (g.n > 0)
      fprintf(stderr, "%s: the last group needs a blank line after it\n", g.file);
    asl_free(text);
  }
  printf("%d groups, %d failed\n", total, failed);
  return failed ? 1 : 0;
}
