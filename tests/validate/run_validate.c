/* Runs the definition-error cases of tests/validate: every CASE.json is loaded with
 * asl_machine_load_text and its diagnostics, printed as asl_diags_print prints them (file shown
 * as the case's basename), must equal CASE.expected byte for byte. valid_*.json cases must load
 * with no diagnostic at all (their .expected is empty). lint_*.json cases are also linted
 * (asl_machine_lint, aslrun validate --strict), with CASE.input-schema as the JSON Schema of the
 * input when that file exists; their warnings are in CASE.expected too.
 *
 *   run_validate DIR            check every case of DIR
 *   run_validate DIR --update   rewrite the .expected files from what the loader says (review the
 *                               diff before committing)
 *   run_validate --corpus DIR [--skip SUBSTR]...
 *                               load every definition of the AWS-recorded conformance corpus:
 *                               INVALID_DEFINITION cases must get diagnostics, the others none;
 *                               cases whose folder/file name holds a SUBSTR are left out (features
 *                               of later milestones); exit 77, skipped, when DIR is absent */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aslrun/machine.h"

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  asl_buf b = ASL_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    asl_buf_add(&b, chunk, n);
  fclose(f);
  if (!b.data)
    asl_buf_add(&b, "", 0);
  return asl_buf_steal(&b, len);
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of DIR's entries ending with [suffix]. */
static char **list_dir(const char *dir, const char *suffix, size_t *count)
{
  DIR *d = opendir(dir);
  *count = 0;
  if (!d)
    return NULL;
  ASL_VEC(char *) names = {0};
  struct dirent *e;
  size_t sl = strlen(suffix);
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (e->d_name[0] != '.' && n > sl && strcmp(e->d_name + n - sl, suffix) == 0)
      ASL_VEC_PUSH(names, asl_strdup(e->d_name));
  }
  closedir(d);
  if (names.len)
    qsort(names.items, names.len, sizeof(char *), by_name);
  *count = names.len;
  return names.items;
}

/* Lints [m] into [d], with CASE.input-schema as the input's schema when there is one. */
static int lint_case(const asl_machine *m, const char *dir, const char *name, size_t base_len,
                     asl_diags *d)
{
  int failed = 0;
  char *schema_path = asl_strfmt("%s/%.*s.input-schema", dir, (int)base_len, name);
  size_t slen = 0;
  char *stext = read_file(schema_path, &slen);
  asl_json *schema = NULL;
  if (stext) {
    asl_error err = ASL_ERROR_INIT;
    schema = asl_json_parse(stext, slen, NULL, &err);
    if (!schema) {
      printf("FAIL %s: its input schema is not JSON: %s\n", name, err.cause);
      failed = 1;
    }
    asl_error_clear(&err);
  }
  asl_lint_opts lo = {.input_schema = schema};
  asl_machine_lint(m, &lo, d);
  asl_diags_sort(d);
  asl_json_decref(schema);
  asl_free(stext);
  asl_free(schema_path);
  return failed;
}

static int run_case(const char *dir, const char *name, bool update)
{
  char *path = asl_strfmt("%s/%s", dir, name);
  size_t base_len = strlen(name) - 5;
  char *exp_path = asl_strfmt("%s/%.*s.expected", dir, (int)base_len, name);
  size_t len = 0;
  char *text = read_file(path, &len);
  int failed = 0;
  if (!text) {
    printf("FAIL %s: cannot read it\n", name);
    failed = 1;
    goto out;
  }
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(text, len, NULL, &d);
  bool lint = base_len >= 5 && memcmp(name, "lint_", 5) == 0;
  if (m && lint)
    failed |= lint_case(m, dir, name, base_len, &d);
  asl_buf got = ASL_BUF_INIT;
  asl_diags_print(&d, name, text, len, &got);
  if (!got.data)
    asl_buf_add(&got, "", 0);
  if (!lint && (m == NULL) != (d.len > 0)) {
    printf("FAIL %s: load returned %s with %zu diagnostics\n", name, m ? "a machine" : "NULL",
           d.len);
    failed = 1;
  }
  if (strncmp(name, "valid_", 6) == 0 && d.len > 0) {
    printf("FAIL %s: a valid_ case must load without diagnostics, got:\n%s", name, got.data);
    failed = 1;
  }
  if (update) {
    FILE *f = fopen(exp_path, "wb");
    if (f) {
      fwrite(got.data, 1, got.len, f);
      fclose(f);
    }
  } else {
    size_t elen = 0;
    char *expected = read_file(exp_path, &elen);
    if (!expected) {
      printf("FAIL %s: no %.*s.expected beside it\n", name, (int)base_len, name);
      failed = 1;
    } else if (elen != got.len || memcmp(expected, got.data, elen) != 0) {
      printf("FAIL %s\n--- expected\n%s--- got\n%s---\n", name, expected, got.data);
      failed = 1;
    }
    asl_free(expected);
  }
  asl_buf_free(&got);
  asl_diags_free(&d);
  asl_machine_free(m);
  asl_free(text);
out:
  asl_free(path);
  asl_free(exp_path);
  return failed;
}

static int run_dir(const char *dir, bool update)
{
  size_t n;
  char **names = list_dir(dir, ".json", &n);
  if (n == 0) {
    printf("FAIL: no cases in %s\n", dir);
    return 1;
  }
  int failed = 0;
  for (size_t i = 0; i < n; i++) {
    failed += run_case(dir, names[i], update);
    asl_free(names[i]);
  }
  asl_free(names);
  printf("%zu cases, %d failed\n", n, failed);
  return failed ? 1 : 0;
}

/* ---- the conformance corpus ---- */

static int corpus_case(const char *path, const char *shown, size_t *checked)
{
  size_t len;
  char *text = read_file(path, &len);
  if (!text)
    return 0;
  asl_error err = ASL_ERROR_INIT;
  asl_json *c = asl_json_parse(text, len, NULL, &err);
  int failed = 0;
  if (!c) {
    printf("FAIL %s: not JSON: %s\n", shown, err.cause);
    asl_error_clear(&err);
    asl_free(text);
    return 1;
  }
  const asl_json *expect = asl_json_get_cstr(c, "expect");
  const asl_json *status = expect ? asl_json_get_cstr(expect, "status") : NULL;
  bool invalid = status && asl_json_is_string(status) &&
                 strcmp(asl_json_str(status), "INVALID_DEFINITION") == 0;
  const asl_json *def = asl_json_get_cstr(c, "definition");
  const asl_json *def_text = asl_json_get_cstr(c, "definition_text");
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = NULL;
  if (def)
    m = asl_machine_load(def, NULL, &d);
  else if (def_text && asl_json_is_string(def_text))
    m = asl_machine_load_text(asl_json_str(def_text), asl_json_str_len(def_text), NULL, &d);
  else
    goto done;
  (*checked)++;
  if (invalid && d.len == 0) {
    printf("FAIL %s: AWS rejects this definition, the loader accepted it\n", shown);
    failed = 1;
  } else if (!invalid && d.len > 0) {
    asl_buf out = ASL_BUF_INIT;
    asl_diags_print(&d, shown, text, len, &out);
    printf("FAIL %s: AWS accepts this definition, the loader said:\n%s", shown, out.data);
    asl_buf_free(&out);
    failed = 1;
  }
done:
  asl_machine_free(m);
  asl_diags_free(&d);
  asl_json_decref(c);
  asl_free(text);
  return failed;
}

static int run_corpus(const char *root, char **skip, int nskip)
{
  struct stat sb;
  if (stat(root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    printf("SKIP: no conformance corpus at %s\n", root);
    return 77;
  }
  size_t nf;
  char **folders = list_dir(root, "", &nf);
  int failed = 0;
  size_t checked = 0;
  for (size_t i = 0; i < nf; i++) {
    char *dir = asl_strfmt("%s/%s", root, folders[i]);
    size_t n;
    char **names = list_dir(dir, ".json", &n);
    for (size_t j = 0; j < n; j++) {
      char *path = asl_strfmt("%s/%s", dir, names[j]);
      char *shown = asl_strfmt("%s/%s", folders[i], names[j]);
      bool skipped = false;
      for (int k = 0; k < nskip; k++)
        if (strstr(shown, skip[k]))
          skipped = true;
      if (!skipped)
        failed += corpus_case(path, shown, &checked);
      asl_free(shown);
      asl_free(path);
      asl_free(names[j]);
    }
    asl_free(names);
    asl_free(dir);
    asl_free(folders[i]);
  }
  asl_free(folders);
  printf("%zu definitions, %d failed\n", checked, failed);
  return failed ? 1 : checked ? 0 : 77;
}

int main(int argc, char **argv)
{
  size_t live = asl_json_live();
  int rc;
  bool skips_ok = argc >= 3 && (argc - 3) % 2 == 0;
  for (int i = 3; skips_ok && i < argc; i += 2)
    skips_ok = strcmp(argv[i], "--skip") == 0;
  char *skip[64];
  int nskip = 0;
  for (int i = 4; skips_ok && i < argc && nskip < 64; i += 2)
    skip[nskip++] = argv[i];
  if (argc >= 3 && strcmp(argv[1], "--corpus") == 0 && skips_ok)
    rc = run_corpus(argv[2], skip, nskip);
  else if (argc == 2 || (argc == 3 && strcmp(argv[2], "--update") == 0))
    rc = run_dir(argv[1], argc == 3);
  else {
    fprintf(stderr, "usage: run_validate DIR [--update] | --corpus DIR [--skip SUBSTR]...\n");
    return 2;
  }
  if (asl_json_live() != live) {
    printf("FAIL: %zu JSON values leaked\n", asl_json_live() - live);
    rc = 1;
  }
  return rc;
}
