/* Do a Choice state's rules cover every input a JSON Schema allows? For each path the rules
 * read, the schema gives a finite set of candidate values: its const or enum, true and false,
 * null, and one representative of every other string, integer, number, object or array (a
 * value that equals no literal the rules compare with), plus "absent" when the member is not
 * required. Every combination is evaluated with the rules themselves (lang's asl_choice_eval);
 * one that no rule matches is the counter-example. A representative speaks for its whole class
 * only when the rules test that path for equality or type alone: with ordering, patterns or
 * timestamps, the answer is "cannot tell", never a guess. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COMBINATIONS 4096
#define MAX_REF_DEPTH 32
#define SHOW 200

typedef struct var {
  char *path;                 /* as written: "$.order.status" */
  ASL_VEC(char *) segs;       /* "order", "status" */
  ASL_VEC(asl_json *) domain; /* candidates; NULL: absent */
  bool open;                  /* a representative stands for a class of values */
  char *unsafe;               /* an operator on it that a representative cannot answer for */
  ASL_VEC(const asl_json *) literals; /* values the rules compare it with */
} var;

typedef ASL_VEC(var) var_list;

typedef struct analysis {
  const asl_json *root; /* the schema */
  var_list vars;
  char *unknown; /* why it cannot be told (first reason), or NULL */
} analysis;

static void unknown(analysis *a, char *why)
{
  if (a->unknown)
    asl_free(why);
  else
    a->unknown = why;
}

/* ---------------------------------------------------------------- the rules ---- */

/* "$" or "$.a.b" with plain member names: the segments, or false. */
static bool split_path(const char *path, var *v)
{
  if (path[0] != '$' || path[1] == '$')
    return false;
  const char *p = path + 1;
  while (*p) {
    if (*p != '.')
      return false;
    const char *s = ++p;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
           *p == '_' || *p == '-')
      p++;
    if (p == s)
      return false;
    ASL_VEC_PUSH(v->segs, asl_strndup(s, (size_t)(p - s)));
  }
  return true;
}

static var *var_for(analysis *a, const char *path)
{
  for (size_t i = 0; i < a->vars.len; i++)
    if (strcmp(a->vars.items[i].path, path) == 0)
      return &a->vars.items[i];
  var v = {0};
  v.path = asl_strdup(path);
  if (!split_path(path, &v)) {
    unknown(a, asl_strfmt("the rules read %s, which is not a plain $.member path", path));
    for (size_t i = 0; i < v.segs.len; i++)
      asl_free(v.segs.items[i]);
    ASL_VEC_FREE(v.segs);
    asl_free(v.path);
    return NULL;
  }
  ASL_VEC_PUSH(a->vars, v);
  return &a->vars.items[a->vars.len - 1];
}

/* Operators a representative of a class answers as every member of the class would. */
static bool equality_or_type(const char *op)
{
  static const char *const ok[] = {"StringEquals", "NumericEquals", "BooleanEquals", "IsPresent",
                                   "IsNull",       "IsString",      "IsNumeric",     "IsBoolean",
                                   NULL};
  for (const char *const *o = ok; *o; o++)
    if (strcmp(op, *o) == 0)
      return true;
  return false;
}

static void read_rule(analysis *a, const asl_json *rule, int depth)
{
  if (!asl_json_is_object(rule) || depth > 64) {
    unknown(a, asl_strdup("a rule is not an object"));
    return;
  }
  if (asl_json_get_cstr(rule, "Condition")) {
    unknown(a, asl_strdup("JSONata conditions are not analysed"));
    return;
  }
  for (int w = 0; w < 2; w++) {
    const asl_json *list = asl_json_get_cstr(rule, w ? "Or" : "And");
    if (!list)
      continue;
    for (size_t i = 0; asl_json_is_array(list) && i < asl_json_len(list); i++)
      read_rule(a, asl_json_at(list, i), depth + 1);
    return;
  }
  const asl_json *not = asl_json_get_cstr(rule, "Not");
  if (not) {
    read_rule(a, not, depth + 1);
    return;
  }
  const asl_json *variable = asl_json_get_cstr(rule, "Variable");
  if (!variable || !asl_json_is_string(variable)) {
    unknown(a, asl_strdup("a rule has no Variable"));
    return;
  }
  var *v = var_for(a, asl_json_str(variable));
  if (!v)
    return;
  for (size_t i = 0; i < asl_json_len(rule); i++) {
    size_t kl;
    const char *k = asl_json_key_at(rule, i, &kl);
    const asl_json *val = asl_json_value_at(rule, i);
    if ((kl == 8 && memcmp(k, "Variable", 8) == 0) || (kl == 4 && memcmp(k, "Next", 4) == 0) ||
        (kl == 7 && memcmp(k, "Comment", 7) == 0))
      continue;
    char *op = asl_strndup(k, kl);
    bool is_path = kl > 4 && memcmp(k + kl - 4, "Path", 4) == 0;
    if (is_path) {
      /* two paths compared: both are read, and neither may stand for a class */
      if (asl_json_is_string(val)) {
        size_t vi = (size_t)(v - a->vars.items);
        var *o = var_for(a, asl_json_str(val));
        v = &a->vars.items[vi]; /* the list may have moved */
        if (o && !o->unsafe)
          o->unsafe = asl_strdup(op);
      }
      if (!v->unsafe)
        v->unsafe = asl_strdup(op);
    } else {
      if (!equality_or_type(op) && !v->unsafe)
        v->unsafe = asl_strdup(op);
      ASL_VEC_PUSH(v->literals, val);
    }
    asl_free(op);
  }
}

/* --------------------------------------------------------------- the schema ---- */

static const asl_json *resolve(const analysis *a, const asl_json *s)
{
  for (int n = 0; n < MAX_REF_DEPTH && asl_json_is_object(s); n++) {
    const asl_json *ref = asl_json_get_cstr(s, "$ref");
    if (!ref || !asl_json_is_string(ref))
      return s;
    const char *p = asl_json_str(ref);
    if (p[0] != '#')
      return NULL; /* another document */
    const asl_json *cur = a->root;
    p++;
    while (cur && *p == '/') {
      p++;
      size_t len = strcspn(p, "/");
      asl_buf tok = ASL_BUF_INIT;
      for (size_t i = 0; i < len; i++) {
        if (p[i] == '~' && i + 1 < len && (p[i + 1] == '0' || p[i + 1] == '1')) {
          asl_buf_addc(&tok, p[i + 1] == '0' ? '~' : '/');
          i++;
        } else {
          asl_buf_addc(&tok, p[i]);
        }
      }
      asl_buf_addc(&tok, '\0');
      cur = asl_json_is_object(cur) ? asl_json_get(cur, tok.data, tok.len - 1) : NULL;
      asl_buf_free(&tok);
      p += len;
    }
    if (*p)
      return NULL;
    s = cur;
  }
  return s;
}

static bool listed(const asl_json *required, const char *name)
{
  for (size_t i = 0; required && asl_json_is_array(required) && i < asl_json_len(required); i++) {
    const asl_json *r = asl_json_at(required, i);
    if (asl_json_is_string(r) && strcmp(asl_json_str(r), name) == 0)
      return true;
  }
  return false;
}

enum { K_STRING, K_INTEGER, K_NUMBER, K_BOOLEAN, K_NULL, K_OBJECT, K_ARRAY, K_COUNT };

/* A string (integer, number) that equals none of [v]'s literals. */
static asl_json *representative(const var *v, int kind)
{
  for (int64_t k = 0;; k++) {
    asl_json *c = NULL;
    switch (kind) {
    case K_STRING: {
      char *s = asl_strfmt("aslrun:any-other-string-%lld", (long long)k);
      c = asl_json_cstr(s);
      asl_free(s);
      break;
    }
    case K_INTEGER:
      c = asl_json_int(987654321 + k);
      break;
    default:
      c = asl_json_double(987654321.5 + (double)k);
      break;
    }
    bool clash = false;
    for (size_t i = 0; i < v->literals.len && !clash; i++)
      clash = asl_json_equal(c, v->literals.items[i]);
    if (!clash)
      return c;
    asl_json_decref(c);
  }
}

static bool add_kinds(analysis *a, var *v, const asl_json *type)
{
  static const char *const names[K_COUNT] = {"string", "integer", "number", "boolean",
                                             "null",   "object",  "array"};
  bool want[K_COUNT] = {0};
  if (!type) {
    for (int i = 0; i < K_COUNT; i++)
      want[i] = true;
  } else {
    size_t n = asl_json_is_array(type) ? asl_json_len(type) : 1;
    for (size_t i = 0; i < n; i++) {
      const asl_json *t = asl_json_is_array(type) ? asl_json_at(type, i) : type;
      bool known = false;
      for (int j = 0; j < K_COUNT && asl_json_is_string(t); j++) {
        if (strcmp(asl_json_str(t), names[j]) == 0) {
          want[j] = known = true;
          if (j == K_NUMBER)
            want[K_INTEGER] = true; /* a JSON Schema number includes the integers */
        }
      }
      if (!known) {
        unknown(a, asl_strfmt("the schema of %s has a type aslrun does not know", v->path));
        return false;
      }
    }
  }
  if (want[K_BOOLEAN]) {
    ASL_VEC_PUSH(v->domain, asl_json_bool(true));
    ASL_VEC_PUSH(v->domain, asl_json_bool(false));
  }
  if (want[K_NULL])
    ASL_VEC_PUSH(v->domain, asl_json_null());
  for (int k = K_STRING; k <= K_NUMBER; k++) {
    if (want[k]) {
      ASL_VEC_PUSH(v->domain, representative(v, k));
      v->open = true;
    }
  }
  if (want[K_OBJECT]) {
    ASL_VEC_PUSH(v->domain, asl_json_object(0));
    v->open = true;
  }
  if (want[K_ARRAY]) {
    ASL_VEC_PUSH(v->domain, asl_json_array(0));
    v->open = true;
  }
  return true;
}

/* The candidates schema [s] allows for [v]. */
static bool add_domain(analysis *a, var *v, const asl_json *s, int depth)
{
  s = resolve(a, s);
  if (!s || depth > 16) {
    unknown(a, asl_strfmt("the schema of %s uses a $ref aslrun cannot follow", v->path));
    return false;
  }
  if (asl_json_is_bool(s)) {
    return asl_json_bool_val(s) ? add_kinds(a, v, NULL) : true; /* false: no value at all */
  }
  if (!asl_json_is_object(s)) {
    unknown(a, asl_strfmt("the schema of %s is not a schema object", v->path));
    return false;
  }
  const asl_json *c = asl_json_get_cstr(s, "const");
  if (c) {
    ASL_VEC_PUSH(v->domain, asl_json_incref(c));
    return true;
  }
  const asl_json *e = asl_json_get_cstr(s, "enum");
  if (e && asl_json_is_array(e)) {
    for (size_t i = 0; i < asl_json_len(e); i++)
      ASL_VEC_PUSH(v->domain, asl_json_incref(asl_json_at(e, i)));
    return true;
  }
  for (int w = 0; w < 2; w++) {
    const asl_json *alts = asl_json_get_cstr(s, w ? "anyOf" : "oneOf");
    if (!alts || !asl_json_is_array(alts))
      continue;
    for (size_t i = 0; i < asl_json_len(alts); i++)
      if (!add_domain(a, v, asl_json_at(alts, i), depth + 1))
        return false;
    return true;
  }
  if (asl_json_get_cstr(s, "allOf") || asl_json_get_cstr(s, "not") ||
      asl_json_get_cstr(s, "if")) {
    unknown(a, asl_strfmt("the schema of %s combines schemas (allOf, not, if)", v->path));
    return false;
  }
  return add_kinds(a, v, asl_json_get_cstr(s, "type"));
}

/* Walks the schema down [v]'s path; false (and a->unknown) when it cannot. */
static bool domain_of(analysis *a, var *v)
{
  const asl_json *s = a->root;
  bool maybe_absent = false;
  for (size_t i = 0; i < v->segs.len; i++) {
    s = resolve(a, s);
    if (!s) {
      unknown(a, asl_strfmt("the schema of %s uses a $ref aslrun cannot follow", v->path));
      return false;
    }
    if (asl_json_is_bool(s)) {
      if (!asl_json_bool_val(s))
        return true; /* nothing is allowed there */
      maybe_absent = true;
      continue; /* "true": anything, below too */
    }
    const asl_json *props = asl_json_get_cstr(s, "properties");
    const asl_json *sub = props && asl_json_is_object(props)
                              ? asl_json_get_cstr(props, v->segs.items[i])
                              : NULL;
    if (!listed(asl_json_get_cstr(s, "required"), v->segs.items[i]))
      maybe_absent = true;
    if (!sub) {
      const asl_json *extra = asl_json_get_cstr(s, "additionalProperties");
      if (extra && asl_json_is_bool(extra) && !asl_json_bool_val(extra)) {
        ASL_VEC_PUSH(v->domain, NULL); /* the member can only be absent */
        return true;
      }
      sub = extra && asl_json_is_object(extra) ? extra : asl_json_bool(true);
    }
    s = sub;
  }
  if (maybe_absent)
    ASL_VEC_PUSH(v->domain, NULL);
  return add_domain(a, v, s, 0);
}

/* --------------------------------------------------------------- evaluating ---- */

static int by_segs(const void *x, const void *y)
{
  const var *a = *(const var *const *)x;
  const var *b = *(const var *const *)y;
  size_t n = a->segs.len < b->segs.len ? a->segs.len : b->segs.len;
  for (size_t i = 0; i < n; i++) {
    int c = strcmp(a->segs.items[i], b->segs.items[i]);
    if (c)
      return c;
  }
  return a->segs.len < b->segs.len ? -1 : a->segs.len > b->segs.len;
}

typedef struct binding {
  const var *v;
  const asl_json *value;
} binding;

/* An object of the bindings [b] (sorted by path, none a prefix of another) below [depth]. */
static asl_json *build(const binding *b, size_t n, size_t depth)
{
  asl_json *o = asl_json_object(n);
  size_t i = 0;
  while (i < n) {
    const char *key = b[i].v->segs.items[depth];
    size_t j = i;
    while (j < n && strcmp(b[j].v->segs.items[depth], key) == 0)
      j++;
    asl_json *val = b[i].v->segs.len == depth + 1 ? asl_json_incref(b[i].value)
                                                  : build(b + i, j - i, depth + 1);
    asl_json_obj_put_cstr(o, key, val);
    i = j;
  }
  return o;
}

static char *shown(const asl_json *v)
{
  asl_buf b = ASL_BUF_INIT;
  asl_json_dump_buf(v, ASL_JSON_COMPACT, &b);
  if (b.len > SHOW) {
    b.len = asl_utf8_floor(b.data, SHOW - 3);
    asl_buf_adds(&b, "...");
  }
  return asl_buf_steal(&b, NULL);
}

static asl__covers evaluate(const asl_state *st, var **vars, size_t nv, char **detail)
{
  size_t total = 1;
  for (size_t i = 0; i < nv; i++) {
    total *= vars[i]->domain.len;
    if (total == 0)
      return ASL__COVERS_ALL; /* the schema allows no input at all */
    if (total > MAX_COMBINATIONS) {
      *detail = asl_strfmt("more than %d combinations of values", MAX_COMBINATIONS);
      return ASL__COVERS_UNKNOWN;
    }
  }
  size_t *pick = asl_calloc(nv ? nv : 1, sizeof *pick);
  binding *b = asl_alloc((nv ? nv : 1) * sizeof *b);
  asl__covers verdict = ASL__COVERS_ALL;
  for (size_t combo = 0; combo < total && verdict == ASL__COVERS_ALL; combo++) {
    size_t rest = combo;
    size_t nb = 0;
    const asl_json *whole = NULL;
    bool whole_absent = false;
    for (size_t i = 0; i < nv; i++) {
      pick[i] = rest % vars[i]->domain.len;
      rest /= vars[i]->domain.len;
      const asl_json *val = vars[i]->domain.items[pick[i]];
      if (vars[i]->segs.len == 0) {
        whole = val;
        whole_absent = !val;
      } else if (val) {
        b[nb].v = vars[i];
        b[nb].value = val;
        nb++;
      }
    }
    if (whole_absent)
      continue; /* the input itself is always there */
    asl_json *input = whole ? asl_json_incref(whole) : build(b, nb, 0);
    asl_env env = {.input = input, .context = NULL, .rng = NULL};
    bool any = false;
    for (size_t r = 0; r < st->u.choice.count && !any; r++) {
      asl_error err = ASL_ERROR_INIT;
      bool matched = false;
      if (asl_choice_eval(st->u.choice.branches[r].rule, &env, &matched, &err) != ASL_OK) {
        char *ex = shown(input);
        *detail = asl_strfmt("the input %s makes Choices[%zu] fail (%s): the execution fails "
                             "with States.Runtime, Default or not; guard the rule with "
                             "IsPresent",
                             ex, r, err.cause ? err.cause : "an error");
        asl_free(ex);
        asl_error_clear(&err);
        verdict = ASL__COVERS_NOT;
        break;
      }
      any = matched;
    }
    if (!any && verdict == ASL__COVERS_ALL) {
      char *ex = shown(input);
      *detail = asl_strfmt("the input %s matches no rule and fails the execution with "
                           "States.NoChoiceMatched; add \"Default\" or a rule for it",
                           ex);
      asl_free(ex);
      verdict = ASL__COVERS_NOT;
    }
    asl_json_decref(input);
  }
  asl_free(pick);
  asl_free(b);
  return verdict;
}

asl__covers asl__choice_covers(const asl_state *st, const asl_json *schema, char **detail)
{
  *detail = NULL;
  analysis a = {.root = schema};
  const asl_json *choices = asl_json_get_cstr(st->definition, "Choices");
  for (size_t i = 0; choices && asl_json_is_array(choices) && i < asl_json_len(choices); i++)
    read_rule(&a, asl_json_at(choices, i), 0);
  if (st->u.choice.count == 0)
    unknown(&a, asl_strdup("it has no rules"));
  for (size_t i = 0; i < st->u.choice.count; i++) {
    if (!st->u.choice.branches[i].rule) {
      unknown(&a, asl_strdup("its rules are not JSONPath rules"));
      break;
    }
  }
  var **vars = asl_alloc((a.vars.len ? a.vars.len : 1) * sizeof *vars);
  for (size_t i = 0; i < a.vars.len; i++)
    vars[i] = &a.vars.items[i];
  if (!a.unknown && a.vars.len)
    qsort(vars, a.vars.len, sizeof *vars, by_segs);
  for (size_t i = 0; !a.unknown && i + 1 < a.vars.len; i++) {
    const var *x = vars[i];
    const var *y = vars[i + 1];
    bool prefix = x->segs.len < y->segs.len;
    for (size_t s = 0; prefix && s < x->segs.len; s++)
      prefix = strcmp(x->segs.items[s], y->segs.items[s]) == 0;
    if (prefix)
      unknown(&a, asl_strfmt("the rules read both %s and %s, inside it", x->path, y->path));
  }
  for (size_t i = 0; !a.unknown && i < a.vars.len; i++)
    domain_of(&a, vars[i]);
  for (size_t i = 0; !a.unknown && i < a.vars.len; i++) {
    if (vars[i]->open && vars[i]->unsafe)
      unknown(&a, asl_strfmt("the rules compare %s with %s, which aslrun cannot check against "
                             "every value of its type; an enum or const in the schema can",
                             vars[i]->path, vars[i]->unsafe));
  }
  asl__covers verdict = ASL__COVERS_UNKNOWN;
  if (a.unknown) {
    *detail = a.unknown;
    a.unknown = NULL;
  } else {
    verdict = evaluate(st, vars, a.vars.len, detail);
  }
  asl_free(vars);
  for (size_t i = 0; i < a.vars.len; i++) {
    var *v = &a.vars.items[i];
    for (size_t s = 0; s < v->segs.len; s++)
      asl_free(v->segs.items[s]);
    ASL_VEC_FREE(v->segs);
    for (size_t d = 0; d < v->domain.len; d++)
      asl_json_decref(v->domain.items[d]);
    ASL_VEC_FREE(v->domain);
    ASL_VEC_FREE(v->literals);
    asl_free(v->unsafe);
    asl_free(v->path);
  }
  ASL_VEC_FREE(a.vars);
  asl_free(a.unknown);
  return verdict;
}
