/* Choice rules in JSONPath mode: compiled once (every problem of a rule reported, with its
 * place) and evaluated against the state input.
 *
 * Semantics taken from the 485 recorded cases of conformance/choice/: a Variable of the wrong
 * type for the comparator is simply false (NumericEquals on "1", BooleanEquals on 0, a string
 * that is no timestamp for Timestamp*), never an error; numbers compare by value across kinds
 * (1 NumericEquals 1.0 is true); Is* with false is the negation. A Variable that matches
 * nothing is an error except for IsPresent, which is then false (And short-circuits, as the
 * AWS guide's And[IsPresent, StringEquals] example relies on). */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum cmp_type {
  CT_STRING,
  CT_MATCHES,
  CT_NUMERIC,
  CT_BOOLEAN,
  CT_TIMESTAMP,
  CT_IS_NULL,
  CT_IS_PRESENT,
  CT_IS_NUMERIC,
  CT_IS_STRING,
  CT_IS_BOOLEAN,
  CT_IS_TIMESTAMP,
} cmp_type;

typedef enum cmp_rel { REL_EQ, REL_LT, REL_GT, REL_LE, REL_GE } cmp_rel;

typedef struct cmp_def {
  const char *name;
  cmp_type type;
  cmp_rel rel;
  bool path; /* the ...Path form: the value is a path into the input */
} cmp_def;

static const cmp_def comparators[] = {
  {"StringEquals", CT_STRING, REL_EQ, false},
  {"StringEqualsPath", CT_STRING, REL_EQ, true},
  {"StringLessThan", CT_STRING, REL_LT, false},
  {"StringLessThanPath", CT_STRING, REL_LT, true},
  {"StringGreaterThan", CT_STRING, REL_GT, false},
  {"StringGreaterThanPath", CT_STRING, REL_GT, true},
  {"StringLessThanEquals", CT_STRING, REL_LE, false},
  {"StringLessThanEqualsPath", CT_STRING, REL_LE, true},
  {"StringGreaterThanEquals", CT_STRING, REL_GE, false},
  {"StringGreaterThanEqualsPath", CT_STRING, REL_GE, true},
  {"StringMatches", CT_MATCHES, REL_EQ, false},
  {"NumericEquals", CT_NUMERIC, REL_EQ, false},
  {"NumericEqualsPath", CT_NUMERIC, REL_EQ, true},
  {"NumericLessThan", CT_NUMERIC, REL_LT, false},
  {"NumericLessThanPath", CT_NUMERIC, REL_LT, true},
  {"NumericGreaterThan", CT_NUMERIC, REL_GT, false},
  {"NumericGreaterThanPath", CT_NUMERIC, REL_GT, true},
  {"NumericLessThanEquals", CT_NUMERIC, REL_LE, false},
  {"NumericLessThanEqualsPath", CT_NUMERIC, REL_LE, true},
  {"NumericGreaterThanEquals", CT_NUMERIC, REL_GE, false},
  {"NumericGreaterThanEqualsPath", CT_NUMERIC, REL_GE, true},
  {"BooleanEquals", CT_BOOLEAN, REL_EQ, false},
  {"BooleanEqualsPath", CT_BOOLEAN, REL_EQ, true},
  {"TimestampEquals", CT_TIMESTAMP, REL_EQ, false},
  {"TimestampEqualsPath", CT_TIMESTAMP, REL_EQ, true},
  {"TimestampLessThan", CT_TIMESTAMP, REL_LT, false},
  {"TimestampLessThanPath", CT_TIMESTAMP, REL_LT, true},
  {"TimestampGreaterThan", CT_TIMESTAMP, REL_GT, false},
  {"TimestampGreaterThanPath", CT_TIMESTAMP, REL_GT, true},
  {"TimestampLessThanEquals", CT_TIMESTAMP, REL_LE, false},
  {"TimestampLessThanEqualsPath", CT_TIMESTAMP, REL_LE, true},
  {"TimestampGreaterThanEquals", CT_TIMESTAMP, REL_GE, false},
  {"TimestampGreaterThanEqualsPath", CT_TIMESTAMP, REL_GE, true},
  {"IsNull", CT_IS_NULL, REL_EQ, false},
  {"IsPresent", CT_IS_PRESENT, REL_EQ, false},
  {"IsNumeric", CT_IS_NUMERIC, REL_EQ, false},
  {"IsString", CT_IS_STRING, REL_EQ, false},
  {"IsBoolean", CT_IS_BOOLEAN, REL_EQ, false},
  {"IsTimestamp", CT_IS_TIMESTAMP, REL_EQ, false},
};

#define N_COMPARATORS (sizeof comparators / sizeof comparators[0])

typedef enum rule_kind { RULE_AND, RULE_OR, RULE_NOT, RULE_CMP } rule_kind;

struct asl_choice {
  rule_kind kind;
  size_t n;
  asl_choice **children; /* AND, OR; NOT has one */
  const cmp_def *cmp;
  const asl_path *variable;
  const asl_path *operand; /* ...Path forms */
  size_t variable_pos;     /* of their strings in the source */
  size_t operand_pos;
  const asl_json *value;   /* literal operand, kept by the arena */
  asl_timestamp ts;        /* Timestamp* literal, parsed at load */
  bool uses_context;
};

/* ------------------------------------------------------------------ compile ---- */
typedef struct ccompiler {
  asl_arena *a;
  asl_diags *d;
  size_t errors;
} ccompiler;

ASL_PRINTF(4, 5)
static void diag(ccompiler *c, size_t offset, const char *pointer, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  asl_diags_vadd(c->d, offset, pointer, fmt, ap);
  va_end(ap);
  c->errors++;
}

static const cmp_def *find_comparator(const char *k, size_t n)
{
  for (size_t i = 0; i < N_COMPARATORS; i++)
    if (strlen(comparators[i].name) == n && memcmp(comparators[i].name, k, n) == 0)
      return &comparators[i];
  return NULL;
}

static const char *suggest(const char *k, size_t n)
{
  static const char *others[] = {"Variable", "And", "Or", "Not", "Next", "Comment"};
  for (size_t i = 0; i < N_COMPARATORS; i++)
    if (strlen(comparators[i].name) == n && strncasecmp(comparators[i].name, k, n) == 0)
      return comparators[i].name;
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    if (strlen(others[i]) == n && strncasecmp(others[i], k, n) == 0)
      return others[i];
  return NULL;
}

static const asl_path *compile_path(ccompiler *c, const asl_json *v, size_t pos,
                                    const char *pointer, const char *field)
{
  if (!asl_json_is_string(v)) {
    diag(c, pos, pointer, "'%s' must be a string holding a path, as \"$.value\"",
         field);
    return NULL;
  }
  asl_error err = ASL_ERROR_INIT;
  asl_path *p;
  if (asl_path_compile(c->a, asl_json_str(v), asl_json_str_len(v), &p, &err) != ASL_OK) {
    diag(c, pos, pointer, "'%s': %s", field, err.cause ? err.cause : "invalid path");
    asl_error_clear(&err);
    return NULL;
  }
  return p;
}

static asl_choice *compile_rule(ccompiler *c, const asl_json *rule, const char *pointer,
                                bool top_level);

static void compile_list(ccompiler *c, asl_choice *r, const asl_json *v, const char *pointer,
                         const char *field)
{
  if (!asl_json_is_array(v) || asl_json_len(v) == 0) {
    diag(c, asl_json_pos(v), pointer, "'%s' must be a non-empty array of Choice rules", field);
    return;
  }
  r->n = asl_json_len(v);
  r->children = asl_arena_alloc(c->a, r->n * sizeof *r->children);
  for (size_t i = 0; i < r->n; i++) {
    char idx[24];
    int il = snprintf(idx, sizeof idx, "%zu", i);
    char *ptr = asl_pointer_join(pointer, idx, (size_t)il);
    r->children[i] = compile_rule(c, asl_json_at(v, i), ptr, false);
    asl_free(ptr);
    if (r->children[i] && r->children[i]->uses_context)
      r->uses_context = true;
  }
}

static void compile_operand(ccompiler *c, asl_choice *r, const asl_json *v, size_t pos,
                            const char *pointer)
{
  const cmp_def *d = r->cmp;
  if (d->path) {
    r->operand = compile_path(c, v, pos, pointer, d->name);
    r->operand_pos = pos;
    if (r->operand && r->operand->context)
      r->uses_context = true;
    return;
  }
  switch (d->type) {
  case CT_STRING:
  case CT_MATCHES:
    if (!asl_json_is_string(v)) {
      diag(c, pos, pointer, "'%s' must be a string", d->name);
      return;
    }
    break;
  case CT_NUMERIC:
    if (!asl_json_is_number(v)) {
      diag(c, pos, pointer, "'%s' must be a number", d->name);
      return;
    }
    break;
  case CT_TIMESTAMP:
    if (!asl_json_is_string(v) ||
        !asl_timestamp_parse(asl_json_str(v), asl_json_str_len(v), &r->ts)) {
      diag(c, pos, pointer,
           "'%s' must be an RFC 3339 timestamp string, as \"2016-03-14T01:59:00Z\"", d->name);
      return;
    }
    break;
  case CT_BOOLEAN:
  case CT_IS_NULL:
  case CT_IS_PRESENT:
  case CT_IS_NUMERIC:
  case CT_IS_STRING:
  case CT_IS_BOOLEAN:
  case CT_IS_TIMESTAMP:
    if (!asl_json_is_bool(v)) {
      diag(c, pos, pointer, "'%s' must be true or false", d->name);
      return;
    }
    break;
  }
  r->value = asl__arena_keep(c->a, asl_json_incref(v));
}

static asl_choice *compile_rule(ccompiler *c, const asl_json *rule, const char *pointer,
                                bool top_level)
{
  size_t before = c->errors;
  if (!asl_json_is_object(rule)) {
    diag(c, asl_json_pos(rule), pointer,
         "a Choice rule must be an object, as {\"Variable\": \"$.x\", \"StringEquals\": \"a\"%s}",
         top_level ? ", \"Next\": \"State\"" : "");
    return NULL;
  }
  asl_choice *r = asl_arena_alloc(c->a, sizeof *r);
  const char *kind_field = NULL; /* the And/Or/Not or comparator that decides the kind */
  size_t kind_index = 0;
  const asl_json *variable = NULL;
  size_t var_index = 0;
  size_t n = asl_json_len(rule);
  for (size_t i = 0; i < n; i++) {
    size_t klen;
    const char *key = asl_json_key_at(rule, i, &klen);
    const asl_json *val = asl_json_value_at(rule, i);
    char *ptr = asl_pointer_join(pointer, key, klen);
    size_t kpos = asl_json_key_pos_at(rule, i);
    const cmp_def *d = find_comparator(key, klen);
    bool logical = (klen == 3 && memcmp(key, "And", 3) == 0) ||
                   (klen == 2 && memcmp(key, "Or", 2) == 0) ||
                   (klen == 3 && memcmp(key, "Not", 3) == 0);
    if (d || logical) {
      if (kind_field) {
        diag(c, kpos, ptr,
             "a Choice rule must have exactly one of a comparison or And, Or, Not; this one has "
             "both '%s' and '%s'",
             kind_field, key);
      } else {
        kind_field = asl_arena_strndup(c->a, key, klen);
        kind_index = i;
        if (d) {
          r->kind = RULE_CMP;
          r->cmp = d;
          /* null, true and false carry no position of their own: point at the key then */
          size_t vpos = asl_json_pos(val);
          compile_operand(c, r, val, vpos == ASL_NOPOS ? kpos : vpos, ptr);
        } else if (key[0] == 'N') {
          r->kind = RULE_NOT;
          if (!asl_json_is_object(val)) {
            diag(c, asl_json_pos(val), ptr, "'Not' must be one Choice rule object");
          } else {
            r->n = 1;
            r->children = asl_arena_alloc(c->a, sizeof *r->children);
            r->children[0] = compile_rule(c, val, ptr, false);
            if (r->children[0] && r->children[0]->uses_context)
              r->uses_context = true;
          }
        } else {
          r->kind = key[0] == 'A' ? RULE_AND : RULE_OR;
          compile_list(c, r, val, ptr, key);
        }
      }
    } else if (klen == 8 && memcmp(key, "Variable", 8) == 0) {
      variable = val;
      var_index = i;
    } else if (klen == 4 && memcmp(key, "Next", 4) == 0) {
      if (!top_level)
        diag(c, kpos, ptr,
             "'Next' belongs to top-level Choice rules only, not to rules inside And, Or or Not");
    } else if (klen == 7 && memcmp(key, "Comment", 7) == 0) {
      if (!top_level && !asl_json_is_string(val))
        diag(c, asl_json_pos(val), ptr, "'Comment' must be a string");
    } else if (top_level && ((klen == 6 && memcmp(key, "Assign", 6) == 0) ||
                             (klen == 6 && memcmp(key, "Output", 6) == 0))) {
      /* left to the caller (later issues) */
    } else {
      const char *s = suggest(key, klen);
      if (s)
        diag(c, kpos, ptr, "unknown field '%s' in a Choice rule (did you mean '%s'?)", key, s);
      else
        diag(c, kpos, ptr,
             "unknown field '%s' in a Choice rule; a rule has a Variable and one comparison "
             "such as StringEquals or NumericLessThan, or one of And, Or, Not",
             key);
    }
    asl_free(ptr);
  }
  if (!kind_field) {
    diag(c, asl_json_pos(rule), pointer,
         "a Choice rule needs a comparison (StringEquals, NumericLessThan, IsPresent, ...) with "
         "a Variable, or one of And, Or, Not");
  } else if (r->kind == RULE_CMP) {
    if (!variable) {
      diag(c, asl_json_key_pos_at(rule, kind_index), pointer,
           "'Variable' is required with '%s': the path of the value to compare, as \"$.x\"",
           kind_field);
    } else {
      char *ptr = asl_pointer_join(pointer, "Variable", 8);
      size_t vpos = asl_json_pos(variable);
      r->variable = compile_path(c, variable, vpos == ASL_NOPOS ? asl_json_key_pos_at(rule, var_index) : vpos, ptr, "Variable");
      r->variable_pos = vpos;
      asl_free(ptr);
      if (r->variable && r->variable->context)
        r->uses_context = true;
    }
  } else if (variable) {
    char *ptr = asl_pointer_join(pointer, "Variable", 8);
    diag(c, asl_json_key_pos_at(rule, var_index), ptr,
         "'Variable' is not allowed with '%s'; put it in the rules inside", kind_field);
    asl_free(ptr);
  }
  return c->errors == before ? r : NULL;
}

asl_choice *asl_choice_compile(asl_arena *a, const asl_json *rule, const char *pointer,
                               bool top_level, asl_diags *d)
{
  ccompiler c = {a, d, 0};
  asl_choice *r = compile_rule(&c, rule, pointer ? pointer : "", top_level);
  return c.errors ? NULL : r;
}

bool asl_choice_uses_context(const asl_choice *c)
{
  return c->uses_context;
}

/* ------------------------------------------------------------------ evaluation ---- */
/* StringMatches: '*' matches any run of characters; '\' makes the next character literal. */
static bool wildcard_match(const char *p, size_t pn, const char *s, size_t sn)
{
  size_t pi = 0;
  size_t si = 0;
  size_t star_p = (size_t)-1;
  size_t star_s = 0;
  while (si < sn) {
    if (pi < pn && p[pi] == '*') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < pn) {
      size_t lit = pi;
      if (p[pi] == '\\' && pi + 1 < pn)
        lit = pi + 1;
      if (p[lit] == s[si]) {
        pi = lit + 1;
        si++;
        continue;
      }
    }
    if (star_p == (size_t)-1)
      return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < pn && p[pi] == '*')
    pi++;
  return pi == pn;
}

static int num_cmp(const asl_json *a, const asl_json *b)
{
  if (asl_json_kind_of(a) == ASL_JSON_INT && asl_json_kind_of(b) == ASL_JSON_INT) {
    int64_t x = asl_json_int_val(a);
    int64_t y = asl_json_int_val(b);
    return x < y ? -1 : x > y;
  }
  double x = asl_json_num_val(a);
  double y = asl_json_num_val(b);
  return x < y ? -1 : x > y;
}

static bool rel_holds(cmp_rel rel, int c)
{
  switch (rel) {
  case REL_EQ:
    return c == 0;
  case REL_LT:
    return c < 0;
  case REL_GT:
    return c > 0;
  case REL_LE:
    return c <= 0;
  case REL_GE:
    return c >= 0;
  }
  return false;
}

static bool is_timestamp(const asl_json *v, asl_timestamp *ts)
{
  return asl_json_is_string(v) && asl_timestamp_parse(asl_json_str(v), asl_json_str_len(v), ts);
}

void asl_choice_each_variable(const asl_choice *c, asl_var_ref_cb cb, void *data)
{
  if (c->kind != RULE_CMP) {
    for (size_t i = 0; i < c->n; i++)
      asl_choice_each_variable(c->children[i], cb, data);
    return;
  }
  if (c->variable && c->variable->var)
    cb(data, c->variable->var, c->variable->var_len, c->variable_pos);
  if (c->operand && c->operand->var)
    cb(data, c->operand->var, c->operand->var_len, c->operand_pos);
}

/* The value [p] names: borrowed when *owned comes back false, else a reference to release; NULL
 * with the Choice state's error (when [err]) if it names nothing. */
static const asl_json *choice_path(const asl_path *p, const asl_env *env, bool *owned,
                                   asl_error *err)
{
  *owned = false;
  const asl_json *doc = asl__path_doc(p, env);
  if (p->var && !doc) {
    if (err)
      asl_path_eval(p, env, err); /* words the unset variable */
    return NULL;
  }
  if (p->simple && doc) {
    const asl_json *v = asl__path_lookup(p, doc);
    if (v)
      return v;
  }
  asl_error tmp = ASL_ERROR_INIT;
  asl_json *v = asl_path_eval(p, env, &tmp);
  if (!v && tmp.code == ASL_E_LIMIT) {
    if (err)
      asl_error_move(err, &tmp); /* ran out of steps: say so rather than "invalid value" */
    asl_error_clear(&tmp);
    return NULL;
  }
  asl_error_clear(&tmp);
  if (v) {
    *owned = true;
    return v;
  }
  if (err)
    asl__runtime_error(err, "States.Runtime",
                       "Invalid path '%s': The choice state's condition path references an "
                       "invalid value.",
                       p->text);
  return NULL;
}

static asl_status compare(const asl_choice *r, const asl_env *env, bool *matched, asl_error *err)
{
  const cmp_def *d = r->cmp;
  bool v_owned;
  const asl_json *v =
    choice_path(r->variable, env, &v_owned, d->type == CT_IS_PRESENT ? NULL : err);
  if (d->type == CT_IS_PRESENT) {
    bool present = v && !(!r->variable->definite && asl_json_len(v) == 0);
    if (v_owned)
      asl_json_decref((asl_json *)v);
    *matched = present == asl_json_bool_val(r->value);
    return ASL_OK;
  }
  if (!v)
    return ASL_E_RUNTIME;
  const asl_json *want = r->value;
  bool w_owned = false;
  if (d->path) {
    want = choice_path(r->operand, env, &w_owned, err);
    if (!want) {
      if (v_owned)
        asl_json_decref((asl_json *)v);
      return ASL_E_RUNTIME;
    }
  }
  bool m = false;
  asl_timestamp ts;
  switch (d->type) {
  case CT_STRING:
    if (asl_json_is_string(v) && asl_json_is_string(want))
      m = rel_holds(d->rel, asl__utf16_cmp(asl_json_str(v), asl_json_str_len(v),
                                           asl_json_str(want), asl_json_str_len(want)));
    break;
  case CT_MATCHES:
    m = asl_json_is_string(v) && wildcard_match(asl_json_str(want), asl_json_str_len(want),
                                                asl_json_str(v), asl_json_str_len(v));
    break;
  case CT_NUMERIC:
    m = asl_json_is_number(v) && asl_json_is_number(want) && rel_holds(d->rel, num_cmp(v, want));
    break;
  case CT_BOOLEAN:
    m = asl_json_is_bool(v) && asl_json_is_bool(want) &&
        asl_json_bool_val(v) == asl_json_bool_val(want);
    break;
  case CT_TIMESTAMP: {
    asl_timestamp other = r->ts;
    if (is_timestamp(v, &ts) && (!d->path || is_timestamp(want, &other)))
      m = rel_holds(d->rel, asl_timestamp_cmp(ts, other));
    break;
  }
  case CT_IS_NULL:
    m = asl_json_is_null(v) == asl_json_bool_val(want);
    break;
  case CT_IS_NUMERIC:
    m = asl_json_is_number(v) == asl_json_bool_val(want);
    break;
  case CT_IS_STRING:
    m = asl_json_is_string(v) == asl_json_bool_val(want);
    break;
  case CT_IS_BOOLEAN:
    m = asl_json_is_bool(v) == asl_json_bool_val(want);
    break;
  case CT_IS_TIMESTAMP:
    m = is_timestamp(v, &ts) == asl_json_bool_val(want);
    break;
  case CT_IS_PRESENT:
    break;
  }
  if (v_owned)
    asl_json_decref((asl_json *)v);
  if (w_owned)
    asl_json_decref((asl_json *)want);
  *matched = m;
  return ASL_OK;
}

asl_status asl_choice_eval(const asl_choice *c, const asl_env *env, bool *matched, asl_error *err)
{
  *matched = false;
  switch (c->kind) {
  case RULE_CMP:
    return compare(c, env, matched, err);
  case RULE_NOT: {
    asl_status st = asl_choice_eval(c->children[0], env, matched, err);
    *matched = !*matched;
    return st;
  }
  case RULE_AND:
  case RULE_OR:
    for (size_t i = 0; i < c->n; i++) {
      bool m;
      asl_status st = asl_choice_eval(c->children[i], env, &m, err);
      if (st != ASL_OK)
        return st;
      if (c->kind == RULE_AND ? !m : m) {
        *matched = m;
        return ASL_OK;
      }
    }
    *matched = c->kind == RULE_AND;
    return ASL_OK;
  }
  return ASL_OK;
}
