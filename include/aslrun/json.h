/* JSON values: immutable once shared, reference-counted, so states hand subtrees on without
 * copying (as jq's jv does).
 *
 * Representation: one heap node a value; strings carry their length (they may hold NUL) and are
 * stored in the node; arrays are vectors; objects keep insertion order and get a hash index on
 * first lookup once they are large. Integers whose literal is integral and fits stay int64,
 * every other number is a double, so 3 and 3.0 keep their kind as they do on AWS. null, true and
 * false are static nodes and never counted.
 *
 * Ownership in one sentence: putting into a container gives away, getters lend, everything else
 * hands you a reference you must release with asl_json_decref. A value whose count is 1 may be
 * changed in place by its owner (asl_json_obj_put, asl_json_arr_push); a shared one never is.
 *
 * Parsed nodes remember the byte offset of their first byte in the source text (object members
 * also that of their key), so a JSON pointer can be turned into line:col for diagnostics. */
#ifndef ASLRUN_JSON_H
#define ASLRUN_JSON_H

#include "aslrun/error.h"

typedef enum asl_json_kind {
  ASL_JSON_NULL,
  ASL_JSON_BOOL,
  ASL_JSON_INT,    /* int64 */
  ASL_JSON_DOUBLE, /* any other number */
  ASL_JSON_STRING,
  ASL_JSON_ARRAY,
  ASL_JSON_OBJECT,
} asl_json_kind;

typedef struct asl_json asl_json;

/* ---- construction (each returns a new reference) ---- */
asl_json *asl_json_null(void);
asl_json *asl_json_bool(bool b);
asl_json *asl_json_int(int64_t i);
asl_json *asl_json_double(double d);
asl_json *asl_json_string(const char *s, size_t len); /* copies; bytes should be UTF-8 */
asl_json *asl_json_cstr(const char *s);
/* Takes ownership of [s] (allocated with asl_alloc, NUL at s[len]) instead of copying it. */
asl_json *asl_json_string_take(char *s, size_t len);
asl_json *asl_json_array(size_t cap_hint);
asl_json *asl_json_object(size_t cap_hint);

/* Appends [v] (taken) to [a], which must be unshared. */
void asl_json_arr_push(asl_json *a, asl_json *v);
/* Sets key [k] to [v] (taken) in [o], which must be unshared. An existing key keeps its place
 * and gets the new value, as Jackson's ObjectNode.set does. */
void asl_json_obj_put(asl_json *o, const char *k, size_t klen, asl_json *v);
void asl_json_obj_put_cstr(asl_json *o, const char *k, asl_json *v);
/* Appends key [k] with [v] (taken) to unshared [o] without looking for it first: for builders
 * that know their keys are distinct (a compiled template). A repeated key would be a bug. */
void asl_json_obj_add(asl_json *o, const char *k, size_t klen, asl_json *v);
/* Removes key [k] from unshared [o]; false when absent. */
bool asl_json_obj_remove(asl_json *o, const char *k, size_t klen);

/* ---- references ---- */
asl_json *asl_json_incref(const asl_json *v); /* returns [v] as a new reference; NULL stays NULL */
void asl_json_decref(asl_json *v);            /* NULL is a no-op */
bool asl_json_is_shared(const asl_json *v);
/* Takes a reference to an array or object and returns one that may be changed in place: [v]
 * itself when unshared, else a shallow copy (children shared) and [v] released. */
asl_json *asl_json_unshare(asl_json *v);
/* Values alive in this process; tests assert it returns to its starting figure. */
size_t asl_json_live(void);

/* ---- reading (borrowed results, valid while the parent lives) ---- */
asl_json_kind asl_json_kind_of(const asl_json *v);
const char *asl_json_kind_name(asl_json_kind k); /* "null", "boolean", "number", "string", ... */
bool asl_json_is_null(const asl_json *v);
bool asl_json_is_bool(const asl_json *v);
bool asl_json_is_number(const asl_json *v); /* INT or DOUBLE */
bool asl_json_is_string(const asl_json *v);
bool asl_json_is_array(const asl_json *v);
bool asl_json_is_object(const asl_json *v);
bool asl_json_bool_val(const asl_json *v);
int64_t asl_json_int_val(const asl_json *v); /* INT only */
double asl_json_num_val(const asl_json *v);  /* INT or DOUBLE, as a double */
const char *asl_json_str(const asl_json *v); /* STRING: NUL-terminated, may hold NULs */
size_t asl_json_str_len(const asl_json *v);
size_t asl_json_len(const asl_json *v); /* elements of an array, members of an object, else 0 */
asl_json *asl_json_at(const asl_json *a, size_t i); /* NULL when out of range */
asl_json *asl_json_get(const asl_json *o, const char *k, size_t klen); /* NULL when absent */
asl_json *asl_json_get_cstr(const asl_json *o, const char *k);
/* The i-th member of an object, in insertion order. */
const char *asl_json_key_at(const asl_json *o, size_t i, size_t *klen);
asl_json *asl_json_value_at(const asl_json *o, size_t i);

/* ---- source positions ---- */
size_t asl_json_pos(const asl_json *v);               /* ASL_NOPOS for built values */
size_t asl_json_key_pos_at(const asl_json *o, size_t i); /* offset of the i-th key's quote */
/* Offset of the value at JSON pointer [pointer] ("" is the root) below [root]; with [key] true
 * and a pointer ending in an object member, the offset of that member's key instead. Falls back
 * to the deepest existing ancestor; ASL_NOPOS when [root] has no positions. */
size_t asl_json_pointer_pos(const asl_json *root, const char *pointer, bool key);

/* ---- comparison ---- */
/* Deep equality as Jackson's JsonNode.equals: numbers equal only within the same kind (1 is not
 * 1.0), objects equal regardless of member order. */
bool asl_json_equal(const asl_json *a, const asl_json *b);

/* ---- parsing ---- */
typedef struct asl_json_parse_opts {
  size_t max_depth; /* 0: the default, 1000 (as Jackson) */
} asl_json_parse_opts;

/* Parses exactly one JSON value from [text]. On failure returns NULL and sets [err] (code
 * ASL_E_SYNTAX, offset of the offending byte, cause "what was found; what was expected"). */
asl_json *asl_json_parse(const char *text, size_t len, const asl_json_parse_opts *opts,
                         asl_error *err);

/* ---- serialisation ---- */
enum { ASL_JSON_COMPACT = 0, ASL_JSON_PRETTY = 1 };
/* Compact output is byte for byte what AWS prints: no spaces, non-ASCII kept as UTF-8, doubles
 * as Java prints them (1.0, 1.5E10). PRETTY indents by two spaces. */
void asl_json_dump_buf(const asl_json *v, int flags, asl_buf *out);
char *asl_json_dump(const asl_json *v, int flags, size_t *len); /* asl_free it */
/* Byte length of the compact form, cached in each node: AWS's payload limits count it. */
size_t asl_json_size(const asl_json *v);
/* Writes [d] as Java's Double.toString does; returns the length (buf needs 32 bytes). */
size_t asl_json_format_double(double d, char buf[32]);

#endif
