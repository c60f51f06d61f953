/* Every heap allocation goes through here, so that exhaustion has one clean ending and tests can
 * inject failures (ASL_FAIL_ALLOC=N fails the Nth allocation; ASL_COUNT_ALLOC=FILE appends the
 * number of allocations of the process to FILE when it exits, so that a sweep knows every N). */
#include "aslrun/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void default_oom(void)
{
  abort();
}

/* Process-wide on purpose: allocation has no context to hang this on. Set once at start-up. */
static asl_oom_fn oom_handler = default_oom;
static long fail_at = -1; /* -1: not read yet; 0: never fail */
static long alloc_count;

void asl_set_oom_handler(asl_oom_fn fn)
{
  oom_handler = fn ? fn : default_oom;
}

static ASL_NORETURN void out_of_memory(void)
{
  oom_handler();
  abort(); /* the handler must not return */
}

static bool counting;

static void report_count(void)
{
  const char *path = getenv("ASL_COUNT_ALLOC");
  int fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
  if (fd < 0)
    return;
  char line[32];
  int n = snprintf(line, sizeof line, "%ld\n", alloc_count);
  ssize_t w = write(fd, line, (size_t)n);
  (void)w;
  close(fd);
}

static bool injected_failure(void)
{
  if (fail_at < 0) {
    const char *s = getenv("ASL_FAIL_ALLOC");
    fail_at = s ? strtol(s, NULL, 10) : 0;
    if (fail_at < 0)
      fail_at = 0;
    counting = getenv("ASL_COUNT_ALLOC") != NULL;
    if (counting)
      atexit(report_count);
  }
  if (fail_at == 0 && !counting)
    return false;
  return ++alloc_count == fail_at;
}

void *asl_alloc(size_t n)
{
  void *p = injected_failure() ? NULL : malloc(n ? n : 1);
  if (!p)
    out_of_memory();
  return p;
}

void *asl_calloc(size_t count, size_t n)
{
  void *p = injected_failure() ? NULL : calloc(count ? count : 1, n ? n : 1);
  if (!p)
    out_of_memory();
  return p;
}

void *asl_realloc(void *old, size_t n)
{
  void *p = injected_failure() ? NULL : realloc(old, n ? n : 1);
  if (!p)
    out_of_memory();
  return p;
}

void asl_free(void *p)
{
  free(p);
}

char *asl_strndup(const char *s, size_t n)
{
  char *p = asl_alloc(n + 1);
  if (n)
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *asl_strdup(const char *s)
{
  return asl_strndup(s, strlen(s));
}

char *asl_vstrfmt(const char *fmt, va_list ap)
{
  asl_buf b = ASL_BUF_INIT;
  asl_buf_vprintf(&b, fmt, ap);
  return asl_buf_steal(&b, NULL);
}

char *asl_strfmt(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = asl_vstrfmt(fmt, ap);
  va_end(ap);
  return s;
}
