/* Evaluation of JSONPath filter expressions (parsed by jsonpath_filter.c) with the semantics of
 * Jayway's evaluators: a path operand that matches nothing is undefined, == compares as
 * ValueNode.equals does (numbers by value, a string against a number by the number's text), <
 * and friends only between two numbers or two strings, 'in' and its kin over JSON arrays. */
#include "filter.h"

#include <string.h>

/* ------------------------------------------------------------------ evaluation ---- */
typedef enum vkind { V_UNDEF, V_JSON, V_REGEX } vkind;

typedef struct fval {
  vkind k;
  asl_json *j; /* V_JSON: a reference we own */
  const operand *re;
} fval;

static fval eval_operand(const operand *o, const asl_json *item, const asl_json *root,
                         uint32_t *budget)
{
  fval v = {V_UNDEF, NULL, NULL};
  if (o->kind == OPD_JSON) {
    v.k = V_JSON;
    v.j = asl_json_incref(o->lit);
  } else if (o->kind == OPD_REGEX) {
    v.k = V_REGEX;
    v.re = o;
  } else {
    const asl_json *doc = o->path->root == '$' ? root : item;
    bool missing;
    asl_json *r;
    if (o->path->simple) {
      /* @.price and the like, on every item: a direct lookup, which misses exactly where the
       * general evaluation would */
      const asl_json *found = asl__path_lookup(o->path, doc);
      if (budget && *budget > 0)
        (*budget)--;
      if (o->exists_check) {
        v.k = V_JSON;
        v.j = asl_json_bool(found != NULL);
      } else if (found) {
        v.k = V_JSON;
        v.j = asl_json_incref(found);
      }
    } else if (o->exists_check) {
      r = asl__path_run(o->path, doc, root, PATH_REQUIRE, &missing, budget, NULL);
      v.k = V_JSON;
      v.j = asl_json_bool(r != NULL);
      asl_json_decref(r);
    } else {
      r = asl__path_run(o->path, doc, root, PATH_JAYWAY, &missing, budget, NULL);
      if (r) {
        v.k = V_JSON;
        v.j = r;
      }
    }
  }
  return v;
}

static bool is_num(const fval *v)
{
  return v->k == V_JSON && asl_json_is_number(v->j);
}

static bool is_str(const fval *v)
{
  return v->k == V_JSON && asl_json_is_string(v->j);
}

/* BigDecimal.toString of a JSON number, as Jayway turns numbers into strings. */
static void number_string(const asl_json *n, asl_buf *b)
{
  if (asl_json_kind_of(n) == ASL_JSON_INT) {
    asl_buf_printf(b, "%lld", (long long)asl_json_int_val(n));
    return;
  }
  char buf[32];
  size_t len = asl_json_format_double(asl_json_num_val(n), buf);
  for (size_t i = 0; i < len; i++) {
    asl_buf_addc(b, buf[i]);
    if (buf[i] == 'E' && i + 1 < len && buf[i + 1] != '-')
      asl_buf_addc(b, '+');
  }
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

/* Jayway's left.equals(right) of ValueNodes; NaN comparisons are false. */
static bool value_equals(const asl_json *l, const asl_json *r)
{
  asl_json_kind lk = asl_json_kind_of(l);
  asl_json_kind rk = asl_json_kind_of(r);
  switch (lk) {
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    if (asl_json_is_number(r))
      return num_cmp(l, r) == 0;
    if (rk == ASL_JSON_STRING) {
      asl_json *n = asl__filter_number(asl_json_str(r), asl_json_str_len(r));
      bool eq = n && num_cmp(l, n) == 0;
      asl_json_decref(n);
      return eq;
    }
    return false;
  case ASL_JSON_STRING:
    if (rk == ASL_JSON_STRING)
      return asl_json_str_len(l) == asl_json_str_len(r) &&
             memcmp(asl_json_str(l), asl_json_str(r), asl_json_str_len(l)) == 0;
    if (asl_json_is_number(r)) {
      asl_buf b = ASL_BUF_INIT;
      number_string(r, &b);
      bool eq = b.len == asl_json_str_len(l) && memcmp(b.data, asl_json_str(l), b.len) == 0;
      asl_buf_free(&b);
      return eq;
    }
    return false;
  case ASL_JSON_BOOL:
    return rk == ASL_JSON_BOOL && asl_json_bool_val(l) == asl_json_bool_val(r);
  case ASL_JSON_NULL:
    return rk == ASL_JSON_NULL;
  case ASL_JSON_ARRAY:
  case ASL_JSON_OBJECT:
    return (rk == ASL_JSON_ARRAY || rk == ASL_JSON_OBJECT) && asl_json_equal(l, r);
  }
  return false;
}

static bool fval_equals(const fval *l, const fval *r)
{
  if (l->k == V_REGEX && r->k == V_REGEX)
    return strcmp(l->re->re_src, r->re->re_src) == 0;
  if (l->k != V_JSON || r->k != V_JSON)
    return false;
  return value_equals(l->j, r->j);
}

/* The class Jayway gives a value node, for === and !==. */
static int node_class(const fval *v)
{
  if (v->k != V_JSON)
    return v->k == V_REGEX ? 10 : 11;
  switch (asl_json_kind_of(v->j)) {
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    return 1;
  case ASL_JSON_STRING:
    return 2;
  case ASL_JSON_BOOL:
    return 3;
  case ASL_JSON_NULL:
    return 4;
  case ASL_JSON_ARRAY:
  case ASL_JSON_OBJECT:
    return 5;
  }
  return 0;
}

/* Is there an element e of array [list] with x.equals(e)? */
static bool list_contains(const asl_json *list, const asl_json *x)
{
  size_t n = asl_json_len(list);
  for (size_t k = 0; k < n; k++)
    if (value_equals(x, asl_json_at(list, k)))
      return true;
  return false;
}

static bool regex_matches(const fval *pat, const fval *in)
{
  asl_buf b = ASL_BUF_INIT;
  if (in->k == V_JSON) {
    if (asl_json_is_string(in->j))
      asl_buf_add(&b, asl_json_str(in->j), asl_json_str_len(in->j));
    else if (asl_json_is_number(in->j))
      number_string(in->j, &b);
    else if (asl_json_is_bool(in->j))
      asl_buf_adds(&b, asl_json_bool_val(in->j) ? "true" : "false");
  }
  bool ok = regexec(pat->re->re, b.data ? b.data : "", 0, NULL, 0) == 0;
  asl_buf_free(&b);
  return ok;
}

/* Java's String.length(): UTF-16 units. */
static size_t java_length(const asl_json *s)
{
  return asl_utf16_len(asl_json_str(s), asl_json_str_len(s));
}

static bool is_list(const fval *v)
{
  return v->k == V_JSON && asl_json_is_array(v->j);
}

static bool relation(rel_op op, const fval *l, const fval *r)
{
  switch (op) {
  case R_EQ:
    return fval_equals(l, r);
  case R_NE:
    return !fval_equals(l, r);
  case R_TSEQ:
    return node_class(l) == node_class(r) && fval_equals(l, r);
  case R_TSNE:
    return !(node_class(l) == node_class(r) && fval_equals(l, r));
  case R_LT:
  case R_LE:
  case R_GT:
  case R_GE: {
    int c;
    if (is_num(l) && is_num(r)) {
      double x = asl_json_num_val(l->j);
      double y = asl_json_num_val(r->j);
      if (x != x || y != y)
        return false;
      c = num_cmp(l->j, r->j);
    } else if (is_str(l) && is_str(r)) {
      c = asl__utf16_cmp(asl_json_str(l->j), asl_json_str_len(l->j), asl_json_str(r->j),
                         asl_json_str_len(r->j));
    } else {
      return false;
    }
    return op == R_LT ? c < 0 : op == R_LE ? c <= 0 : op == R_GT ? c > 0 : c >= 0;
  }
  case R_REGEX:
    if ((l->k == V_REGEX) == (r->k == V_REGEX))
      return false;
    return l->k == V_REGEX ? regex_matches(l, r) : regex_matches(r, l);
  case R_IN:
    return is_list(r) && l->k == V_JSON && list_contains(r->j, l->j);
  case R_NIN:
    /* Jayway throws (and the item is rejected) when the right side is no list */
    return is_list(r) && !(l->k == V_JSON && list_contains(r->j, l->j));
  case R_SUBSETOF:
  case R_ANYOF:
  case R_NONEOF: {
    if (!is_list(l) || !is_list(r))
      return false;
    size_t n = asl_json_len(l->j);
    for (size_t k = 0; k < n; k++) {
      bool in = list_contains(r->j, asl_json_at(l->j, k));
      if (op == R_SUBSETOF && !in)
        return false;
      if (op == R_ANYOF && in)
        return true;
      if (op == R_NONEOF && in)
        return false;
    }
    return op != R_ANYOF;
  }
  case R_SIZE: {
    if (!is_num(r))
      return false;
    int64_t want = asl_json_kind_of(r->j) == ASL_JSON_INT ? asl_json_int_val(r->j)
                                                          : (int64_t)asl_json_num_val(r->j);
    if (is_str(l))
      return (int64_t)java_length(l->j) == want;
    if (is_list(l))
      return (int64_t)asl_json_len(l->j) == want;
    return false;
  }
  case R_EMPTY: {
    if (r->k != V_JSON || !asl_json_is_bool(r->j))
      return false;
    bool want = asl_json_bool_val(r->j);
    if (is_str(l))
      return (asl_json_str_len(l->j) == 0) == want;
    if (l->k == V_JSON && (asl_json_is_array(l->j) || asl_json_is_object(l->j)))
      return (asl_json_len(l->j) == 0) == want;
    return false;
  }
  case R_CONTAINS:
    if (is_str(l) && is_str(r)) {
      size_t hl = asl_json_str_len(l->j);
      size_t nl = asl_json_str_len(r->j);
      if (nl == 0)
        return true;
      if (nl > hl)
        return false;
      return memmem(asl_json_str(l->j), hl, asl_json_str(r->j), nl) != NULL;
    }
    if (is_list(l) && r->k == V_JSON) {
      size_t n = asl_json_len(l->j);
      for (size_t k = 0; k < n; k++)
        if (value_equals(r->j, asl_json_at(l->j, k)))
          return true;
    }
    return false;
  case R_EXISTS:
    return l->k == V_JSON && r->k == V_JSON && asl_json_bool_val(l->j) == asl_json_bool_val(r->j);
  }
  return false;
}

static bool eval_node(const fnode *n, const asl_json *item, const asl_json *root,
                      uint32_t *budget)
{
  switch (n->kind) {
  case FN_OR:
    return eval_node(n->a, item, root, budget) || eval_node(n->b, item, root, budget);
  case FN_AND:
    return eval_node(n->a, item, root, budget) && eval_node(n->b, item, root, budget);
  case FN_NOT:
    return !eval_node(n->a, item, root, budget);
  case FN_REL: {
    fval l = eval_operand(&n->left, item, root, budget);
    fval r;
    if (n->op == R_EXISTS) {
      r.k = V_JSON;
      r.j = asl_json_bool(n->left.should_exist);
      r.re = NULL;
    } else {
      r = eval_operand(&n->right, item, root, budget);
    }
    bool ok = relation(n->op, &l, &r);
    asl_json_decref(l.j);
    asl_json_decref(r.j);
    return ok;
  }
  }
  return false;
}

bool asl__filter_accept(const asl_filter *f, const asl_json *item, const asl_json *root,
                        uint32_t *budget)
{
  return eval_node(f->root, item, root, budget);
}
