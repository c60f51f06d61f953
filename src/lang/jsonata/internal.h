/* Private to src/lang/jsonata: the syntax tree, the values of an evaluation and the context every
 * file of the engine shares.
 *
 * Values follow jsonata-js's JavaScript ones: numbers are doubles, arrays carry the flags jsonata
 * puts on them (sequence, keepSingleton, outerWrapper, tupleStream, cons), objects and arrays are
 * mutable and shared by reference, undefined is a value of its own. Everything an evaluation
 * builds lives in its region (jn_alloc) and goes when the evaluation returns, so no code here
 * frees or counts references; input data is read in place from the caller's asl_json values
 * (the J* kinds) and copied only when the result is built. */
#ifndef ASLRUN_LANG_JSONATA_INTERNAL_H
#define ASLRUN_LANG_JSONATA_INTERNAL_H

#include "aslrun/jsonata.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct jn_ctx jn_ctx;
typedef struct jn_node jn_node;
typedef struct jn_frame jn_frame;
typedef struct jn_regex jn_regex;
typedef struct jarr jarr;
typedef struct jobj jobj;
typedef struct jfunc jfunc;

/* ------------------------------------------------------------------ values ---- */
typedef enum jv_type {
  JV_UNDEF = 0,
  JV_NULL,
  JV_BOOL,
  JV_NUM,
  JV_STR,  /* bytes in the region (or static) */
  JV_JSTR, /* an asl_json string of the input */
  JV_ARR,  /* jarr */
  JV_JARR, /* an asl_json array of the input, read in place */
  JV_OBJ,  /* jobj */
  JV_JOBJ, /* an asl_json object of the input, read in place */
  JV_FUNC,
  JV_ERR, /* evaluation failed: the error is in the context; never data */
} jv_type;

typedef struct jv {
  uint8_t t;
  uint8_t b;    /* JV_BOOL */
  uint32_t len; /* JV_STR */
  union {
    double n;
    const char *s;
    jarr *a;
    jobj *o;
    const asl_json *j;
    jfunc *f;
  } u;
} jv;

/* array flags, as jsonata-js sets them on JavaScript arrays */
enum {
  AF_SEQ = 1,            /* a sequence: singletons collapse, empty is undefined */
  AF_KEEP = 2,           /* keepSingleton */
  AF_OUTER = 4,          /* outerWrapper: the input array wrapped at the top */
  AF_TUPLES = 8,         /* tupleStream: items are tuple objects */
  AF_CONS = 16,          /* built by an array constructor: not flattened by paths */
};

struct jarr {
  jv *items;
  uint32_t len;
  uint32_t cap;
  uint8_t flags;
};

typedef struct jentry {
  const char *k;
  uint32_t klen;
  bool dead; /* deleted by a transform */
  jv v;
} jentry;

struct jobj {
  jentry *e;
  uint32_t len; /* entries including dead ones */
  uint32_t cap;
  uint32_t live;
  uint32_t *index; /* open addressing over e, slot = entry + 1; built past 8 entries */
  uint32_t index_cap;
};

typedef enum jf_kind {
  F_LAMBDA,
  F_NATIVE,
  F_PARTIAL,   /* a native function partially applied */
  F_REGEX,     /* a regular expression, callable: matches from an offset */
  F_MATCHNEXT, /* the next() of a regex match */
  F_TRANSFORM, /* | pattern | update, delete | */
  F_CHAIN,     /* f ~> g with two functions */
} jf_kind;

typedef struct jn_builtin jn_builtin;
typedef struct jn_sig jn_sig;

struct jfunc {
  uint8_t kind;
  bool thunk;
  /* what each kind uses (anonymous members, so that a function is small: loops of tail calls
   * make one a step) */
  union {
    struct { /* F_LAMBDA; F_TRANSFORM's env */
      const jn_node *body;
      jn_node **params;
      uint32_t nparams;
      const jn_sig *sig;
      jv input;
      jn_frame *env;
    };
    struct { /* F_NATIVE */
      const jn_builtin *bi;
    };
    struct { /* F_PARTIAL (f, args, hole, nargs), F_CHAIN (f, g) */
      jv f;
      jv *args;
      bool *hole;
      uint32_t nargs;
      jv g;
    };
    struct { /* F_REGEX, F_MATCHNEXT; F_TRANSFORM's node */
      const jn_regex *re;
      const jn_node *node;
      const char *str;
      uint32_t slen;
      uint32_t from;
    };
  };
};

static inline jv jv_undef(void)
{
  jv v = {0};
  return v;
}
static inline jv jv_null(void)
{
  jv v = {0};
  v.t = JV_NULL;
  return v;
}
static inline jv jv_bool(bool b)
{
  jv v = {0};
  v.t = JV_BOOL;
  v.b = b;
  return v;
}
static inline jv jv_num(double d)
{
  jv v = {0};
  v.t = JV_NUM;
  v.u.n = d;
  return v;
}
static inline jv jv_str(const char *s, uint32_t len)
{
  jv v = {0};
  v.t = JV_STR;
  v.len = len;
  v.u.s = s;
  return v;
}
static inline jv jv_arr(jarr *a)
{
  jv v = {0};
  v.t = JV_ARR;
  v.u.a = a;
  return v;
}
static inline jv jv_obj(jobj *o)
{
  jv v = {0};
  v.t = JV_OBJ;
  v.u.o = o;
  return v;
}
static inline jv jv_func(jfunc *f)
{
  jv v = {0};
  v.t = JV_FUNC;
  v.u.f = f;
  return v;
}
static inline jv jv_err(void)
{
  jv v = {0};
  v.t = JV_ERR;
  return v;
}

#define IS_UNDEF(v) ((v).t == JV_UNDEF)
#define IS_ERR(v) ((v).t == JV_ERR)
#define IS_STR(v) ((v).t == JV_STR || (v).t == JV_JSTR)
#define IS_ARR(v) ((v).t == JV_ARR || (v).t == JV_JARR)
#define IS_OBJ(v) ((v).t == JV_OBJ || (v).t == JV_JOBJ)
#define IS_NUM(v) ((v).t == JV_NUM)
#define IS_FUNC(v) ((v).t == JV_FUNC)
/* Returns from the calling function when [v] is an error. */
#define PROPAGATE(v)                                                                               \
  do {                                                                                             \
    if ((v).t == JV_ERR)                                                                           \
      return (v);                                                                                  \
  } while (0)

/* value.c: reading, building, converting */
jv jv_from_json(const asl_json *j);
const char *jv_strp(jv v, uint32_t *len); /* JV_STR / JV_JSTR */
uint32_t jv_arr_len(jv a);
jv jv_arr_at(jv a, uint32_t i);
uint8_t jv_arr_flags(jv a); /* 0 for JV_JARR */
bool jv_is_seq(jv v);
uint32_t jv_obj_count(jv o); /* live members */
/* The member named [k]; JV_UNDEF when absent. */
jv jv_obj_get(jv o, const char *k, uint32_t klen);
/* Visits members in JavaScript's property order; [fn] returns false to stop. */
typedef bool (*jv_obj_visit)(void *data, const char *k, uint32_t klen, jv v);
bool jv_obj_each(jn_ctx *c, jv o, jv_obj_visit fn, void *data);

jarr *jn_arr_new(jn_ctx *c, uint32_t cap);
jv jn_seq(jn_ctx *c, uint32_t cap);     /* an empty sequence */
jv jn_seq1(jn_ctx *c, jv item);         /* createSequence(item): a sequence of one */
void jn_push(jn_ctx *c, jarr *a, jv v); /* appends, growing the array */
/* An internal, mutable copy of [a]'s items (JV_JARR converted item by item, not deeply). */
jarr *jn_arr_copy(jn_ctx *c, jv a);
jobj *jn_obj_new(jn_ctx *c, uint32_t cap);
void jn_obj_set(jn_ctx *c, jobj *o, const char *k, uint32_t klen, jv v);
bool jn_obj_del(jobj *o, const char *k, uint32_t klen);
jv jn_obj_find(const jobj *o, const char *k, uint32_t klen);
/* fn.append: [a] followed by [b], each wrapped when not an array (returns a fresh sequence-less
 * array unless [a] was an internal array that may grow in place, as JavaScript's push does). */
jv jn_append(jn_ctx *c, jv a, jv b);
/* Deep copy into internal, mutable values (the $clone of transforms: JSON.parse(JSON.stringify)),
 * functions dropped from objects and nulled in arrays. */
jv jn_clone(jn_ctx *c, jv v);
/* JavaScript === on values (objects and arrays by identity). */
bool jv_strict_equal(jv a, jv b);
/* jsonata's isDeepEqual. */
bool jv_deep_equal(jv a, jv b);
/* Converts to an asl_json (new reference); NULL when [v] is undefined or a function. */
asl_json *jn_to_json(jn_ctx *c, jv v, int depth, bool *failed);

/* Checks used across the engine, as utils.js. */
bool jn_is_numeric(jn_ctx *c, jv v, bool *failed); /* a finite number; Infinity fails D1001 */
bool jn_is_array_of_strings(jv v);
bool jn_is_array_of_numbers(jv v);
bool jn_is_integer(double d);

/* text.c: strings, numbers as text, JSON.stringify */
char *jn_strdup(jn_ctx *c, const char *s, size_t len);
jv jn_str_new(jn_ctx *c, const char *s, size_t len); /* copies */
jv jn_cstr(const char *s);                           /* static text */
/* JavaScript's Number.prototype.toString; writes at most 32 bytes. */
size_t jn_num_to_js(double d, char *buf);
/* Number(d.toPrecision(15)): how $string and & write numbers. */
double jn_precision15(double d);
/* JSON.stringify with jsonata's replacer (numbers at 15 digits, functions as ""); [indent] 0 or
 * 2. Fails D1001 on a non-finite number, returns false then. */
bool jn_stringify(jn_ctx *c, jv v, int indent, asl_buf *out);
/* UTF-8 helpers: code points of [s]; decodes one at [*i] (advancing it). */
size_t jn_utf8_count(const char *s, size_t len);
uint32_t jn_utf8_next(const char *s, size_t len, size_t *i);
void jn_utf8_put(asl_buf *b, uint32_t cp);
/* Byte offset of code point number [cp] in [s] (len when past the end). */
size_t jn_utf8_offset(const char *s, size_t len, size_t cp);

/* ------------------------------------------------------------------ syntax tree ---- */
typedef enum jn_kind {
  /* processed tree */
  N_PATH,
  N_BINARY, /* op */
  N_NEG,
  N_ARRAY,  /* unary [ */
  N_OBJECT, /* unary { (also a group-by: pairs) */
  N_NAME,
  N_STRING,
  N_NUMBER,
  N_VALUE, /* true / false / null: vk */
  N_WILDCARD,
  N_DESCENDANT,
  N_PARENT,
  N_CONDITION,
  N_COALESCE, /* ?? */
  N_ELVIS,    /* ?: */
  N_BLOCK,
  N_BIND,
  N_REGEX,
  N_FUNCTION,
  N_PARTIAL,
  N_PLACEHOLDER, /* the ? of a partial application */
  N_VARIABLE,
  N_LAMBDA,
  N_APPLY,
  N_TRANSFORM,
  N_SORT,
  N_FILTER, /* a predicate or stage: lhs is the expression */
  N_INDEX,  /* a stage binding the position: str is the variable */
  /* only in the raw parse */
  R_BINARY, /* op: '.', '[', '{', '^', ':=', '@', '#', '~>' and the plain operators */
  R_OPERATOR, /* 'and', 'or', 'in' used as names, or a ? placeholder */
  R_END,
  R_ERROR,
} jn_kind;

typedef enum jn_op {
  OP_NONE,
  OP_DOT,
  OP_LBRACKET,
  OP_RBRACKET,
  OP_LBRACE,
  OP_RBRACE,
  OP_LPAREN,
  OP_RPAREN,
  OP_COMMA,
  OP_AT,
  OP_HASH,
  OP_SEMI,
  OP_COLON,
  OP_QUESTION,
  OP_PLUS,
  OP_MINUS,
  OP_STAR,
  OP_SLASH,
  OP_PERCENT,
  OP_PIPE,
  OP_EQ,
  OP_LT,
  OP_GT,
  OP_CARET,
  OP_STARSTAR,
  OP_DOTDOT,
  OP_ASSIGN,
  OP_NE,
  OP_LE,
  OP_GE,
  OP_APPLY,
  OP_ELVIS,
  OP_COALESCE,
  OP_AND,
  OP_OR,
  OP_IN,
  OP_AMP,
  OP_BANG,
  OP_TILDE,
  OP__COUNT
} jn_op;

const char *jn_op_text(jn_op op);

typedef enum jn_valkind { VK_TRUE, VK_FALSE, VK_NULL } jn_valkind;

typedef struct jn_pair {
  jn_node *key, *value;
} jn_pair;

/* the slot a parent operator % fills: a tuple binding named by label */
typedef struct jn_slot {
  const char *label;
  int level;
  int index;
} jn_slot;

struct jn_node {
  uint8_t kind;
  uint8_t op;   /* jn_op: R_BINARY, N_BINARY, R_OPERATOR */
  uint8_t vk;   /* N_VALUE */
  bool keep_array;
  bool keep_singleton;
  bool consarray;
  bool thunk;
  bool tuple;
  bool descending;
  bool has_focus; /* @$var on this step */
  bool has_index; /* #$var on this step */
  uint32_t pos;
  jn_node *lhs, *rhs, *third; /* binary; condition (cond, then, else); transform (pattern,
                                 update, delete); bind (variable, value); apply */
  jn_node **items; /* path steps, block expressions, array items, arguments, sort terms */
  uint32_t nitems;
  jn_node **pred; /* predicates (N_FILTER) */
  uint32_t npred;
  jn_node **stages; /* stages of a path step (N_FILTER, N_INDEX) */
  uint32_t nstages;
  jn_pair *pairs; /* object constructor / group-by */
  uint32_t npairs;
  jn_node *group;     /* group-by object on a step or path */
  jn_node *procedure; /* function, partial */
  const char *str;    /* name, string, variable; N_INDEX variable */
  uint32_t len;
  double num;
  const char *focus; /* @$var */
  uint32_t focus_len;
  const char *index_var; /* #$var */
  uint32_t index_len;
  jn_slot *slot;     /* N_PARENT */
  jn_slot *ancestor; /* a step that binds a parent */
  jn_slot **seeking; /* slots still looking for their parent */
  uint32_t nseeking;
  uint32_t seeking_cap;
  const jn_sig *sig;  /* lambda */
  jn_regex *re;       /* regex */
  const char *re_src; /* regex source, for messages */
  uint32_t re_len;
};

/* parse.c + ast.c: the text of [src] into a processed tree in [a]. */
typedef struct jn_parse_error {
  const char *code;
  uint32_t pos;
  char *token; /* JSON text of the token, or NULL */
  char *value; /* JSON text of the value, or NULL */
  char *detail; /* for regex errors */
} jn_parse_error;

jn_node *jn_parse(asl_arena *a, const char *src, size_t len, int flags, jn_parse_error *err);

/* ------------------------------------------------------------------ regex ---- */
enum { RE_ICASE = 1, RE_MULTILINE = 2 };
/* Compiles a JavaScript regular expression; NULL and *[msg] (static text) when invalid. */
jn_regex *jn_regex_compile(asl_arena *a, const char *pat, size_t len, int flags, const char **msg);
/* Finds the first match at or after byte [from] of [s]. Returns 1 when found (caps[0..1] the
 * whole match, caps[2k..2k+1] group k, -1 when unset), 0 when not, -1 when the step budget ran
 * out (the context then holds the error). */
int jn_regex_exec(jn_ctx *c, const jn_regex *re, const char *s, size_t len, size_t from,
                  int *caps);
int jn_regex_ngroups(const jn_regex *re); /* capturing groups, not counting the whole match */

/* ------------------------------------------------------------------ signatures ---- */
typedef struct jn_sig_param {
  char type;       /* s n b l o a f j x, or '(' for a choice */
  uint16_t allow;  /* symbols this parameter accepts, as a bit set */
  uint16_t ctx_allow; /* the same before '-' added its '?': what a context value may be */
  bool context;    /* '-': the context value when missing */
  char quant[4];   /* the regex quantifier after the class: "", "?", "+", "??" ... */
  char subtype[24]; /* a<s>, f<s:o>: what is between the angle brackets; "" none */
} jn_sig_param;

struct jn_sig {
  jn_sig_param p[12];
  uint8_t n;
};

/* Parses a signature "<...>"; on error sets *code ("S0401", "S0402") and *offset. */
bool jn_sig_parse(const char *s, size_t len, jn_sig *out, const char **code, size_t *offset);
/* Validates [args] against [sig] (context [ctx] for '-' parameters): fills [out] (room for
 * sig->n + nargs values) and *nout. Fails T0410 / T0411 / T0412 (without a token: the caller
 * adds the function's name). */
bool jn_sig_validate(jn_ctx *c, const jn_sig *sig, const jv *args, uint32_t nargs, jv ctxv,
                     jv *out, uint32_t *nout);

/* ------------------------------------------------------------------ environment ---- */
typedef struct jn_binding {
  struct jn_binding *next;
  const char *name;
  uint32_t len;
  jv v;
} jn_binding;

struct jn_frame {
  jn_frame *parent;
  jn_binding *first;
};

jn_frame *jn_frame_new(jn_ctx *c, jn_frame *parent);
void jn_bind(jn_ctx *c, jn_frame *f, const char *name, uint32_t len, jv v);
/* Frames, then the caller's bindings, then the built-in functions. */
jv jn_lookup(jn_ctx *c, jn_frame *f, const char *name, uint32_t len);

/* ------------------------------------------------------------------ built-ins ---- */
/* A native function: [args] validated against its signature (or raw, from a partial
 * application); [input] is the context the call was made in. */
typedef jv (*jn_native_fn)(jn_ctx *c, jv *args, uint32_t nargs, jv input);

enum {
  BI_SFN_ONLY = 1, /* Step Functions' additions */
  BI_NOT_SFN = 2,  /* not bound in Step Functions ($eval) */
};

struct jn_builtin {
  const char *name;
  const char *sig;
  jn_native_fn fn;
  uint8_t arity;   /* JavaScript's function.length: what higher-order functions pass */
  uint8_t nparams; /* declared parameters: what a partial application binds */
  uint8_t flags;
};

const jn_builtin *jn_builtin_find(const char *name, uint32_t len, int flags);

/* ------------------------------------------------------------------ context ---- */
typedef struct jn_chunk jn_chunk;

#define JN_NOPOS UINT32_MAX

/* An error as jsonata-js builds it: a code and the fields its message template names, each the
 * JSON text of the value ({{token}}, {{value}} ...) or raw text ({{{message}}}). */
typedef struct jn_err {
  char code[8];
  asl_status status;
  uint32_t pos; /* JN_NOPOS: none yet */
  char *token;
  char *value;
  char *value2;
  char *index;
  char *type;
  char *fname;
  char *message;
  char *exp;
} jn_err;

void jn_err_clear(jn_err *e);
/* The message of [e] with its template filled (asl_free it). */
char *jn_err_message(const jn_err *e);

struct jn_ctx {
  /* region */
  jn_chunk *chunks;
  char *cur, *end;
  size_t used, budget;
  /* what the evaluation runs against */
  const asl_jsonata_env *env;
  int flags;
  const char *src; /* the expression text */
  size_t src_len;
  unsigned depth, max_depth;
  uint64_t deadline_ns; /* 0: none */
  unsigned tick;
  uint64_t rng_local;
  uint64_t *rng;
  int64_t now_ms;
  jn_frame *root;
  jn_binding *builtins;  /* the function objects of the built-ins looked up so far */
  jfunc *thunk_slot;     /* where a tail call's thunk goes: the innermost apply's own slot, as
                            a thunk never outlives the trampoline that runs it */
  asl_arena *eval_arena; /* trees compiled by $eval */
  asl_json **owned;      /* values $parse made, released with the evaluation */
  size_t nowned, cap_owned;
  uint64_t steps;        /* regex steps */
  /* the first error */
  bool failed;
  jn_err err;
};

/* Allocation in the region: never NULL; past the budget the evaluation fails U1002 at the next
 * check (jn_over_budget). */
void *jn_alloc(jn_ctx *c, size_t n);
void *jn_zalloc(jn_ctx *c, size_t n);
void *jn_realloc(jn_ctx *c, void *p, size_t old, size_t n);
void jn_region_free(jn_ctx *c);
/* True (and the error set) when the region is past its budget; for loops that build. */
bool jn_over_budget(jn_ctx *c);
/* Whether [n] more bytes fit in the budget; false (and U1002 set) when not. For sizes that come
 * from the data (a range, a width, a string being built outside the region), checked before
 * allocating. */
bool jn_reserve(jn_ctx *c, size_t n);
/* Sets U1002 "Expression evaluation memory limit exceeded (N bytes)" and returns jv_err(). */
jv jn_fail_memory(jn_ctx *c);

/* Errors. jn_fail sets the error unless one is set and returns jv_err(). The message comes from
 * the catalog with {{token}} and {{value}} filled from [token_json] and [value_json]. */
jv jn_fail(jn_ctx *c, const char *code, uint32_t pos, const char *token_json,
           const char *value_json);
/* With a value to show: JSON.stringify of [v]. */
jv jn_fail_v(jn_ctx *c, const char *code, uint32_t pos, jv v);
/* T0410-style: argument index and function name. */
jv jn_fail_arg(jn_ctx *c, const char *code, int index, jv v);
/* D3137 / D3141: the message is the text itself. */
jv jn_fail_msg(jn_ctx *c, const char *code, const char *msg, size_t len);
/* Limits (U1001, U1002): ASL_E_LIMIT. */
jv jn_fail_limit(jn_ctx *c, const char *code, const char *msg);
/* Fills the position and the token of the pending error where still unset (the catch blocks of
 * jsonata-js); [token] is plain text, NULL for none. */
void jn_err_locate(jn_ctx *c, uint32_t pos, const char *token, uint32_t token_len);
/* Sets the position and token of the pending error whatever they were (evaluateBinary's catch). */
void jn_err_override(jn_ctx *c, uint32_t pos, const char *token);
/* More fields of the pending error (each only when still unset). */
void jn_err_value2(jn_ctx *c, jv v);
void jn_err_index(jn_ctx *c, int index);
void jn_err_type(jn_ctx *c, const char *type_json);
void jn_err_fname(jn_ctx *c, const char *name);
void jn_err_exp(jn_ctx *c, jv v);
/* JSON text of [s] as a string token. */
char *jn_json_token(jn_ctx *c, const char *s, size_t len);
char *jn_json_value(jn_ctx *c, jv v);
/* Time check, called now and then by long loops; false and the error set on timeout. */
bool jn_check_time(jn_ctx *c);
uint64_t jn_random(jn_ctx *c);
double jn_random_double(jn_ctx *c);
int64_t jn_now_ms(jn_ctx *c);

/* ------------------------------------------------------------------ evaluation ---- */
jv jn_eval(jn_ctx *c, const jn_node *n, jv input, jn_frame *env);
/* apply(): calls [fn] with [args] in context [input], through the trampoline of tail calls.
 * [token]/[pos] name the call for errors. */
jv jn_apply(jn_ctx *c, jv fn, jv *args, uint32_t nargs, jv input, jn_frame *env, const char *token,
            uint32_t token_len, uint32_t pos);
/* How many arguments a function takes (getFunctionArity). */
uint32_t jn_arity(jv fn);
/* fn.boolean: JV_UNDEF for undefined, else a JV_BOOL; JV_ERR on D1001. */
jv jn_boolean(jn_ctx *c, jv v);
/* boolize: false for undefined. */
bool jn_truthy(jn_ctx *c, jv v, bool *failed);
/* fn.string of a value (JV_UNDEF stays undefined). */
jv jn_string(jn_ctx *c, jv v, bool pretty);
/* $sort's merge sort with a comparator; [cmp] returns 1 to swap, 0 not, -1 on error. */
typedef int (*jn_swap_fn)(jn_ctx *c, jv a, jv b, void *data);
jv jn_msort(jn_ctx *c, jv arr, jn_swap_fn swap, void *data);
/* evaluation path: path.c */
jv jn_eval_path(jn_ctx *c, const jn_node *n, jv input, jn_frame *env);
jv jn_eval_filter(jn_ctx *c, const jn_node *pred, jv input, jn_frame *env);
jv jn_eval_group(jn_ctx *c, const jn_node *grp, jv input, jn_frame *env);
jv jn_eval_sort(jn_ctx *c, const jn_node *n, jv input, jn_frame *env);
jv jn_eval_wildcard(jn_ctx *c, jv input);
jv jn_eval_descendants(jn_ctx *c, jv input);
jv jn_lookup_name(jn_ctx *c, jv input, const char *k, uint32_t klen);
jv jn_flatten(jn_ctx *c, jv arr, jarr *into);
/* regex as a function: apply to [s] from code point [from]: a match object or undefined */
jv jn_regex_match_obj(jn_ctx *c, const jn_regex *re, uint32_t pos, const char *s, uint32_t slen,
                      uint32_t from);
/* $eval: compile [src] and evaluate it against [input]. */
jv jn_eval_text(jn_ctx *c, const char *src, size_t len, jv input, jn_frame *env);
/* The transform function's body. */
jv jn_apply_transform(jn_ctx *c, const jfunc *f, jv obj);

/* format_integer.c: XPath's format-integer pictures, shared with the date/time formats. */
enum { IF_DECIMAL, IF_LETTERS, IF_ROMAN, IF_WORDS, IF_SEQUENCE };
enum { IC_LOWER, IC_UPPER, IC_TITLE };

typedef struct jn_intfmt {
  int primary;
  int tcase;
  bool ordinal;
  uint32_t zero_code;
  int mandatory;
  int optional;
  bool regular;
  int nseps;
  int sep_pos[32];
  uint32_t sep_char[32];
  const char *token; /* IF_SEQUENCE: the picture */
  uint32_t token_len;
} jn_intfmt;

/* analyseIntegerPicture; fails D3131 (mixed digit families). */
bool jn_intfmt_analyse(jn_ctx *c, const char *pic, size_t len, jn_intfmt *out);
/* _formatInteger of [value] (an integer); fails D3130 for an unsupported sequence. */
bool jn_intfmt_format(jn_ctx *c, double value, const jn_intfmt *f, asl_buf *out);
/* The value a string written in [f]'s format stands for (NaN when it is none). */
bool jn_intfmt_parse(jn_ctx *c, const char *s, size_t len, const jn_intfmt *f, double *out);
/* English words of a number. */
void jn_number_to_words(double value, bool ordinal, asl_buf *out);
/* jsonata's $round (half to even) and $type. */
double jn_round_half_even(double d, int precision);
jv jn_type_name(jv v);

/* Keeps [j] (taken) until the evaluation ends and returns it as a value. */
jv jn_own_json(jn_ctx *c, asl_json *j);
/* The function arguments a higher-order function passes (hofFuncArgs): [v], then [i] and [all]
 * as far as [fn] takes them. Returns the count. */
uint32_t jn_hof_args(jv fn, jv v, jv i, jv all, jv *out);
/* Calls [fn] as the higher-order functions do (through a closure: context null). */
jv jn_call(jn_ctx *c, jv fn, jv *args, uint32_t nargs);

#endif
