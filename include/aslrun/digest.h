/* Message digests and HMAC-SHA256 (src/util/digest.c): libcrypto's, loaded on first use. */
#ifndef ASLRUN_DIGEST_H
#define ASLRUN_DIGEST_H

#include "aslrun/error.h"

typedef enum asl_digest_alg {
  ASL_DIGEST_MD5,
  ASL_DIGEST_SHA1,
  ASL_DIGEST_SHA256,
  ASL_DIGEST_SHA384,
  ASL_DIGEST_SHA512,
} asl_digest_alg;

enum { ASL_DIGEST_MAX = 64 }; /* bytes of the longest digest, SHA-512's */

/* The algorithm named [name] of [len] bytes as States.Hash and $hash name them ("MD5", "SHA-1",
 * "SHA-256", "SHA-384", "SHA-512"), or -1. */
int asl_digest_named(const char *name, size_t len);
/* The digest of [n] bytes at [p] into [out]; returns its length, or 0 and [err] (ASL_E_IO) when
 * libcrypto cannot be loaded or fails. */
size_t asl_digest(asl_digest_alg alg, const void *p, size_t n, unsigned char out[ASL_DIGEST_MAX],
                  asl_error *err);
/* HMAC-SHA256 of [n] bytes at [p] with [key]; false and [err] as asl_digest. */
bool asl_hmac_sha256(const void *key, size_t key_len, const void *p, size_t n,
                     unsigned char out[32], asl_error *err);
/* [n] bytes as 2n lowercase hex digits and a NUL into [out]. */
void asl_hex(const unsigned char *p, size_t n, char *out);

#endif
