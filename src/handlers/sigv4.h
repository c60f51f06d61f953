/* SigV4's old private names (private to src/handlers): signing is public now
 * (include/aslrun/sigv4.h, shared with src/serve); these aliases keep the handlers' files and
 * tests as they were. */
#ifndef ASLRUN_HANDLERS_SIGV4_H
#define ASLRUN_HANDLERS_SIGV4_H

#include "aslrun/sigv4.h"

typedef asl_sigv4_pair asl__sigv4_pair;
typedef asl_sigv4_input asl__sigv4_input;
typedef asl_sigv4_output asl__sigv4_output;

static inline asl_status asl__sigv4_sign(const asl_sigv4_input *in, asl_sigv4_output *out,
                                         asl_error *err)
{
  return asl_sigv4_sign(in, out, err);
}
static inline void asl__sigv4_output_free(asl_sigv4_output *out)
{
  asl_sigv4_output_free(out);
}
static inline void asl__uri_encode(asl_buf *b, const char *s, size_t n, bool keep_slash)
{
  asl_sigv4_uri_encode(b, s, n, keep_slash);
}
static inline asl_status asl__sha256_hex(const void *p, size_t n, char hex[65], asl_error *err)
{
  return asl_sigv4_sha256_hex(p, n, hex, err);
}
static inline void asl__amz_date(int64_t unix_seconds, char out[17])
{
  asl_sigv4_amz_date(unix_seconds, out);
}

#endif
