/* Step Functions' JSONata templates: a JSON value (Arguments, Output, Assign, Items, or one of
 * the single-value fields) whose strings that are exactly "{% expression %}" are evaluated,
 * everything else kept as written and shared, not copied. Causes are AWS's words, naming the
 * field as AWS does: "/key" for an object member, "[i]" for an array element
 * (variables/test_undefined_reference__*, map/test_map_state_items_eval_jsonata_fail__*). */
#include "internal.h"

#include <stdio.h>

typedef enum tkind { T_CONST, T_EXPR, T_ARRAY, T_OBJECT } tkind;

typedef struct tnode tnode;
struct tnode {
  tkind kind;
  const asl_json *value; /* T_CONST (a reference the arena releases) */
  asl_jsonata *expr;     /* T_EXPR */
  const char *field;
  tnode **kids;
  size_t n;
  const char **keys;
  size_t *klens;
};

struct asl_jsonata_template {
  tnode *root;
};

bool asl_jsonata_is_expression(const asl_json *v)
{
  if (!v || !asl_json_is_string(v))
    return false;
  const char *s = asl_json_str(v);
  size_t n = asl_json_str_len(v);
  return n >= 4 && memcmp(s, "{%", 2) == 0 && memcmp(s + n - 2, "%}", 2) == 0;
}

static bool has_expression(const asl_json *v, int depth)
{
  if (depth > 1000)
    return false;
  if (asl_jsonata_is_expression(v))
    return true;
  size_t n = asl_json_len(v);
  if (asl_json_is_array(v)) {
    for (size_t i = 0; i < n; i++)
      if (has_expression(asl_json_at(v, i), depth + 1))
        return true;
  } else if (asl_json_is_object(v)) {
    for (size_t i = 0; i < n; i++)
      if (has_expression(asl_json_value_at(v, i), depth + 1))
        return true;
  }
  return false;
}

static void release(void *p)
{
  asl_json_decref(p);
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static tnode *compile_node(asl_arena *a, const asl_json *v, const char *field, const char *pointer,
                           asl_diags *d, bool *failed)
{
  tnode *t = asl_arena_alloc(a, sizeof *t);
  t->field = field;
  if (!has_expression(v, 0)) {
    t->kind = T_CONST;
    t->value = asl_json_incref(v);
    asl_arena_defer(a, release, (void *)t->value);
    return t;
  }
  if (asl_json_is_string(v)) {
    const char *s = asl_json_str(v) + 2;
    size_t n = asl_json_str_len(v) - 4;
    while (n > 0 && is_space(*s))
      s++, n--;
    while (n > 0 && is_space(s[n - 1]))
      n--;
    t->kind = T_EXPR;
    asl_error err = ASL_ERROR_INIT;
    if (asl_jsonata_compile(a, s, n, ASL_JSONATA_SFN, &t->expr, &err) != ASL_OK) {
      asl_diags_add(d, asl_json_pos(v), pointer, "invalid JSONata expression '%.*s': %s: %s",
                    (int)n, s, err.name ? err.name : "", err.cause ? err.cause : "");
      asl_error_clear(&err);
      *failed = true;
      return t;
    }
    size_t off = 0;
    char *msg = asl_jsonata_sfn_check(t->expr, &off);
    if (msg) {
      asl_diags_add(d, asl_json_pos(v), pointer, "%s (in the JSONata expression '%.*s')", msg,
                    (int)n, s);
      asl_free(msg);
      *failed = true;
    }
    return t;
  }
  size_t n = asl_json_len(v);
  t->n = n;
  t->kids = asl_arena_alloc(a, (n ? n : 1) * sizeof *t->kids);
  if (asl_json_is_array(v)) {
    t->kind = T_ARRAY;
    for (size_t i = 0; i < n; i++) {
      char *f = asl_arena_alloc(a, strlen(field) + 24);
      snprintf(f, strlen(field) + 24, "%s[%zu]", field, i);
      char idx[24];
      int il = snprintf(idx, sizeof idx, "%zu", i);
      char *ptr = asl_pointer_join(pointer, idx, (size_t)il);
      t->kids[i] = compile_node(a, asl_json_at(v, i), f, asl_arena_strdup(a, ptr), d, failed);
      asl_free(ptr);
    }
  } else {
    t->kind = T_OBJECT;
    t->keys = asl_arena_alloc(a, (n ? n : 1) * sizeof *t->keys);
    t->klens = asl_arena_alloc(a, (n ? n : 1) * sizeof *t->klens);
    for (size_t i = 0; i < n; i++) {
      size_t kl;
      const char *k = asl_json_key_at(v, i, &kl);
      t->keys[i] = asl_arena_strndup(a, k, kl);
      t->klens[i] = kl;
      size_t fl = strlen(field) + kl + 2;
      char *f = asl_arena_alloc(a, fl);
      snprintf(f, fl, "%s/%.*s", field, (int)kl, k);
      char *ptr = asl_pointer_join(pointer, k, kl);
      t->kids[i] = compile_node(a, asl_json_value_at(v, i), f, asl_arena_strdup(a, ptr), d,
                                failed);
      asl_free(ptr);
    }
  }
  return t;
}

asl_jsonata_template *asl_jsonata_template_compile(asl_arena *a, const asl_json *tmpl,
                                                   const char *field, const char *pointer,
                                                   asl_diags *d)
{
  bool failed = false;
  tnode *root = compile_node(a, tmpl, asl_arena_strdup(a, field ? field : ""),
                             pointer ? pointer : "", d, &failed);
  if (failed)
    return NULL;
  asl_jsonata_template *t = asl_arena_alloc(a, sizeof *t);
  t->root = root;
  return t;
}

bool asl_jsonata_template_is_constant(const asl_jsonata_template *t)
{
  return t->root->kind == T_CONST;
}

const char *asl_jsonata_template_expression(const asl_jsonata_template *t)
{
  return t->root->kind == T_EXPR ? asl_jsonata_text(t->root->expr) : NULL;
}

const char *asl_jsonata_template_field(const asl_jsonata_template *t)
{
  return t->root->field;
}

static bool node_uses(const tnode *t, const char *name)
{
  switch (t->kind) {
  case T_CONST:
    return false;
  case T_EXPR:
    return asl_jsonata_uses_variable(t->expr, name);
  case T_ARRAY:
  case T_OBJECT:
    for (size_t i = 0; i < t->n; i++)
      if (node_uses(t->kids[i], name))
        return true;
    return false;
  }
  return false;
}

bool asl_jsonata_template_uses_variable(const asl_jsonata_template *t, const char *name)
{
  return node_uses(t->root, name);
}

static bool node_reads(const tnode *t, const char *name, const char *member)
{
  switch (t->kind) {
  case T_CONST:
    return false;
  case T_EXPR:
    return asl_jsonata_reads_member(t->expr, name, member);
  case T_ARRAY:
  case T_OBJECT:
    for (size_t i = 0; i < t->n; i++)
      if (node_reads(t->kids[i], name, member))
        return true;
    return false;
  }
  return false;
}

bool asl_jsonata_template_reads_member(const asl_jsonata_template *t, const char *name,
                                       const char *member)
{
  return node_reads(t->root, name, member);
}

static asl_json *eval_expr(const tnode *t, const asl_jsonata_env *env, asl_error *err)
{
  asl_json *out = NULL;
  asl_error e = ASL_ERROR_INIT;
  const char *text = asl_jsonata_text(t->expr);
  if (asl_jsonata_eval(t->expr, env, &out, &e) != ASL_OK) {
    if (e.name && strcmp(e.name, "U1003") == 0) {
      asl_error_set(err, ASL_E_RUNTIME, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' returned an "
                    "unsupported result type.",
                    text, t->field);
    } else if (e.name && e.name[0] == 'U') {
      asl_error_set(err, ASL_E_RUNTIME, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' threw an error "
                    "during evaluation. %s",
                    text, t->field, e.cause ? e.cause : "");
    } else {
      asl_error_set(err, ASL_E_RUNTIME, "States.QueryEvaluationError",
                    "The JSONata expression '%s' specified for the field '%s' threw an error "
                    "during evaluation. %s: %s",
                    text, t->field, e.name ? e.name : "", e.cause ? e.cause : "");
    }
    asl_error_clear(&e);
    return NULL;
  }
  if (!out) {
    asl_error_set(err, ASL_E_RUNTIME, "States.QueryEvaluationError",
                  "The JSONata expression '%s' specified for the field '%s' returned nothing "
                  "(undefined).",
                  text, t->field);
    return NULL;
  }
  return out;
}

static asl_json *eval_node(const tnode *t, const asl_jsonata_env *env, asl_error *err)
{
  switch (t->kind) {
  case T_CONST:
    return asl_json_incref(t->value);
  case T_EXPR:
    return eval_expr(t, env, err);
  case T_ARRAY: {
    asl_json *r = asl_json_array(t->n);
    for (size_t i = 0; i < t->n; i++) {
      asl_json *v = eval_node(t->kids[i], env, err);
      if (!v) {
        asl_json_decref(r);
        return NULL;
      }
      asl_json_arr_push(r, v);
    }
    return r;
  }
  case T_OBJECT: {
    asl_json *r = asl_json_object(t->n);
    for (size_t i = 0; i < t->n; i++) {
      asl_json *v = eval_node(t->kids[i], env, err);
      if (!v) {
        asl_json_decref(r);
        return NULL;
      }
      asl_json_obj_put(r, t->keys[i], t->klens[i], v);
    }
    return r;
  }
  }
  return NULL;
}

asl_json *asl_jsonata_template_eval(const asl_jsonata_template *t, const asl_jsonata_env *env,
                                    asl_error *err)
{
  return eval_node(t->root, env, err);
}
