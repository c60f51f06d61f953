/* Runs the data-driven tests of the lang module: run_lang_tests KIND FILE...
 *
 * A group is a few lines ended by a blank line; '#' starts a comment line. The last line of a
 * group is the expectation: a compact JSON value (or true/false for choice), "!! Name: cause"
 * for a runtime error, "!! definition: cause" for a compile error, "!! at L:C POINTER: message"
 * for each diagnostic of a template or rule (one such line per diagnostic). Lines starting with
 * '%' set options: "%context JSON" (the context object), "%field NAME" (the field named in
 * causes, default value.$), "%vars OBJECT" (the workflow variables, name -> value; without it
 * no variable is set). A group whose expression reads variables also checks what the compiled
 * form reports of them: "%refs a,b" lists the names in order (default: none is checked).
 *
 *   jsonpath, expr, intrinsics: EXPRESSION / INPUT / EXPECTED
 *   refpath:                    PATH / INPUT / RESULT / EXPECTED
 *   template:                   TEMPLATE / INPUT / EXPECTED
 *   choice:                     RULE / INPUT / true|false|error
 *   timestamp:                  "parse TEXT" / "SECONDS NANOS" or "invalid"
 *                               "format MS" / TEXT
 *
 * Each group must leave asl_json_live() where it found it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/lang.h"

typedef struct group {
  const char *file;
  size_t line;
  char **lines;
  size_t n;
  const char *context;
  const char *field;
  const char *vars;
  const char *refs;
} group;

static const asl_json *lookup_var(void *data, const char *name, size_t len)
{
  return data ? asl_json_get(data, name, len) : NULL;
}

/* Collects the names an expression reports reading, comma-separated. */
static void collect_ref(void *data, const char *name, size_t len, size_t offset)
{
  (void)offset;
  asl_buf *b = data;
  if (b->len)
    asl_buf_addc(b, ',');
  asl_buf_add(b, name, len);
}

/* "%refs" is checked by appending what differs to [got]. */
static void check_refs(const group *g, const asl_buf *refs, asl_buf *got)
{
  if (!g->refs)
    return;
  const char *have = refs->data ? refs->data : "";
  if (strcmp(have, g->refs) != 0)
    asl_buf_printf(got, " (variables reported: '%s', expected '%s')", have, g->refs);
}

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

static void put_error(asl_buf *got, const asl_error *err)
{
  if (err->code == ASL_E_DEFINITION)
    asl_buf_printf(got, "!! definition: %s", err->cause ? err->cause : "");
  else
    asl_buf_printf(got, "!! %s: %s", err->name ? err->name : "(no name)",
                   err->cause ? err->cause : "");
}

static void put_value(asl_buf *got, const asl_json *v, const asl_error *err)
{
  if (v)
    asl_json_dump_buf(v, ASL_JSON_COMPACT, got);
  else
    put_error(got, err);
}

static void put_diags(asl_buf *got, const asl_diags *d, const char *text)
{
  for (size_t i = 0; i < d->len; i++) {
    int line = 0;
    int col = 0;
    if (d->items[i].offset != ASL_NOPOS)
      asl_text_linecol(text, strlen(text), d->items[i].offset, &line, &col);
    asl_buf_printf(got, "%s!! at %d:%d %s: %s", i ? "\n" : "", line, col, d->items[i].pointer,
                   d->items[i].message);
  }
}

/* ---------------------------------------------------------------- kinds ---- */
static void run_expr(const group *g, asl_buf *got, int allow, bool path_only)
{
  asl_arena *a = asl_arena_new();
  asl_error err = ASL_ERROR_INIT;
  const char *text = g->lines[0];
  asl_json *input = parse_or_die(g, g->lines[1]);
  asl_json *ctx = g->context ? parse_or_die(g, g->context) : NULL;
  asl_json *vars = g->vars ? parse_or_die(g, g->vars) : NULL;
  asl_env env = {.input = input, .context = ctx, .rng = NULL, .vars = lookup_var,
                 .vars_data = vars};
  uint64_t seed = 42;
  env.rng = &seed;
  asl_buf refs = ASL_BUF_INIT;
  if (path_only) {
    asl_path *p;
    if (asl_path_compile(a, text, strlen(text), &p, &err) != ASL_OK) {
      put_error(got, &err);
    } else {
      asl_json *v = asl_path_eval(p, &env, &err);
      put_value(got, v, &err);
      asl_json_decref(v);
      size_t vlen;
      const char *var = asl_path_variable(p, &vlen);
      if (var)
        collect_ref(&refs, var, vlen, 0);
      check_refs(g, &refs, got);
    }
  } else {
    asl_expr *e;
    if (asl_expr_compile(a, text, strlen(text), allow, &e, &err) != ASL_OK) {
      put_error(got, &err);
    } else {
      asl_json *v = asl_expr_eval(e, g->field, &env, &err);
      put_value(got, v, &err);
      asl_json_decref(v);
      asl_expr_each_variable(e, collect_ref, &refs);
      check_refs(g, &refs, got);
    }
  }
  asl_buf_free(&refs);
  asl_error_clear(&err);
  asl_json_decref(input);
  asl_json_decref(ctx);
  asl_json_decref(vars);
  asl_arena_free(a);
}

static void run_refpath(const group *g, asl_buf *got)
{
  asl_arena *a = asl_arena_new();
  asl_error err = ASL_ERROR_INIT;
  const char *text = g->lines[0];
  asl_refpath *rp;
  if (asl_refpath_compile(a, text, strlen(text), &rp, &err) != ASL_OK) {
    put_error(got, &err);
  } else {
    asl_json *input = parse_or_die(g, g->lines[1]);
    asl_json *result = parse_or_die(g, g->lines[2]);
    asl_json *v = asl_refpath_apply(rp, input, result, &err);
    put_value(got, v, &err);
    /* the input must come out unchanged: apply copies on write */
    char *after = asl_json_dump(input, ASL_JSON_COMPACT, NULL);
    asl_json *orig = parse_or_die(g, g->lines[1]);
    if (!asl_json_equal(orig, input))
      asl_buf_printf(got, " (input changed to %s)", after);
    asl_free(after);
    asl_json_decref(orig);
    asl_json_decref(v);
    asl_json_decref(input);
    asl_json_decref(result);
  }
  asl_error_clear(&err);
  asl_arena_free(a);
}

static void run_template(const group *g, asl_buf *got)
{
  asl_arena *a = asl_arena_new();
  asl_diags d = ASL_DIAGS_INIT;
  asl_json *tmpl = parse_or_die(g, g->lines[0]);
  asl_template *t = asl_template_compile(a, tmpl, "", &d);
  asl_json_decref(tmpl); /* the compiled template keeps what it needs */
  if (!t) {
    if (d.len == 0)
      asl_buf_adds(got, "(compile failed without a diagnostic)");
    put_diags(got, &d, g->lines[0]);
  } else {
    asl_json *input = parse_or_die(g, g->lines[1]);
    asl_json *ctx = g->context ? parse_or_die(g, g->context) : NULL;
    asl_json *vars = g->vars ? parse_or_die(g, g->vars) : NULL;
    uint64_t seed = 42;
    asl_env env = {.input = input, .context = ctx, .rng = &seed, .vars = lookup_var,
                   .vars_data = vars};
    asl_error err = ASL_ERROR_INIT;
    asl_json *v = asl_template_eval(t, &env, &err);
    put_value(got, v, &err);
    asl_json_decref(v);
    asl_buf refs = ASL_BUF_INIT;
    asl_template_each_variable(t, collect_ref, &refs);
    check_refs(g, &refs, got);
    asl_buf_free(&refs);
    asl_json_decref(input);
    asl_json_decref(ctx);
    asl_json_decref(vars);
    asl_error_clear(&err);
  }
  asl_diags_free(&d);
  asl_arena_free(a);
}

static void run_choice(const group *g, asl_buf *got)
{
  asl_arena *a = asl_arena_new();
  asl_diags d = ASL_DIAGS_INIT;
  asl_json *rule = parse_or_die(g, g->lines[0]);
  asl_choice *c = asl_choice_compile(a, rule, "", true, &d);
  asl_json_decref(rule);
  if (!c) {
    if (d.len == 0)
      asl_buf_adds(got, "(compile failed without a diagnostic)");
    put_diags(got, &d, g->lines[0]);
  } else {
    asl_json *input = parse_or_die(g, g->lines[1]);
    asl_json *ctx = g->context ? parse_or_die(g, g->context) : NULL;
    asl_json *vars = g->vars ? parse_or_die(g, g->vars) : NULL;
    asl_env env = {.input = input, .context = ctx, .rng = NULL, .vars = lookup_var,
                   .vars_data = vars};
    asl_error err = ASL_ERROR_INIT;
    bool m;
    if (asl_choice_eval(c, &env, &m, &err) == ASL_OK)
      asl_buf_adds(got, m ? "true" : "false");
    else
      put_error(got, &err);
    asl_buf refs = ASL_BUF_INIT;
    asl_choice_each_variable(c, collect_ref, &refs);
    check_refs(g, &refs, got);
    asl_buf_free(&refs);
    asl_json_decref(input);
    asl_json_decref(ctx);
    asl_json_decref(vars);
    asl_error_clear(&err);
  }
  asl_diags_free(&d);
  asl_arena_free(a);
}

static void run_timestamp(const group *g, asl_buf *got)
{
  const char *l = g->lines[0];
  if (strncmp(l, "parse ", 6) == 0) {
    asl_timestamp ts;
    if (asl_timestamp_parse(l + 6, strlen(l + 6), &ts))
      asl_buf_printf(got, "%lld %d", (long long)ts.seconds, ts.nanos);
    else
      asl_buf_adds(got, "invalid");
  } else if (strncmp(l, "format ", 7) == 0) {
    char buf[32];
    size_t n = asl_timestamp_format_ms(strtoll(l + 7, NULL, 10), buf);
    asl_buf_add(got, buf, n);
  } else if (strncmp(l, "cmp ", 4) == 0) {
    char *sp = strchr(l + 4, ' ');
    asl_timestamp x, y;
    if (!sp || !asl_timestamp_parse(l + 4, (size_t)(sp - l - 4), &x) ||
        !asl_timestamp_parse(sp + 1, strlen(sp + 1), &y))
      asl_buf_adds(got, "invalid");
    else
      asl_buf_printf(got, "%d", asl_timestamp_cmp(x, y));
  } else {
    asl_buf_adds(got, "(unknown timestamp command)");
  }
}

/* ---------------------------------------------------------------- driver ---- */
static int run_group(const char *kind, const group *g)
{
  size_t want_lines = 0;
  while (want_lines < g->n && strncmp(g->lines[g->n - 1 - want_lines], "!! at ", 6) == 0)
    want_lines++;
  if (want_lines == 0)
    want_lines = 1;
  size_t inputs = g->n - want_lines;
  size_t need = strcmp(kind, "refpath") == 0 ? 3 : strcmp(kind, "timestamp") == 0 ? 1 : 2;
  bool compile_error = want_lines >= 1 && (strncmp(g->lines[g->n - 1], "!! definition", 13) == 0 ||
                                           strncmp(g->lines[g->n - 1], "!! at ", 6) == 0);
  if (inputs != need && !(compile_error && inputs >= 1 && inputs < need)) {
    fprintf(stderr, "%s:%zu: a %s group needs %zu lines before the expectation, has %zu\n",
            g->file, g->line, kind, need, inputs);
    return 1;
  }
  /* a compile error needs no input; give the runners a harmless one */
  char *lines[4] = {NULL, "null", "null", NULL};
  for (size_t i = 0; i < inputs; i++)
    lines[i] = g->lines[i];
  group gg = *g;
  gg.lines = lines;
  asl_buf want = ASL_BUF_INIT;
  for (size_t i = inputs; i < g->n; i++)
    asl_buf_printf(&want, "%s%s", i > inputs ? "\n" : "", g->lines[i]);

  size_t live = asl_json_live();
  asl_buf got = ASL_BUF_INIT;
  if (strcmp(kind, "jsonpath") == 0)
    run_expr(&gg, &got, 0, true);
  else if (strcmp(kind, "expr") == 0 || strcmp(kind, "intrinsics") == 0)
    run_expr(&gg, &got, ASL_EXPR_PATHS | ASL_EXPR_INTRINSICS, false);
  else if (strcmp(kind, "refpath") == 0)
    run_refpath(&gg, &got);
  else if (strcmp(kind, "template") == 0)
    run_template(&gg, &got);
  else if (strcmp(kind, "choice") == 0)
    run_choice(&gg, &got);
  else if (strcmp(kind, "timestamp") == 0)
    run_timestamp(&gg, &got);
  else {
    fprintf(stderr, "unknown kind %s\n", kind);
    exit(2);
  }
  int failed = strcmp(got.data ? got.data : "", want.data) != 0;
  if (failed)
    fprintf(stderr, "%s:%zu: FAIL\n  %s\n  want: %s\n  got:  %s\n", g->file, g->line,
            g->lines[0], want.data, got.data ? got.data : "");
  if (asl_json_live() != live) {
    fprintf(stderr, "%s:%zu: LEAK: %zd JSON values still alive after the group\n", g->file,
            g->line, (ssize_t)(asl_json_live() - live));
    failed = 1;
  }
  asl_buf_free(&got);
  asl_buf_free(&want);
  return failed;
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: run_lang_tests KIND FILE...\n");
    return 2;
  }
  const char *kind = argv[1];
  int failures = 0;
  int groups = 0;
  size_t live0 = asl_json_live();
  for (int a = 2; a < argc; a++) {
    size_t len;
    char *text = read_file(argv[a], &len);
    if (!text) {
      fprintf(stderr, "%s: cannot read\n", argv[a]);
      return 2;
    }
    ASL_VEC(char *) lines = {0};
    char *p = text;
    while (p && *p) {
      ASL_VEC_PUSH(lines, p);
      char *nl = strchr(p, '\n');
      if (!nl)
        break;
      *nl = '\0';
      p = nl + 1;
    }
    group g = {argv[a], 0, NULL, 0, NULL, "value.$", NULL, NULL};
    ASL_VEC(char *) cur = {0};
    bool in_group = false;
    for (size_t i = 0; i <= lines.len; i++) {
      char *l = i < lines.len ? lines.items[i] : "";
      if (l[0] == '#')
        continue;
      if (l[0] == '\0') {
        if (cur.len > 0) {
          g.lines = cur.items;
          g.n = cur.len;
          groups++;
          failures += run_group(kind, &g);
          cur.len = 0;
        }
        g.context = NULL;
        g.field = "value.$";
        g.vars = NULL;
        g.refs = NULL;
        in_group = false;
        continue;
      }
      if (!in_group) {
        in_group = true;
        g.line = i + 1;
      }
      if (strncmp(l, "%context ", 9) == 0) {
        g.context = l + 9;
        continue;
      }
      if (strncmp(l, "%vars ", 6) == 0) {
        g.vars = l + 6;
        continue;
      }
      if (strncmp(l, "%refs ", 6) == 0) {
        g.refs = l + 6;
        continue;
      }
      if (strncmp(l, "%field ", 7) == 0) {
        g.field = l + 7;
        continue;
      }
      ASL_VEC_PUSH(cur, l);
    }
    ASL_VEC_FREE(cur);
    ASL_VEC_FREE(lines);
    asl_free(text);
  }
  if (asl_json_live() != live0) {
    fprintf(stderr, "LEAK: %zd JSON values alive at the end\n", (ssize_t)(asl_json_live() - live0));
    failures++;
  }
  printf("%d groups, %d failed\n", groups, failures);
  return failures ? 1 : 0;
}
