/* The lambda handler: a function served by the Lambda Invoke API over HTTP ("lambda" in
 * aslrun.json, and --lambda-endpoint for every function nothing else serves). Each invocation is
 * one POST /2015-03-31/functions/NAME/invocations (RequestResponse, log tail requested), signed
 * with SigV4 when credentials are configured, run by the registry's libcurl client on the loop;
 * the answer is turned into what Step Functions reports (reference lambda-invoke-api.md sections
 * 1-3, stepfunctions-errors.md 4.3). Result shapes are lambda.c's; credentials are
 * credentials.c's; the transport is curl_uv.c's. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "credentials.h"
#include "curl_uv.h"
#include "sigv4.h"
#include "spawn.h"

#define DEFAULT_TIMEOUT_S 905.0 /* Lambda's longest function timeout (900 s) and a margin */
#define CONNECT_TIMEOUT_MS 10000L
#define LOG_RESULT_CAP 65536 /* X-Amz-Log-Result is base64 of at most 4 KB */
#define SMALL_HEADER_CAP 256 /* request ids, versions, error names */
#define QUOTE_CAP 512        /* how much of an unparseable error body a cause quotes */

/* Lambda's modelled exceptions (botocore 1.43's lambda/2015-03-31 service model): the SDK
 * Step Functions uses raises these by name; any other error code becomes AWSLambdaException. */
static const char *const modelled[] = {
    "CallbackTimeoutException", "CapacityProviderLimitExceededException",
    "CodeSigningConfigNotFoundException", "CodeStorageExceededException",
    "CodeVerificationFailedException", "DurableExecutionAlreadyStartedException",
    "EC2AccessDeniedException", "EC2ThrottledException", "EC2UnexpectedException",
    "EFSIOException", "EFSMountConnectivityException", "EFSMountFailureException",
    "EFSMountTimeoutException", "ENILimitReachedException",
    "FunctionVersionsPerCapacityProviderLimitExceededException", "InvalidCodeSignatureException",
    "InvalidParameterValueException", "InvalidRequestContentException", "InvalidRuntimeException",
    "InvalidSecurityGroupIDException", "InvalidSubnetIDException", "InvalidZipFileException",
    "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException",
    "KMSNotFoundException", "NoPublishedVersionException", "PolicyLengthExceededException",
    "PreconditionFailedException", "ProvisionedConcurrencyConfigNotFoundException",
    "RecursiveInvocationException", "RequestTooLargeException", "ResourceConflictException",
    "ResourceInUseException", "ResourceNotFoundException", "ResourceNotReadyException",
    "S3FilesMountConnectivityException", "S3FilesMountFailureException",
    "S3FilesMountTimeoutException", "SerializedRequestEntityTooLargeException", "ServiceException",
    "SnapStartException", "SnapStartNotReadyException", "SnapStartTimeoutException",
    "SubnetIPAddressLimitReachedException", "TooManyRequestsException",
    "UnsupportedMediaTypeException"};

/* ---- endpoints ---- */

typedef struct endpoint {
  bool https;
  char *host;   /* the Host header: host[:port] as written */
  char *prefix; /* path before /2015-03-31, without a trailing '/'; "" when none */
} endpoint;

static void endpoint_free(endpoint *e)
{
  asl_free(e->host);
  asl_free(e->prefix);
}

static bool is_host_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

/* NULL and [out] filled, or why [url] is no endpoint. */
static const char *parse_endpoint(const char *url, endpoint *out)
{
  memset(out, 0, sizeof *out);
  const char *p;
  if (strncasecmp(url, "https://", 8) == 0) {
    out->https = true;
    p = url + 8;
  } else if (strncasecmp(url, "http://", 7) == 0) {
    p = url + 7;
  } else {
    return "must start with http:// or https://";
  }
  const char *host = p;
  if (*p == '[') { /* an IPv6 literal */
    p++;
    while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
           *p == ':' || *p == '.')
      p++;
    if (*p != ']' || p == host + 1)
      return "has a malformed IPv6 address (expected [ADDRESS])";
    p++;
  } else {
    while (is_host_char(*p))
      p++;
    if (p == host)
      return "has no host name";
  }
  if (*p == ':') {
    const char *port = ++p;
    long v = 0;
    while (*p >= '0' && *p <= '9' && v <= 65535)
      v = v * 10 + (*p++ - '0');
    if (p == port || v < 1 || v > 65535 || (*p >= '0' && *p <= '9'))
      return "has a port that is not a number from 1 to 65535";
  }
  if (*p == '@')
    return "must not contain user credentials (user@host)";
  if (*p && *p != '/')
    return "has a character that is not allowed in a host name";
  const char *path = p;
  for (; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch <= ' ' || ch == 0x7F || ch == '?' || ch == '#' || ch == '"' || ch == '\\')
      return "must not have a query, a fragment, spaces or control characters";
  }
  size_t plen = strlen(path);
  while (plen && path[plen - 1] == '/')
    plen--;
  out->host = asl_strndup(host, (size_t)(path - host));
  out->prefix = asl_strndup(path, plen);
  return NULL;
}

const char *asl__endpoint_problem(const char *url)
{
  endpoint e;
  const char *why = parse_endpoint(url, &e);
  endpoint_free(&e);
  return why;
}

static bool valid_region(const char *r)
{
  if (!r[0] || strlen(r) > 64)
    return false;
  for (; *r; r++)
    if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
      return false;
  return true;
}

static const char *partition_of(const char *region)
{
  if (strncmp(region, "cn-", 3) == 0)
    return "aws-cn";
  if (strncmp(region, "us-gov-", 7) == 0)
    return "aws-us-gov";
  return "aws";
}

/* ---- per function: the settings, read once ---- */

typedef struct lambda_fn {
  asl__aws_settings aws;
  bool told_unsigned;
} lambda_fn;

static void lambda_fn_free(asl__fn *f)
{
  lambda_fn *lf = f->impl;
  if (!lf)
    return;
  asl__aws_settings_free(&lf->aws);
  asl_free(lf);
  f->impl = NULL;
}

/* ---- per call ---- */

typedef struct lambda_call {
  asl_task_call *c;
  asl__http *http;
  const asl__curl_api *api;
  CURL *easy;
  struct curl_slist *headers;
  char *method_url; /* "POST URL", for messages */
  asl_buf body;
  bool too_big;
  /* from the final response's headers */
  char *status_line;
  char *function_error, *log_result, *request_id, *executed_version, *error_type;
  bool log_too_long;
  char *note; /* said in this call's log (no credentials: unsigned requests) */
  char errbuf[CURL_ERROR_SIZE];
} lambda_call;

static void reset_response_headers(lambda_call *lc)
{
  char **fields[] = {&lc->status_line, &lc->function_error, &lc->log_result, &lc->request_id,
                     &lc->executed_version, &lc->error_type};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    asl_free(*fields[i]);
    *fields[i] = NULL;
  }
  lc->log_too_long = false;
}

static void call_free(lambda_call *lc)
{
  if (lc->easy)
    lc->api->easy_cleanup(lc->easy);
  if (lc->headers)
    lc->api->slist_free_all(lc->headers);
  reset_response_headers(lc);
  asl_buf_free(&lc->body);
  asl_free(lc->method_url);
  asl_free(lc->note);
  asl_free(lc);
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
  lambda_call *lc = data;
  size_t len = size * n;
  if (lc->body.len + len > ASL_RESPONSE_LIMIT) {
    lc->too_big = true;
    return 0; /* ends the transfer with CURLE_WRITE_ERROR */
  }
  asl_buf_add(&lc->body, p, len);
  return len;
}

static bool header_is(const char *line, size_t n, const char *name, const char **value,
                      size_t *vlen)
{
  size_t nl = strlen(name);
  if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
    return false;
  const char *v = line + nl + 1;
  const char *end = line + n;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  *value = v;
  *vlen = (size_t)(end - v);
  return true;
}

static size_t on_header(char *line, size_t size, size_t n, void *data)
{
  lambda_call *lc = data;
  size_t len = size * n;
  const char *v;
  size_t vl;
  if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
    /* a new response (after a 100 Continue, say): only the last one's headers count */
    reset_response_headers(lc);
    size_t e = len;
    while (e && (line[e - 1] == '\r' || line[e - 1] == '\n'))
      e--;
    lc->status_line = asl_strndup(line, e < SMALL_HEADER_CAP ? e : SMALL_HEADER_CAP);
  } else if (header_is(line, len, "X-Amz-Log-Result", &v, &vl)) {
    asl_free(lc->log_result);
    lc->log_result = NULL;
    lc->log_too_long = vl > LOG_RESULT_CAP;
    if (!lc->log_too_long)
      lc->log_result = asl_strndup(v, vl);
  } else {
    static const struct {
      const char *name;
      size_t offset;
    } small[] = {{"X-Amz-Function-Error", offsetof(lambda_call, function_error)},
                 {"x-amzn-RequestId", offsetof(lambda_call, request_id)},
                 {"X-Amz-Executed-Version", offsetof(lambda_call, executed_version)},
                 {"x-amzn-ErrorType", offsetof(lambda_call, error_type)}};
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
      if (header_is(line, len, small[i].name, &v, &vl)) {
        char **slot = (char **)((char *)lc + small[i].offset);
        asl_free(*slot);
        *slot = asl_strndup(v, vl < SMALL_HEADER_CAP ? vl : SMALL_HEADER_CAP);
        break;
      }
    }
  }
  return len;
}

/* Decodes base64 [s] into [out]; false when it is not base64. NUL bytes become spaces: the log
 * is text. */
static bool b64_decode(const char *s, asl_buf *out)
{
  size_t n = strlen(s);
  size_t from = out->len;
  asl_buf_add(out, "", 0);
  size_t used = asl_base64_decode(s, n, ASL_BASE64_URL, out);
  for (size_t i = from; i < out->len; i++)
    if (out->data[i] == '\0')
      out->data[i] = ' ';
  return used == n || s[used] == '=';
}

/* What this call logged: the note, then the decoded log tail. */
static char *call_log(lambda_call *lc)
{
  asl_buf b = ASL_BUF_INIT;
  if (lc->note)
    asl_buf_printf(&b, "%s\n", lc->note);
  if (lc->log_too_long)
    asl_buf_printf(&b, "aslrun: the endpoint sent an X-Amz-Log-Result over %d bytes; not "
                       "decoded\n",
                   LOG_RESULT_CAP);
  if (lc->log_result && !b64_decode(lc->log_result, &b))
    asl_buf_adds(&b, "aslrun: the endpoint's X-Amz-Log-Result is not base64\n");
  return b.len ? asl_buf_steal(&b, NULL) : (asl_buf_free(&b), NULL);
}

static bool is_modelled(const char *code)
{
  for (size_t i = 0; i < sizeof modelled / sizeof *modelled; i++)
    if (strcmp(code, modelled[i]) == 0)
      return true;
  return false;
}

/* The error code of a header or body value: "prefix#Code:detail" -> "Code". */
static char *clean_code(const char *s, size_t n)
{
  const char *colon = memchr(s, ':', n);
  if (colon)
    n = (size_t)(colon - s);
  for (size_t i = n; i > 0; i--) {
    if (s[i - 1] == '#') {
      n -= i;
      s += i;
      break;
    }
  }
  while (n && (*s == ' '))
    s++, n--;
  while (n && s[n - 1] == ' ')
    n--;
  return n ? asl_strndup(s, n) : NULL;
}

static const char *json_str_field(const asl_json *o, const char *a, const char *b)
{
  const asl_json *v = asl_json_get_cstr(o, a);
  if (!v || !asl_json_is_string(v))
    v = b ? asl_json_get_cstr(o, b) : NULL;
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

/* A non-2xx answer: the service's own error, named as the SDK names it (reference section 3). */
static void service_error(lambda_call *lc, long status)
{
  asl_task_call *c = lc->c;
  asl_error perr = ASL_ERROR_INIT;
  asl_json *body = lc->body.len ? asl_json_parse(lc->body.data, lc->body.len, NULL, &perr) : NULL;
  asl_error_clear(&perr);
  if (body && !asl_json_is_object(body)) {
    asl_json_decref(body);
    body = NULL;
  }
  char *code = lc->error_type ? clean_code(lc->error_type, strlen(lc->error_type)) : NULL;
  if (!code && body) {
    const char *bc = json_str_field(body, "code", "Code");
    if (!bc)
      bc = json_str_field(body, "__type", NULL);
    if (bc)
      code = clean_code(bc, strlen(bc));
  }
  const char *message = body ? json_str_field(body, "message", "Message") : NULL;
  char *fallback = NULL;
  if (!message) {
    if (lc->body.len && !body) {
      /* not JSON: quote the start of it, printable characters only */
      asl_buf q = ASL_BUF_INIT;
      for (size_t i = 0; i < lc->body.len && q.len < QUOTE_CAP; i++) {
        unsigned char ch = (unsigned char)lc->body.data[i];
        asl_buf_addc(&q, ch >= ' ' && ch != 0x7F ? (char)ch : ' ');
      }
      if (lc->body.len > QUOTE_CAP)
        asl_buf_adds(&q, "...");
      fallback = asl_buf_steal(&q, NULL);
    } else if (lc->status_line && strchr(lc->status_line, ' ') &&
               strchr(strchr(lc->status_line, ' ') + 1, ' ')) {
      fallback = asl_strdup(strchr(strchr(lc->status_line, ' ') + 1, ' ') + 1); /* reason */
    } else {
      fallback = asl_strfmt("HTTP status %ld", status);
    }
    message = fallback;
  }
  const char *exception;
  if (code)
    exception = is_modelled(code) ? code : "AWSLambdaException";
  else
    exception = status == 500 ? "ServiceException" : "AWSLambdaException";
  asl__call_service_error_id(c, exception, code, (int)status, message, lc->request_id);
  asl_free(fallback);
  asl_free(code);
  asl_json_decref(body);
}

/* An injected fault (handler.h): the endpoint's answer, whatever it was, becomes the one Lambda
 * gives when it throttles the function (429 TooManyRequestsException, "Rate Exceeded.") or fails
 * itself (500 ServiceException), and is mapped as such an answer is. The request id stays the
 * endpoint's. */
static void inject_status(lambda_call *lc, long *status)
{
  bool throttled = lc->c->fault == ASL_TASK_FAULT_HTTP_429;
  *status = throttled ? 429 : 500;
  asl_free(lc->status_line);
  lc->status_line = asl_strdup(throttled ? "HTTP/1.1 429 Too Many Requests"
                                         : "HTTP/1.1 500 Internal Server Error");
  asl_free(lc->error_type);
  lc->error_type = asl_strdup(throttled ? "TooManyRequestsException" : "ServiceException");
  asl_free(lc->function_error);
  lc->function_error = NULL;
  lc->body.len = 0;
  asl_buf_adds(&lc->body, throttled ? "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\","
                                      "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}"
                                    : "{\"Type\":\"Service\",\"message\":\"An error occurred and "
                                      "the request cannot be processed.\"}");
}

static void on_done(void *data, CURL *easy, CURLcode code)
{
  lambda_call *lc = data;
  asl_task_call *c = lc->c;
  c->impl = NULL;
  long status = 0;
  lc->api->easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && (c->fault == ASL_TASK_FAULT_HTTP_429 || c->fault == ASL_TASK_FAULT_HTTP_500))
    inject_status(lc, &status);
  char *log = call_log(lc);
  if (code == CURLE_WRITE_ERROR && lc->too_big && status / 100 == 2 && !lc->function_error) {
    /* what Lambda itself answers for a function whose result is over the limit */
    asl_buf p = ASL_BUF_INIT;
    asl_buf_printf(&p, "{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":"
                       "\"Response payload size exceeded maximum allowed payload size (%d "
                       "bytes).\"}",
                   ASL_RESPONSE_LIMIT);
    asl__call_function_done(c, p.data, p.len, true, log);
    asl_buf_free(&p);
  } else if (code != CURLE_OK) {
    /* no valid answer: the SDK's client-side failure (reference stepfunctions-errors 4.3) */
    const char *why = lc->too_big ? NULL : lc->errbuf[0] ? lc->errbuf : lc->api->easy_strerror(code);
    if (lc->too_big)
      asl__call_fail(c, "Lambda.SdkClientException",
                     "Unable to execute HTTP request: the response is larger than %d bytes (%s)",
                     ASL_RESPONSE_LIMIT, lc->method_url);
    else
      asl__call_fail(c, "Lambda.SdkClientException", "Unable to execute HTTP request: %s (%s)",
                     why, lc->method_url);
  } else if (status / 100 == 2) {
    if (lc->request_id && strlen(lc->request_id) < sizeof c->request_id)
      memcpy(c->request_id, lc->request_id, strlen(lc->request_id) + 1);
    if (lc->executed_version) {
      asl_free(c->executed_version);
      c->executed_version = asl_strdup(lc->executed_version);
    }
    asl__call_function_done(c, lc->body.data ? lc->body.data : "", lc->body.len,
                            lc->function_error != NULL, log);
  } else {
    service_error(lc, status);
  }
  asl_free(log);
  call_free(lc);
}

/* ---- starting a call ---- */

static asl_status start_error(asl_task_call *c, asl_error *err, const char *why)
{
  char *msg = asl_strdup(why);
  asl_error_clear(err);
  asl_error_set(err, ASL_E_USAGE, "States.Runtime", "cannot call Lambda function \"%s\": %s",
                c->target.name, msg);
  asl_free(msg);
  return ASL_E_USAGE;
}

static void add_header(lambda_call *lc, asl__sigv4_pair *signed_h, size_t *n, const char *name,
                       const char *value, bool sign)
{
  char *line = asl_strfmt("%s: %s", name, value);
  lc->headers = lc->api->slist_append(lc->headers, line);
  asl_free(line);
  if (sign)
    signed_h[(*n)++] = (asl__sigv4_pair){name, value};
}

static asl_status lambda_invoke(asl_task_call *c, asl_error *err)
{
  asl__fn *f = c->fn;
  asl__http *http = asl__handlers_http(c->reg, err);
  if (!http)
    return start_error(c, err, err->cause);
  lambda_fn *lf = f->impl;
  if (!lf) {
    lf = asl_calloc(1, sizeof *lf);
    if (asl__aws_settings_load(f->profile, "lambda", &lf->aws, err) != ASL_OK) {
      asl_free(lf);
      return start_error(c, err, err->cause);
    }
    f->impl = lf;
  }
  const char *region = f->region ? f->region
                       : c->target.region_given ? c->target.region
                       : lf->aws.region         ? lf->aws.region
                                                : c->target.region;
  if (!valid_region(region)) {
    char *why = asl_strfmt("\"%s\" is not an AWS region name", region);
    asl_status st = start_error(c, err, why);
    asl_free(why);
    return st;
  }
  char *standard = NULL;
  const char *url = f->endpoint ? f->endpoint : lf->aws.endpoint;
  if (!url) {
    standard = asl_strfmt("https://lambda.%s.amazonaws.com%s", region,
                          strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
    url = standard;
  }
  endpoint ep;
  const char *bad = parse_endpoint(url, &ep);
  if (bad) {
    char *why = asl_strfmt("the endpoint \"%s\" (from %s) %s", url,
                           lf->aws.endpoint_source ? lf->aws.endpoint_source : "the settings", bad);
    asl_status st = start_error(c, err, why);
    asl_free(why);
    endpoint_free(&ep);
    asl_free(standard);
    return st;
  }

  /* the function as the Task named it: a full ARN keeps its account and region (cross-account
   * calls), a partial ARN its account; the qualifier goes in the query string */
  asl_buf fid = ASL_BUF_INIT;
  if (c->target.region_given)
    asl_buf_printf(&fid, "arn:%s:lambda:%s:%s:function:%s", partition_of(c->target.region),
                   c->target.region, c->target.account, c->target.name);
  else if (c->target.account_given)
    asl_buf_printf(&fid, "%s:function:%s", c->target.account, c->target.name);
  else
    asl_buf_adds(&fid, c->target.name);
  const char *qualifier = c->target.qualifier ? c->target.qualifier : f->qualifier;
  asl_buf path = ASL_BUF_INIT;
  asl_buf_printf(&path, "%s/2015-03-31/functions/", ep.prefix);
  asl__uri_encode(&path, fid.data, fid.len, false);
  asl_buf_adds(&path, "/invocations");
  asl_buf full = ASL_BUF_INIT;
  asl_buf_printf(&full, "%s://%s%s", ep.https ? "https" : "http", ep.host, path.data);
  if (qualifier) {
    asl_buf_adds(&full, "?Qualifier=");
    asl__uri_encode(&full, qualifier, strlen(qualifier), false);
  }

  lambda_call *lc = asl_calloc(1, sizeof *lc);
  lc->c = c;
  lc->http = http;
  lc->api = asl__http_api(http);
  lc->method_url = asl_strfmt("POST %s", full.data);
  if (!lf->aws.access_key && !lf->told_unsigned) {
    lc->note = asl_strfmt("aslrun: no AWS credentials found (looked at %s); requests to %s are "
                          "sent unsigned",
                          lf->aws.searched, url);
    lf->told_unsigned = true;
  }

  /* headers: what Step Functions' SDK sends, every x-amz-* one signed */
  char amz_date[17];
  uv_timeval64_t now;
  /* SigV4 needs the wall clock, whatever the execution's (maybe virtual) clock says */
  asl__amz_date(uv_gettimeofday(&now) == 0 ? now.tv_sec : 0, amz_date);
  asl__sigv4_pair to_sign[8];
  size_t n_sign = 0;
  add_header(lc, to_sign, &n_sign, "Host", ep.host, true);
  add_header(lc, to_sign, &n_sign, "X-Amz-Date", amz_date, true);
  add_header(lc, to_sign, &n_sign, "X-Amz-Invocation-Type", "RequestResponse", true);
  add_header(lc, to_sign, &n_sign, "X-Amz-Log-Type", "Tail", true);
  add_header(lc, to_sign, &n_sign, "Content-Type", "application/json", true);
  if (lf->aws.access_key && lf->aws.session_token)
    add_header(lc, to_sign, &n_sign, "X-Amz-Security-Token", lf->aws.session_token, true);
  asl_status st = ASL_OK;
  if (lf->aws.access_key) {
    asl__sigv4_pair q = {"Qualifier", qualifier};
    asl__sigv4_input in = {.method = "POST", .path = path.data, .query = qualifier ? &q : NULL,
                           .n_query = qualifier ? 1 : 0, .headers = to_sign,
                           .n_headers = n_sign, .body = c->event, .body_len = c->event_len,
                           .amz_date = amz_date, .region = region, .service = "lambda",
                           .access_key = lf->aws.access_key, .secret_key = lf->aws.secret_key};
    asl__sigv4_output out;
    st = asl__sigv4_sign(&in, &out, err);
    if (st == ASL_OK)
      add_header(lc, NULL, &n_sign, "Authorization", out.authorization, false);
    asl__sigv4_output_free(&out);
  }
  /* no "Expect: 100-continue" round trip for large payloads, no Accept the SDKs do not send */
  lc->headers = lc->api->slist_append(lc->headers, "Expect:");
  lc->headers = lc->api->slist_append(lc->headers, "Accept:");
  lc->headers = lc->api->slist_append(lc->headers, "User-Agent: aslrun");

  if (st == ASL_OK) {
    const asl__curl_api *api = lc->api;
    CURL *e = api->easy_init();
    lc->easy = e;
    double timeout_s = f->timeout_s > 0 ? f->timeout_s : DEFAULT_TIMEOUT_S;
    long timeout_ms = (long)(timeout_s * 1000.0);
    if (!e) {
      st = asl_error_set(err, ASL_E_IO, NULL, "curl_easy_init failed");
    } else {
      api->easy_setopt(e, CURLOPT_URL, full.data);
      api->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->event_len);
      api->easy_setopt(e, CURLOPT_POSTFIELDS, c->event ? c->event : "");
      api->easy_setopt(e, CURLOPT_HTTPHEADER, lc->headers);
      api->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
      api->easy_setopt(e, CURLOPT_WRITEDATA, (void *)lc);
      api->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
      api->easy_setopt(e, CURLOPT_HEADERDATA, (void *)lc);
      api->easy_setopt(e, CURLOPT_ERRORBUFFER, lc->errbuf);
      api->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      api->easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
      api->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                       timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS);
      if (lf->aws.ca_bundle)
        api->easy_setopt(e, CURLOPT_CAINFO, lf->aws.ca_bundle);
      st = asl__http_start(http, e, on_done, lc, err);
    }
  }
  asl_buf_free(&fid);
  asl_buf_free(&path);
  asl_buf_free(&full);
  endpoint_free(&ep);
  asl_free(standard);
  if (st != ASL_OK) {
    if (lc->note)
      lf->told_unsigned = false; /* not said after all */
    call_free(lc);
    return start_error(c, err, err->cause);
  }
  c->impl = lc;
  return ASL_OK;
}

static void lambda_cancel(asl_task_call *c)
{
  lambda_call *lc = c->impl;
  if (!lc)
    return;
  c->impl = NULL;
  asl__http_stop(lc->http, lc->easy);
  call_free(lc);
  asl__call_release(c);
}

const asl__fn_ops asl__lambda_http_ops = {lambda_invoke, lambda_cancel, lambda_fn_free};
