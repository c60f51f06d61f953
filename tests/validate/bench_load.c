/* Measures parsing plus loading of a generated machine: N Pass states with Parameters chained
 * by Next, as tools/bench/gen.py writes chain-1000.json (with "result": the same with a Result
 * instead, which leaves out lang's template compiler). Not a test (timings vary by machine); run
 * it by hand from a release build:  bench_load [N] [REPEATS] [result] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslrun/machine.h"

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
  long repeats = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
  const char *field = argc > 3 && strcmp(argv[3], "result") == 0 ? "Result" : "Parameters";
  if (n < 1 || repeats < 1)
    return 2;
  asl_buf b = ASL_BUF_INIT;
  asl_buf_printf(
      &b, "{\"Comment\": \"%ld chained Pass states\", \"StartAt\": \"S0\", \"States\": {", n);
  for (long i = 0; i < n; i++) {
    asl_buf_printf(&b,
                   "%s\"S%ld\": {\"Type\": \"Pass\", \"%s\": {\"step\": %ld, \"value.$\": "
                   "\"$.value\", \"tag.$\": \"$.tag\", \"const\": {\"k\": [1, 2, 3]}}, ",
                   i ? ", " : "", i, field, i);
    if (i + 1 < n)
      asl_buf_printf(&b, "\"Next\": \"S%ld\"}", i + 1);
    else
      asl_buf_adds(&b, "\"End\": true}");
  }
  asl_buf_adds(&b, "}}");
  double *t = malloc((size_t)repeats * sizeof(double));
  for (long r = 0; r < repeats; r++) {
    asl_diags d = ASL_DIAGS_INIT;
    double t0 = now_ms();
    asl_machine *m = asl_machine_load_text(b.data, b.len, NULL, &d);
    t[r] = now_ms() - t0;
    if (!m) {
      asl_buf out = ASL_BUF_INIT;
      asl_diags_print(&d, "chain", b.data, b.len, &out);
      fprintf(stderr, "the machine did not load (%zu diagnostics), first:\n%.*s", d.len, 300,
              out.data);
      asl_buf_free(&out);
      return 1;
    }
    asl_machine_free(m);
    asl_diags_free(&d);
  }
  qsort(t, (size_t)repeats, sizeof(double), by_value);
  printf("%ld states, %zu bytes: parse+load median %.3f ms, min %.3f ms, max %.3f ms (%ld runs)\n",
         n, b.len, t[repeats / 2], t[0], t[repeats - 1], repeats);
  free(t);
  asl_buf_free(&b);
  return 0;
}
