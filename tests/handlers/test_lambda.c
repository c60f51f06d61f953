/* The resource styles' shared pieces (lambda.c): function names in every form Lambda accepts,
 * the lambda:invoke envelope exactly as recorded, base64 for LogResult. */
#include "harness.h"
#include "../../src/handlers/internal.h"

static void test_names(void)
{
  asl__lambda_target t;
  asl_error err = ASL_ERROR_INIT;
  const char *arn = "arn:aws:lambda:eu-west-1:111111111111:function:fn-1:prod";
  CHECK(asl__lambda_parse_arn(arn, strlen(arn), &t));
  CHECK_STR(t.name, "fn-1");
  CHECK_STR(t.qualifier, "prod");
  CHECK_STR(t.region, "eu-west-1");
  CHECK_STR(t.account, "111111111111");
  CHECK_STR(t.arn, arn);
  asl__lambda_target_free(&t);
  CHECK(!asl__lambda_parse_arn("arn:aws:lambda:eu-west-1:111:function:", 38, &t));
  CHECK(!asl__lambda_parse_arn("arn:aws:states:::lambda:invoke", 30, &t));

  static const struct {
    const char *in, *name, *qual, *arn;
  } ok[] = {
      {"fn", "fn", NULL, "arn:aws:lambda:us-east-1:123456789012:function:fn"},
      {"fn:$LATEST", "fn", "$LATEST", "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"},
      {"fn:7", "fn", "7", "arn:aws:lambda:us-east-1:123456789012:function:fn:7"},
      {"111111111111:function:fn", "fn", NULL, "arn:aws:lambda:us-east-1:111111111111:function:fn"},
      {"111111111111:function:fn:live", "fn", "live",
       "arn:aws:lambda:us-east-1:111111111111:function:fn:live"},
      {"arn:aws:lambda:ap-south-1:222222222222:function:fn", "fn", NULL,
       "arn:aws:lambda:ap-south-1:222222222222:function:fn"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    CHECK(asl__lambda_parse_name(ok[i].in, strlen(ok[i].in), "us-east-1", "123456789012", &t,
                                 &err) == ASL_OK);
    CHECK_STR(t.name, ok[i].name);
    if (ok[i].qual)
      CHECK_STR(t.qualifier, ok[i].qual);
    else
      CHECK(t.qualifier == NULL);
    CHECK_STR(t.arn, ok[i].arn);
    asl__lambda_target_free(&t);
  }
  static const char *const bad[] = {"", "a b", "fn:", "fn:a:b", "x:function:fn", "fn:qu@l"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(asl__lambda_parse_name(bad[i], strlen(bad[i]), "us-east-1", "123456789012", &t, &err) !=
          ASL_OK);
    asl_error_clear(&err);
  }
  char *region, *account;
  asl_json *ctx = J("{\"Execution\": {\"Id\": \"arn:aws:states:eu-north-1:999999999999:execution:M:E\"}}");
  asl__lambda_context_account(ctx, &region, &account);
  CHECK_STR(region, "eu-north-1");
  CHECK_STR(account, "999999999999");
  asl_free(region);
  asl_free(account);
  asl__lambda_context_account(NULL, &region, &account);
  CHECK_STR(region, "us-east-1");
  CHECK_STR(account, "123456789012");
  asl_free(region);
  asl_free(account);
  asl_json_decref(ctx);
}

static void test_envelope(void)
{
  asl_task_call c;
  memset(&c, 0, sizeof c);
  const char *arn = "arn:aws:lambda:us-east-1:111111111111:function:lambda_1";
  CHECK(asl__lambda_parse_arn(arn, strlen(arn), &c.target));
  strcpy(c.request_id, "0b1f4e6c-5d7a-4c1e-9a3b-2f6d8e0c1a2b");
  c.now_ms = 1795946059000; /* 2026-11-29T09:54:19Z */
  /* Python's spaced serialisation: Content-Length counts those bytes (recorded: 23) */
  const char *payload = "{\"body\": \"string body\"}";
  asl_json *env = asl__lambda_envelope(&c, payload, strlen(payload), NULL);
  CHECK_JSON(env,
             "{\"ExecutedVersion\":\"$LATEST\",\"Payload\":{\"body\":\"string body\"},"
             "\"SdkHttpMetadata\":{\"AllHttpHeaders\":{\"X-Amz-Executed-Version\":[\"$LATEST\"],"
             "\"x-amzn-Remapped-Content-Length\":[\"0\"],\"Connection\":[\"keep-alive\"],"
             "\"x-amzn-RequestId\":[\"0b1f4e6c-5d7a-4c1e-9a3b-2f6d8e0c1a2b\"],"
             "\"Content-Length\":[\"23\"],\"Date\":[\"Sun, 29 Nov 2026 09:54:19 GMT\"],"
             "\"X-Amzn-Trace-Id\":[\"root=1-6b0bf64b-0b1f4e6c5d7a4c1e2f6d8e0c;sampled=0\"],"
             "\"Content-Type\":[\"application/json\"]},"
             "\"HttpHeaders\":{\"Connection\":\"keep-alive\",\"Content-Length\":\"23\","
             "\"Content-Type\":\"application/json\",\"Date\":\"Sun, 29 Nov 2026 09:54:19 GMT\","
             "\"X-Amz-Executed-Version\":\"$LATEST\",\"x-amzn-Remapped-Content-Length\":\"0\","
             "\"x-amzn-RequestId\":\"0b1f4e6c-5d7a-4c1e-9a3b-2f6d8e0c1a2b\","
             "\"X-Amzn-Trace-Id\":\"root=1-6b0bf64b-0b1f4e6c5d7a4c1e2f6d8e0c;sampled=0\"},"
             "\"HttpStatusCode\":200},"
             "\"SdkResponseMetadata\":{\"RequestId\":\"0b1f4e6c-5d7a-4c1e-9a3b-2f6d8e0c1a2b\"},"
             "\"StatusCode\":200}");
  asl_json_decref(env);
  /* a payload that is not JSON stays text; LogType Tail adds LogResult; a version runs as itself */
  c.log_tail = true;
  asl_free(c.target.qualifier);
  c.target.qualifier = asl_strdup("3");
  env = asl__lambda_envelope(&c, "aaa", 3, "START\nEND\n");
  CHECK_JSON(asl_json_get_cstr(env, "Payload"), "\"aaa\"");
  CHECK_JSON(asl_json_get_cstr(env, "LogResult"), "\"U1RBUlQKRU5ECg==\"");
  CHECK_JSON(asl_json_get_cstr(env, "ExecutedVersion"), "\"3\"");
  size_t kl;
  CHECK_STR(asl_json_key_at(env, 1, &kl), "LogResult"); /* recorded key order */
  asl_json_decref(env);
  asl__lambda_target_free(&c.target);

  asl_buf b = ASL_BUF_INIT;
  asl_base64_encode("ab", 2, &b);
  CHECK_STR(b.data, "YWI=");
  asl_buf_free(&b);
}

int main(void)
{
  size_t live = asl_json_live();
  test_names();
  test_envelope();
  CHECK(asl_json_live() == live);
  return CHECK_DONE();
}
