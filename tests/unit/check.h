/* A minimal assertion kit for the C unit tests: each CHECK prints file:line and the expression
 * that failed, and the test's exit status is the number of failures (meson reads non-zero as a
 * failure). */
#ifndef ASLRUN_TESTS_CHECK_H
#define ASLRUN_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                   \
      check_failures++;                                                                            \
    }                                                                                              \
  } while (0)

#define CHECK_STR(got, want)                                                                       \
  do {                                                                                             \
    const char *g_ = (got);                                                                        \
    const char *w_ = (want);                                                                       \
    if (!g_ || strcmp(g_, w_) != 0) {                                                              \
      fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:  %s\n  want: %s\n", __FILE__, __LINE__, \
              #got, g_ ? g_ : "(null)", w_);                                                       \
      check_failures++;                                                                            \
    }                                                                                              \
  } while (0)

#define CHECK_DONE() (check_failures ? 1 : 0)

#endif
