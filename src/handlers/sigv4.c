/* SigV4 request signing (reference lambda-invoke-api.md section 5): canonical request, string to
 * sign, signing key and signature, with libcrypto's SHA-256 and HMAC. Which headers to send and
 * which credentials to use are http_lambda.c's and credentials.c's business. Path normalisation
 * (removing "." and ".." segments) is left out: Lambda's paths never have them. */
#include "aslrun/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aslrun/digest.h"

void asl_sigv4_uri_encode(asl_buf *b, const char *s, size_t n, bool keep_slash)
{
  static const char upper[] = "0123456789ABCDEF";
  asl_buf_add(b, "", 0); /* NUL-terminated even when [s] is empty */
  asl_buf_reserve(b, n);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      asl_buf_addc(b, (char)c);
    } else {
      char e[3] = {'%', upper[c >> 4], upper[c & 15]};
      asl_buf_add(b, e, 3);
    }
  }
}

asl_status asl_sigv4_sha256_hex(const void *p, size_t n, char hex[65], asl_error *err)
{
  unsigned char md[ASL_DIGEST_MAX];
  if (asl_digest(ASL_DIGEST_SHA256, p, n, md, err) == 0)
    return ASL_E_IO; /* [err] says why */
  asl_hex(md, 32, hex);
  return ASL_OK;
}

void asl_sigv4_amz_date(int64_t unix_seconds, char out[17])
{
  time_t t = (time_t)unix_seconds;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* ---- canonical pieces ---- */

typedef struct enc_pair {
  char *name, *value;
  size_t order; /* input position: repeated headers keep their order */
} enc_pair;

static int cmp_pair(const void *a, const void *b)
{
  const enc_pair *x = a;
  const enc_pair *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_query(const void *a, const void *b)
{
  const enc_pair *x = a;
  const enc_pair *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->value, y->value);
}

/* A header value with leading and trailing blanks removed and inner runs collapsed to one. */
static char *trim_value(const char *v)
{
  asl_buf b = ASL_BUF_INIT;
  bool space = false;
  for (const char *p = v; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
      space = b.len > 0;
      continue;
    }
    if (space)
      asl_buf_addc(&b, ' ');
    space = false;
    asl_buf_addc(&b, *p);
  }
  return asl_buf_steal(&b, NULL);
}

static char *lower(const char *s)
{
  char *l = asl_strdup(s);
  for (char *p = l; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return l;
}

asl_status asl_sigv4_sign(const asl_sigv4_input *in, asl_sigv4_output *out, asl_error *err)
{
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < in->n_headers; i++)
    if (!in->headers[i].name[0])
      return asl_error_set(err, ASL_E_USAGE, NULL, "SigV4: a header to sign has no name");

  asl_buf cr = ASL_BUF_INIT;
  asl_buf_adds(&cr, in->method);
  asl_buf_addc(&cr, '\n');
  /* canonical URI */
  const char *path = in->path && in->path[0] ? in->path : "/";
  asl_sigv4_uri_encode(&cr, path, strlen(path), true);
  asl_buf_addc(&cr, '\n');
  /* canonical query */
  enc_pair *q = asl_calloc(in->n_query + 1, sizeof *q);
  for (size_t i = 0; i < in->n_query; i++) {
    asl_buf n = ASL_BUF_INIT;
    asl_buf v = ASL_BUF_INIT;
    asl_sigv4_uri_encode(&n, in->query[i].name, strlen(in->query[i].name), false);
    const char *val = in->query[i].value ? in->query[i].value : "";
    asl_sigv4_uri_encode(&v, val, strlen(val), false);
    q[i].name = asl_buf_steal(&n, NULL);
    q[i].value = asl_buf_steal(&v, NULL);
  }
  qsort(q, in->n_query, sizeof *q, cmp_query);
  for (size_t i = 0; i < in->n_query; i++) {
    asl_buf_printf(&cr, "%s%s=%s", i ? "&" : "", q[i].name, q[i].value);
    asl_free(q[i].name);
    asl_free(q[i].value);
  }
  asl_free(q);
  asl_buf_addc(&cr, '\n');
  /* canonical headers: sorted by lower-case name, repeated names joined with ',' */
  enc_pair *h = asl_calloc(in->n_headers + 1, sizeof *h);
  for (size_t i = 0; i < in->n_headers; i++) {
    h[i].name = lower(in->headers[i].name);
    h[i].value = trim_value(in->headers[i].value ? in->headers[i].value : "");
    h[i].order = i;
  }
  qsort(h, in->n_headers, sizeof *h, cmp_pair);
  asl_buf signed_headers = ASL_BUF_INIT;
  for (size_t i = 0; i < in->n_headers; i++) {
    bool repeat = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
    if (repeat) {
      asl_buf_printf(&cr, ",%s", h[i].value);
      continue;
    }
    if (i > 0)
      asl_buf_addc(&cr, '\n');
    asl_buf_printf(&cr, "%s:%s", h[i].name, h[i].value);
    asl_buf_printf(&signed_headers, "%s%s", signed_headers.len ? ";" : "", h[i].name);
  }
  if (in->n_headers)
    asl_buf_addc(&cr, '\n');
  for (size_t i = 0; i < in->n_headers; i++) {
    asl_free(h[i].name);
    asl_free(h[i].value);
  }
  asl_free(h);
  asl_buf_addc(&cr, '\n');
  asl_buf_adds(&cr, signed_headers.data ? signed_headers.data : "");
  asl_buf_addc(&cr, '\n');
  char body_hash[65];
  char cr_hash[65];
  asl_status st = asl_sigv4_sha256_hex(in->body ? in->body : "", in->body_len, body_hash, err);
  if (st == ASL_OK) {
    asl_buf_adds(&cr, body_hash);
    st = asl_sigv4_sha256_hex(cr.data, cr.len, cr_hash, err);
  }
  if (st != ASL_OK) {
    asl_buf_free(&cr);
    asl_buf_free(&signed_headers);
    return st;
  }

  /* string to sign */
  char date[9];
  snprintf(date, sizeof date, "%.8s", in->amz_date);
  char *scope = asl_strfmt("%s/%s/%s/aws4_request", date, in->region, in->service);
  char *sts = asl_strfmt("AWS4-HMAC-SHA256\n%s\n%s\n%s", in->amz_date, scope, cr_hash);

  /* signing key: HMAC chain from "AWS4" + secret over date, region, service, "aws4_request" */
  char *k0 = asl_strfmt("AWS4%s", in->secret_key);
  unsigned char k[32];
  unsigned char sig[32];
  bool ok = asl_hmac_sha256(k0, strlen(k0), date, strlen(date), k, err) &&
            asl_hmac_sha256(k, 32, in->region, strlen(in->region), k, err) &&
            asl_hmac_sha256(k, 32, in->service, strlen(in->service), k, err) &&
            asl_hmac_sha256(k, 32, "aws4_request", 12, k, err) &&
            asl_hmac_sha256(k, 32, sts, strlen(sts), sig, err);
  memset(k0, 0, strlen(k0)); /* the secret should not linger in freed memory */
  asl_free(k0);
  if (!ok) {
    asl_free(scope);
    asl_free(sts);
    asl_buf_free(&cr);
    asl_buf_free(&signed_headers);
    return asl_error_set(err, ASL_E_IO, NULL, "HMAC-SHA256 failed in libcrypto");
  }
  asl_hex(k, 32, out->signing_key);
  asl_hex(sig, 32, out->signature);
  out->authorization = asl_strfmt("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                  "Signature=%s",
                                  in->access_key, scope, signed_headers.data ? signed_headers.data : "",
                                  out->signature);
  out->canonical_request = asl_buf_steal(&cr, NULL);
  out->string_to_sign = sts;
  asl_free(scope);
  asl_buf_free(&signed_headers);
  return ASL_OK;
}

void asl_sigv4_output_free(asl_sigv4_output *out)
{
  asl_free(out->authorization);
  asl_free(out->canonical_request);
  asl_free(out->string_to_sign);
  memset(out, 0, sizeof *out);
}
