/* JSONata, the query language of Step Functions' JSONata states, as its reference implementation
 * (jsonata-js 2.x) defines it, plus the functions Step Functions adds ($partition, $range, $hash,
 * $random with a seed, $uuid, $parse) and the `{% ... %}` templates of Arguments, Output, Assign
 * and the other fields that take expressions.
 *
 * Representation and lifetimes: an expression is compiled once, at load, into a tree allocated in
 * the caller's arena (freed with it, never one by one; JSON literals it keeps are released through
 * asl_arena_defer). Evaluation allocates its intermediate values in a region of its own that is
 * dropped when it returns; the result is an asl_json value (a new reference: asl_json_decref it)
 * that shares whatever it took unchanged from the input and the variables. Evaluation lends its
 * arguments and never changes them.
 *
 * Errors are JSONata's: compile errors (asl_status ASL_E_SYNTAX) and evaluation errors
 * (ASL_E_RUNTIME, or ASL_E_LIMIT for the depth, time and memory bounds) carry JSONata's code in
 * [name] ("S0201", "T2001", "D3001", "U1001" ...), the reference implementation's message in
 * [cause] ("The left side of the \"+\" operator must evaluate to a number") and the offset inside
 * the expression text in [offset] (jsonata-js's position: the byte just after the token at fault).
 * asl_jsonata_error_cause formats them as Step Functions prints them ("T1006: Attempted to invoke
 * a non-function"). */
#ifndef ASLRUN_JSONATA_H
#define ASLRUN_JSONATA_H

#include "aslrun/json.h"

typedef struct asl_jsonata asl_jsonata;

/* Compile flags. */
enum {
  /* Step Functions' dialect (JSONata 2.0.6 there): the coalescing (??) and default (?:) operators
   * of 2.1 do not exist, $eval is not bound (a call gives T1006, as on AWS), and $partition,
   * $range, $hash, $uuid, $parse and $random with an optional seed are. */
  ASL_JSONATA_SFN = 1,
};

/* Compiles JSONata [text] of [len] bytes into [a]. On a syntax error returns ASL_E_SYNTAX with
 * [err] as described above. */
asl_status asl_jsonata_compile(asl_arena *a, const char *text, size_t len, int flags,
                               asl_jsonata **out, asl_error *err);
const char *asl_jsonata_text(const asl_jsonata *e); /* the source text, NUL-terminated */
size_t asl_jsonata_text_len(const asl_jsonata *e);

/* Is variable $[name] read anywhere in [e] (including inside lambdas)? Lets a caller skip building
 * a binding nobody reads, such as $states.context. */
bool asl_jsonata_uses_variable(const asl_jsonata *e, const char *name);

/* Does [e] read member [member] of variable $[name] by name, as in $states.result (a path whose
 * first step is the variable and whose second is that name)? A read [e] cannot name (a computed
 * key, the whole $states handed to a function) is not seen: for load-time checks of what a field
 * certainly reads. */
bool asl_jsonata_reads_member(const asl_jsonata *e, const char *name, const char *member);

/* ---------------------------------------------------------------- evaluation ---- */

/* A variable binding: $[name] is [value] (borrowed for the evaluation). A NULL value binds the
 * name to undefined. */
typedef struct asl_jsonata_var {
  const char *name; /* without the '$' */
  const asl_json *value;
} asl_jsonata_var;

/* Looks up a variable the bindings did not name: returns it (borrowed, alive for the whole
 * evaluation) or NULL when there is no such variable (the expression then sees undefined). */
typedef const asl_json *(*asl_jsonata_lookup_cb)(void *data, const char *name, size_t len);

typedef struct asl_jsonata_env {
  const asl_json *input;           /* the context value `$` at the top; NULL: undefined */
  const asl_jsonata_var *vars;     /* bindings, looked up before the built-in functions */
  size_t nvars;
  asl_jsonata_lookup_cb lookup;    /* then this, if set (workflow variables) */
  void *lookup_data;
  uint64_t *rng;      /* state of the random source of $random, $shuffle, $uuid; NULL: seeded
                         from the clock on first use */
  int64_t now_ms;     /* what $now() and $millis() return (ms since the epoch); 0: the clock */
  unsigned max_depth; /* evaluation depth as jsonata-js counts it (one level an expression node
                         being evaluated); past it U1001. 0: ASL_JSONATA_DEFAULT_DEPTH. Values
                         above ASL_JSONATA_MAX_DEPTH are lowered to it (the C stack) */
  unsigned time_limit_ms; /* past it U1001; 0: no limit */
  size_t max_memory;      /* bytes the evaluation may hold; past it U1002. 0: the default */
  bool js_numbers;        /* non-finite numbers come out as null (JSON.stringify) rather than as
                             Step Functions' strings; for the reference suite */
} asl_jsonata_env;

#define ASL_JSONATA_DEFAULT_DEPTH 100u   /* what Step Functions allows */
#define ASL_JSONATA_MAX_DEPTH 2000u
#define ASL_JSONATA_DEFAULT_MEMORY ((size_t)256 << 20)

/* Evaluates [e]. On success returns ASL_OK and sets *[out] to the result, a new reference, or to
 * NULL when the expression evaluates to nothing (JSONata's undefined). Numbers come out as
 * integers when they are integral and fit int64, as doubles otherwise; a function in the result
 * is left out of objects and becomes null in arrays (JSON.stringify's rule), and a function as
 * the whole result fails with ASL_E_RUNTIME, name "U1003" (it has no JSON form).
 * Non-finite numbers come out as the strings "Infinity", "-Infinity" and "NaN", as Step Functions
 * writes them (null with env->js_numbers). */
asl_status asl_jsonata_eval(const asl_jsonata *e, const asl_jsonata_env *env, asl_json **out,
                            asl_error *err);

/* "CODE: message" of an error this module returned (a new string, asl_free it). */
char *asl_jsonata_error_cause(const asl_error *err);

/* ------------------------------------------------------ Step Functions' rules ---- */

/* Checks what Step Functions refuses at load in an expression that compiled: a path whose first
 * step reads the context value by name ("Reference to 'phone' at the top level is not
 * supported."), and $$. Returns NULL when there is nothing to say, else a new string (asl_free
 * it), the message AWS words; *[offset] is set to where in the text. */
char *asl_jsonata_sfn_check(const asl_jsonata *e, size_t *offset);

/* ---------------------------------------------------------------- templates ---- */

/* A JSON value whose strings that are exactly "{% expression %}" are JSONata expressions:
 * Arguments, Output, Assign, Items, and the single-value fields (Seconds, Timestamp, Error,
 * Cause, Condition, TimeoutSeconds, ...). */
typedef struct asl_jsonata_template asl_jsonata_template;

/* True when [v] is a string that starts with "{%" and ends with "%}". */
bool asl_jsonata_is_expression(const asl_json *v);

/* Compiles every expression inside [tmpl] (with ASL_JSONATA_SFN) into [a]; [field] names the
 * field for causes ("Output", "Arguments", "Choices[1]/Condition"), and the walk extends it with
 * "/key" per object member and "[i]" per array element. Problems (an expression that does not
 * compile, what asl_jsonata_sfn_check refuses) go to [d] with offsets from [tmpl]'s positions and
 * pointers below [pointer]; returns NULL when it added one. */
asl_jsonata_template *asl_jsonata_template_compile(asl_arena *a, const asl_json *tmpl,
                                                   const char *field, const char *pointer,
                                                   asl_diags *d);
/* No expression inside: the value is constant. */
bool asl_jsonata_template_is_constant(const asl_jsonata_template *t);
bool asl_jsonata_template_uses_variable(const asl_jsonata_template *t, const char *name);

/* When the whole of [t] is one expression: its text, as causes quote it; else NULL. */
const char *asl_jsonata_template_expression(const asl_jsonata_template *t);
/* The field [t] was compiled for ("Items"), as causes name it. */
const char *asl_jsonata_template_field(const asl_jsonata_template *t);
/* asl_jsonata_reads_member for any expression of [t]. */
bool asl_jsonata_template_reads_member(const asl_jsonata_template *t, const char *name,
                                       const char *member);

/* Builds the value; constant parts are shared, not copied. An expression that fails, returns
 * nothing or returns a function fails with code ASL_E_RUNTIME, name
 * "States.QueryEvaluationError" and AWS's cause ("The JSONata expression '$x' specified for the
 * field 'Output/a' returned nothing (undefined).", "... threw an error during evaluation. T1006:
 * Attempted to invoke a non-function", "... returned an unsupported result type."), without the
 * state prefix the executor adds. */
asl_json *asl_jsonata_template_eval(const asl_jsonata_template *t, const asl_jsonata_env *env,
                                    asl_error *err);

#endif
