/* Private to src/lang: intrinsic function calls (States.Format(...), nested), parsed once into a
 * call tree (intrinsic_parse.c), checked against the table of intrinsics.def (intrinsic_args.c)
 * and evaluated by one function a row, grouped by family in intrinsics_<family>.c. */
#ifndef ASLRUN_LANG_INTRINSIC_H
#define ASLRUN_LANG_INTRINSIC_H

#include "internal.h"

typedef struct intr_call intr_call;
typedef struct intr_def intr_def;

/* A piece of a States.Format template: literal text, then (unless last) one placeholder. */
typedef struct fmt_piece {
  const char *s;
  size_t len;
} fmt_piece;

typedef enum intr_arg_kind { ARG_LITERAL, ARG_PATH, ARG_CALL } intr_arg_kind;

typedef struct intr_arg {
  intr_arg_kind kind;
  const asl_json *lit; /* ARG_LITERAL, kept by the arena */
  asl_path *path;      /* ARG_PATH */
  intr_call *call;     /* ARG_CALL */
  size_t pos;          /* offset in the call text, for messages */
  char kind_wanted;    /* what the table wants here (intrinsics.def), looked up at load */
} intr_arg;

/* [argv] holds the evaluated arguments (checked against the table); returns a new reference or
 * NULL with [err] set. */
typedef asl_json *(*intr_fn)(const intr_call *c, asl_json **argv, size_t argc,
                             const asl_env *env, asl_error *err);

struct intr_def {
  const char *name;
  int min_args;
  int max_args; /* -1: no limit */
  const char *kinds;
  char result;
  intr_fn fn;
};

struct intr_call {
  const intr_def *def;
  const char *text; /* the whole call, for messages */
  size_t nargs;
  intr_arg *args;
  fmt_piece *pieces; /* States.Format with a literal template: its pieces, parsed at load */
  size_t npieces;
  bool uses_context;
};

/* Parses [text] ("States.Name(args)"); ASL_E_DEFINITION with a cause on any problem. */
asl_status asl__intr_compile(asl_arena *a, const char *text, size_t len, intr_call **out,
                             asl_error *err);
bool asl__intr_uses_context(const intr_call *c);
/* A new reference, or NULL with States.IntrinsicFailure (or States.Runtime for a path that
 * matches nothing, worded for [field]). */
asl_json *asl__intr_eval(const intr_call *c, const asl_env *env, const char *field,
                         asl_error *err);

/* ---- shared argument checks (intrinsic_args.c) ---- */
/* The kind the table gives argument [i] (0-based) of [d]. */
char asl__intr_kind(const intr_def *d, size_t i);
/* Does [v] fit [kind]? */
bool asl__intr_fits(char kind, const asl_json *v);
/* "a number", "an array", ... */
const char *asl__intr_kind_name(char kind);
/* Checks argument [i] against the table; false with States.IntrinsicFailure when it does not
 * fit, worded the same way for every function. */
bool asl__intr_check_arg(const intr_call *c, size_t i, const asl_json *v, asl_error *err);
/* States.IntrinsicFailure with "[function]: [message]". */
ASL_PRINTF(3, 4) void asl__intr_fail(const intr_call *c, asl_error *err, const char *fmt, ...);
/* Java's Math.round of a number argument; false when it is outside the int range AWS allows. */
bool asl__intr_round(const asl_json *v, int64_t *out);
/* An integral number argument as int64; false when it has a fraction or is out of range. */
bool asl__intr_integer(const asl_json *v, int64_t *out);
/* The next 64 random bits from env->rng (or a clock-seeded source when it is NULL). */
uint64_t asl__intr_random(const asl_env *env);
/* Appends [v] as Java's toString of the value shows it, which is what States.Format inserts:
 * strings bare, objects as {key=value, ...}, arrays as [a, b] (intrinsics/test_format_2__07). */
void asl__intr_java_string(const asl_json *v, asl_buf *b);

#define ASL_INTRINSIC(name, min, max, kinds, result, fn)                                          \
  asl_json *fn(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,              \
               asl_error *err);
#include "intrinsics.def"
#undef ASL_INTRINSIC

#endif
