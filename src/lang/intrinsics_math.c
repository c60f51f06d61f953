/* The math and id family of intrinsics: States.MathAdd, States.MathRandom, States.UUID.
 * Numbers are rounded to the nearest integer first, halves up, as AWS does (1.5 + 1.51 gives 4:
 * intrinsics/test_math_add__02), and must lie in Java's int range. */
#include "intrinsic.h"

static bool rounded(const intr_call *c, const asl_json *v, size_t i, int64_t *out, asl_error *err)
{
  if (asl__intr_round(v, out))
    return true;
  char *s = asl_json_dump(v, ASL_JSON_COMPACT, NULL);
  asl__intr_fail(c, err, "argument %zu must lie between -2147483648 and 2147483647, not %s", i + 1,
                 s);
  asl_free(s);
  return false;
}

asl_json *intr_math_add(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                        asl_error *err)
{
  (void)argc, (void)env;
  int64_t a, b;
  if (!rounded(c, argv[0], 0, &a, err) || !rounded(c, argv[1], 1, &b, err))
    return NULL;
  return asl_json_int(a + b);
}

/* java.util.Random(seed).nextInt(bound): the numbers a seeded States.MathRandom would give on a
 * Java runtime. */
static int32_t java_next_int(int64_t seed, int32_t bound)
{
  const uint64_t mask = (1ull << 48) - 1;
  uint64_t s = ((uint64_t)seed ^ 0x5DEECE66Dull) & mask;
  s = (s * 0x5DEECE66Dull + 0xBull) & mask;
  int32_t bits = (int32_t)(s >> 17);
  if ((bound & -bound) == bound)
    return (int32_t)(((int64_t)bound * bits) >> 31);
  for (;;) {
    int32_t val = bits % bound;
    if ((int64_t)bits - val + (bound - 1) <= INT32_MAX)
      return val;
    s = (s * 0x5DEECE66Dull + 0xBull) & mask;
    bits = (int32_t)(s >> 17);
  }
}

/* A random integer from start (included) to end (excluded). */
asl_json *intr_math_random(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                           asl_error *err)
{
  int64_t start, end, seed = 0;
  if (!rounded(c, argv[0], 0, &start, err) || !rounded(c, argv[1], 1, &end, err) ||
      (argc == 3 && !rounded(c, argv[2], 2, &seed, err)))
    return NULL;
  if (end <= start) {
    asl__intr_fail(c, err, "the end (%lld) must be greater than the start (%lld)", (long long)end,
                   (long long)start);
    return NULL;
  }
  int64_t span = end - start;
  if (span > INT32_MAX) {
    asl__intr_fail(c, err, "the range from %lld to %lld is wider than 2147483647",
                   (long long)start, (long long)end);
    return NULL;
  }
  if (argc == 3)
    return asl_json_int(start + java_next_int(seed, (int32_t)span));
  return asl_json_int(start + (int64_t)(asl__intr_random(env) % (uint64_t)span));
}

/* A version 4 UUID from the execution's random source. */
asl_json *intr_uuid(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                    asl_error *err)
{
  (void)c, (void)argv, (void)argc, (void)err;
  uint8_t b[16];
  uint64_t r1 = asl__intr_random(env);
  uint64_t r2 = asl__intr_random(env);
  for (int i = 0; i < 8; i++) {
    b[i] = (uint8_t)(r1 >> (8 * i));
    b[8 + i] = (uint8_t)(r2 >> (8 * i));
  }
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
  static const char hex[] = "0123456789abcdef";
  char out[37];
  size_t k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hex[b[i] >> 4];
    out[k++] = hex[b[i] & 15];
  }
  out[k] = '\0';
  return asl_json_string(out, k);
}
