/* Replays the Choice cases recorded against AWS (../shared/conformance/choice/, every .json)
 * asl_choice_compile / asl_choice_eval: the first state of each JSONPath-mode case is a Choice;
 * the branch the rules pick (or Default) must lead to what AWS recorded: a Pass state's Result,
 * the input passed through, or a failure. Exits 77 (skipped) when the corpus is absent.
 * Usage: replay_choice DIR */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/lang.h"

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

/* 0 pass, 1 fail, 2 not applicable */
static int replay(const char *path, const asl_json *c)
{
  const asl_json *def = asl_json_get_cstr(c, "definition");
  const asl_json *input = asl_json_get_cstr(c, "input");
  const asl_json *expect = asl_json_get_cstr(c, "expect");
  if (!def || asl_json_get_cstr(def, "QueryLanguage"))
    return 2;
  const asl_json *states = asl_json_get_cstr(def, "States");
  const asl_json *start = asl_json_get_cstr(def, "StartAt");
  const asl_json *first = asl_json_get(states, asl_json_str(start), asl_json_str_len(start));
  const asl_json *type = asl_json_get_cstr(first, "Type");
  if (!type || strcmp(asl_json_str(type), "Choice") != 0 || asl_json_get_cstr(first, "QueryLanguage"))
    return 2;
  const asl_json *choices = asl_json_get_cstr(first, "Choices");
  asl_arena *a = asl_arena_new();
  asl_env env = {.input = input, .context = NULL, .rng = NULL};
  const char *next = NULL;
  int result = 0;
  for (size_t i = 0; i < asl_json_len(choices) && !next; i++) {
    asl_diags d = ASL_DIAGS_INIT;
    const asl_json *rule = asl_json_at(choices, i);
    asl_choice *ch = asl_choice_compile(a, rule, "", true, &d);
    if (!ch) {
      fprintf(stderr, "%s: rule %zu does not compile: %s\n", path, i,
              d.len ? d.items[0].message : "?");
      asl_diags_free(&d);
      asl_arena_free(a);
      return 1;
    }
    asl_error err = ASL_ERROR_INIT;
    bool m;
    if (asl_choice_eval(ch, &env, &m, &err) != ASL_OK) {
      fprintf(stderr, "%s: rule %zu failed: %s: %s\n", path, i, err.name, err.cause);
      asl_error_clear(&err);
      asl_arena_free(a);
      return 1;
    }
    if (m)
      next = asl_json_str(asl_json_get_cstr(rule, "Next"));
  }
  if (!next) {
    const asl_json *dflt = asl_json_get_cstr(first, "Default");
    next = dflt ? asl_json_str(dflt) : NULL;
  }
  const char *status = asl_json_str(asl_json_get_cstr(expect, "status"));
  const asl_json *target = next ? asl_json_get_cstr(states, next) : NULL;
  const char *ttype = target ? asl_json_str(asl_json_get_cstr(target, "Type")) : "(none)";
  if (strcmp(ttype, "Fail") == 0 || !target) {
    if (strcmp(status, "FAILED") != 0)
      result = 1;
  } else if (strcmp(ttype, "Pass") == 0) {
    const asl_json *res = asl_json_get_cstr(target, "Result");
    const asl_json *out = asl_json_get_cstr(expect, "output");
    if (strcmp(status, "SUCCEEDED") != 0 || !asl_json_equal(res ? res : input, out))
      result = 1;
  } else {
    result = 2;
  }
  if (result == 1) {
    char *in = asl_json_dump(input, ASL_JSON_COMPACT, NULL);
    fprintf(stderr, "%s: took '%s' for input %s, AWS recorded %s\n", path, next ? next : "(none)",
            in, status);
    asl_free(in);
  }
  asl_arena_free(a);
  return result;
}

int main(int argc, char **argv)
{
  if (argc != 2)
    return 2;
  DIR *dir = opendir(argv[1]);
  if (!dir) {
    printf("no corpus at %s: skipped\n", argv[1]);
    return 77;
  }
  size_t live = asl_json_live();
  int passed = 0, failed = 0, skipped = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    char *path = asl_strfmt("%s/%s", argv[1], e->d_name);
    size_t len;
    char *text = read_file(path, &len);
    asl_error err = ASL_ERROR_INIT;
    asl_json *c = text ? asl_json_parse(text, len, NULL, &err) : NULL;
    if (!c) {
      fprintf(stderr, "%s: unreadable\n", path);
      failed++;
    } else {
      int r = replay(path, c);
      if (r == 0)
        passed++;
      else if (r == 1)
        failed++;
      else
        skipped++;
    }
    asl_error_clear(&err);
    asl_json_decref(c);
    asl_free(text);
    asl_free(path);
  }
  closedir(dir);
  if (asl_json_live() != live) {
    fprintf(stderr, "LEAK: %zd JSON values alive\n", (ssize_t)(asl_json_live() - live));
    failed++;
  }
  printf("%d passed, %d failed, %d not Choice-first JSONPath cases\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
