/* Errors are values: a status code, a Step Functions error name and cause, and where the error
 * arose. A fallible function returns asl_status (ASL_OK is 0) or NULL and fills *err only on
 * failure; the first error written wins, outer layers only add a missing position or pointer.
 * Static problems of a definition are collected, all of them, in asl_diags. */
#ifndef ASLRUN_ERROR_H
#define ASLRUN_ERROR_H

#include "aslrun/util.h"

typedef enum asl_status {
  ASL_OK = 0,
  ASL_E_SYNTAX,     /* text is not valid JSON (or not a valid expression) */
  ASL_E_DEFINITION, /* the definition breaks a rule of the language */
  ASL_E_RUNTIME,    /* a Step Functions runtime error: name and cause say which */
  ASL_E_HANDLER,    /* a task handler failed: name and cause come from it */
  ASL_E_IO,         /* a file or process could not be used */
  ASL_E_LIMIT,      /* a size, depth or count cap was passed */
  ASL_E_CANCELED,   /* a pending operation was cancelled */
  ASL_E_USAGE,      /* the caller asked for something impossible (bad option value) */
} asl_status;

#define ASL_NOPOS ((size_t)-1)

typedef struct asl_error {
  asl_status code;
  char *name;    /* Step Functions error name, e.g. "States.Runtime"; may be NULL */
  char *cause;   /* the message; AWS's exact text where AWS has one; may be NULL */
  size_t offset; /* byte offset in the source text it concerns, or ASL_NOPOS */
  char *pointer; /* JSON pointer of the field, e.g. "/States/Call API/Next", or NULL */
} asl_error;

#define ASL_ERROR_INIT {ASL_OK, NULL, NULL, ASL_NOPOS, NULL}

/* Fills [err] unless it already holds an error (first error wins). [name] may be NULL. Returns
 * [code] so that callers can write `return asl_error_set(...)`. */
ASL_PRINTF(4, 5)
asl_status asl_error_set(asl_error *err, asl_status code, const char *name, const char *fmt, ...);
ASL_PRINTF(4, 0)
asl_status asl_error_vset(asl_error *err, asl_status code, const char *name, const char *fmt,
                          va_list ap);
/* Sets offset/pointer only where still unset. */
void asl_error_locate(asl_error *err, size_t offset, const char *pointer);
/* Prefixes the cause with [prefix] (used to add "An error occurred while executing the state..."). */
void asl_error_prefix_cause(asl_error *err, const char *prefix);
void asl_error_clear(asl_error *err); /* frees the strings, back to ASL_ERROR_INIT */
/* Moves [src] into [dst] (dst is cleared first); [src] is left empty. */
void asl_error_move(asl_error *dst, asl_error *src);
bool asl_error_is_set(const asl_error *err);

/* ---- diagnostics: every static error of a definition at once ---- */
typedef struct asl_diag {
  size_t offset;   /* byte offset in the source, or ASL_NOPOS */
  char *pointer;   /* JSON pointer, "" for the root */
  char *message;   /* "what is wrong; what to do" */
} asl_diag;

typedef struct asl_diags {
  asl_diag *items;
  size_t len;
  size_t cap;
} asl_diags;

#define ASL_DIAGS_INIT {NULL, 0, 0}
ASL_PRINTF(4, 5)
void asl_diags_add(asl_diags *d, size_t offset, const char *pointer, const char *fmt, ...);
ASL_PRINTF(4, 0)
void asl_diags_vadd(asl_diags *d, size_t offset, const char *pointer, const char *fmt, va_list ap);
/* Adds [err] as a diagnostic: its own offset and pointer win over the ones given. */
void asl_diags_add_error(asl_diags *d, size_t offset, const char *pointer, const asl_error *err);
/* Orders by offset (stable), so output reads top to bottom. */
void asl_diags_sort(asl_diags *d);
void asl_diags_free(asl_diags *d);

/* Appends one line a diagnostic, "[file]:[line]:[col]: [pointer]: [message]\n", with line and
 * column computed from [text] (the source the offsets refer to). */
void asl_diags_print(const asl_diags *d, const char *file, const char *text, size_t len,
                     asl_buf *out);

/* Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1") and appends it. */
void asl_pointer_append(asl_buf *b, const char *token, size_t len);
/* A new string "[base]/[token]" with the token escaped. */
char *asl_pointer_join(const char *base, const char *token, size_t len);

#endif
