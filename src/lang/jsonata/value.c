/* The values of an evaluation: the region they live in, arrays and objects (internal ones and
 * the caller's asl_json read in place), fn.append, $clone, equality as jsonata-js's
 * isDeepEqual and ===, and the conversion of a result into asl_json. */
#include "internal.h"

#include <stdio.h>

#include <math.h>
#include <stdalign.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ region ---- */
struct jn_chunk {
  jn_chunk *next;
  size_t size;
  alignas(max_align_t) char data[];
};

#define CHUNK_SIZE (64 * 1024)

jv jn_fail_memory(jn_ctx *c)
{
  char msg[128];
  snprintf(msg, sizeof msg, "Expression evaluation memory limit exceeded (%zu bytes)", c->budget);
  return jn_fail_limit(c, "U1002", msg);
}

bool jn_reserve(jn_ctx *c, size_t n)
{
  if (c->used <= c->budget && n <= c->budget - c->used)
    return true;
  jn_fail_memory(c);
  return false;
}

static void note_use(jn_ctx *c, size_t n)
{
  c->used += n;
  if (c->used > c->budget && !c->failed)
    jn_fail_memory(c);
}

void *jn_alloc(jn_ctx *c, size_t n)
{
  n = (n + 7) & ~(size_t)7;
  if (n == 0)
    n = 8;
  if ((size_t)(c->end - c->cur) >= n) {
    void *p = c->cur;
    c->cur += n;
    note_use(c, n);
    return p;
  }
  if (n > CHUNK_SIZE / 4) {
    /* a big block of its own, kept behind the current chunk */
    jn_chunk *k = asl_alloc(sizeof *k + n);
    k->size = n;
    if (c->chunks) {
      k->next = c->chunks->next;
      c->chunks->next = k;
    } else {
      k->next = NULL;
      c->chunks = k;
    }
    note_use(c, n);
    return k->data;
  }
  jn_chunk *k = asl_alloc(sizeof *k + CHUNK_SIZE);
  k->size = CHUNK_SIZE;
  k->next = c->chunks;
  c->chunks = k;
  c->cur = k->data + n;
  c->end = k->data + CHUNK_SIZE;
  note_use(c, n);
  return k->data;
}

void *jn_zalloc(jn_ctx *c, size_t n)
{
  void *p = jn_alloc(c, n);
  memset(p, 0, n);
  return p;
}

void *jn_realloc(jn_ctx *c, void *p, size_t old, size_t n)
{
  size_t olda = (old + 7) & ~(size_t)7;
  size_t na = (n + 7) & ~(size_t)7;
  if (p && (char *)p + olda == c->cur && (size_t)(c->end - (char *)p) >= na) {
    c->cur = (char *)p + na;
    note_use(c, na - olda);
    return p;
  }
  void *q = jn_alloc(c, n);
  if (p && old)
    memcpy(q, p, old < n ? old : n);
  return q;
}

void jn_region_free(jn_ctx *c)
{
  for (jn_chunk *k = c->chunks, *next; k; k = next) {
    next = k->next;
    asl_free(k);
  }
  c->chunks = NULL;
}

bool jn_over_budget(jn_ctx *c)
{
  return c->failed;
}

/* ------------------------------------------------------------------ reading ---- */
jv jv_from_json(const asl_json *j)
{
  jv v = {0};
  if (!j)
    return v;
  switch (asl_json_kind_of(j)) {
  case ASL_JSON_NULL:
    v.t = JV_NULL;
    break;
  case ASL_JSON_BOOL:
    v.t = JV_BOOL;
    v.b = asl_json_bool_val(j);
    break;
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    v.t = JV_NUM;
    v.u.n = asl_json_num_val(j);
    break;
  case ASL_JSON_STRING:
    v.t = JV_JSTR;
    v.u.j = j;
    break;
  case ASL_JSON_ARRAY:
    v.t = JV_JARR;
    v.u.j = j;
    break;
  case ASL_JSON_OBJECT:
    v.t = JV_JOBJ;
    v.u.j = j;
    break;
  }
  return v;
}

const char *jv_strp(jv v, uint32_t *len)
{
  if (v.t == JV_STR) {
    *len = v.len;
    return v.u.s;
  }
  if (v.t == JV_JSTR) {
    *len = (uint32_t)asl_json_str_len(v.u.j);
    return asl_json_str(v.u.j);
  }
  *len = 0;
  return "";
}

uint32_t jv_arr_len(jv a)
{
  if (a.t == JV_ARR)
    return a.u.a->len;
  if (a.t == JV_JARR)
    return (uint32_t)asl_json_len(a.u.j);
  return 0;
}

jv jv_arr_at(jv a, uint32_t i)
{
  if (a.t == JV_ARR)
    return i < a.u.a->len ? a.u.a->items[i] : jv_undef();
  if (a.t == JV_JARR)
    return jv_from_json(asl_json_at(a.u.j, i));
  return jv_undef();
}

uint8_t jv_arr_flags(jv a)
{
  return a.t == JV_ARR ? a.u.a->flags : 0;
}

bool jv_is_seq(jv v)
{
  return v.t == JV_ARR && (v.u.a->flags & AF_SEQ);
}

uint32_t jv_obj_count(jv o)
{
  if (o.t == JV_OBJ)
    return o.u.o->live;
  if (o.t == JV_JOBJ)
    return (uint32_t)asl_json_len(o.u.j);
  return 0;
}

jv jv_obj_get(jv o, const char *k, uint32_t klen)
{
  if (o.t == JV_OBJ)
    return jn_obj_find(o.u.o, k, klen);
  if (o.t == JV_JOBJ)
    return jv_from_json(asl_json_get(o.u.j, k, klen));
  return jv_undef();
}

bool jv_obj_each(jn_ctx *c, jv o, jv_obj_visit fn, void *data)
{
  (void)c;
  if (o.t == JV_OBJ) {
    jobj *ob = o.u.o;
    for (uint32_t i = 0; i < ob->len; i++) {
      if (ob->e[i].dead)
        continue;
      if (!fn(data, ob->e[i].k, ob->e[i].klen, ob->e[i].v))
        return false;
    }
  } else if (o.t == JV_JOBJ) {
    size_t n = asl_json_len(o.u.j);
    for (size_t i = 0; i < n; i++) {
      size_t klen;
      const char *k = asl_json_key_at(o.u.j, i, &klen);
      if (!fn(data, k, (uint32_t)klen, jv_from_json(asl_json_value_at(o.u.j, i))))
        return false;
    }
  }
  return true;
}

/* ------------------------------------------------------------------ arrays ---- */
jarr *jn_arr_new(jn_ctx *c, uint32_t cap)
{
  jarr *a = jn_alloc(c, sizeof *a);
  a->len = 0;
  a->cap = cap;
  a->flags = 0;
  a->items = cap ? jn_alloc(c, cap * sizeof(jv)) : NULL;
  return a;
}

jv jn_seq(jn_ctx *c, uint32_t cap)
{
  jarr *a = jn_arr_new(c, cap);
  a->flags = AF_SEQ;
  return jv_arr(a);
}

jv jn_seq1(jn_ctx *c, jv item)
{
  jarr *a = jn_arr_new(c, 1);
  a->flags = AF_SEQ;
  a->items[0] = item;
  a->len = 1;
  return jv_arr(a);
}

void jn_push(jn_ctx *c, jarr *a, jv v)
{
  if (a->len == a->cap) {
    uint32_t cap = a->cap ? a->cap * 2 : 4;
    a->items = jn_realloc(c, a->items, a->cap * sizeof(jv), cap * sizeof(jv));
    a->cap = cap;
  }
  a->items[a->len++] = v;
}

jarr *jn_arr_copy(jn_ctx *c, jv a)
{
  uint32_t n = jv_arr_len(a);
  jarr *r = jn_arr_new(c, n);
  if (a.t == JV_ARR) {
    if (n)
      memcpy(r->items, a.u.a->items, n * sizeof(jv));
  } else {
    for (uint32_t i = 0; i < n; i++)
      r->items[i] = jv_arr_at(a, i);
  }
  r->len = n;
  return r;
}

jv jn_append(jn_ctx *c, jv a, jv b)
{
  if (IS_UNDEF(a))
    return b;
  if (IS_UNDEF(b))
    return a;
  uint32_t na = IS_ARR(a) ? jv_arr_len(a) : 1;
  uint32_t nb = IS_ARR(b) ? jv_arr_len(b) : 1;
  jarr *r = jn_arr_new(c, na + nb);
  if (IS_ARR(a)) {
    for (uint32_t i = 0; i < na; i++)
      r->items[r->len++] = jv_arr_at(a, i);
  } else {
    r->items[r->len++] = a;
  }
  if (IS_ARR(b)) {
    for (uint32_t i = 0; i < nb; i++)
      r->items[r->len++] = jv_arr_at(b, i);
  } else {
    r->items[r->len++] = b;
  }
  return jv_arr(r);
}

/* ------------------------------------------------------------------ objects ---- */
static uint64_t hash_key(const char *k, uint32_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++) {
    h ^= (unsigned char)k[i];
    h *= 1099511628211ull;
  }
  return h;
}

jobj *jn_obj_new(jn_ctx *c, uint32_t cap)
{
  jobj *o = jn_zalloc(c, sizeof *o);
  o->cap = cap;
  o->e = cap ? jn_alloc(c, cap * sizeof(jentry)) : NULL;
  return o;
}

static void index_insert(jobj *o, uint32_t i)
{
  uint32_t mask = o->index_cap - 1;
  uint32_t s = (uint32_t)hash_key(o->e[i].k, o->e[i].klen) & mask;
  while (o->index[s])
    s = (s + 1) & mask;
  o->index[s] = i + 1;
}

static void index_build(jn_ctx *c, jobj *o)
{
  uint32_t cap = 16;
  while (cap < o->len * 2 + 2)
    cap *= 2;
  o->index = jn_zalloc(c, cap * sizeof(uint32_t));
  o->index_cap = cap;
  for (uint32_t i = 0; i < o->len; i++)
    if (!o->e[i].dead)
      index_insert(o, i);
}

static int64_t find_entry(const jobj *o, const char *k, uint32_t klen)
{
  if (o->index) {
    uint32_t mask = o->index_cap - 1;
    uint32_t s = (uint32_t)hash_key(k, klen) & mask;
    while (o->index[s]) {
      const jentry *e = &o->e[o->index[s] - 1];
      if (e->klen == klen && memcmp(e->k, k, klen) == 0)
        return o->index[s] - 1;
      s = (s + 1) & mask;
    }
    return -1;
  }
  for (uint32_t i = 0; i < o->len; i++)
    if (o->e[i].klen == klen && memcmp(o->e[i].k, k, klen) == 0)
      return i;
  return -1;
}

jv jn_obj_find(const jobj *o, const char *k, uint32_t klen)
{
  int64_t i = find_entry(o, k, klen);
  if (i < 0)
    return jv_undef();
  return o->e[i].v;
}

void jn_obj_set(jn_ctx *c, jobj *o, const char *k, uint32_t klen, jv v)
{
  int64_t i = find_entry(o, k, klen);
  if (i >= 0) {
    o->e[i].v = v;
    return;
  }
  if (o->len == o->cap) {
    uint32_t cap = o->cap ? o->cap * 2 : 4;
    o->e = jn_realloc(c, o->e, o->cap * sizeof(jentry), cap * sizeof(jentry));
    o->cap = cap;
  }
  jentry *e = &o->e[o->len++];
  e->k = k;
  e->klen = klen;
  e->dead = false;
  e->v = v;
  o->live++;
  if (o->index) {
    if (o->len * 2 + 2 > o->index_cap)
      index_build(c, o);
    else
      index_insert(o, o->len - 1);
  } else if (o->len > 8) {
    index_build(c, o);
  }
}

bool jn_obj_del(jobj *o, const char *k, uint32_t klen)
{
  int64_t i = find_entry(o, k, klen);
  if (i < 0)
    return false;
  /* a deleted key is never found again (a dead entry's length matches no key): setting it
   * again appends it at the end, as in JavaScript */
  o->e[i].dead = true;
  o->e[i].klen = UINT32_MAX;
  o->live--;
  return true;
}

/* ------------------------------------------------------------------ checks ---- */
bool jn_is_integer(double d)
{
  return isfinite(d) && floor(d) == d;
}

bool jn_is_numeric(jn_ctx *c, jv v, bool *failed)
{
  if (v.t != JV_NUM || isnan(v.u.n))
    return false;
  if (isinf(v.u.n)) {
    jn_fail_v(c, "D1001", 0, v);
    *failed = true;
    return false;
  }
  return true;
}

bool jn_is_array_of_strings(jv v)
{
  if (!IS_ARR(v))
    return false;
  uint32_t n = jv_arr_len(v);
  for (uint32_t i = 0; i < n; i++)
    if (!IS_STR(jv_arr_at(v, i)))
      return false;
  return true;
}

bool jn_is_array_of_numbers(jv v)
{
  if (!IS_ARR(v))
    return false;
  uint32_t n = jv_arr_len(v);
  for (uint32_t i = 0; i < n; i++) {
    jv x = jv_arr_at(v, i);
    if (x.t != JV_NUM || !isfinite(x.u.n))
      return false;
  }
  return true;
}

/* ------------------------------------------------------------------ equality ---- */
bool jv_strict_equal(jv a, jv b)
{
  switch ((jv_type)a.t) {
  case JV_UNDEF:
    return b.t == JV_UNDEF;
  case JV_NULL:
    return b.t == JV_NULL;
  case JV_BOOL:
    return b.t == JV_BOOL && a.b == b.b;
  case JV_NUM:
    return b.t == JV_NUM && a.u.n == b.u.n;
  case JV_STR:
  case JV_JSTR: {
    if (!IS_STR(b))
      return false;
    uint32_t la, lb;
    const char *sa = jv_strp(a, &la);
    const char *sb = jv_strp(b, &lb);
    return la == lb && memcmp(sa, sb, la) == 0;
  }
  case JV_ARR:
    return b.t == JV_ARR && a.u.a == b.u.a;
  case JV_OBJ:
    return b.t == JV_OBJ && a.u.o == b.u.o;
  case JV_JARR:
  case JV_JOBJ:
    return b.t == a.t && a.u.j == b.u.j;
  case JV_FUNC:
    return b.t == JV_FUNC && a.u.f == b.u.f;
  case JV_ERR:
    return false;
  }
  return false;
}

typedef struct eq_state {
  jv other;
  bool equal;
} eq_state;

static bool eq_member(void *data, const char *k, uint32_t klen, jv v)
{
  eq_state *s = data;
  jv w = jv_obj_get(s->other, k, klen);
  if (IS_UNDEF(w) || !jv_deep_equal(v, w)) {
    s->equal = false;
    return false;
  }
  return true;
}

bool jv_deep_equal(jv a, jv b)
{
  if (jv_strict_equal(a, b))
    return true;
  if (IS_ARR(a) && IS_ARR(b)) {
    uint32_t n = jv_arr_len(a);
    if (n != jv_arr_len(b))
      return false;
    for (uint32_t i = 0; i < n; i++)
      if (!jv_deep_equal(jv_arr_at(a, i), jv_arr_at(b, i)))
        return false;
    return true;
  }
  if (IS_OBJ(a) && IS_OBJ(b)) {
    if (jv_obj_count(a) != jv_obj_count(b))
      return false;
    eq_state s = {b, true};
    jv_obj_each(NULL, a, eq_member, &s);
    return s.equal;
  }
  return false;
}

/* ------------------------------------------------------------------ clone ---- */
typedef struct clone_state {
  jn_ctx *c;
  jobj *into;
  int depth;
  bool failed;
} clone_state;

static jv clone_rec(jn_ctx *c, jv v, int depth, bool *failed);

static bool clone_member(void *data, const char *k, uint32_t klen, jv v)
{
  clone_state *s = data;
  if (IS_UNDEF(v))
    return true;
  jv w = clone_rec(s->c, v, s->depth, &s->failed);
  if (s->failed)
    return false;
  jn_obj_set(s->c, s->into, k, klen, w);
  return true;
}

/* JSON.parse(fn.string(v)): numbers at 15 digits, functions as "", undefined items as null. */
static jv clone_rec(jn_ctx *c, jv v, int depth, bool *failed)
{
  if (depth > 1000) {
    jn_fail_limit(c, "U1001", "Value nested too deeply");
    *failed = true;
    return jv_err();
  }
  switch ((jv_type)v.t) {
  case JV_NUM:
    if (isinf(v.u.n)) {
      jn_fail_v(c, "D1001", 0, v);
      *failed = true;
      return jv_err();
    }
    if (isnan(v.u.n))
      return jv_null();
    return jv_num(floor(v.u.n) == v.u.n ? v.u.n : jn_precision15(v.u.n));
  case JV_FUNC:
    return jv_str("", 0);
  case JV_UNDEF:
    return jv_null();
  case JV_ARR:
  case JV_JARR: {
    uint32_t n = jv_arr_len(v);
    jarr *r = jn_arr_new(c, n);
    for (uint32_t i = 0; i < n; i++) {
      jv w = clone_rec(c, jv_arr_at(v, i), depth + 1, failed);
      if (*failed)
        return jv_err();
      r->items[r->len++] = w;
    }
    return jv_arr(r);
  }
  case JV_OBJ:
  case JV_JOBJ: {
    clone_state s = {c, jn_obj_new(c, jv_obj_count(v)), depth + 1, false};
    jv_obj_each(c, v, clone_member, &s);
    if (s.failed) {
      *failed = true;
      return jv_err();
    }
    return jv_obj(s.into);
  }
  case JV_NULL:
  case JV_BOOL:
  case JV_STR:
  case JV_JSTR:
  case JV_ERR:
    return v;
  }
  return v;
}

jv jn_clone(jn_ctx *c, jv v)
{
  if (IS_UNDEF(v))
    return v;
  bool failed = false;
  jv r = clone_rec(c, v, 0, &failed);
  return failed ? jv_err() : r;
}

/* ------------------------------------------------------------------ to asl_json ---- */
typedef struct out_state {
  jn_ctx *c;
  asl_json *obj;
  int depth;
  bool failed;
} out_state;

/* Strings inside an evaluation may hold lone UTF-16 surrogates ("\ud800" in a literal), kept as
 * their 3-byte encodings; asl_json holds UTF-8, so each becomes U+FFFD on the way out. Returns
 * NULL when [s] has none (the common case: one memchr). */
static char *without_surrogates(const char *s, size_t n, size_t *out_len)
{
  const char *p = memchr(s, 0xED, n);
  while (p && !((size_t)(p - s) + 1 < n && (unsigned char)p[1] >= 0xA0))
    p = memchr(p + 1, 0xED, n - (size_t)(p + 1 - s));
  if (!p)
    return NULL;
  char *r = asl_alloc(n + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)s[i] == 0xED && i + 2 < n && (unsigned char)s[i + 1] >= 0xA0) {
      memcpy(r + k, "\xEF\xBF\xBD", 3);
      k += 3;
      i += 2;
    } else {
      r[k++] = s[i];
    }
  }
  r[k] = '\0';
  *out_len = k;
  return r;
}

static asl_json *out_string(const char *s, size_t n)
{
  size_t l;
  char *clean = without_surrogates(s, n, &l);
  return clean ? asl_json_string_take(clean, l) : asl_json_string(s, n);
}

static bool out_member(void *data, const char *k, uint32_t klen, jv v)
{
  out_state *s = data;
  if (IS_UNDEF(v) || IS_FUNC(v))
    return true; /* JSON.stringify leaves them out */
  asl_json *j = jn_to_json(s->c, v, s->depth, &s->failed);
  if (s->failed)
    return false;
  size_t l;
  char *clean = without_surrogates(k, klen, &l);
  asl_json_obj_put(s->obj, clean ? clean : k, clean ? l : klen, j);
  asl_free(clean);
  return true;
}

asl_json *jn_to_json(jn_ctx *c, jv v, int depth, bool *failed)
{
  if (depth > 1000) {
    jn_fail_limit(c, "U1001", "Value nested too deeply");
    *failed = true;
    return NULL;
  }
  switch ((jv_type)v.t) {
  case JV_UNDEF:
  case JV_FUNC:
  case JV_ERR:
    return NULL;
  case JV_NULL:
    return asl_json_null();
  case JV_BOOL:
    return asl_json_bool(v.b);
  case JV_NUM: {
    double d = v.u.n;
    if (!isfinite(d)) {
      if (c->env && c->env->js_numbers)
        return asl_json_null();
      return asl_json_cstr(isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }
    if (floor(d) == d && d > -9223372036854775808.0 && d < 9223372036854775808.0)
      return asl_json_int((int64_t)d);
    return asl_json_double(d);
  }
  case JV_STR:
    return out_string(v.u.s, v.len);
  case JV_JSTR:
  case JV_JARR:
  case JV_JOBJ:
    return asl_json_incref(v.u.j);
  case JV_ARR: {
    jarr *a = v.u.a;
    asl_json *r = asl_json_array(a->len);
    for (uint32_t i = 0; i < a->len; i++) {
      asl_json *j = jn_to_json(c, a->items[i], depth + 1, failed);
      if (*failed) {
        asl_json_decref(r);
        return NULL;
      }
      asl_json_arr_push(r, j ? j : asl_json_null());
    }
    return r;
  }
  case JV_OBJ: {
    out_state s = {c, asl_json_object(v.u.o->live), depth + 1, false};
    jv_obj_each(c, v, out_member, &s);
    if (s.failed) {
      asl_json_decref(s.obj);
      *failed = true;
      return NULL;
    }
    return s.obj;
  }
  }
  return NULL;
}
