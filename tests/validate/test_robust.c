/* Robustness of the loader: every definition of tests/validate is mutated node by node (each
 * value replaced by one of every kind, each member dropped or renamed) and loaded, plus a few
 * generated extremes (long chains, deep nesting, huge names and arrays). Under the sanitizers
 * this proves that no input crashes, leaks or hangs the loader; everywhere it checks that a load
 * returns a machine exactly when it reports nothing.
 *
 *   test_robust DIR */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "aslrun/machine.h"

static size_t loads;

static void load_value(const asl_json *def)
{
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load(def, NULL, &d);
  CHECK((m == NULL) == (d.len > 0));
  for (size_t i = 0; i < d.len; i++)
    CHECK(d.items[i].message && d.items[i].message[0] && d.items[i].pointer);
  asl_machine_free(m);
  asl_diags_free(&d);
  loads++;
}

static void load_text(const char *text, size_t len)
{
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(text, len, NULL, &d);
  CHECK((m == NULL) == (d.len > 0));
  asl_machine_free(m);
  asl_diags_free(&d);
  loads++;
}

/* ---- structured mutations ---- */

enum { M_REPLACE, M_DROP, M_RENAME };

typedef struct mutation {
  size_t target; /* pre-order number of the node to change */
  int op;
  const asl_json *with; /* M_REPLACE */
  size_t counter;
  bool done;
} mutation;

static size_t count_nodes(const asl_json *v)
{
  size_t n = 1;
  size_t len = asl_json_len(v);
  if (asl_json_is_array(v))
    for (size_t i = 0; i < len; i++)
      n += count_nodes(asl_json_at(v, i));
  else if (asl_json_is_object(v))
    for (size_t i = 0; i < len; i++)
      n += count_nodes(asl_json_value_at(v, i));
  return n;
}

/* A copy of [v] with the mutation applied (a new reference). */
static asl_json *mutate(const asl_json *v, mutation *mu)
{
  size_t me = mu->counter++;
  if (me == mu->target && mu->op == M_REPLACE) {
    mu->done = true;
    return asl_json_incref(mu->with);
  }
  size_t len = asl_json_len(v);
  if (asl_json_is_array(v)) {
    asl_json *a = asl_json_array(len);
    for (size_t i = 0; i < len; i++)
      asl_json_arr_push(a, mutate(asl_json_at(v, i), mu));
    return a;
  }
  if (asl_json_is_object(v)) {
    asl_json *o = asl_json_object(len);
    for (size_t i = 0; i < len; i++) {
      size_t klen;
      const char *k = asl_json_key_at(v, i, &klen);
      size_t child = mu->counter;
      asl_json *nv = mutate(asl_json_value_at(v, i), mu);
      if (child == mu->target && mu->op == M_DROP) {
        mu->done = true;
        asl_json_decref(nv);
        continue;
      }
      if (child == mu->target && mu->op == M_RENAME) {
        mu->done = true;
        char *nk = asl_strfmt("%.*sx", (int)klen, k);
        asl_json_obj_put(o, nk, klen + 1, nv);
        asl_free(nk);
        continue;
      }
      asl_json_obj_put(o, k, klen, nv);
    }
    return o;
  }
  return asl_json_incref(v);
}

static asl_json *replacements[12];

static void make_replacements(void)
{
  const char *texts[] = {"null",
                         "true",
                         "0",
                         "-1",
                         "1.5",
                         "\"\"",
                         "\"$.x\"",
                         "[]",
                         "{}",
                         "[{}]",
                         "{\"Type\": \"Pass\"}",
                         "\"{% 1 %}\""};
  for (size_t i = 0; i < 12; i++) {
    asl_error err = ASL_ERROR_INIT;
    replacements[i] = asl_json_parse(texts[i], strlen(texts[i]), NULL, &err);
    CHECK(replacements[i] != NULL);
  }
}

static void mutate_all(const asl_json *def)
{
  size_t n = count_nodes(def);
  for (size_t t = 0; t < n; t++) {
    for (int op = M_REPLACE; op <= M_RENAME; op++) {
      size_t kinds = op == M_REPLACE ? 12 : 1;
      for (size_t r = 0; r < kinds; r++) {
        mutation mu = {t, op, replacements[r], 0, false};
        asl_json *m = mutate(def, &mu);
        if (mu.done)
          load_value(m);
        asl_json_decref(m);
      }
    }
  }
}

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

static void mutate_dir(const char *dir)
{
  DIR *d = opendir(dir);
  CHECK(d != NULL);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    char *path = asl_strfmt("%s/%s", dir, e->d_name);
    size_t len;
    char *text = read_file(path, &len);
    asl_free(path);
    if (!text)
      continue;
    /* every prefix of the text: cut-short definitions */
    for (size_t cut = 0; cut < len; cut += 7)
      load_text(text, cut);
    asl_error err = ASL_ERROR_INIT;
    asl_json *def = asl_json_parse(text, len, NULL, &err);
    asl_error_clear(&err);
    if (def)
      mutate_all(def);
    asl_json_decref(def);
    asl_free(text);
  }
  closedir(d);
}

/* ---- generated extremes ---- */

static void extremes(void)
{
  asl_buf b = ASL_BUF_INIT;
  /* a chain of 20,000 states */
  asl_buf_adds(&b, "{\"StartAt\": \"S0\", \"States\": {");
  for (int i = 0; i < 20000; i++)
    asl_buf_printf(&b, "%s\"S%d\": {\"Type\": \"Pass\", %s}", i ? "," : "", i,
                   i + 1 < 20000 ? "\"Next\": \"S_\"" : "\"End\": true");
  asl_buf_adds(&b, "}}");
  load_text(b.data, b.len); /* 19,999 bad Next values: capped, and quick */
  b.len = 0;

  /* Parallel states nested 200 deep (past the loader's own nesting cap) */
  for (int i = 0; i < 200; i++)
    asl_buf_adds(&b, "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Parallel\", "
                     "\"End\": true, \"Branches\": [");
  asl_buf_adds(&b, "{\"StartAt\": \"X\", \"States\": {\"X\": {\"Type\": \"Succeed\"}}}");
  for (int i = 0; i < 200; i++)
    asl_buf_adds(&b, "]}}}");
  load_text(b.data, b.len);
  b.len = 0;

  /* a 100,000-character state name, and an ErrorEquals of 50,000 names */
  asl_buf_adds(&b, "{\"StartAt\": \"");
  for (int i = 0; i < 100000; i++)
    asl_buf_addc(&b, 'n');
  asl_buf_adds(&b, "\", \"States\": {\"");
  for (int i = 0; i < 100000; i++)
    asl_buf_addc(&b, 'm');
  asl_buf_adds(&b, "\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", "
                   "\"End\": true, \"Retry\": [{\"ErrorEquals\": [");
  for (int i = 0; i < 50000; i++)
    asl_buf_printf(&b, "%s\"States.ALL\"", i ? "," : "");
  asl_buf_adds(&b, "]}]}}}");
  load_text(b.data, b.len);
  asl_buf_free(&b);
}

/* A definition over Step Functions' 1,048,576 characters is refused before it is parsed, with one
 * diagnostic at its start; characters are counted, not bytes. */
static void definition_size_cap(void)
{
  static const char head[] = "{\"Comment\": \"";
  static const char tail[] = "\", \"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", "
                             "\"End\": true}}}";
  size_t fixed = sizeof head - 1 + sizeof tail - 1;
  asl_buf b = ASL_BUF_INIT;
  /* exactly the limit in characters, twice that in bytes: accepted */
  asl_buf_adds(&b, head);
  for (size_t i = 0; i < ASL_MAX_DEFINITION_BYTES - fixed; i++)
    asl_buf_adds(&b, "\xc3\xa9");
  asl_buf_adds(&b, tail);
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(b.data, b.len, NULL, &d);
  CHECK(m != NULL && d.len == 0);
  asl_machine_free(m);
  asl_diags_free(&d);
  /* one character more */
  b.len = 0;
  asl_buf_adds(&b, head);
  for (size_t i = 0; i < ASL_MAX_DEFINITION_BYTES - fixed + 1; i++)
    asl_buf_addc(&b, 'x');
  asl_buf_adds(&b, tail);
  d = (asl_diags)ASL_DIAGS_INIT;
  m = asl_machine_load_text(b.data, b.len, NULL, &d);
  CHECK(m == NULL && d.len == 1);
  if (d.len == 1) {
    CHECK(d.items[0].offset == 0);
    CHECK_STR(d.items[0].message,
              "the definition is 1048577 characters long, more than the 1048576 that Step "
              "Functions accepts; move parts into other state machines (a Distributed Map's "
              "child workflow, or a Task that starts another execution)");
  }
  asl_diags_free(&d);
  asl_buf_free(&b);
}

static void diagnostics_cap(void)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "{\"StartAt\": \"S0\", \"States\": {");
  for (int i = 0; i < 1000; i++)
    asl_buf_printf(&b, "%s\"S%d\": {\"Type\": \"Pass\", \"End\": 1}", i ? "," : "", i);
  asl_buf_adds(&b, "}}");
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(b.data, b.len, NULL, &d);
  CHECK(m == NULL);
  CHECK(d.len == 501);
  if (d.len == 501)
    CHECK_STR(d.items[500].message, "more than 500 problems; fix these and validate again");
  asl_diags_free(&d);
  asl_buf_free(&b);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: test_robust DIR\n");
    return 2;
  }
  size_t live = asl_json_live();
  make_replacements();
  mutate_dir(argv[1]);
  extremes();
  definition_size_cap();
  diagnostics_cap();
  for (size_t i = 0; i < 12; i++)
    asl_json_decref(replacements[i]);
  CHECK(asl_json_live() == live);
  printf("%zu loads\n", loads);
  return CHECK_DONE();
}
