/* Private to src/machine: the loader's context, the field table and the shared checkers that
 * every state loader uses, so that one problem is always worded the same way. */
#ifndef ASLRUN_MACHINE_INTERNAL_H
#define ASLRUN_MACHINE_INTERNAL_H

#include "aslrun/machine.h"

enum { QL_PATH = 1, QL_ATA = 2, QL_BOTH = 3 };

typedef enum field_id {
#define ASL_FIELD(id, name, ql) F_##id,
#include "fields.def"
#undef ASL_FIELD
  F_COUNT
} field_id;

#define FB(id) (UINT64_C(1) << F_##id)

extern const char *const asl__field_names[F_COUNT];
extern const unsigned char asl__field_ql[F_COUNT];

/* A member of an object being loaded: its value (NULL when absent) and where its key is. */
typedef struct slot {
  const asl_json *v;
  size_t kpos;
} slot;

/* A transition to resolve once every state name is known. */
typedef struct asl__ref {
  asl_state **target;
  const asl_states *list;
  const char *name; /* borrowed from the definition */
  size_t len;
  size_t pos;
  char *pointer; /* asl_alloc'd */
} asl__ref;

typedef struct name_entry name_entry;

/* What a state list keeps that only this module reads. */
struct asl__states_priv {
  struct asl__names *names; /* the machine-wide name index */
  bool broken;              /* a transition or a state's type is missing: skip reachability */
};

typedef struct loader {
  asl_machine *m;
  asl_arena *a;
  asl_diags *d;
  size_t d0;          /* diagnostics the caller had before this load */
  bool capped;        /* the diagnostics cap was reached */
  size_t suggestions; /* "did you mean" searches done, capped */
  unsigned depth;     /* nesting of state lists */
  ASL_VEC(asl__ref) refs;
  ASL_VEC(asl_states *) lists;
  struct asl__names *names;
  int64_t max_state_name; /* UTF-16 units */
} loader;

/* The state being loaded. */
typedef struct state_ctx {
  loader *L;
  asl_state *st;
  const asl_json *obj;
  bool jsonata;
  slot f[F_COUNT];
  /* fields already accounted for: offered as "did you mean" for an unknown key, or present but
   * of the other query language; their absence is not reported again */
  uint64_t reported;
} state_ctx;

/* True when absent field [f] is to be reported as missing: not when a problem reported already
 * explains its absence (see state_ctx.reported). */
bool asl__missing(const state_ctx *c, field_id f);

/* ---- diagnostics (report.c) ---- */
/* Adds a diagnostic at [offset] for JSON pointer [base]/[field] ([field] may be NULL: [base]
 * itself). Stops adding (with one last note) after a cap, so broken input cannot flood. */
ASL_PRINTF(5, 6)
void asl__diag(loader *L, size_t offset, const char *base, const char *field, const char *fmt, ...);
ASL_PRINTF(5, 0)
void asl__vdiag(loader *L, size_t offset, const char *base, const char *field, const char *fmt,
                va_list ap);
/* A state's field: at the value (or at the key when [at_key]). */
ASL_PRINTF(4, 5)
void asl__sdiag(state_ctx *c, field_id f, bool at_key, const char *fmt, ...);
/* Offset of [s]'s value, or of its key for values without a position (null, true, false). */
size_t asl__vpos(const slot *s);
/* The value's text for a message, quoted and cut short when long: "abc", 12, an object. */
char *asl__describe(const asl_json *v);

/* "Did you mean": the closest of several candidates within a small edit distance. */
typedef struct suggest {
  const char *word;
  size_t len;
  const char *best;
  size_t best_len;
  size_t dist;
} suggest;
void asl__suggest_init(suggest *s, const char *word, size_t len);
void asl__suggest_try(suggest *s, const char *cand, size_t len);
/* " (did you mean \"X\"?)" or "" (static storage or [buf]). */
const char *asl__suggest_text(const suggest *s, char *buf, size_t cap);

/* ---- shared field checkers (check.c). Each reports its own problem and returns false. ---- */
bool asl__is_jsonata_expr(const asl_json *v); /* a string "{% ... %}" */
bool asl__want_string(loader *L, const slot *s, const char *base, const char *field);
bool asl__want_bool(loader *L, const slot *s, const char *base, const char *field);
bool asl__want_object(loader *L, const slot *s, const char *base, const char *field);
bool asl__want_array(loader *L, const slot *s, const char *base, const char *field, bool nonempty);
/* An integer in [min, max]; [what] completes "must be ..." ("a positive integer"). */
bool asl__want_int(loader *L, const slot *s, const char *base, const char *field, int64_t min,
                   int64_t max, const char *what, int64_t *out);
bool asl__want_number(loader *L, const slot *s, const char *base, const char *field, double min,
                      double max, const char *what, double *out);
/* Compiles a JSONPath / reference path / `.$` expression field; null is accepted only where the
 * caller says so (and then *is_null is set). */
bool asl__compile_path(loader *L, const slot *s, const char *base, const char *field, bool *is_null,
                       asl_path **out);
/* A path that must name one value (SecondsPath, ItemsPath, ...: the spec's reference paths, but
 * reading the context object too): no wildcard, slice, union, filter or "..". */
bool asl__compile_value_path(loader *L, const slot *s, const char *base, const char *field,
                             asl_path **out);
bool asl__compile_refpath(loader *L, const slot *s, const char *base, const char *field,
                          bool *is_null, asl_refpath **out);
bool asl__compile_expr(loader *L, const slot *s, const char *base, const char *field, int allow,
                       asl_expr **out);
bool asl__compile_template(loader *L, const slot *s, const char *base, const char *field,
                           asl_template **out);
/* Duplicates a string value (checked to be a string) into the arena. */
const char *asl__arena_str(loader *L, const asl_json *v);

/* Reads the members of a nested object against [names] (n entries, all allowed): unknown ones
 * are reported with a "did you mean"; [out] gets one slot per name. [what] names the object in
 * messages ("a retrier"). Returns false when [v] is not an object. */
bool asl__scan_object(loader *L, const asl_json *v, size_t vpos, const char *ptr, const char *what,
                      const char *const *names, size_t n, slot *out);
/* Fills [out] from [obj]'s members without reporting anything (for fields read before the scan). */
slot asl__member(const asl_json *obj, const char *key);

/* A JSON pointer [base]/[token], asl_alloc'd / in the arena. */
char *asl__ptr(const char *base, const char *token);
const char *asl__arena_ptr(loader *L, const char *base, const char *token, size_t len);

/* ---- state lists and transitions (graph.c, load.c) ---- */
/* Loads the state list of [container] (its StartAt and States slots given) at [ptr]. */
void asl__load_states(loader *L, const slot *start_at, const slot *states, size_t container_pos,
                      const char *ptr, asl_states *out);
/* Records a transition from [s] (a string slot) to resolve at the end of the load. */
void asl__add_ref(loader *L, const asl_states *list, asl_state **target, const slot *s,
                  const char *base, const char *field);
void asl__names_add(loader *L, asl_state *st, const slot *key);
void asl__resolve_refs(loader *L);
/* Skips the reachability check of [list]: something in it is already reported as broken. */
void asl__mark_broken(loader *L, const asl_states *list);
void asl__check_reachable(loader *L, const asl_states *list);
void asl__names_free(struct asl__names *n);
struct asl__names *asl__names_of(loader *L); /* created on first use */

/* ---- pieces shared by several state types (common.c, retry_catch.c) ---- */
void asl__load_transition(state_ctx *c);
void asl__load_io(state_ctx *c);
void asl__load_retry(state_ctx *c);
void asl__load_catch(state_ctx *c);
/* A nested state list (Parallel branch, Map processor): StartAt, States, and [extra] names. */
bool asl__load_sublist(state_ctx *c, const asl_json *v, size_t vpos, const char *ptr,
                       const char *what, asl_states *out, const char *const *extra, size_t nextra,
                       slot *extra_out);

/* ---- workflow variables (assign.c, vars_check.c) ---- */
/* Checks the names an Assign object (slot [s], an object) sets, in either query language, and
 * in a JSONPath state ([jsonata] false) compiles it as a payload template; NULL otherwise or
 * when it does not compile. Marks the state as reading $$ when the template does. */
asl_template *asl__load_assign(state_ctx *c, const slot *s, const char *base);
/* Once every state is loaded: reports each JSONPath reference to a variable that no Assign of
 * the state's scope or of the scopes around it sets. */
void asl__check_variables(loader *L);

/* ---- JSONata fields (load_jsonata.c) ---- */
/* What an expression may read of $states beside input and context. */
enum { ASL__ATA_RESULT = 1, ASL__ATA_ERROR_OUTPUT = 2 };
/* Compiles the JSONata template [s] (the value at [base]/[token]; NULL when absent), naming it
 * [field] in runtime causes ("Output", "Items"); a read of $states.result or $states.errorOutput
 * that [allowed] does not give is reported. NULL when absent or when it reported a problem. */
asl_jsonata_template *asl__compile_jsonata(loader *L, const slot *s, const char *base,
                                           const char *token, const char *field, unsigned allowed);
/* What Output and Assign of state type [t] may read: $states.result for Task, Parallel, Map. */
unsigned asl__ata_result_of(asl_state_type t);

/* ---- state loaders (load_<type>.c), rows of state_types.def ---- */
void asl__load_task(state_ctx *c);
void asl__load_pass(state_ctx *c);
void asl__load_choice(state_ctx *c);
void asl__load_wait(state_ctx *c);
void asl__load_succeed(state_ctx *c);
void asl__load_fail(state_ctx *c);
void asl__load_parallel(state_ctx *c);
void asl__load_map(state_ctx *c);
void asl__load_map_distributed(state_ctx *c); /* map_distributed.c */
/* Checks a Task's Resource (resource.c); reports into [c]. */
void asl__check_resource(state_ctx *c, const char *res, size_t len);

/* ---- lints (lint.c, lint_schema.c) ---- */
typedef enum asl__covers {
  ASL__COVERS_ALL,     /* every input the schema allows matches a rule */
  ASL__COVERS_NOT,     /* *detail: an input that matches none ("{\"status\":\"X\"}") */
  ASL__COVERS_UNKNOWN, /* *detail: why it cannot be told */
} asl__covers;
/* Whether the rules of Choice state [st] match every input JSON Schema [schema] allows (as far
 * as enum, const, type and required say); *detail is a new string unless ALL. */
asl__covers asl__choice_covers(const asl_state *st, const asl_json *schema, char **detail);

#define ASL_MAX_STATE_NAME 80 /* UTF-16 units, as AWS counts */
#define ASL_MAX_DEPTH 64      /* nested Parallel/Map levels */

#endif
