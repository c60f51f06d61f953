/* --check-auth: each request's SigV4 signature is computed again with the server's key pair
 * (include/aslrun/sigv4.h) and compared, and refused with AWS's errors and words: no signature
 * (MissingAuthenticationTokenException), a malformed one (IncompleteSignatureException), another
 * access key (UnrecognizedClientException), a date over 15 minutes off or a wrong signature
 * (InvalidSignatureException). Without --check-auth nothing here runs: any signature passes, as in
 * Step Functions Local. */
#include "internal.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "aslrun/sigv4.h"

#define SKEW_S (15 * 60)

static const char *param(const char *auth, const char *name, size_t *len)
{
  size_t n = strlen(name);
  for (const char *p = auth; (p = strstr(p, name)) != NULL; p += n) {
    if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[n] == '=') {
      const char *v = p + n + 1;
      const char *e = v;
      while (*e && *e != ',' && *e != ' ')
        e++;
      *len = (size_t)(e - v);
      return v;
    }
  }
  return NULL;
}

static bool parse_amz_date(const char *s, int64_t *out)
{
  struct tm tm = {0};
  if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
    return false;
  int v[6];
  int widths[6] = {4, 2, 2, 2, 2, 2};
  int offs[6] = {0, 4, 6, 9, 11, 13};
  for (int i = 0; i < 6; i++) {
    v[i] = 0;
    for (int k = 0; k < widths[i]; k++) {
      char c = s[offs[i] + k];
      if (c < '0' || c > '9')
        return false;
      v[i] = v[i] * 10 + (c - '0');
    }
  }
  tm.tm_year = v[0] - 1900;
  tm.tm_mon = v[1] - 1;
  tm.tm_mday = v[2];
  tm.tm_hour = v[3];
  tm.tm_min = v[4];
  tm.tm_sec = v[5];
  *out = (int64_t)timegm(&tm);
  return true;
}

static bool same(const char *a, const char *b, size_t n)
{
  unsigned char d = 0;
  for (size_t i = 0; i < n; i++)
    d |= (unsigned char)(a[i] ^ b[i]);
  return d == 0;
}

bool asl__auth_check(srv_request *rq, const asl_http_request *req)
{
  asl_sfn_server *s = rq->srv;
  const char *auth = asl_http_header_get(req, "Authorization");
  if (!auth)
    return asl__fail(rq, 400, "com.amazon.coral.service#MissingAuthenticationTokenException",
                     "Missing Authentication Token");
  static const char algo[] = "AWS4-HMAC-SHA256 ";
  size_t cl = 0;
  size_t hl = 0;
  size_t sl = 0;
  const char *cred = param(auth, "Credential", &cl);
  const char *signed_h = param(auth, "SignedHeaders", &hl);
  const char *sig = param(auth, "Signature", &sl);
  if (strncmp(auth, algo, sizeof algo - 1) != 0 || !cred || !signed_h || !sig)
    return asl__fail(rq, 400, "com.amazon.coral.service#IncompleteSignatureException",
                     "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                     "parameters (AWS4-HMAC-SHA256). Authorization=%.200s",
                     auth);
  /* Credential=KEY/DATE/REGION/SERVICE/aws4_request */
  char *c = asl_strndup(cred, cl);
  char *parts[5] = {0};
  size_t np = 0;
  for (char *p = c; np < 5;) {
    parts[np++] = p;
    char *slash = strchr(p, '/');
    if (!slash)
      break;
    *slash = '\0';
    p = slash + 1;
  }
  bool ok = false;
  if (np != 5 || strcmp(parts[4], "aws4_request") != 0 || strlen(parts[1]) != 8) {
    asl__fail(rq, 400, "com.amazon.coral.service#IncompleteSignatureException",
              "Credential should be scoped to a valid region, not '%.*s'", (int)cl, cred);
    goto out;
  }
  if (strcmp(parts[0], s->access_key) != 0) {
    asl__fail(rq, 400, "com.amazon.coral.service#UnrecognizedClientException",
              "The security token included in the request is invalid.");
    goto out;
  }
  const char *date = asl_http_header_get(req, "X-Amz-Date");
  int64_t t = 0;
  if (!parse_amz_date(date, &t) || strncmp(date, parts[1], 8) != 0) {
    asl__fail(rq, 400, "com.amazon.coral.service#IncompleteSignatureException",
              "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
              "header matching the credential scope.");
    goto out;
  }
  int64_t now = asl__now_ms() / 1000;
  if (t < now - SKEW_S || t > now + SKEW_S) {
    char a[17], b[17], n[17];
    asl_sigv4_amz_date(t, a);
    asl_sigv4_amz_date(t < now ? now - SKEW_S : now + SKEW_S, b);
    asl_sigv4_amz_date(now, n);
    asl__fail(rq, 400, "com.amazon.coral.service#InvalidSignatureException",
              "Signature expired: %s is now %s than %s (%s %s 15 min.)", a,
              t < now ? "earlier" : "later", b, n, t < now ? "-" : "+");
    goto out;
  }
  /* the headers it signed, with the values they arrived with */
  ASL_VEC(asl_sigv4_pair) hs = {0};
  char *names = asl_strndup(signed_h, hl);
  bool missing = false;
  for (char *p = names; p && *p && !missing;) {
    char *semi = strchr(p, ';');
    if (semi)
      *semi = '\0';
    for (size_t i = 0; i < req->n_headers; i++)
      if (strcasecmp(req->headers[i].name, p) == 0) {
        asl_sigv4_pair pr = {req->headers[i].name, req->headers[i].value};
        ASL_VEC_PUSH(hs, pr);
      }
    missing = !asl_http_header_get(req, p);
    p = semi ? semi + 1 : NULL;
  }
  const char *q = strchr(req->target, '?');
  char *path = q ? asl_strndup(req->target, (size_t)(q - req->target)) : asl_strdup(req->target);
  ASL_VEC(asl_sigv4_pair) qs = {0};
  char *query = q ? asl_strdup(q + 1) : NULL;
  for (char *p = query; p && *p;) {
    char *amp = strchr(p, '&');
    if (amp)
      *amp = '\0';
    char *eq = strchr(p, '=');
    if (eq)
      *eq = '\0';
    asl_sigv4_pair pr = {p, eq ? eq + 1 : ""};
    ASL_VEC_PUSH(qs, pr);
    p = amp ? amp + 1 : NULL;
  }
  asl_sigv4_input in = {.method = req->method, .path = path, .query = qs.items, .n_query = qs.len,
                        .headers = hs.items, .n_headers = hs.len, .body = req->body,
                        .body_len = req->body_len, .amz_date = date, .region = parts[2],
                        .service = parts[3], .access_key = s->access_key,
                        .secret_key = s->secret_key};
  asl_sigv4_output out;
  asl_error err = ASL_ERROR_INIT;
  if (missing || !asl_http_header_get(req, "Host")) {
    asl__fail(rq, 400, "com.amazon.coral.service#IncompleteSignatureException",
              "SignedHeaders names a header the request does not have (Host must be signed)");
  } else if (asl_sigv4_sign(&in, &out, &err) != ASL_OK) {
    asl__fail(rq, 500, "com.amazon.coral.service#InternalFailure", "cannot check signatures: %s",
              err.cause ? err.cause : "libcrypto failed");
    asl_error_clear(&err);
  } else {
    ok = sl == 64 && same(out.signature, sig, 64);
    if (!ok)
      asl__fail(rq, 400, "com.amazon.coral.service#InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.");
    asl_sigv4_output_free(&out);
  }
  ASL_VEC_FREE(hs);
  ASL_VEC_FREE(qs);
  asl_free(names);
  asl_free(path);
  asl_free(query);
out:
  asl_free(c);
  return ok;
}
