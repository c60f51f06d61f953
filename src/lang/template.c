/* Payload templates (Parameters, ResultSelector, ItemSelector): any JSON value whose objects
 * may hold "key.$" members with an expression; the output has the key without ".$" and the
 * expression's value. Compiled once into a tree whose constant subtrees are the definition's
 * own values, shared by reference at every evaluation. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum tnode_kind { TN_CONST, TN_EXPR, TN_OBJECT, TN_ARRAY } tnode_kind;

typedef struct tnode tnode;

typedef struct tmember {
  const char *key; /* output key (without ".$") */
  size_t klen;
  const char *field; /* the key as written, for messages ("value.$") */
  tnode *val;
} tmember;

struct tnode {
  tnode_kind kind;
  const asl_json *value; /* TN_CONST: kept by the arena */
  asl_expr *expr;        /* TN_EXPR */
  size_t pos;            /* TN_EXPR: of the expression's string in the source */
  size_t n;
  tmember *members; /* TN_OBJECT */
  bool distinct;    /* TN_OBJECT: no output key twice, so members are appended unsearched */
  tnode **items;    /* TN_ARRAY */
};

struct asl_template {
  tnode *root;
  bool uses_context;
};

typedef struct tcompiler {
  asl_arena *a;
  asl_diags *d;
  size_t errors;
  bool uses_context;
} tcompiler;

static bool is_dollar_key(const char *k, size_t n)
{
  return n >= 2 && k[n - 2] == '.' && k[n - 1] == '$';
}

static tnode *const_node(tcompiler *c, const asl_json *v)
{
  tnode *t = asl_arena_alloc(c->a, sizeof *t);
  t->kind = TN_CONST;
  t->value = asl__arena_keep(c->a, asl_json_incref(v));
  return t;
}

/* Where a template part stands, as a chain up to the template's own pointer: the JSON pointer
 * string is only built for a diagnostic, not for every member compiled. */
typedef struct tptr {
  const struct tptr *up; /* NULL at the template's root */
  const char *token;     /* the root: the template's pointer; else a key or an index */
  size_t len;
} tptr;

static char *tptr_string(const tptr *p)
{
  if (!p->up)
    return asl_strdup(p->token);
  char *up = tptr_string(p->up);
  char *s = asl_pointer_join(up, p->token, p->len);
  asl_free(up);
  return s;
}

ASL_PRINTF(4, 5)
static void diag(tcompiler *c, size_t pos, const tptr *where, const char *fmt, ...)
{
  char *pointer = tptr_string(where);
  va_list ap;
  va_start(ap, fmt);
  asl_diags_vadd(c->d, pos, pointer, fmt, ap);
  va_end(ap);
  asl_free(pointer);
  c->errors++;
}

static tnode *compile_node(tcompiler *c, const asl_json *v, const tptr *pointer);

static tnode *compile_expr_member(tcompiler *c, const char *key, const asl_json *v, size_t pos,
                                  const tptr *pointer)
{
  if (!asl_json_is_string(v)) {
    asl_json_kind k = asl_json_kind_of(v);
    diag(c, pos, pointer,
         "the value of '%s' must be a string holding a JSONPath (as \"$.name\") or an "
         "intrinsic function call (as \"States.Format('{}', $.name)\"), not %s %s",
         key, k == ASL_JSON_ARRAY || k == ASL_JSON_OBJECT ? "an" : "a", asl_json_kind_name(k));
    return NULL;
  }
  asl_error err = ASL_ERROR_INIT;
  asl_expr *e;
  if (asl_expr_compile(c->a, asl_json_str(v), asl_json_str_len(v),
                       ASL_EXPR_PATHS | ASL_EXPR_INTRINSICS, &e, &err) != ASL_OK) {
    diag(c, asl_json_pos(v), pointer,
         "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function "
         "call: %s",
         key, err.cause ? err.cause : "invalid");
    asl_error_clear(&err);
    return NULL;
  }
  if (asl_expr_uses_context(e))
    c->uses_context = true;
  tnode *t = asl_arena_alloc(c->a, sizeof *t);
  t->kind = TN_EXPR;
  t->expr = e;
  t->pos = asl_json_pos(v);
  return t;
}

static tnode *compile_object(tcompiler *c, const asl_json *v, const tptr *pointer)
{
  size_t n = asl_json_len(v);
  tmember *m = asl_arena_alloc(c->a, (n ? n : 1) * sizeof *m);
  bool dynamic = false;
  bool bad = false;
  for (size_t i = 0; i < n; i++) {
    size_t klen;
    const char *key = asl_json_key_at(v, i, &klen);
    const asl_json *val = asl_json_value_at(v, i);
    tptr here = {pointer, key, klen};
    tnode *t;
    if (is_dollar_key(key, klen)) {
      /* null, true and false carry no position of their own: point at the key then */
      size_t pos = asl_json_pos(val);
      if (pos == ASL_NOPOS)
        pos = asl_json_key_pos_at(v, i);
      t = compile_expr_member(c, key, val, pos, &here);
      m[i].key = asl_arena_strndup(c->a, key, klen - 2);
      m[i].klen = klen - 2;
      dynamic = true;
    } else {
      t = compile_node(c, val, &here);
      m[i].key = asl_arena_strndup(c->a, key, klen);
      m[i].klen = klen;
      if (t && t->kind != TN_CONST)
        dynamic = true;
    }
    if (!t)
      bad = true;
    m[i].field = asl_arena_strndup(c->a, key, klen);
    m[i].val = t;
  }
  if (bad)
    return NULL;
  if (!dynamic)
    return const_node(c, v);
  tnode *t = asl_arena_alloc(c->a, sizeof *t);
  t->kind = TN_OBJECT;
  t->n = n;
  t->members = m;
  t->distinct = true;
  for (size_t i = 0; i < n && t->distinct; i++)
    for (size_t j = 0; j < i; j++)
      if (m[i].klen == m[j].klen && memcmp(m[i].key, m[j].key, m[i].klen) == 0) {
        t->distinct = false;
        break;
      }
  return t;
}

static tnode *compile_array(tcompiler *c, const asl_json *v, const tptr *pointer)
{
  size_t n = asl_json_len(v);
  tnode **items = asl_arena_alloc(c->a, (n ? n : 1) * sizeof *items);
  bool dynamic = false;
  bool bad = false;
  for (size_t i = 0; i < n; i++) {
    char idx[24];
    int il = snprintf(idx, sizeof idx, "%zu", i);
    tptr here = {pointer, idx, (size_t)il};
    items[i] = compile_node(c, asl_json_at(v, i), &here);
    if (!items[i])
      bad = true;
    else if (items[i]->kind != TN_CONST)
      dynamic = true;
  }
  if (bad)
    return NULL;
  if (!dynamic)
    return const_node(c, v);
  tnode *t = asl_arena_alloc(c->a, sizeof *t);
  t->kind = TN_ARRAY;
  t->n = n;
  t->items = items;
  return t;
}

static tnode *compile_node(tcompiler *c, const asl_json *v, const tptr *pointer)
{
  if (asl_json_is_object(v))
    return compile_object(c, v, pointer);
  if (asl_json_is_array(v))
    return compile_array(c, v, pointer);
  return const_node(c, v);
}

asl_template *asl_template_compile(asl_arena *a, const asl_json *tmpl, const char *pointer,
                                   asl_diags *d)
{
  tcompiler c = {a, d, 0, false};
  tptr top = {NULL, pointer ? pointer : "", 0};
  tnode *root = compile_node(&c, tmpl, &top);
  if (!root || c.errors)
    return NULL;
  asl_template *t = asl_arena_alloc(a, sizeof *t);
  t->root = root;
  t->uses_context = c.uses_context;
  return t;
}

bool asl_template_uses_context(const asl_template *t)
{
  return t->uses_context;
}

typedef struct var_walk {
  asl_var_ref_cb cb;
  void *data;
  size_t pos;
} var_walk;

static void report_at(void *data, const char *name, size_t len, size_t offset)
{
  (void)offset;
  const var_walk *w = data;
  w->cb(w->data, name, len, w->pos);
}

static void each_variable(const tnode *t, asl_var_ref_cb cb, void *data)
{
  switch (t->kind) {
  case TN_CONST:
    return;
  case TN_EXPR: {
    var_walk w = {cb, data, t->pos};
    asl_expr_each_variable(t->expr, report_at, &w);
    return;
  }
  case TN_OBJECT:
    for (size_t i = 0; i < t->n; i++)
      each_variable(t->members[i].val, cb, data);
    return;
  case TN_ARRAY:
    for (size_t i = 0; i < t->n; i++)
      each_variable(t->items[i], cb, data);
    return;
  }
}

void asl_template_each_variable(const asl_template *t, asl_var_ref_cb cb, void *data)
{
  each_variable(t->root, cb, data);
}

static asl_json *eval_node(const tnode *t, const asl_env *env, asl_error *err)
{
  switch (t->kind) {
  case TN_CONST:
    return asl_json_incref(t->value);
  case TN_EXPR:
    return NULL; /* evaluated by the object that holds it, which knows the field name */
  case TN_OBJECT: {
    asl_json *o = asl_json_object(t->n);
    for (size_t i = 0; i < t->n; i++) {
      const tmember *m = &t->members[i];
      asl_json *v = m->val->kind == TN_EXPR ? asl_expr_eval(m->val->expr, m->field, env, err)
                                            : eval_node(m->val, env, err);
      if (!v) {
        asl_json_decref(o);
        return NULL;
      }
      /* a key written twice ("a" and "a.$") keeps its first place and its last value, as
       * Jackson's ObjectNode.set does */
      if (t->distinct)
        asl_json_obj_add(o, m->key, m->klen, v);
      else
        asl_json_obj_put(o, m->key, m->klen, v);
    }
    return o;
  }
  case TN_ARRAY: {
    asl_json *arr = asl_json_array(t->n);
    for (size_t i = 0; i < t->n; i++) {
      asl_json *v = eval_node(t->items[i], env, err);
      if (!v) {
        asl_json_decref(arr);
        return NULL;
      }
      asl_json_arr_push(arr, v);
    }
    return arr;
  }
  }
  return NULL;
}

asl_json *asl_template_eval(const asl_template *t, const asl_env *env, asl_error *err)
{
  return eval_node(t->root, env, err);
}
