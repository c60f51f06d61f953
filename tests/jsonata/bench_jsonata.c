/* Measures evaluation speed: bench_jsonata [ITERATIONS]. Each expression is compiled once and
 * evaluated ITERATIONS times (default 1,000,000); prints nanoseconds per evaluation, result
 * conversion to asl_json included. Not a test: run it by hand (ninja benchmark target). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslrun/jsonata.h"

static double now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void bench(const char *expr, const char *input_text, long iterations, int flags)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *input = asl_json_parse(input_text, strlen(input_text), NULL, &err);
  asl_arena *a = asl_arena_new();
  asl_jsonata *e;
  if (asl_jsonata_compile(a, expr, strlen(expr), flags, &e, &err) != ASL_OK) {
    fprintf(stderr, "%s: %s\n", expr, err.cause);
    exit(1);
  }
  asl_json *states = asl_json_object(1);
  asl_json_obj_put_cstr(states, "input", asl_json_incref(input));
  asl_jsonata_var vars[] = {{"states", states}};
  asl_jsonata_env env = {0};
  env.input = input;
  env.vars = vars;
  env.nvars = 1;
  double t0 = now_ns();
  for (long i = 0; i < iterations; i++) {
    asl_json *out = NULL;
    if (asl_jsonata_eval(e, &env, &out, &err) != ASL_OK) {
      fprintf(stderr, "%s: %s\n", expr, err.cause);
      exit(1);
    }
    asl_json_decref(out);
  }
  double t1 = now_ns();
  printf("%-40s %8.1f ns/evaluation\n", expr, (t1 - t0) / (double)iterations);
  asl_json_decref(states);
  asl_json_decref(input);
  asl_arena_free(a);
}

int main(int argc, char **argv)
{
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
  const char *doc = "{\"a\":{\"b\":5,\"s\":\"text\"},\"x\":3,\"items\":[1,2,3,4,5,6,7,8,9,10]}";
  bench("$.a.b", doc, n, 0);
  bench("a.b", doc, n, 0);
  bench("a.s", doc, n, 0);
  bench("1 + 2 * 3", doc, n, 0);
  bench("x * 2 + 1", doc, n, 0);
  bench("$states.input.a.b", doc, n, ASL_JSONATA_SFN);
  bench("$states.input.x + 1", doc, n, ASL_JSONATA_SFN);
  bench("$sum(items)", doc, n, 0);
  bench("items[$ > 5]", doc, n / 4, 0);
  bench("{'total': $sum(items), 'n': $count(items)}", doc, n / 4, 0);
  bench("$string(a.b) & '!'", doc, n, 0);
  return 0;
}
