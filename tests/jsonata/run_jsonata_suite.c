/* Runs the JSONata reference implementation's test suite (../shared/jsonata-suite, see its
 * README.md): run_jsonata_suite SUITE_DIR [GROUP_FILTER]
 *
 * Every case is evaluated as jsonata-js's runner does it (input from `data` or `dataset`,
 * `bindings` as variables, `timelimit` and `depth` as the evaluation's limits) and its outcome
 * compared with `result` (deep equality, numbers by value, `unordered` arrays as multisets),
 * `undefinedResult`, `code` (with `token` when given, which the message must show) or `error`
 * (its code, and its message when given). Cases that need what this engine does not offer are
 * counted as skipped with the reason. Prints each failure and "N passed, N failed, N skipped";
 * exits 1 on a failure, 77 (skipped) when the suite is absent. */
#include <dirent.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aslrun/jsonata.h"

typedef struct stats {
  int passed, failed, skipped;
  bool verbose;
} stats;

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  asl_buf b = ASL_BUF_INIT;
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    asl_buf_add(&b, chunk, n);
  fclose(f);
  return asl_buf_steal(&b, len);
}

static asl_json *parse_file(const char *path)
{
  size_t len;
  char *text = read_file(path, &len);
  if (!text)
    return NULL;
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, len, NULL, &err);
  if (!v)
    fprintf(stderr, "%s: %s\n", path, err.cause);
  asl_error_clear(&err);
  asl_free(text);
  return v;
}

/* JavaScript deep equality of JSON values: numbers by value, object members in any order. */
static bool same(const asl_json *a, const asl_json *b)
{
  if (!a || !b)
    return a == b;
  if (asl_json_is_number(a) && asl_json_is_number(b))
    return asl_json_num_val(a) == asl_json_num_val(b);
  if (asl_json_kind_of(a) != asl_json_kind_of(b))
    return false;
  switch (asl_json_kind_of(a)) {
  case ASL_JSON_NULL:
    return true;
  case ASL_JSON_BOOL:
    return asl_json_bool_val(a) == asl_json_bool_val(b);
  case ASL_JSON_STRING:
    return asl_json_str_len(a) == asl_json_str_len(b) &&
           memcmp(asl_json_str(a), asl_json_str(b), asl_json_str_len(a)) == 0;
  case ASL_JSON_ARRAY:
    if (asl_json_len(a) != asl_json_len(b))
      return false;
    for (size_t i = 0; i < asl_json_len(a); i++)
      if (!same(asl_json_at(a, i), asl_json_at(b, i)))
        return false;
    return true;
  case ASL_JSON_OBJECT:
    if (asl_json_len(a) != asl_json_len(b))
      return false;
    for (size_t i = 0; i < asl_json_len(a); i++) {
      size_t kl;
      const char *k = asl_json_key_at(a, i, &kl);
      if (!same(asl_json_value_at(a, i), asl_json_get(b, k, kl)))
        return false;
    }
    return true;
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    break;
  }
  return false;
}

static bool same_unordered(const asl_json *got, const asl_json *want)
{
  if (!got || !asl_json_is_array(got) || !asl_json_is_array(want))
    return same(got, want);
  size_t n = asl_json_len(want);
  if (asl_json_len(got) != n)
    return false;
  bool *used = calloc(n ? n : 1, 1);
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    bool found = false;
    for (size_t j = 0; j < n && !found; j++) {
      if (!used[j] && same(asl_json_at(got, i), asl_json_at(want, j))) {
        used[j] = true;
        found = true;
      }
    }
    ok = found;
  }
  free(used);
  return ok;
}

static void show(const char *label, const asl_json *v)
{
  if (!v) {
    fprintf(stderr, "    %s: undefined\n", label);
    return;
  }
  char *s = asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  fprintf(stderr, "    %s: %.600s\n", label, s);
  asl_free(s);
}

/* The JSON text of a token as messages show it. */
static bool message_shows_token(const char *msg, const asl_json *token)
{
  if (!msg || !token)
    return false;
  char *t = asl_json_dump(token, ASL_JSON_COMPACT, NULL);
  bool ok = strstr(msg, t) != NULL;
  if (!ok && asl_json_is_string(token))
    ok = strstr(msg, asl_json_str(token)) != NULL; /* {{{token}}}: raw */
  asl_free(t);
  return ok;
}

/* A \uD800-\uDFFF escape that is not half of a pair: UTF-8 text cannot hold it (the JSON
 * parser turns it into '?'), so the case cannot reach the engine as written. The two cases that
 * have one put it inside a JSONata string literal ('\uD800'), where JSONata's own escape means
 * the same: rewrite_lone_surrogates doubles the backslash so the expression carries the escape.
 * Returns a pointer to the escape's backslash, or NULL. */
static char *find_lone_surrogate(char *text)
{
  for (char *p = strstr(text, "\\u"); p; p = strstr(p + 2, "\\u")) {
    size_t bs = 0; /* a backslash escaped by another one is no escape */
    while (p - bs > text && p[-(ptrdiff_t)bs - 1] == '\\')
      bs++;
    if (bs % 2)
      continue;
    unsigned v;
    if (sscanf(p + 2, "%4x", &v) != 1 || v < 0xD800 || v > 0xDFFF)
      continue;
    unsigned lo;
    if (v <= 0xDBFF && strncmp(p + 6, "\\u", 2) == 0 && sscanf(p + 8, "%4x", &lo) == 1 &&
        lo >= 0xDC00 && lo <= 0xDFFF) {
      p += 6;
      continue;
    }
    return p;
  }
  return NULL;
}

/* A copy of [raw] with each lone surrogate escape \uXXXX turned into \\uXXXX. */
static char *rewrite_lone_surrogates(char *raw, size_t len)
{
  asl_buf b = ASL_BUF_INIT;
  char *from = raw;
  for (char *p = find_lone_surrogate(raw); p; p = find_lone_surrogate(p + 1)) {
    asl_buf_add(&b, from, (size_t)(p - from));
    asl_buf_addc(&b, '\\');
    from = p;
  }
  asl_buf_add(&b, from, len - (size_t)(from - raw));
  size_t n;
  return asl_buf_steal(&b, &n);
}

static void run_case(stats *st, const char *suite, const char *group_dir, const char *where,
                     const asl_json *tc)
{
  size_t live = asl_json_live();
  const asl_json *expr_v = asl_json_get_cstr(tc, "expr");
  char *expr_text = NULL;
  size_t expr_len = 0;
  if (expr_v && asl_json_is_string(expr_v)) {
    expr_text = asl_strndup(asl_json_str(expr_v), asl_json_str_len(expr_v));
    expr_len = asl_json_str_len(expr_v);
  } else {
    const asl_json *ef = asl_json_get_cstr(tc, "expr-file");
    if (ef && asl_json_is_string(ef)) {
      char *path = asl_strfmt("%s/%s", group_dir, asl_json_str(ef));
      expr_text = read_file(path, &expr_len);
      asl_free(path);
    }
  }
  if (!expr_text) {
    st->skipped++;
    fprintf(stderr, "SKIP %s: no expression\n", where);
    return;
  }
  /* the input */
  asl_json *input = NULL;
  const asl_json *data = asl_json_get_cstr(tc, "data");
  const asl_json *dataset = asl_json_get_cstr(tc, "dataset");
  if (data) {
    input = asl_json_incref(data);
  } else if (dataset && asl_json_is_string(dataset)) {
    char *path = asl_strfmt("%s/datasets/%s.json", suite, asl_json_str(dataset));
    input = parse_file(path);
    asl_free(path);
  }
  /* bindings */
  const asl_json *bindings = asl_json_get_cstr(tc, "bindings");
  size_t nb = bindings && asl_json_is_object(bindings) ? asl_json_len(bindings) : 0;
  asl_jsonata_var *vars = calloc(nb ? nb : 1, sizeof *vars);
  char **names = calloc(nb ? nb : 1, sizeof *names);
  for (size_t i = 0; i < nb; i++) {
    size_t kl;
    const char *k = asl_json_key_at(bindings, i, &kl);
    names[i] = asl_strndup(k, kl);
    vars[i].name = names[i];
    vars[i].value = asl_json_value_at(bindings, i);
  }
  uint64_t seed = 12345;
  asl_jsonata_env env = {0};
  env.input = input;
  env.vars = vars;
  env.nvars = nb;
  env.rng = &seed;
  env.js_numbers = true;
  env.max_memory = (size_t)1 << 30; /* [1..1e7] builds two arrays of ten million numbers */
  const asl_json *depth = asl_json_get_cstr(tc, "depth");
  const asl_json *timelimit = asl_json_get_cstr(tc, "timelimit");
  env.max_depth = depth && asl_json_is_number(depth) ? (unsigned)asl_json_num_val(depth)
                                                     : ASL_JSONATA_MAX_DEPTH;
  env.time_limit_ms =
    timelimit && asl_json_is_number(timelimit) ? (unsigned)asl_json_num_val(timelimit) : 20000;

  asl_arena *a = asl_arena_new();
  asl_error err = ASL_ERROR_INIT;
  asl_jsonata *e = NULL;
  asl_json *got = NULL;
  bool ok_status = asl_jsonata_compile(a, expr_text, expr_len, 0, &e, &err) == ASL_OK &&
                   asl_jsonata_eval(e, &env, &got, &err) == ASL_OK;

  const asl_json *want = asl_json_get_cstr(tc, "result");
  const asl_json *undef = asl_json_get_cstr(tc, "undefinedResult");
  const asl_json *code = asl_json_get_cstr(tc, "code");
  const asl_json *error = asl_json_get_cstr(tc, "error");
  const asl_json *token = asl_json_get_cstr(tc, "token");
  const asl_json *unordered = asl_json_get_cstr(tc, "unordered");
  if (error && !code)
    code = asl_json_get_cstr(error, "code");
  bool pass;
  if (code) {
    pass = !ok_status && err.name && asl_json_is_string(code) &&
           strcmp(err.name, asl_json_str(code)) == 0;
    if (pass && token)
      pass = message_shows_token(err.cause, token);
    const asl_json *msg = error ? asl_json_get_cstr(error, "message") : NULL;
    if (pass && msg && asl_json_is_string(msg))
      pass = err.cause && strcmp(err.cause, asl_json_str(msg)) == 0;
  } else if (undef && asl_json_is_bool(undef) && asl_json_bool_val(undef)) {
    pass = ok_status && got == NULL;
  } else if (want) {
    pass = ok_status && (unordered && asl_json_is_bool(unordered) && asl_json_bool_val(unordered)
                           ? same_unordered(got, want)
                           : same(got, want));
  } else {
    pass = false;
  }
  if (pass) {
    st->passed++;
  } else {
    st->failed++;
    fprintf(stderr, "FAIL %s\n    expr: %.300s\n", where, expr_text);
    if (code)
      fprintf(stderr, "    want error: %s\n", asl_json_str(code));
    else if (want)
      show("want", want);
    else
      fprintf(stderr, "    want: undefined\n");
    if (ok_status)
      show("got", got);
    else
      fprintf(stderr, "    got error: %s: %s\n", err.name ? err.name : "?",
              err.cause ? err.cause : "");
  }
  asl_json_decref(got);
  asl_error_clear(&err);
  asl_arena_free(a);
  asl_json_decref(input);
  for (size_t i = 0; i < nb; i++)
    asl_free(names[i]);
  free(names);
  free(vars);
  asl_free(expr_text);
  if (asl_json_live() != live) {
    fprintf(stderr, "LEAK %s: %zd values\n", where, (ssize_t)(asl_json_live() - live));
    st->failed++;
  }
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *path, size_t *n)
{
  DIR *d = opendir(path);
  *n = 0;
  if (!d)
    return NULL;
  size_t cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.')
      continue;
    if (*n == cap)
      names = realloc(names, (cap *= 2) * sizeof *names);
    names[(*n)++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, *n, sizeof *names, cmp_names);
  return names;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: run_jsonata_suite SUITE_DIR [FILTER]\n");
    return 2;
  }
  const char *suite = argv[1];
  const char *filter = argc > 2 ? argv[2] : NULL;
  char *groups_dir = asl_strfmt("%s/groups", suite);
  struct stat sb;
  if (stat(groups_dir, &sb) != 0) {
    fprintf(stderr, "%s: not found; skipped\n", groups_dir);
    asl_free(groups_dir);
    return 77;
  }
  stats st = {0};
  size_t ng;
  char **groups = list_dir(groups_dir, &ng);
  for (size_t g = 0; g < ng; g++) {
    char *gdir = asl_strfmt("%s/%s", groups_dir, groups[g]);
    size_t nf;
    char **files = list_dir(gdir, &nf);
    for (size_t f = 0; f < nf; f++) {
      size_t l = strlen(files[f]);
      if (l < 5 || strcmp(files[f] + l - 5, ".json") != 0)
        continue;
      char *where = asl_strfmt("%s/%s", groups[g], files[f]);
      if (filter && !strstr(where, filter)) {
        asl_free(where);
        continue;
      }
      char *path = asl_strfmt("%s/%s", gdir, files[f]);
      size_t rawlen;
      char *raw = read_file(path, &rawlen);
      asl_json *doc = NULL;
      if (raw && find_lone_surrogate(raw)) {
        char *text = rewrite_lone_surrogates(raw, rawlen);
        asl_error err = ASL_ERROR_INIT;
        doc = asl_json_parse(text, strlen(text), NULL, &err);
        if (!doc)
          fprintf(stderr, "%s: %s\n", path, err.cause);
        asl_error_clear(&err);
        asl_free(text);
      } else if (raw) {
        doc = parse_file(path);
      }
      asl_free(raw);
      if (!doc) {
        st.failed++;
      } else if (asl_json_is_array(doc)) {
        for (size_t i = 0; i < asl_json_len(doc); i++) {
          char *w = asl_strfmt("%s[%zu]", where, i);
          run_case(&st, suite, gdir, w, asl_json_at(doc, i));
          asl_free(w);
        }
      } else {
        run_case(&st, suite, gdir, where, doc);
      }
      asl_json_decref(doc);
      asl_free(path);
      asl_free(where);
    }
    for (size_t f = 0; f < nf; f++)
      free(files[f]);
    free(files);
    asl_free(gdir);
  }
  for (size_t g = 0; g < ng; g++)
    free(groups[g]);
  free(groups);
  asl_free(groups_dir);
  printf("%d passed, %d failed, %d skipped\n", st.passed, st.failed, st.skipped);
  return st.failed ? 1 : 0;
}
