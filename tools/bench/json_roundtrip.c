/* Parses a JSON file and prints it once, compact: the baseline that a run carrying the same
 * input through its paths is compared with (tools/bench/run). */
#include <stdio.h>
#include <stdlib.h>

#include "aslrun/json.h"

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: json_roundtrip FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  asl_buf text = ASL_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    asl_buf_add(&text, chunk, n);
  fclose(f);
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text.data, text.len, NULL, &err);
  if (!v) {
    fprintf(stderr, "%s: %s\n", argv[1], err.cause);
    return 1;
  }
  asl_buf out = ASL_BUF_INIT;
  asl_json_dump_buf(v, ASL_JSON_COMPACT, &out);
  fwrite(out.data, 1, out.len, stdout);
  fputc('\n', stdout);
  asl_buf_free(&out);
  asl_buf_free(&text);
  asl_json_decref(v);
  return 0;
}
