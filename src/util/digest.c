/* Digests and HMAC through libcrypto, loaded with dlopen the first time one is needed: linking
 * libcrypto costs every aslrun process about 120 page faults and half a millisecond of start-up
 * (more than a small execution takes), while only States.Hash, $hash and SigV4 need it. The
 * table is filled once per process (pthread_once) and never changes; the library is never
 * unloaded. The headers are the real ones, so the signatures are checked at compile time. */
#include "aslrun/digest.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct {
  __typeof__(EVP_md5) *md5;
  __typeof__(EVP_sha1) *sha1;
  __typeof__(EVP_sha256) *sha256;
  __typeof__(EVP_sha384) *sha384;
  __typeof__(EVP_sha512) *sha512;
  __typeof__(EVP_Digest) *digest;
  __typeof__(HMAC) *hmac;
} crypto;
static char failure[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
  static const char *const files[] = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"};
  static const char *const symbols[] = {"EVP_md5",    "EVP_sha1",   "EVP_sha256", "EVP_sha384",
                                        "EVP_sha512", "EVP_Digest", "HMAC"};
  void *slots[sizeof symbols / sizeof *symbols];
  _Static_assert(sizeof slots == sizeof crypto, "one slot per function");
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    void *lib = dlopen(files[f], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      if (!failure[0])
        snprintf(failure, sizeof failure, "%s", dlerror());
      continue;
    }
    size_t i = 0;
    while (i < sizeof symbols / sizeof *symbols && (slots[i] = dlsym(lib, symbols[i])))
      i++;
    if (i == sizeof symbols / sizeof *symbols) {
      memcpy(&crypto, slots, sizeof crypto);
      failure[0] = '\0';
      return;
    }
    snprintf(failure, sizeof failure, "%s has no %s (too old?)", files[f], symbols[i]);
    dlclose(lib);
  }
}

static bool loaded(asl_error *err)
{
  pthread_once(&once, load);
  if (crypto.digest)
    return true;
  asl_error_set(err, ASL_E_IO, NULL, "cannot load libcrypto, which hashing and signing need: %s "
                                     "(install libssl3)",
                failure);
  return false;
}

int asl_digest_named(const char *name, size_t len)
{
  static const char *const names[] = {"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"};
  for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
    if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
      return i;
  return -1;
}

size_t asl_digest(asl_digest_alg alg, const void *p, size_t n, unsigned char out[ASL_DIGEST_MAX],
                  asl_error *err)
{
  if (!loaded(err))
    return 0;
  __typeof__(EVP_md5) *mds[] = {crypto.md5, crypto.sha1, crypto.sha256, crypto.sha384,
                                crypto.sha512};
  unsigned int len = 0;
  if (!crypto.digest(p, n, out, &len, mds[alg](), NULL) || len == 0 || len > ASL_DIGEST_MAX) {
    asl_error_set(err, ASL_E_IO, NULL, "the digest failed in libcrypto");
    return 0;
  }
  return len;
}

bool asl_hmac_sha256(const void *key, size_t key_len, const void *p, size_t n,
                     unsigned char out[32], asl_error *err)
{
  if (!loaded(err))
    return false;
  unsigned int len = 0;
  if (key_len > INT32_MAX || !crypto.hmac(crypto.sha256(), key, (int)key_len, p, n, out, &len) ||
      len != 32) {
    asl_error_set(err, ASL_E_IO, NULL, "HMAC-SHA256 failed in libcrypto");
    return false;
  }
  return true;
}

void asl_hex(const unsigned char *p, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}
