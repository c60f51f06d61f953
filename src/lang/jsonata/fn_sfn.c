/* The functions Step Functions adds to JSONata: $partition, $range, $hash, $random with a seed,
 * $uuid and $parse. AWS checks their arguments itself rather than through JSONata signatures;
 * the behaviour here (truncation towards zero, which cases give undefined, the messages) is what
 * was observed on AWS (conformance cases jsonata/test_array_partition__*, test_array_range__*,
 * test_parse__*) and recorded by other emulators against it. */
#include "functions.h"

#include <math.h>

#include "aslrun/digest.h"

static jv surplus(jn_ctx *c, const char *fname, uint32_t nargs, uint32_t allowed, jv *args)
{
  for (uint32_t i = allowed; i < nargs; i++) {
    if (!IS_UNDEF(args[i])) {
      jn_fail_arg(c, "T0410", (int)i + 1, args[i]);
      c->err.token = jn_json_token(c, fname, strlen(fname));
      return jv_err();
    }
  }
  return jv_undef();
}

static jv sig_error(jn_ctx *c, const char *fname, int index, jv v)
{
  jn_fail_arg(c, "T0410", index, v);
  c->err.token = jn_json_token(c, fname, strlen(fname));
  return jv_err();
}

jv fn_sfn_partition(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "partition", nargs, 2, args);
  PROPAGATE(e);
  jv arr = arg_at(args, nargs, 0);
  if (IS_UNDEF(arr))
    return arr;
  if (!IS_ARR(arr)) {
    jn_fail_arg(c, "T0412", 1, arr);
    c->err.token = jn_json_token(c, "partition", 9);
    return jv_err();
  }
  uint32_t n = jv_arr_len(arr);
  if (n == 0)
    return jv_undef();
  jv size = arg_at(args, nargs, 1);
  jarr *r = jn_arr_new(c, 4);
  if (IS_UNDEF(size)) {
    jn_push(c, r, jv_arr(jn_arr_copy(c, arr)));
    return jv_arr(r);
  }
  if (size.t != JV_NUM)
    return sig_error(c, "partition", 2, size);
  double chunk = trunc(size.u.n);
  if (chunk < 0) {
    const char *m = "Second argument must be zero or greater";
    return jn_fail_msg(c, "D3137", m, strlen(m));
  }
  if (!(chunk >= 1))
    return jv_undef();
  uint32_t k = chunk >= n ? n : (uint32_t)chunk;
  for (uint32_t i = 0; i < n; i += k) {
    uint32_t end = i + k < n ? i + k : n;
    jarr *part = jn_arr_new(c, end - i);
    for (uint32_t j = i; j < end; j++)
      part->items[part->len++] = jv_arr_at(arr, j);
    jn_push(c, r, jv_arr(part));
  }
  return jv_arr(r);
}

jv fn_sfn_range(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "range", nargs, 3, args);
  PROPAGATE(e);
  jv a = arg_at(args, nargs, 0), b = arg_at(args, nargs, 1), s = arg_at(args, nargs, 2);
  if (a.t != JV_NUM || !isfinite(a.u.n))
    return sig_error(c, "range", 1, a);
  if (b.t != JV_NUM || !isfinite(b.u.n))
    return sig_error(c, "range", 2, b);
  if (IS_UNDEF(s))
    return jv_undef();
  if (s.t != JV_NUM || !isfinite(s.u.n))
    return sig_error(c, "range", 3, s);
  double start = trunc(a.u.n), end = trunc(b.u.n), step = trunc(s.u.n);
  if (step == 0 || (step > 0 && start > end) || (step < 0 && start < end))
    return jv_undef();
  double count = floor((end - start) / step) + 1;
  if (count > 1e7)
    return jn_fail_memory(c);
  if (!jn_reserve(c, (size_t)count * sizeof(jv)))
    return jv_err();
  /* a sequence: one element comes out as the bare number, as on AWS */
  jv r = jn_seq(c, (uint32_t)count);
  for (double i = 0; i < count; i++)
    jn_push(c, r.u.a, jv_num(start + i * step));
  return r;
}

jv fn_sfn_hash(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "hash", nargs, 2, args);
  PROPAGATE(e);
  jv v = arg_at(args, nargs, 0);
  if (!IS_STR(v))
    return sig_error(c, "hash", 1, v);
  jv alg = arg_at(args, nargs, 1);
  if (IS_UNDEF(alg))
    return jv_undef();
  if (!IS_STR(alg))
    return sig_error(c, "hash", 2, alg);
  uint32_t an;
  const char *as = jv_strp(alg, &an);
  int md = asl_digest_named(as, an);
  if (md < 0) {
    char *m = asl_strfmt("Hash algorithm '%.*s' must be one of SHA-1, SHA-384, SHA-256, SHA-512, "
                         "MD5",
                         (int)an, as);
    jn_fail_msg(c, "D3137", m, strlen(m));
    asl_free(m);
    return jv_err();
  }
  uint32_t n;
  const char *s = jv_strp(v, &n);
  unsigned char digest[ASL_DIGEST_MAX];
  asl_error why = ASL_ERROR_INIT;
  size_t dlen = asl_digest((asl_digest_alg)md, s, n, digest, &why);
  if (dlen == 0) {
    jv r = jn_fail_limit(c, "U1002", why.cause ? why.cause : "the digest could not be computed");
    asl_error_clear(&why);
    return r;
  }
  char *out = jn_alloc(c, 2 * dlen + 1);
  asl_hex(digest, dlen, out);
  return jv_str(out, 2 * dlen);
}

/* java.util.Random(seed).nextDouble(): what a seeded $random gives on AWS ($random(42) is
 * 0.7275636800328681). */
static double java_next_double(int64_t seed)
{
  const uint64_t mask = (1ull << 48) - 1;
  uint64_t s = ((uint64_t)seed ^ 0x5DEECE66Dull) & mask;
  s = (s * 0x5DEECE66Dull + 0xBull) & mask;
  uint64_t hi = s >> (48 - 26);
  s = (s * 0x5DEECE66Dull + 0xBull) & mask;
  uint64_t lo = s >> (48 - 27);
  return (double)((hi << 27) + lo) * (1.0 / 9007199254740992.0);
}

jv fn_sfn_random(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "random", nargs, 1, args);
  PROPAGATE(e);
  jv seed = arg_at(args, nargs, 0);
  if (IS_UNDEF(seed))
    return jv_num(jn_random_double(c));
  if (seed.t != JV_NUM || !isfinite(seed.u.n))
    return sig_error(c, "random", 1, seed);
  double t = trunc(seed.u.n);
  int64_t s = t >= 9223372036854775807.0 ? INT64_MAX : t <= -9223372036854775808.0 ? INT64_MIN
                                                                                   : (int64_t)t;
  return jv_num(java_next_double(s));
}

jv fn_sfn_uuid(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "uuid", nargs, 0, args);
  PROPAGATE(e);
  uint64_t r1 = jn_random(c), r2 = jn_random(c);
  uint8_t b[16];
  for (int i = 0; i < 8; i++) {
    b[i] = (uint8_t)(r1 >> (8 * i));
    b[8 + i] = (uint8_t)(r2 >> (8 * i));
  }
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
  static const char hex[] = "0123456789abcdef";
  char *out = jn_alloc(c, 37);
  size_t k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hex[b[i] >> 4];
    out[k++] = hex[b[i] & 15];
  }
  out[k] = '\0';
  return jv_str(out, (uint32_t)k);
}

/* Scans JSON text that parsed (so well formed) for an object with a repeated key, which the JSON
 * module would quietly merge. Keys are compared as written. */
typedef struct keyscan {
  const char *s;
  size_t n, i;
  int depth;
} keyscan;

static void skip_ws(keyscan *k)
{
  while (k->i < k->n && (k->s[k->i] == ' ' || k->s[k->i] == '\t' || k->s[k->i] == '\n' ||
                         k->s[k->i] == '\r'))
    k->i++;
}

static void skip_string(keyscan *k)
{
  k->i++; /* the opening quote */
  while (k->i < k->n && k->s[k->i] != '"')
    k->i += k->s[k->i] == '\\' ? 2 : 1;
  k->i++;
}

static bool dup_value(keyscan *k);

static bool dup_object(keyscan *k)
{
  ASL_VEC(size_t) starts = {0};
  ASL_VEC(size_t) lens = {0};
  bool dup = false;
  k->i++;
  skip_ws(k);
  while (k->i < k->n && k->s[k->i] != '}' && !dup) {
    size_t ks = k->i;
    skip_string(k);
    size_t kl = k->i - ks;
    for (size_t j = 0; j < starts.len && !dup; j++)
      dup = lens.items[j] == kl && memcmp(k->s + starts.items[j], k->s + ks, kl) == 0;
    ASL_VEC_PUSH(starts, ks);
    ASL_VEC_PUSH(lens, kl);
    skip_ws(k);
    k->i++; /* ':' */
    if (!dup)
      dup = dup_value(k);
    skip_ws(k);
    if (k->i < k->n && k->s[k->i] == ',') {
      k->i++;
      skip_ws(k);
    }
  }
  k->i++;
  ASL_VEC_FREE(starts);
  ASL_VEC_FREE(lens);
  return dup;
}

static bool dup_value(keyscan *k)
{
  skip_ws(k);
  if (k->i >= k->n || ++k->depth > 1000)
    return false;
  bool dup = false;
  char ch = k->s[k->i];
  if (ch == '{') {
    dup = dup_object(k);
  } else if (ch == '[') {
    k->i++;
    skip_ws(k);
    while (k->i < k->n && k->s[k->i] != ']' && !dup) {
      dup = dup_value(k);
      skip_ws(k);
      if (k->i < k->n && k->s[k->i] == ',')
        k->i++;
      skip_ws(k);
    }
    k->i++;
  } else if (ch == '"') {
    skip_string(k);
  } else {
    while (k->i < k->n && !strchr(",]} \t\n\r", k->s[k->i]))
      k->i++;
  }
  k->depth--;
  return dup;
}

jv fn_sfn_parse(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv e = surplus(c, "parse", nargs, 1, args);
  PROPAGATE(e);
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  if (!IS_STR(v))
    return sig_error(c, "parse", 1, v);
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_error err = ASL_ERROR_INIT;
  asl_json *j = asl_json_parse(s, n, NULL, &err);
  asl_error_clear(&err);
  if (!j)
    return jn_fail_msg(c, "D3137", "Invalid JSON", 12);
  /* AWS's parser refuses a repeated key (a lenient one would keep the last) */
  keyscan k = {s, n, 0, 0};
  if (dup_value(&k)) {
    asl_json_decref(j);
    return jn_fail_msg(c, "D3137", "Invalid JSON", 12);
  }
  return jn_own_json(c, j);
}
