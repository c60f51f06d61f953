/* Private to src/lang: the compiled forms of JSONPath (a step list, as Jayway's token chain),
 * filter expressions and intrinsic calls, and helpers shared by the files of this folder.
 * Everything compiled lives in the caller's arena; JSON literals kept inside are refcounted
 * and released through asl_arena_defer. */
#ifndef ASLRUN_LANG_INTERNAL_H
#define ASLRUN_LANG_INTERNAL_H

#include "aslrun/lang.h"

/* ------------------------------------------------------------------ JSONPath ---- */
typedef enum path_step_kind {
  STEP_PROP,     /* ['a'] or .a; several names: ['a','b'] */
  STEP_INDEX,    /* [0], [-1], [0,2] */
  STEP_SLICE,    /* [1:], [:2], [1:3] */
  STEP_WILDCARD, /* [*] or .* */
  STEP_SCAN,     /* .. */
  STEP_FILTER,   /* [?(...)] */
  STEP_FUNC,     /* .length() and the other functions of Jayway; always the last step */
} path_step_kind;

typedef enum slice_kind { SLICE_FROM, SLICE_TO, SLICE_BETWEEN } slice_kind;

typedef enum path_func {
  FUNC_LENGTH,
  FUNC_MIN,
  FUNC_MAX,
  FUNC_AVG,
  FUNC_SUM,
  FUNC_STDDEV,
  FUNC_KEYS,
  FUNC_FIRST,
  FUNC_LAST,
} path_func;

typedef struct path_name {
  const char *s; /* arena copy, NUL-terminated, may hold NULs */
  size_t len;
} path_name;

typedef struct asl_filter asl_filter;

typedef struct path_step {
  path_step_kind kind;
  bool leaf;              /* last step */
  bool definite;          /* this token names at most one node (Jayway's isTokenDefinite) */
  bool upstream_definite; /* every step before this one is definite */
  char delim;             /* PROP: the quote the path used, for Jayway's path strings */
  size_t n;               /* PROP: names; INDEX: indexes */
  path_name *names;
  int32_t *indexes;
  slice_kind slice;
  int32_t from, to;
  asl_filter *filter;
  path_func func;
} path_step;

struct asl_path {
  const char *text; /* the source text, NUL-terminated */
  size_t len;
  char root;     /* '$' (document) or '@' (the current item, inside filters) */
  bool context;  /* "$$...": evaluated against the context object */
  const char *var; /* "$name...": evaluated against workflow variable name (arena, NUL-ended) */
  size_t var_len;
  bool definite; /* Jayway's isDefinite over the whole chain */
  bool simple;   /* only single names and single indexes: the fast loop */
  bool uses_root; /* a filter inside refers to the document root with '$' */
  size_t nsteps;
  path_step *steps;
};

/* Can byte [c] start (or, with [rest], continue) a workflow variable's name? Letters, '_', and
 * any byte of a non-ASCII character; digits after the first. */
bool asl__is_var_char(unsigned char c, bool rest);
/* What path [p] reads: the variable, the context object or the input of [env]; NULL when that
 * is not there (an unset variable, no context). */
const asl_json *asl__path_doc(const asl_path *p, const asl_env *env);

/* Compiles [text] with root '$' (or '@' when [allow_item]); used by filters for their operands. */
asl_status asl__path_compile(asl_arena *a, const char *text, size_t len, bool allow_item,
                             int depth, asl_path **out, asl_error *err);

/* Evaluation modes of asl__path_run. */
typedef enum path_mode {
  PATH_AWS,     /* as Step Functions: Jayway's defaults, and an indefinite path never fails */
  PATH_JAYWAY,  /* Jayway's default options (filter operands): any failure gives NULL */
  PATH_REQUIRE, /* REQUIRE_PROPERTIES (filter existence checks): any miss fails */
} path_mode;

/* Filters nested in paths with '..' cost the size of the document to the power of their depth,
 * as in Jayway; one evaluation (with everything its filters evaluate) may take at most this many
 * steps and then fails instead of running for hours. A step visits one node. */
#ifndef ASL_PATH_BUDGET /* tools/fuzz lowers it, to keep fuzzing fast */
#define ASL_PATH_BUDGET 20000000u
#endif

/* Runs [p] on [doc] with [root] as the '$' of filters. Returns a new reference, or NULL with
 * *missing set (and [err] filled with Jayway's words when [err] is not NULL) when nothing
 * matched a definite path or, in PATH_REQUIRE mode, when anything was missing. [budget] counts
 * down the steps left to the whole evaluation; when it reaches 0 the run fails with [err] saying
 * so (and *missing false). */
asl_json *asl__path_run(const asl_path *p, const asl_json *doc, const asl_json *root,
                        path_mode mode, bool *missing, uint32_t *budget, asl_error *err);

/* For a simple path (p->simple: single names and indexes only), the value it names in [doc],
 * borrowed, or NULL when it names nothing. */
const asl_json *asl__path_lookup(const asl_path *p, const asl_json *doc);

/* A path's value for a `.$` field or an intrinsic argument; a miss is AWS's "The JSONPath '...'
 * specified for the field '[field]' could not be found in the input '...'" (expr.c). */
asl_json *asl__path_value(const asl_path *p, const asl_env *env, const char *field,
                          asl_error *err);

/* Filters (jsonpath_filter.c). */
/* [text] is "(condition)"; [base] is its offset in the whole path, for messages. */
asl_status asl__filter_compile(asl_arena *a, const char *text, size_t len, size_t base,
                               int depth, asl_filter **out, asl_error *err);
bool asl__filter_accept(const asl_filter *f, const asl_json *item, const asl_json *root,
                        uint32_t *budget);
bool asl__filter_uses_root(const asl_filter *f);

/* Maximum nesting of filters inside paths inside filters. */
#define ASL_PATH_MAX_DEPTH 32

/* ------------------------------------------------------------------ helpers ---- */
/* Java's String.compareTo: by UTF-16 code units, which orders characters above U+FFFF before
 * U+E000..U+FFFF unlike a byte comparison of UTF-8. */
int asl__utf16_cmp(const char *a, size_t alen, const char *b, size_t blen);
/* Java's class name of [v] as the JSON provider of Jayway (json-smart) holds it. */
const char *asl__java_class(const asl_json *v);
/* Keeps a reference to [v] until the arena is freed; returns [v]. */
asl_json *asl__arena_keep(asl_arena *a, asl_json *v);
/* A runtime error: code ASL_E_RUNTIME with Step Functions error [name]. */
ASL_PRINTF(3, 4) void asl__runtime_error(asl_error *err, const char *name, const char *fmt, ...);
/* Appends the compact JSON of [v]. */
void asl__dump(const asl_json *v, asl_buf *b);

#endif
