/* The data language of Step Functions in JSONPath mode, as pure functions with no I/O: JSONPath
 * (Jayway semantics, as AWS), reference paths, `.$` expressions (paths, context paths, intrinsic
 * function calls), payload templates, Choice rules and RFC 3339 timestamps.
 *
 * Everything is compiled once, at load, into a tree allocated in the machine's arena (freed with
 * the arena, never one by one) and evaluated many times. Evaluation lends its arguments and
 * returns new references.
 *
 * Runtime failures are asl_errors with code ASL_E_RUNTIME and a Step Functions error name
 * (States.Runtime, States.IntrinsicFailure, ...). The cause is AWS's detail text *without* the
 * "An error occurred while executing the state 'X' (entered at the event id #N). " prefix, which
 * the executor adds because only it knows the state and the event id. */
#ifndef ASLRUN_LANG_H
#define ASLRUN_LANG_H

#include "aslrun/json.h"

/* The value of workflow variable [name] ([len] bytes, no '$'), borrowed for the evaluation, or
 * NULL when it has none. */
typedef const asl_json *(*asl_var_lookup_cb)(void *data, const char *name, size_t len);

/* What an expression is evaluated against. */
typedef struct asl_env {
  const asl_json *input;   /* what `$` refers to */
  const asl_json *context; /* what `$$` refers to (the context object); NULL only when the
                              compiled expressions provably do not use it (asl_*_uses_context) */
  uint64_t *rng;           /* state of the random source of States.MathRandom / States.UUID;
                              NULL: seeded from the clock on first use */
  asl_var_lookup_cb vars;  /* what `$name` refers to (workflow variables); NULL: none is set */
  void *vars_data;
} asl_env;

/* Reports each workflow variable an expression reads ($name, without the '$'), in order and as
 * often as it appears, with the offset of its '$' inside the expression's text. */
typedef void (*asl_var_ref_cb)(void *data, const char *name, size_t len, size_t offset);

/* ---------------------------------------------------------------- JSONPath ---- */
typedef struct asl_path asl_path;

/* Compiles JSONPath [text] ("$...", "$$..." for the context object, or "$name..." for workflow
 * variable name: "$order.items[0]"). On a syntax error returns ASL_E_DEFINITION with a cause
 * that says what is wrong and where in the path. */
asl_status asl_path_compile(asl_arena *a, const char *text, size_t len, asl_path **out,
                            asl_error *err);
const char *asl_path_text(const asl_path *p); /* the source text, NUL-terminated */
bool asl_path_is_context(const asl_path *p);  /* starts with $$ */
bool asl_path_is_root(const asl_path *p);     /* exactly "$" */
/* The variable a "$name..." path reads (NUL-terminated, *len bytes), or NULL. */
const char *asl_path_variable(const asl_path *p, size_t *len);
/* Definite paths name at most one node (no wildcard, slice, union, filter or recursive descent);
 * indefinite ones evaluate to an array of every match (possibly empty), as Jayway does. */
bool asl_path_is_definite(const asl_path *p);
/* Evaluates [p] against env->input (or env->context for $$ paths, or the variable through
 * env->vars). Returns a new reference. A variable that is not set fails with States.Runtime.
 * A definite path that matches nothing fails: code ASL_E_RUNTIME, name "States.Runtime" and
 * Jayway's words as cause ("No results for path: $['a']" for a missing last property,
 * "Missing property in path $['a']" for a missing intermediate one, ...). A path whose filters
 * and '..' would take more than 20 million steps on [env] fails with ASL_E_LIMIT (name
 * States.Runtime) instead of running for hours. */
asl_json *asl_path_eval(const asl_path *p, const asl_env *env, asl_error *err);

/* ----------------------------------------------------------- reference paths ---- */
/* A reference path (ResultPath): `$`, names and array indexes only, no operators. */
typedef struct asl_refpath asl_refpath;

asl_status asl_refpath_compile(asl_arena *a, const char *text, size_t len, asl_refpath **out,
                               asl_error *err);
const char *asl_refpath_text(const asl_refpath *rp);
/* Returns a new document: [input] with [result] placed at [rp], creating missing objects on the
 * way, as Step Functions' ResultPath does. Shares what it does not change. When the path cannot
 * be applied (a step into a non-object), fails with States.Runtime and AWS's cause. */
asl_json *asl_refpath_apply(const asl_refpath *rp, const asl_json *input, const asl_json *result,
                            asl_error *err);

/* ----------------------------------------------------------- `.$` expressions ---- */
/* The value of a `.$` field or of a field such as ErrorPath: a path, a context path or an
 * intrinsic function call (States.Format(...), nested). */
typedef struct asl_expr asl_expr;

enum {
  ASL_EXPR_PATHS = 1,      /* JSONPath and context paths */
  ASL_EXPR_INTRINSICS = 2, /* States.* calls */
};
/* [allow] is a mask of ASL_EXPR_*: what the field accepts. */
asl_status asl_expr_compile(asl_arena *a, const char *text, size_t len, int allow, asl_expr **out,
                            asl_error *err);
const char *asl_expr_text(const asl_expr *e);
bool asl_expr_uses_context(const asl_expr *e);
void asl_expr_each_variable(const asl_expr *e, asl_var_ref_cb cb, void *data);
/* A path that finds nothing fails with States.Runtime; [field] names the field in the cause
 * ("The JSONPath '$.x' specified for the field 'value.$' could not be found in the input
 * '{...}'"). An intrinsic that fails gives States.IntrinsicFailure with AWS's cause. */
asl_json *asl_expr_eval(const asl_expr *e, const char *field, const asl_env *env, asl_error *err);

/* ----------------------------------------------------------- payload templates ---- */
/* Parameters, ResultSelector, ItemSelector: any JSON value whose objects may have `key.$`
 * members holding expressions. */
typedef struct asl_template asl_template;

/* Compiles [tmpl]; every problem goes to [d] (offsets from [tmpl]'s positions, pointers below
 * [pointer]). Returns NULL when it added a diagnostic. */
asl_template *asl_template_compile(asl_arena *a, const asl_json *tmpl, const char *pointer,
                                   asl_diags *d);
bool asl_template_uses_context(const asl_template *t);
/* Reports the variables of every expression in [t]; the offset is that of the member's value in
 * the template's source (ASL_NOPOS without one). */
void asl_template_each_variable(const asl_template *t, asl_var_ref_cb cb, void *data);
/* Builds the payload. Constant parts are shared, not copied. */
asl_json *asl_template_eval(const asl_template *t, const asl_env *env, asl_error *err);

/* ---------------------------------------------------------------- Choice rules ---- */
typedef struct asl_choice asl_choice;

/* Compiles one Choice rule object. With [top_level], the members a top-level rule may also have
 * (Next, Comment; later Assign, Output) are left to the caller; nested rules (inside And, Or,
 * Not) must not have Next. Problems go to [d]; returns NULL when it added one. */
asl_choice *asl_choice_compile(asl_arena *a, const asl_json *rule, const char *pointer,
                               bool top_level, asl_diags *d);
bool asl_choice_uses_context(const asl_choice *c);
/* Reports the variables of every path in the rule (Variable and the *Path operands); the offset
 * is that of the field's value in the source (ASL_NOPOS without one). */
void asl_choice_each_variable(const asl_choice *c, asl_var_ref_cb cb, void *data);
/* Sets *matched. Fails (States.Runtime, AWS's cause) where AWS fails, e.g. when a Variable path
 * matches nothing. */
asl_status asl_choice_eval(const asl_choice *c, const asl_env *env, bool *matched,
                           asl_error *err);

/* ---------------------------------------------------------------- timestamps ---- */
typedef struct asl_timestamp {
  int64_t seconds; /* since the Unix epoch, UTC */
  int32_t nanos;   /* 0..999999999 */
} asl_timestamp;

/* Parses an RFC 3339 date-time ("2016-03-14T01:59:00Z", a fraction of 1 to 9 digits, "Z" or an
 * offset +hh:mm) the way Step Functions accepts it in Wait and Choice (Java's ISO offset
 * date-time parser, which stops at nanoseconds); false when it is not one. */
bool asl_timestamp_parse(const char *s, size_t len, asl_timestamp *out);
int asl_timestamp_cmp(asl_timestamp a, asl_timestamp b);
/* Writes [ms] since the epoch as AWS writes context timestamps, "2024-01-02T03:04:05.678Z";
 * returns the length (buf needs 32 bytes). */
size_t asl_timestamp_format_ms(int64_t ms, char buf[32]);

#endif
