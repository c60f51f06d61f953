/* What an evaluation runs in: frames of variable bindings and the lookup through them to the
 * caller's bindings and the built-in functions, the random source, the clock ($now is fixed for
 * one evaluation, as jsonata-js's timestamp) and the time limit. */
#include "internal.h"

#include <time.h>

jn_frame *jn_frame_new(jn_ctx *c, jn_frame *parent)
{
  jn_frame *f = jn_alloc(c, sizeof *f);
  f->parent = parent;
  f->first = NULL;
  return f;
}

void jn_bind(jn_ctx *c, jn_frame *f, const char *name, uint32_t len, jv v)
{
  for (jn_binding *b = f->first; b; b = b->next) {
    if (b->len == len && memcmp(b->name, name, len) == 0) {
      b->v = v;
      return;
    }
  }
  jn_binding *b = jn_alloc(c, sizeof *b);
  b->name = name;
  b->len = len;
  b->v = v;
  b->next = f->first;
  f->first = b;
}

static jv builtin_value(jn_ctx *c, const jn_builtin *bi)
{
  /* one function object per built-in and evaluation, so that $f = $f holds for them too */
  for (jn_binding *b = c->builtins; b; b = b->next)
    if (b->name == bi->name)
      return b->v;
  jfunc *f = jn_zalloc(c, sizeof *f);
  f->kind = F_NATIVE;
  f->bi = bi;
  jn_binding *b = jn_alloc(c, sizeof *b);
  b->name = bi->name;
  b->len = 0;
  b->v = jv_func(f);
  b->next = c->builtins;
  c->builtins = b;
  return b->v;
}

jv jn_lookup(jn_ctx *c, jn_frame *f, const char *name, uint32_t len)
{
  for (; f; f = f->parent) {
    for (jn_binding *b = f->first; b; b = b->next)
      if (b->len == len && memcmp(b->name, name, len) == 0)
        return b->v;
  }
  const asl_jsonata_env *env = c->env;
  if (env) {
    for (size_t i = 0; i < env->nvars; i++) {
      const char *vn = env->vars[i].name;
      if (strlen(vn) == len && memcmp(vn, name, len) == 0)
        return jv_from_json(env->vars[i].value);
    }
    if (env->lookup) {
      const asl_json *v = env->lookup(env->lookup_data, name, len);
      if (v)
        return jv_from_json(v);
    }
  }
  const jn_builtin *bi = jn_builtin_find(name, len, c->flags);
  if (bi)
    return builtin_value(c, bi);
  return jv_undef();
}

/* ------------------------------------------------------------------ random ---- */
static uint64_t splitmix(uint64_t *s)
{
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t jn_random(jn_ctx *c)
{
  if (!c->rng) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->rng_local = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    c->rng = &c->rng_local;
  }
  return splitmix(c->rng);
}

double jn_random_double(jn_ctx *c)
{
  return (double)(jn_random(c) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ time ---- */
int64_t jn_now_ms(jn_ctx *c)
{
  if (c->now_ms == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  }
  return c->now_ms;
}

bool jn_check_time(jn_ctx *c)
{
  if (c->failed)
    return false;
  if (!c->deadline_ns)
    return true;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  if (now > c->deadline_ns) {
    jn_fail_limit(c, "U1001", "Expression evaluation timeout: Check for infinite loop");
    return false;
  }
  return true;
}
