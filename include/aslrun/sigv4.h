/* AWS Signature Version 4, header-based, single chunk: signs requests (the Lambda handler over
 * HTTP, src/handlers) and checks them (`aslrun serve --check-auth`, src/serve, computes the
 * signature a request should carry and compares). The steps and test vectors are in
 * ../shared/reference/lambda-invoke-api.md section 5. libcrypto is loaded on first use. */
#ifndef ASLRUN_SIGV4_H
#define ASLRUN_SIGV4_H

#include "aslrun/error.h"
#include "aslrun/util.h"

typedef struct asl_sigv4_pair {
  const char *name, *value;
} asl_sigv4_pair;

typedef struct asl_sigv4_input {
  const char *method; /* "POST" */
  /* the path as sent on the wire (its segments already percent-encoded where they need it);
   * it is encoded once more for the canonical URI, as every service but S3 wants */
  const char *path;
  const asl_sigv4_pair *query; /* raw (not encoded) names and values; NULL when none */
  size_t n_query;
  const asl_sigv4_pair *headers; /* every header to sign, Host and X-Amz-Date included */
  size_t n_headers;
  const void *body;
  size_t body_len;
  const char *amz_date; /* YYYYMMDD'T'HHMMSS'Z', the X-Amz-Date value */
  const char *region, *service;
  const char *access_key, *secret_key;
} asl_sigv4_input;

typedef struct asl_sigv4_output {
  char *authorization;     /* the Authorization header's value */
  char *canonical_request; /* the intermediate values, for tests and debugging */
  char *string_to_sign;
  char signing_key[65]; /* lower-case hex */
  char signature[65];
} asl_sigv4_output;

/* Signs [in]; fills [out] (free with asl_sigv4_output_free). Fails only when libcrypto cannot
 * be loaded or a header name is empty. */
asl_status asl_sigv4_sign(const asl_sigv4_input *in, asl_sigv4_output *out, asl_error *err);
void asl_sigv4_output_free(asl_sigv4_output *out);
/* Appends [s] of [n] bytes URI-encoded as SigV4 wants (RFC 3986 unreserved kept, everything
 * else %XX upper-case), keeping '/' when [keep_slash]. */
void asl_sigv4_uri_encode(asl_buf *b, const char *s, size_t n, bool keep_slash);
/* Lower-case hex SHA-256 of [n] bytes into [hex] (65 bytes with the NUL). */
asl_status asl_sigv4_sha256_hex(const void *p, size_t n, char hex[65], asl_error *err);
/* The X-Amz-Date value for [unix_seconds] (UTC) into [out] (17 bytes with the NUL). */
void asl_sigv4_amz_date(int64_t unix_seconds, char out[17]);

#endif
