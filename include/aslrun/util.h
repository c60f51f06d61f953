/* Shared foundations of every module: allocation, growable byte buffers, the arena that holds a
 * compiled machine, and small typed vectors.
 *
 * Allocation never returns NULL. Inputs cannot exhaust memory because every size is capped, so
 * running out is treated like an assertion: the installed handler (the CLI prints
 * "aslrun: out of memory") runs and the process ends. ASL_FAIL_ALLOC=N makes the Nth allocation
 * fail, to prove that the end is always that clean message and never a crash. */
#ifndef ASLRUN_UTIL_H
#define ASLRUN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define ASL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ASL_NORETURN __attribute__((noreturn))
#else
#define ASL_PRINTF(f, a)
#define ASL_NORETURN
#endif

/* ---- allocation ---- */
void *asl_alloc(size_t n);                /* uninitialised; never NULL */
void *asl_calloc(size_t count, size_t n); /* zeroed; never NULL */
void *asl_realloc(void *p, size_t n);     /* never NULL */
void asl_free(void *p);
char *asl_strdup(const char *s);
char *asl_strndup(const char *s, size_t n); /* copies n bytes and adds a NUL */
ASL_PRINTF(1, 2) char *asl_strfmt(const char *fmt, ...);
ASL_PRINTF(1, 0) char *asl_vstrfmt(const char *fmt, va_list ap);

/* Called when memory is exhausted (or an injected failure hits); must not return. The default
 * writes nothing and calls abort(), because only the CLI may print. */
typedef void (*asl_oom_fn)(void);
void asl_set_oom_handler(asl_oom_fn fn);

/* ---- growable byte buffer; always NUL-terminated ---- */
typedef struct asl_buf {
  char *data;
  size_t len;
  size_t cap;
} asl_buf;

#define ASL_BUF_INIT {NULL, 0, 0}
/* Makes room for [extra] more bytes and the terminator. */
void asl_buf_grow(asl_buf *b, size_t extra);
static inline void asl_buf_reserve(asl_buf *b, size_t extra)
{
  if (b->len + extra + 1 > b->cap)
    asl_buf_grow(b, extra);
}
void asl_buf_add(asl_buf *b, const void *p, size_t n);
/* Inline: the serialiser calls it for every punctuation byte. */
static inline void asl_buf_addc(asl_buf *b, char c)
{
  asl_buf_reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}
void asl_buf_adds(asl_buf *b, const char *s);
ASL_PRINTF(2, 3) void asl_buf_printf(asl_buf *b, const char *fmt, ...);
ASL_PRINTF(2, 0) void asl_buf_vprintf(asl_buf *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (free with asl_free) and leaves [b] empty; never NULL. */
char *asl_buf_steal(asl_buf *b, size_t *len);
void asl_buf_free(asl_buf *b);

/* ---- arena: everything a compiled machine owns, freed at once ---- */
typedef struct asl_arena asl_arena;
asl_arena *asl_arena_new(void);
void asl_arena_free(asl_arena *a);                  /* NULL is a no-op */
void *asl_arena_alloc(asl_arena *a, size_t n);      /* zeroed, aligned for any type */
char *asl_arena_strndup(asl_arena *a, const char *s, size_t n);
char *asl_arena_strdup(asl_arena *a, const char *s);
/* Runs [fn]([p]) when the arena is freed: for refcounted values a compiled machine keeps. */
void asl_arena_defer(asl_arena *a, void (*fn)(void *), void *p);

/* ---- typed vectors: ASL_VEC(int) v = {0}; ASL_VEC_PUSH(v, 3); ---- */
#define ASL_VEC(T)                                                                                 \
  struct {                                                                                         \
    T *items;                                                                                      \
    size_t len;                                                                                    \
    size_t cap;                                                                                    \
  }
#define ASL_VEC_PUSH(v, x)                                                                         \
  do {                                                                                             \
    if ((v).len == (v).cap) {                                                                      \
      (v).cap = (v).cap ? (v).cap * 2 : 8;                                                         \
      (v).items = asl_realloc((v).items, (v).cap * sizeof *(v).items);                             \
    }                                                                                              \
    (v).items[(v).len++] = (x);                                                                    \
  } while (0)
#define ASL_VEC_FREE(v)                                                                            \
  do {                                                                                             \
    asl_free((v).items);                                                                           \
    (v).items = NULL;                                                                              \
    (v).len = (v).cap = 0;                                                                         \
  } while (0)

/* ---- text positions ---- */
/* Line and column (both from 1; the column counts UTF-8 characters) of byte [offset] in [text]. */
void asl_text_linecol(const char *text, size_t len, size_t offset, int *line, int *col);
/* True when [s] of [n] bytes is valid UTF-8. */
bool asl_utf8_valid(const char *s, size_t n);
/* The largest length <= [n] at which [s] can be cut without splitting a UTF-8 character (s must
 * have at least n bytes, plus one when it is longer than n). */
size_t asl_utf8_floor(const char *s, size_t n);
/* Appends [n] bytes at [p] as padded base64 (RFC 4648, the standard alphabet). */
void asl_base64_encode(const void *p, size_t n, asl_buf *out);
enum {
  ASL_BASE64_URL = 1,  /* '-' and '_' are 62 and 63 too (RFC 4648's URL alphabet) */
  ASL_BASE64_SKIP = 2, /* characters of neither alphabet are skipped, not an end */
};
/* Decodes base64 [s] of [n] bytes, appending the bytes to [out] (leftover bits are dropped);
 * stops at the first '=' or at a character outside the alphabet ([flags] can widen it or skip
 * such characters). Returns how many characters it decoded or skipped: the callers judge padding
 * and what follows, as each of them has its own rule. */
size_t asl_base64_decode(const char *s, size_t n, unsigned flags, asl_buf *out);
/* The value 0..15 of hex digit [c] (either case), or -1. */
int asl_hex_value(char c);
/* Number of UTF-16 code units [s] takes (Java's String.length(), which AWS's limits count). */
size_t asl_utf16_len(const char *s, size_t n);

#endif
