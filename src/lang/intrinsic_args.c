/* What every intrinsic shares: the argument kinds of intrinsics.def checked the same way at load
 * and at run time, with the same words; number rounding as AWS does it; the random source; and
 * Java's toString of values, which States.Format inserts. */
#include "intrinsic.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

char asl__intr_kind(const intr_def *d, size_t i)
{
  size_t n = strlen(d->kinds);
  if (n == 0)
    return '*';
  return d->kinds[i < n ? i : n - 1];
}

bool asl__intr_fits(char kind, const asl_json *v)
{
  switch (kind) {
  case 's':
    return asl_json_is_string(v);
  case 'n':
    return asl_json_is_number(v);
  case 'i': {
    int64_t x;
    return asl__intr_integer(v, &x);
  }
  case 'b':
    return asl_json_is_bool(v);
  case 'a':
    return asl_json_is_array(v);
  case 'o':
    return asl_json_is_object(v);
  default:
    return true;
  }
}

const char *asl__intr_kind_name(char kind)
{
  switch (kind) {
  case 's':
    return "a string";
  case 'n':
    return "a number";
  case 'i':
    return "an integer";
  case 'b':
    return "a boolean";
  case 'a':
    return "an array";
  case 'o':
    return "a JSON object";
  default:
    return "a value";
  }
}

void asl__intr_fail(const intr_call *c, asl_error *err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = asl_vstrfmt(fmt, ap);
  va_end(ap);
  asl__runtime_error(err, "States.IntrinsicFailure", "%s: %s", c->def->name, msg);
  asl_free(msg);
}

/* "the string \"ab\"", "the number 1.5", "an object {...}", cut to a readable length */
static void describe(const asl_json *v, asl_buf *b)
{
  static const char *what[] = {"", "the boolean ", "the number ", "the number ",
                               "the string ", "the array ", "the object "};
  if (asl_json_is_null(v)) {
    asl_buf_adds(b, "null");
    return;
  }
  asl_buf_adds(b, what[asl_json_kind_of(v)]);
  asl_buf tmp = ASL_BUF_INIT;
  asl__dump(v, &tmp);
  if (tmp.len > 80) {
    asl_buf_add(b, tmp.data, 77);
    asl_buf_adds(b, "...");
  } else {
    asl_buf_add(b, tmp.data, tmp.len);
  }
  asl_buf_free(&tmp);
}

bool asl__intr_check_arg(const intr_call *c, size_t i, const asl_json *v, asl_error *err)
{
  char kind = i < c->nargs ? c->args[i].kind_wanted : asl__intr_kind(c->def, i);
  if (asl__intr_fits(kind, v))
    return true;
  asl_buf b = ASL_BUF_INIT;
  describe(v, &b);
  asl__intr_fail(c, err, "argument %zu must be %s, not %s", i + 1, asl__intr_kind_name(kind),
                 b.data);
  asl_buf_free(&b);
  return false;
}

bool asl__intr_round(const asl_json *v, int64_t *out)
{
  double d = asl_json_num_val(v);
  if (asl_json_kind_of(v) == ASL_JSON_INT) {
    *out = asl_json_int_val(v);
  } else {
    /* Java's Math.round: the nearest integer, halves up (-1.5 gives -1: intrinsics/
     * test_math_add__10) */
    double f = floor(d);
    if (d - f >= 0.5)
      f += 1;
    if (!(f >= -2147483648.0 && f <= 2147483647.0))
      return false;
    *out = (int64_t)f;
  }
  return *out >= INT32_MIN && *out <= INT32_MAX;
}

bool asl__intr_integer(const asl_json *v, int64_t *out)
{
  if (asl_json_kind_of(v) == ASL_JSON_INT) {
    *out = asl_json_int_val(v);
    return true;
  }
  if (asl_json_kind_of(v) != ASL_JSON_DOUBLE)
    return false;
  double d = asl_json_num_val(v);
  if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
    return false;
  *out = (int64_t)d;
  return true;
}

/* splitmix64 */
static uint64_t mix(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t asl__intr_random(const asl_env *env)
{
  if (env->rng)
    return mix(env->rng);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t seed = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  return mix(&seed);
}

void asl__intr_java_string(const asl_json *v, asl_buf *b)
{
  switch (asl_json_kind_of(v)) {
  case ASL_JSON_STRING:
    asl_buf_add(b, asl_json_str(v), asl_json_str_len(v));
    return;
  case ASL_JSON_ARRAY: {
    size_t n = asl_json_len(v);
    asl_buf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
      if (i)
        asl_buf_adds(b, ", ");
      asl__intr_java_string(asl_json_at(v, i), b);
    }
    asl_buf_addc(b, ']');
    return;
  }
  case ASL_JSON_OBJECT: {
    size_t n = asl_json_len(v);
    asl_buf_addc(b, '{');
    for (size_t i = 0; i < n; i++) {
      size_t kl;
      const char *k = asl_json_key_at(v, i, &kl);
      if (i)
        asl_buf_adds(b, ", ");
      asl_buf_add(b, k, kl);
      asl_buf_addc(b, '=');
      asl__intr_java_string(asl_json_value_at(v, i), b);
    }
    asl_buf_addc(b, '}');
    return;
  }
  case ASL_JSON_NULL:
  case ASL_JSON_BOOL:
  case ASL_JSON_INT:
  case ASL_JSON_DOUBLE:
    asl__dump(v, b);
    return;
  }
}
