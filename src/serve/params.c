/* Request parameters checked as Step Functions checks them, with its words: "1 validation error
 * detected: Value null at 'name' failed to satisfy constraint: Member must not be null", InvalidArn
 * "Invalid Arn: 'Resource type not valid in this context: execution'", names with AWS's
 * forbidden characters; plus ARNs, timestamps and page tokens. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALIDATION "ValidationException"

static bool kind_error(srv_request *rq, const char *key, const char *want)
{
  return asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
                   "The value of '%s' must be %s", key, want);
}

const char *asl__param_str(srv_request *rq, const asl_json *body, const char *key, bool required,
                           size_t min, size_t max, bool *ok)
{
  *ok = true;
  const asl_json *v = asl_json_get_cstr(body, key);
  if (!v || asl_json_is_null(v)) {
    if (required)
      *ok = asl__fail(rq, 400, VALIDATION,
                      "1 validation error detected: Value null at '%s' failed to satisfy "
                      "constraint: Member must not be null",
                      key);
    return NULL;
  }
  if (!asl_json_is_string(v)) {
    *ok = kind_error(rq, key, "a string");
    return NULL;
  }
  const char *s = asl_json_str(v);
  size_t n = asl_utf16_len(s, asl_json_str_len(v));
  if (n < min || n > max) {
    *ok = asl__fail(rq, 400, VALIDATION,
                    "1 validation error detected: Value '%.300s' at '%s' failed to satisfy "
                    "constraint: Member must have length %s %zu",
                    s, key, n < min ? "greater than or equal to" : "less than or equal to",
                    n < min ? min : max);
    return NULL;
  }
  if (strlen(s) != asl_json_str_len(v)) {
    *ok = kind_error(rq, key, "a string without NUL characters");
    return NULL;
  }
  return s;
}

int64_t asl__param_int(srv_request *rq, const asl_json *body, const char *key, int64_t min,
                       int64_t max, int64_t dflt, bool *ok)
{
  *ok = true;
  const asl_json *v = asl_json_get_cstr(body, key);
  if (!v || asl_json_is_null(v))
    return dflt;
  if (asl_json_kind_of(v) != ASL_JSON_INT) {
    *ok = kind_error(rq, key, "an integer");
    return dflt;
  }
  int64_t i = asl_json_int_val(v);
  if (i < min || i > max) {
    *ok = asl__fail(rq, 400, VALIDATION,
                    "1 validation error detected: Value '%lld' at '%s' failed to satisfy "
                    "constraint: Member must have value %s %lld",
                    (long long)i, key,
                    i < min ? "greater than or equal to" : "less than or equal to",
                    (long long)(i < min ? min : max));
    return dflt;
  }
  return i;
}

bool asl__param_bool(srv_request *rq, const asl_json *body, const char *key, bool dflt, bool *ok)
{
  *ok = true;
  const asl_json *v = asl_json_get_cstr(body, key);
  if (!v || asl_json_is_null(v))
    return dflt;
  if (!asl_json_is_bool(v)) {
    *ok = kind_error(rq, key, "a boolean");
    return dflt;
  }
  return asl_json_bool_val(v);
}

const char *asl__param_enum(srv_request *rq, const asl_json *body, const char *key,
                            const char *const *values, bool *ok)
{
  const char *s = asl__param_str(rq, body, key, false, 0, SIZE_MAX, ok);
  if (!s)
    return NULL;
  for (const char *const *v = values; *v; v++)
    if (strcmp(*v, s) == 0)
      return s;
  asl_buf b = ASL_BUF_INIT;
  for (const char *const *v = values; *v; v++)
    asl_buf_printf(&b, "%s%s", v == values ? "" : ", ", *v);
  *ok = asl__fail(rq, 400, VALIDATION,
                  "1 validation error detected: Value '%.300s' at '%s' failed to satisfy "
                  "constraint: Member must satisfy enum value set: [%s]",
                  s, key, b.data);
  asl_buf_free(&b);
  return NULL;
}

/* AWS: 1-80 characters; no white space, brackets < > { } [ ], wildcards ? *, special characters
 * " # % \ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F, U+007F-009F). */
bool asl__name_valid(const char *name)
{
  size_t n = strlen(name);
  if (n == 0 || !asl_utf8_valid(name, n) || asl_utf16_len(name, n) > 80)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c <= 0x20 || c == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", c))
      return false;
    /* U+0080-009F and U+00A0 (no-break space) are C2 80..C2 A0 in UTF-8 */
    if (c == 0xC2 && i + 1 < n && (unsigned char)name[i + 1] <= 0xA0)
      return false;
  }
  return true;
}

char *asl__sm_arn(const asl_sfn_server *s, const char *name)
{
  return asl_strfmt("arn:aws:states:%s:%s:stateMachine:%s", s->region, s->account, name);
}

/* arn:PARTITION:states:REGION:ACCOUNT:TYPE:..., the resource type out in [type]; false when
 * [arn] does not start so. */
static bool split_arn(const char *arn, const char **type, size_t *type_len, const char **rest)
{
  const char *p = arn;
  const char *fields[6];
  for (int i = 0; i < 6; i++) {
    fields[i] = p;
    const char *colon = strchr(p, ':');
    if (!colon)
      return false;
    p = colon + 1;
  }
  if (strncmp(arn, "arn:", 4) != 0 || strncmp(fields[2], "states:", 7) != 0 ||
      fields[2] == fields[1])
    return false;
  *type = fields[5];
  *type_len = (size_t)(p - 1 - fields[5]);
  *rest = p;
  return true;
}

bool asl__arn_check(srv_request *rq, const char *arn, srv_arn_kind kind)
{
  const char *type;
  size_t tl;
  const char *rest;
  if (!split_arn(arn, &type, &tl, &rest))
    return asl__fail(rq, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %.300s'", arn);
  bool is_sm = tl == 12 && strncmp(type, "stateMachine", 12) == 0;
  bool is_exec = (tl == 9 && strncmp(type, "execution", 9) == 0) ||
                 (tl == 7 && strncmp(type, "express", 7) == 0);
  bool fits = kind == SRV_ARN_STATE_MACHINE ? is_sm : is_exec;
  if (!fits)
    return asl__fail(rq, 400, "InvalidArn",
                     "Invalid Arn: 'Resource type not valid in this context: %.*s'", (int)tl,
                     type);
  if (!*rest)
    return asl__fail(rq, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN resource: %.300s'", arn);
  return true;
}

asl_json *asl__timestamp(int64_t ms)
{
  if (ms % 1000 == 0)
    return asl_json_int(ms / 1000);
  return asl_json_double((double)ms / 1000.0);
}

/* ---- page tokens: "<kind>.<position>.<hash of the listing's key>" in hex, opaque to clients */

static uint32_t fnv1a(const char *s)
{
  uint32_t h = 2166136261u;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 16777619u;
  }
  return h;
}

char *asl__token_make(const char *kind, const char *key, int64_t pos)
{
  return asl_strfmt("%s.%llx.%08x", kind, (unsigned long long)pos, fnv1a(key));
}

bool asl__token_read(srv_request *rq, const char *token, const char *kind, const char *key,
                     int64_t *pos)
{
  size_t kl = strlen(kind);
  const char *p = token + kl + 1;
  char *end = NULL;
  unsigned long long v = 0;
  if (strncmp(token, kind, kl) == 0 && token[kl] == '.' && *p)
    v = strtoull(p, &end, 16);
  char want[16];
  snprintf(want, sizeof want, ".%08x", fnv1a(key));
  if (!end || end == p || strcmp(end, want) != 0 || v > INT64_MAX)
    return asl__fail(rq, 400, "InvalidToken", "Invalid Token: '%.300s'", token);
  *pos = (int64_t)v;
  return true;
}
