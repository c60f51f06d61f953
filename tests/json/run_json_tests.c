/* Runs the data-driven JSON test files (tests/json/values.test and the like): each group parses
 * compares the compact output, or the error with its line:col, with the expected line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/json.h"

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

/* Splits [text] into lines in place; returns the count. */
static size_t split_lines(char *text, char ***out)
{
  size_t n = 0;
  size_t cap = 64;
  char **lines = asl_alloc(cap * sizeof *lines);
  char *p = text;
  while (*p) {
    if (n == cap) {
      cap *= 2;
      lines = asl_realloc(lines, cap * sizeof *lines);
    }
    lines[n++] = p;
    char *nl = strchr(p, '\n');
    if (!nl)
      break;
    *nl = '\0';
    p = nl + 1;
  }
  *out = lines;
  return n;
}

static int run_group(const char *file, size_t line_no, const char *input, const char *want)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(input, strlen(input), NULL, &err);
  asl_buf got = ASL_BUF_INIT;
  if (v) {
    asl_json_dump_buf(v, ASL_JSON_COMPACT, &got);
    if (asl_json_size(v) != got.len)
      asl_buf_printf(&got, " (asl_json_size says %zu)", asl_json_size(v));
    asl_json_decref(v);
  } else {
    int line, col;
    asl_text_linecol(input, strlen(input), err.offset, &line, &col);
    asl_buf_printf(&got, "!! %d:%d: %s", line, col, err.cause);
  }
  int failed = strcmp(got.data, want) != 0;
  if (failed)
    fprintf(stderr, "%s:%zu: FAIL\n  input: %s\n  want:  %s\n  got:   %s\n", file, line_no, input,
            want, got.data);
  asl_buf_free(&got);
  asl_error_clear(&err);
  return failed;
}

int main(int argc, char **argv)
{
  size_t live = asl_json_live();
  int failures = 0;
  int groups = 0;
  for (int a = 1; a < argc; a++) {
    size_t len;
    char *text = read_file(argv[a], &len);
    if (!text) {
      fprintf(stderr, "%s: cannot read\n", argv[a]);
      return 2;
    }
    char **lines;
    size_t n = split_lines(text, &lines);
    size_t i = 0;
    while (i < n) {
      if (lines[i][0] == '#' || (lines[i][0] == '\0' && i + 1 < n && lines[i + 1][0] == '\0')) {
        i++;
        continue;
      }
      if (lines[i][0] == '\0') {
        i++;
        continue;
      }
      if (i + 1 >= n) {
        fprintf(stderr, "%s:%zu: a group needs an input line and an expected line\n", argv[a],
                i + 1);
        failures++;
        break;
      }
      failures += run_group(argv[a], i + 1, lines[i], lines[i + 1]);
      groups++;
      i += 2;
    }
    asl_free(lines);
    asl_free(text);
  }
  if (asl_json_live() != live) {
    fprintf(stderr, "leaked %zu JSON values\n", asl_json_live() - live);
    failures++;
  }
  printf("%d groups, %d failed\n", groups, failures);
  return failures ? 1 : 0;
}
