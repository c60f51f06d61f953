/* The encoding family of intrinsics: States.Base64Encode, States.Base64Decode, States.Hash
 * (MD5, SHA-1, SHA-256, SHA-384, SHA-512: util's digest.c), each over the UTF-8 bytes of a
 * string of at most 10,000 characters, AWS's documented limit. */
#include "intrinsic.h"

#include <string.h>

#include "aslrun/digest.h"

#define INPUT_MAX_CHARS 10000

static bool check_size(const intr_call *c, const asl_json *s, asl_error *err)
{
  size_t chars = asl_utf16_len(asl_json_str(s), asl_json_str_len(s));
  if (chars <= INPUT_MAX_CHARS)
    return true;
  asl__intr_fail(c, err, "the input has %zu characters; at most %d are allowed", chars,
                 INPUT_MAX_CHARS);
  return false;
}

asl_json *intr_base64_encode(const intr_call *c, asl_json **argv, size_t argc,
                             const asl_env *env, asl_error *err)
{
  (void)argc, (void)env;
  if (!check_size(c, argv[0], err))
    return NULL;
  const unsigned char *s = (const unsigned char *)asl_json_str(argv[0]);
  size_t n = asl_json_str_len(argv[0]);
  asl_buf out = ASL_BUF_INIT;
  asl_base64_encode(s, n, &out);
  size_t len;
  char *r = asl_buf_steal(&out, &len);
  return asl_json_string_take(r, len);
}

/* Appends [bytes] as UTF-8, replacing what is not UTF-8 with U+FFFD as Java's new String does. */
static void add_utf8(asl_buf *out, const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n) {
      unsigned char c = s[run];
      size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len == 0 || run + len > n || !asl_utf8_valid((const char *)s + run, len))
        break;
      run += len;
    }
    asl_buf_add(out, s + i, run - i);
    if (run < n) {
      asl_buf_adds(out, "\xEF\xBF\xBD");
      run++;
    }
    i = run;
  }
}

asl_json *intr_base64_decode(const intr_call *c, asl_json **argv, size_t argc,
                             const asl_env *env, asl_error *err)
{
  (void)argc, (void)env;
  if (!check_size(c, argv[0], err))
    return NULL;
  const char *s = asl_json_str(argv[0]);
  size_t n = asl_json_str_len(argv[0]);
  size_t pad = 0;
  while (n > 0 && s[n - 1] == '=' && pad < 2) {
    n--;
    pad++;
  }
  asl_buf bytes = ASL_BUF_INIT;
  bool ok = n % 4 != 1 && (pad == 0 || (n + pad) % 4 == 0) &&
            asl_base64_decode(s, n, 0, &bytes) == n;
  if (!ok) {
    asl_buf_free(&bytes);
    asl__intr_fail(c, err, "the argument is not valid Base64");
    return NULL;
  }
  asl_buf out = ASL_BUF_INIT;
  add_utf8(&out, (const unsigned char *)(bytes.data ? bytes.data : ""), bytes.len);
  asl_buf_free(&bytes);
  size_t len;
  char *r = asl_buf_steal(&out, &len);
  return asl_json_string_take(r, len);
}

asl_json *intr_hash(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                    asl_error *err)
{
  (void)argc, (void)env;
  if (!check_size(c, argv[0], err))
    return NULL;
  const char *alg = asl_json_str(argv[1]);
  int md = asl_digest_named(alg, asl_json_str_len(argv[1]));
  if (md < 0) {
    asl__intr_fail(c, err,
                   "'%s' is not a hash algorithm; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512",
                   alg);
    return NULL;
  }
  unsigned char digest[ASL_DIGEST_MAX];
  asl_error why = ASL_ERROR_INIT;
  size_t dlen = asl_digest((asl_digest_alg)md, asl_json_str(argv[0]), asl_json_str_len(argv[0]),
                           digest, &why);
  if (dlen == 0) {
    asl__intr_fail(c, err, "the %s digest could not be computed: %s", alg, why.cause);
    asl_error_clear(&why);
    return NULL;
  }
  char hex[2 * ASL_DIGEST_MAX + 1];
  asl_hex(digest, dlen, hex);
  return asl_json_string(hex, 2 * dlen);
}
