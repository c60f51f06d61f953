/* What a Task's Resource may be: a Lambda function ARN, an activity ARN, one of Step Functions'
 * optimized service integrations ("arn:aws:states:::SERVICE:ACTION[.sync|.sync:2|
 * .waitForTaskToken]") or an AWS SDK integration ("arn:aws:states:::aws-sdk:SERVICE:ACTION").
 * AWS refuses anything else at creation (conformance validation/test_invalid_integration:
 * "dynamodb:query" is not an optimized DynamoDB action). Which handler runs a resource is the
 * handlers' registry's concern. */
#include "internal.h"

#include <string.h>

typedef struct integration {
  const char *service;
  const char *const *actions; /* NULL: the service's actions are not checked here */
} integration;

static const char *const lambda_actions[] = {"invoke", NULL};
static const char *const sns_actions[] = {"publish", NULL};
static const char *const sqs_actions[] = {"sendMessage", NULL};
static const char *const dynamodb_actions[] = {"getItem", "putItem", "updateItem", "deleteItem",
                                               NULL};
static const char *const states_actions[] = {"startExecution", NULL};
static const char *const events_actions[] = {"putEvents", NULL};
static const char *const apigateway_actions[] = {"invoke", NULL};
static const char *const batch_actions[] = {"submitJob", NULL};
static const char *const glue_actions[] = {"startJobRun", NULL};
static const char *const ecs_actions[] = {"runTask", NULL};
static const char *const http_actions[] = {"invoke", NULL};

/* The optimized integrations of the Step Functions developer guide ("Integrating optimized
 * services"); actions listed where the guide's list is short and stable. */
static const integration integrations[] = {
    {"lambda", lambda_actions},
    {"sns", sns_actions},
    {"sqs", sqs_actions},
    {"dynamodb", dynamodb_actions},
    {"states", states_actions},
    {"events", events_actions},
    {"apigateway", apigateway_actions},
    {"batch", batch_actions},
    {"glue", glue_actions},
    {"ecs", ecs_actions},
    {"http", http_actions},
    {"athena", NULL},
    {"bedrock", NULL},
    {"codebuild", NULL},
    {"databrew", NULL},
    {"eks", NULL},
    {"elasticmapreduce", NULL},
    {"emr-containers", NULL},
    {"emr-serverless", NULL},
    {"mediaconvert", NULL},
    {"sagemaker", NULL},
};
#define INTEGRATION_COUNT (sizeof integrations / sizeof integrations[0])

typedef struct span {
  const char *p;
  size_t n;
} span;

static bool span_is(span s, const char *lit)
{
  return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* Splits [s] at its first [n_parts - 1] colons; the last part keeps any further colons. */
static size_t split(const char *s, size_t len, span *parts, size_t n_parts)
{
  size_t k = 0;
  size_t start = 0;
  for (size_t i = 0; i < len && k + 1 < n_parts; i++) {
    if (s[i] == ':') {
      parts[k++] = (span){s + start, i - start};
      start = i + 1;
    }
  }
  parts[k++] = (span){s + start, len - start};
  return k;
}

static bool all_digits(span s)
{
  if (s.n == 0)
    return false;
  for (size_t i = 0; i < s.n; i++)
    if (s.p[i] < '0' || s.p[i] > '9')
      return false;
  return true;
}

static bool is_name(span s)
{
  if (s.n == 0 || s.n > 256)
    return false;
  for (size_t i = 0; i < s.n; i++) {
    char ch = s.p[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_' || ch == '.' || ch == '$'))
      return false;
  }
  return true;
}

static void bad_resource(state_ctx *c, const char *why)
{
  char *got = asl__describe(c->f[F_RESOURCE].v);
  asl__sdiag(c, F_RESOURCE, false, "Resource %s is not %s", got, why);
  asl_free(got);
}

/* "function:NAME[:QUALIFIER]" of a Lambda ARN. */
static void check_lambda(state_ctx *c, span region, span account, span rest)
{
  span p[3];
  size_t n = split(rest.p, rest.n, p, 3);
  if (region.n == 0 || !all_digits(account) || n < 2 || !span_is(p[0], "function") ||
      !is_name(p[1]) || (n == 3 && !is_name(p[2])))
    bad_resource(c, "a Lambda function ARN: write "
                    "\"arn:aws:lambda:REGION:ACCOUNT:function:NAME\" (optionally \":VERSION\" "
                    "or \":ALIAS\")");
}

/* The part after "arn:aws:states:::". */
static void check_integration(state_ctx *c, span rest)
{
  /* the integration pattern, when given, ends the resource */
  static const char *const patterns[] = {".sync:2", ".sync", ".waitForTaskToken"};
  span body = rest;
  for (size_t i = 0; i < 3; i++) {
    size_t n = strlen(patterns[i]);
    if (body.n > n && memcmp(body.p + body.n - n, patterns[i], n) == 0) {
      body.n -= n;
      break;
    }
  }
  span p[3];
  size_t n = split(body.p, body.n, p, 3);
  if (n >= 1 && span_is(p[0], "aws-sdk")) {
    if (n != 3 || p[1].n == 0 || p[2].n == 0 || memchr(p[2].p, ':', p[2].n))
      bad_resource(c, "a valid AWS SDK integration: write "
                      "\"arn:aws:states:::aws-sdk:SERVICE:ACTION\", e.g. "
                      "\"arn:aws:states:::aws-sdk:s3:getObject\"");
    return;
  }
  if (n != 2 || p[0].n == 0 || p[1].n == 0) {
    bad_resource(c, "a valid service integration: write \"arn:aws:states:::SERVICE:ACTION\", "
                    "e.g. \"arn:aws:states:::lambda:invoke\", or "
                    "\"arn:aws:states:::aws-sdk:SERVICE:ACTION\" for any AWS API");
    return;
  }
  for (size_t i = 0; i < INTEGRATION_COUNT; i++) {
    const integration *in = &integrations[i];
    if (!span_is(p[0], in->service))
      continue;
    if (!in->actions)
      return;
    asl_buf list = ASL_BUF_INIT;
    for (size_t a = 0; in->actions[a]; a++) {
      if (span_is(p[1], in->actions[a])) {
        asl_buf_free(&list);
        return;
      }
      asl_buf_printf(&list, "%s%s", a ? ", " : "", in->actions[a]);
    }
    char *why = asl_strfmt(
        "a Step Functions integration: the optimized %s integration has %s; for other actions "
        "use the AWS SDK integration \"arn:aws:states:::aws-sdk:%s:%.*s\"",
        in->service, list.data, in->service, (int)p[1].n, p[1].p);
    bad_resource(c, why);
    asl_free(why);
    asl_buf_free(&list);
    return;
  }
  char *why = asl_strfmt("a Step Functions integration: there is no optimized \"%.*s\" "
                         "integration; for any AWS API use \"arn:aws:states:::aws-sdk:%.*s:%.*s\"",
                         (int)p[0].n, p[0].p, (int)p[0].n, p[0].p, (int)p[1].n, p[1].p);
  bad_resource(c, why);
  asl_free(why);
}

void asl__check_resource(state_ctx *c, const char *res, size_t len)
{
  span p[6];
  size_t n = split(res, len, p, 6);
  if (n < 6 || !span_is(p[0], "arn") || p[1].n == 0) {
    bad_resource(c, "an ARN; a Task runs a Lambda function "
                    "(\"arn:aws:lambda:REGION:ACCOUNT:function:NAME\"), a service integration "
                    "(\"arn:aws:states:::SERVICE:ACTION\") or an activity "
                    "(\"arn:aws:states:REGION:ACCOUNT:activity:NAME\")");
    return;
  }
  span service = p[2], region = p[3], account = p[4], rest = p[5];
  if (span_is(service, "lambda")) {
    check_lambda(c, region, account, rest);
    return;
  }
  if (!span_is(service, "states")) {
    bad_resource(c, "something a Task can run: use a Lambda function ARN, "
                    "\"arn:aws:states:::SERVICE:ACTION\" for a service integration, or "
                    "\"arn:aws:states:::aws-sdk:SERVICE:ACTION\" for any AWS API");
    return;
  }
  if (region.n == 0 && account.n == 0) {
    check_integration(c, rest);
    return;
  }
  span q[2];
  size_t k = split(rest.p, rest.n, q, 2);
  if (region.n == 0 || !all_digits(account) || k != 2 || !span_is(q[0], "activity") ||
      !is_name(q[1]))
    bad_resource(c, "a service integration or an activity: write "
                    "\"arn:aws:states:::SERVICE:ACTION\" (no region or account) or "
                    "\"arn:aws:states:REGION:ACCOUNT:activity:NAME\"");
}
