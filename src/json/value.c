/* Construction, reference counting and reading of JSON values. */
#include "value_impl.h"

#include <assert.h>
#include <string.h>

/* Counts live counted nodes for the leak checks of the tests; everything runs on one thread. */
static size_t live_nodes;

static asl_json null_node = {ASL_JSON_NULL, NODE_STATIC, POS_NONE, 1, 4, {0}};
static asl_json true_node = {ASL_JSON_BOOL, NODE_STATIC, POS_NONE, 1, 4, {.b = true}};
static asl_json false_node = {ASL_JSON_BOOL, NODE_STATIC, POS_NONE, 1, 5, {.b = false}};

asl_json *asl__json_new(asl_json_kind kind)
{
  asl_json *v = asl_alloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->kind = (uint8_t)kind;
  v->pos = POS_NONE;
  v->refs = 1;
  live_nodes++;
  return v;
}

size_t asl_json_live(void)
{
  return live_nodes;
}

asl_json *asl_json_null(void)
{
  return &null_node;
}

asl_json *asl_json_bool(bool b)
{
  return b ? &true_node : &false_node;
}

asl_json *asl_json_int(int64_t i)
{
  asl_json *v = asl__json_new(ASL_JSON_INT);
  v->u.i = i;
  return v;
}

asl_json *asl_json_double(double d)
{
  asl_json *v = asl__json_new(ASL_JSON_DOUBLE);
  v->u.d = d;
  return v;
}

asl_json *asl_json_string(const char *s, size_t len)
{
  /* the bytes live in the same allocation as the node: one malloc a string */
  asl_json *v = asl_alloc(sizeof *v + len + 1);
  memset(v, 0, sizeof *v);
  v->kind = ASL_JSON_STRING;
  v->pos = POS_NONE;
  v->refs = 1;
  live_nodes++;
  v->u.s.p = (char *)(v + 1);
  v->u.s.len = len;
  if (len)
    memcpy(v->u.s.p, s, len);
  v->u.s.p[len] = '\0';
  return v;
}

asl_json *asl_json_cstr(const char *s)
{
  return asl_json_string(s, strlen(s));
}

asl_json *asl_json_string_take(char *s, size_t len)
{
  asl_json *v = asl__json_new(ASL_JSON_STRING);
  v->u.s.p = s;
  v->u.s.len = len;
  return v;
}

asl_json *asl_json_array(size_t cap_hint)
{
  asl_json *v = asl__json_new(ASL_JSON_ARRAY);
  if (cap_hint) {
    v->u.a.items = asl_alloc(cap_hint * sizeof(asl_json *));
    v->u.a.cap = cap_hint;
  }
  return v;
}

asl_json *asl_json_object(size_t cap_hint)
{
  asl_json *v = asl__json_new(ASL_JSON_OBJECT);
  if (cap_hint) {
    v->u.o.m = asl_alloc(cap_hint * sizeof(member));
    v->u.o.cap = cap_hint;
  }
  return v;
}

void asl_json_arr_push(asl_json *a, asl_json *v)
{
  assert(a->kind == ASL_JSON_ARRAY && a->refs == 1 && v);
  if (a->u.a.len == a->u.a.cap) {
    a->u.a.cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
    a->u.a.items = asl_realloc(a->u.a.items, a->u.a.cap * sizeof(asl_json *));
  }
  a->u.a.items[a->u.a.len++] = v;
  a->size = 0;
}

uint64_t asl__json_hash(const char *k, size_t n)
{
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 1099511628211ULL;
  }
  return h;
}

/* Objects up to this size are searched linearly: faster than hashing for the small objects that
 * make up most state data. */
#define INDEX_MIN 12

void asl__member_set_key(member *m, const char *k, size_t klen)
{
  m->klen = (uint32_t)klen;
  if (klen < KEY_INLINE) {
    if (klen)
      memcpy(m->k.small, k, klen);
    m->k.small[klen] = '\0';
  } else {
    m->k.heap = asl_strndup(k, klen);
  }
}

void asl__member_free_key(member *m)
{
  if (m->klen >= KEY_INLINE)
    asl_free(m->k.heap);
}

static void index_insert(asl_json *o, size_t i)
{
  size_t mask = o->u.o.index_cap - 1;
  member *m = &o->u.o.m[i];
  size_t slot = asl__json_hash(member_key(m), m->klen) & mask;
  while (o->u.o.index[slot])
    slot = (slot + 1) & mask;
  o->u.o.index[slot] = (uint32_t)(i + 1);
}

static void index_build(asl_json *o)
{
  size_t cap = 32;
  while (cap < o->u.o.len * 2)
    cap *= 2;
  asl_free(o->u.o.index);
  o->u.o.index = asl_calloc(cap, sizeof(uint32_t));
  o->u.o.index_cap = cap;
  for (size_t i = 0; i < o->u.o.len; i++)
    index_insert(o, i);
}

static long find_member(const asl_json *co, const char *k, size_t klen)
{
  asl_json *o = (asl_json *)co; /* the index is a cache: building it does not change the value */
  size_t n = o->u.o.len;
  if (n < INDEX_MIN) {
    for (size_t i = 0; i < n; i++) {
      member *m = &o->u.o.m[i];
      /* the first byte settles most misses without a call to memcmp */
      if (m->klen == klen && (klen == 0 || (member_key(m)[0] == k[0] &&
                                            memcmp(member_key(m), k, klen) == 0)))
        return (long)i;
    }
    return -1;
  }
  if (!o->u.o.index)
    index_build(o);
  size_t mask = o->u.o.index_cap - 1;
  size_t slot = asl__json_hash(k, klen) & mask;
  while (o->u.o.index[slot]) {
    member *m = &o->u.o.m[o->u.o.index[slot] - 1];
    if (m->klen == klen && memcmp(member_key(m), k, klen) == 0)
      return (long)(o->u.o.index[slot] - 1);
    slot = (slot + 1) & mask;
  }
  return -1;
}

static member *push_member(asl_json *o)
{
  if (o->u.o.len == o->u.o.cap) {
    o->u.o.cap = o->u.o.cap ? o->u.o.cap * 2 : 4;
    o->u.o.m = asl_realloc(o->u.o.m, o->u.o.cap * sizeof(member));
  }
  o->size = 0;
  return &o->u.o.m[o->u.o.len++];
}

static void index_added(asl_json *o)
{
  if (o->u.o.index) {
    if (o->u.o.len * 2 > o->u.o.index_cap)
      index_build(o);
    else
      index_insert(o, o->u.o.len - 1);
  }
}

void asl__json_obj_append(asl_json *o, const char *k, size_t klen, uint32_t kpos, asl_json *v)
{
  member *m = push_member(o);
  asl__member_set_key(m, k, klen);
  m->kpos = kpos;
  m->val = v;
  index_added(o);
}

void asl__json_obj_adopt(asl_json *o, member *add)
{
  long i = find_member(o, member_key(add), add->klen);
  if (i >= 0) {
    asl_json_decref(o->u.o.m[i].val);
    o->u.o.m[i].val = add->val;
    asl__member_free_key(add);
    o->size = 0;
    return;
  }
  *push_member(o) = *add;
  index_added(o);
}

void asl_json_obj_put(asl_json *o, const char *k, size_t klen, asl_json *v)
{
  assert(o->kind == ASL_JSON_OBJECT && o->refs == 1 && v);
  long i = find_member(o, k, klen);
  if (i >= 0) {
    asl_json_decref(o->u.o.m[i].val);
    o->u.o.m[i].val = v;
    o->size = 0;
    return;
  }
  asl__json_obj_append(o, k, klen, POS_NONE, v);
}

void asl_json_obj_add(asl_json *o, const char *k, size_t klen, asl_json *v)
{
  assert(o->kind == ASL_JSON_OBJECT && o->refs == 1 && v);
  assert(find_member(o, k, klen) < 0);
  asl__json_obj_append(o, k, klen, POS_NONE, v);
}

void asl_json_obj_put_cstr(asl_json *o, const char *k, asl_json *v)
{
  asl_json_obj_put(o, k, strlen(k), v);
}

bool asl_json_obj_remove(asl_json *o, const char *k, size_t klen)
{
  assert(o->kind == ASL_JSON_OBJECT && o->refs == 1);
  long i = find_member(o, k, klen);
  if (i < 0)
    return false;
  member *m = &o->u.o.m[i];
  asl__member_free_key(m);
  asl_json_decref(m->val);
  memmove(m, m + 1, (o->u.o.len - (size_t)i - 1) * sizeof(member));
  o->u.o.len--;
  o->size = 0;
  if (o->u.o.index)
    index_build(o);
  return true;
}

asl_json *asl_json_incref(const asl_json *cv)
{
  asl_json *v = (asl_json *)cv;
  if (v && !(v->flags & NODE_STATIC))
    v->refs++;
  return v;
}

static void free_node(asl_json *v)
{
  switch ((asl_json_kind)v->kind) {
  case ASL_JSON_STRING:
    if (v->u.s.p != (char *)(v + 1))
      asl_free(v->u.s.p);
    break;
  case ASL_JSON_ARRAY:
    for (size_t i = 0; i < v->u.a.len; i++)
      asl_json_decref(v->u.a.items[i]);
    asl_free(v->u.a.items);
    break;
  case ASL_JSON_OBJECT:
    for (size_t i = 0; i < v->u.o.len; i++) {
      asl__member_free_key(&v->u.o.m[i]);
      asl_json_decref(v->u.o.m[i].val);
    }
    asl_free(v->u.o.m);
    asl_free(v->u.o.index);
    break;
  case ASL_JSON_NULL:
  case ASL_JSON_BOOL:
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    break;
  }
  live_nodes--;
  asl_free(v);
}

void asl_json_decref(asl_json *v)
{
  if (!v || (v->flags & NODE_STATIC))
    return;
  assert(v->refs > 0);
  if (--v->refs == 0)
    free_node(v);
}

bool asl_json_is_shared(const asl_json *v)
{
  return v->refs > 1 || (v->flags & NODE_STATIC);
}

asl_json *asl_json_unshare(asl_json *v)
{
  if (!asl_json_is_shared(v))
    return v;
  asl_json *c;
  if (v->kind == ASL_JSON_ARRAY) {
    c = asl_json_array(v->u.a.len);
    for (size_t i = 0; i < v->u.a.len; i++)
      asl_json_arr_push(c, asl_json_incref(v->u.a.items[i]));
  } else {
    assert(v->kind == ASL_JSON_OBJECT);
    c = asl_json_object(v->u.o.len);
    for (size_t i = 0; i < v->u.o.len; i++) {
      member *m = &v->u.o.m[i];
      asl__json_obj_append(c, member_key(m), m->klen, m->kpos, asl_json_incref(m->val));
    }
  }
  c->pos = v->pos;
  asl_json_decref(v);
  return c;
}

asl_json_kind asl_json_kind_of(const asl_json *v)
{
  return (asl_json_kind)v->kind;
}

const char *asl_json_kind_name(asl_json_kind k)
{
  switch (k) {
  case ASL_JSON_NULL:
    return "null";
  case ASL_JSON_BOOL:
    return "boolean";
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    return "number";
  case ASL_JSON_STRING:
    return "string";
  case ASL_JSON_ARRAY:
    return "array";
  case ASL_JSON_OBJECT:
    return "object";
  }
  return "?";
}

bool asl_json_is_null(const asl_json *v)
{
  return v->kind == ASL_JSON_NULL;
}
bool asl_json_is_bool(const asl_json *v)
{
  return v->kind == ASL_JSON_BOOL;
}
bool asl_json_is_number(const asl_json *v)
{
  return v->kind == ASL_JSON_INT || v->kind == ASL_JSON_DOUBLE;
}
bool asl_json_is_string(const asl_json *v)
{
  return v->kind == ASL_JSON_STRING;
}
bool asl_json_is_array(const asl_json *v)
{
  return v->kind == ASL_JSON_ARRAY;
}
bool asl_json_is_object(const asl_json *v)
{
  return v->kind == ASL_JSON_OBJECT;
}

bool asl_json_bool_val(const asl_json *v)
{
  return v->kind == ASL_JSON_BOOL && v->u.b;
}

int64_t asl_json_int_val(const asl_json *v)
{
  return v->kind == ASL_JSON_INT ? v->u.i : 0;
}

double asl_json_num_val(const asl_json *v)
{
  if (v->kind == ASL_JSON_INT)
    return (double)v->u.i;
  return v->kind == ASL_JSON_DOUBLE ? v->u.d : 0.0;
}

const char *asl_json_str(const asl_json *v)
{
  return v->kind == ASL_JSON_STRING ? v->u.s.p : "";
}

size_t asl_json_str_len(const asl_json *v)
{
  return v->kind == ASL_JSON_STRING ? v->u.s.len : 0;
}

size_t asl_json_len(const asl_json *v)
{
  if (v->kind == ASL_JSON_ARRAY)
    return v->u.a.len;
  if (v->kind == ASL_JSON_OBJECT)
    return v->u.o.len;
  return 0;
}

asl_json *asl_json_at(const asl_json *a, size_t i)
{
  if (a->kind != ASL_JSON_ARRAY || i >= a->u.a.len)
    return NULL;
  return a->u.a.items[i];
}

asl_json *asl_json_get(const asl_json *o, const char *k, size_t klen)
{
  if (o->kind != ASL_JSON_OBJECT)
    return NULL;
  long i = find_member(o, k, klen);
  return i < 0 ? NULL : o->u.o.m[i].val;
}

asl_json *asl_json_get_cstr(const asl_json *o, const char *k)
{
  return asl_json_get(o, k, strlen(k));
}

const char *asl_json_key_at(const asl_json *o, size_t i, size_t *klen)
{
  if (o->kind != ASL_JSON_OBJECT || i >= o->u.o.len)
    return NULL;
  if (klen)
    *klen = o->u.o.m[i].klen;
  return member_key(&o->u.o.m[i]);
}

asl_json *asl_json_value_at(const asl_json *o, size_t i)
{
  if (o->kind != ASL_JSON_OBJECT || i >= o->u.o.len)
    return NULL;
  return o->u.o.m[i].val;
}

size_t asl_json_pos(const asl_json *v)
{
  return v->pos == POS_NONE ? ASL_NOPOS : v->pos;
}

size_t asl_json_key_pos_at(const asl_json *o, size_t i)
{
  if (o->kind != ASL_JSON_OBJECT || i >= o->u.o.len || o->u.o.m[i].kpos == POS_NONE)
    return ASL_NOPOS;
  return o->u.o.m[i].kpos;
}
