/* SigV4 against the AWS test-suite vectors and the Lambda-shaped vectors of
 * ../shared/reference/lambda-invoke-api.md section 5 (intermediate values included), plus the
 * URI encoding rules. */
#include "harness.h"
#include "../../src/handlers/sigv4.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define TOKEN                                                                                      \
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo" \
  "IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5V" \
  "SXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yj" \
  "c8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

typedef struct vector {
  const char *name, *method, *path;
  asl__sigv4_pair query[2];
  size_t n_query;
  asl__sigv4_pair extra[3]; /* headers besides Host and X-Amz-Date */
  size_t n_extra;
  const char *body;
  const char *service, *host;
  const char *signed_headers, *signature;
} vector;

static const vector vectors[] = {
    {"get-vanilla", "GET", "/", {{0}}, 0, {{0}}, 0, "", "service", "example.amazonaws.com",
     "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-key-case", "GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}},
     2, {{0}}, 0, "", "service", "example.amazonaws.com", "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-utf8", "GET", "/\xe1\x88\xb4", {{0}}, 0, {{0}}, 0, "", "service",
     "example.amazonaws.com", "host;x-amz-date",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-header-value-trim", "GET", "/", {{0}}, 0,
     {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}}, 2, "", "service",
     "example.amazonaws.com", "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"post-vanilla", "POST", "/", {{0}}, 0, {{0}}, 0, "", "service", "example.amazonaws.com",
     "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-vanilla-query", "POST", "/", {{"Param1", "value1"}}, 1, {{0}}, 0, "", "service",
     "example.amazonaws.com", "host;x-amz-date",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-x-www-form-urlencoded", "POST", "/", {{0}}, 0,
     {{"Content-Type", "application/x-www-form-urlencoded"}}, 1, "Param1=value1", "service",
     "example.amazonaws.com", "content-type;host;x-amz-date",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
    {"post-sts-header-before", "POST", "/", {{0}}, 0, {{"X-Amz-Security-Token", TOKEN}}, 1, "",
     "service", "example.amazonaws.com", "host;x-amz-date;x-amz-security-token",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
    {"L1", "POST", "/2015-03-31/functions/my-function/invocations", {{0}}, 0,
     {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", "RequestResponse"}}, 2,
     "{\"key\": \"value\"}", "lambda", "lambda.us-east-1.amazonaws.com",
     "content-type;host;x-amz-date;x-amz-invocation-type",
     "8d96e1ddd2ce0bbc8cb21bdb12a230572e7a9c004d12f5d822ee63e5bd671545"},
    {"L2", "POST", "/2015-03-31/functions/my-function/invocations", {{"Qualifier", "prod"}}, 1,
     {{"X-Amz-Security-Token", "SESSIONTOKENEXAMPLE"}}, 1, "{\"key\": \"value\"}", "lambda",
     "lambda.us-east-1.amazonaws.com", "host;x-amz-date;x-amz-security-token",
     "1a8be6e684c3e7fa38b310a2e6b8fbbc6e50b2e4be6a1e8c279e239978864526"},
    {"L3", "POST",
     "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function/"
     "invocations",
     {{0}}, 0, {{0}}, 0, "{\"key\": \"value\"}", "lambda", "lambda.us-east-1.amazonaws.com",
     "host;x-amz-date", "e2d92736cdb6986b0b1869c2f74711d7333b1b4b5a39f71812200c441afc2e2b"},
};

static void sign(const vector *v, asl__sigv4_output *out)
{
  asl__sigv4_pair headers[5] = {{"Host", v->host}, {"X-Amz-Date", DATE}};
  size_t n = 2;
  for (size_t i = 0; i < v->n_extra; i++)
    headers[n++] = v->extra[i];
  asl__sigv4_input in = {.method = v->method, .path = v->path, .query = v->query,
                         .n_query = v->n_query, .headers = headers, .n_headers = n,
                         .body = v->body, .body_len = strlen(v->body), .amz_date = DATE,
                         .region = "us-east-1", .service = v->service, .access_key = AKID,
                         .secret_key = SECRET};
  asl_error err = ASL_ERROR_INIT;
  if (asl__sigv4_sign(&in, out, &err) != ASL_OK) {
    fprintf(stderr, "%s: %s\n", v->name, err.cause);
    check_failures++;
  }
  asl_error_clear(&err);
}

static void test_vectors(void)
{
  for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
    const vector *v = &vectors[i];
    asl__sigv4_output out;
    sign(v, &out);
    if (strcmp(out.signature, v->signature) != 0) {
      fprintf(stderr, "vector %s:\ncanonical request:\n%s\nstring to sign:\n%s\n", v->name,
              out.canonical_request, out.string_to_sign);
    }
    CHECK_STR(out.signature, v->signature);
    char *auth = asl_strfmt("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/%s/"
                            "aws4_request, SignedHeaders=%s, Signature=%s",
                            v->service, v->signed_headers, v->signature);
    CHECK_STR(out.authorization, auth);
    asl_free(auth);
    asl__sigv4_output_free(&out);
  }
}

static void test_intermediates(void)
{
  asl__sigv4_output out;
  char hash[65];
  asl_error err = ASL_ERROR_INIT;
  sign(&vectors[0], &out); /* get-vanilla */
  CHECK_STR(out.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(asl__sha256_hex(out.canonical_request, strlen(out.canonical_request), hash, &err) ==
        ASL_OK);
  CHECK_STR(hash, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK_STR(out.signing_key, "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  CHECK_STR(out.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                                "aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1"
                                "c25292927e63");
  asl__sigv4_output_free(&out);

  sign(&vectors[8], &out); /* L1 */
  CHECK(asl__sha256_hex(out.canonical_request, strlen(out.canonical_request), hash, &err) ==
        ASL_OK);
  CHECK_STR(hash, "e6e2865c968c6aa4ea11dd6602bdef918564db2d94cce4b6db97bf9e78bb6207");
  CHECK_STR(out.signing_key, "3106a83fe4d44212160af579a59cf1055851bea14b6ce0713413fb777d6ff7ed");
  CHECK_CONTAINS(out.canonical_request,
                 "\n9724c1e20e6e3e4d7f57ed25f9d4efb006e508590d528c90da597f6a775c13e5");
  asl__sigv4_output_free(&out);

  sign(&vectors[10], &out); /* L3: the encoded ARN is encoded again */
  CHECK_PREFIX(out.canonical_request, "POST\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-"
                                      "east-1%253A123456789012%253Afunction%253Amy-function/"
                                      "invocations\n\n");
  asl__sigv4_output_free(&out);

  sign(&vectors[3], &out); /* get-header-value-trim */
  CHECK_CONTAINS(out.canonical_request, "\nmy-header1:value1\nmy-header2:\"a b c\"\n");
  asl__sigv4_output_free(&out);
  asl_error_clear(&err);
}

static void test_encoding_and_repeats(void)
{
  asl_buf b = ASL_BUF_INIT;
  asl__uri_encode(&b, "a b+c/d~e_f.g-h%$:", 18, false);
  CHECK_STR(b.data, "a%20b%2Bc%2Fd~e_f.g-h%25%24%3A");
  b.len = 0;
  asl__uri_encode(&b, "/x y/z", 6, true);
  CHECK_STR(b.data, "/x%20y/z");
  asl_buf_free(&b);

  /* repeated headers join with ',' in input order; query pairs sort by name, then value; a
   * parameter without value is "name=" */
  asl__sigv4_pair headers[] = {{"Host", "h"}, {"X-Amz-Date", DATE}, {"X-B", "2"}, {"x-b", " 1 "}};
  asl__sigv4_pair query[] = {{"b", "2"}, {"a", NULL}, {"b", "1"}, {"c d", "e=f"}};
  asl__sigv4_input in = {.method = "GET", .path = "", .query = query, .n_query = 4,
                         .headers = headers, .n_headers = 4, .amz_date = DATE,
                         .region = "r", .service = "s", .access_key = "A", .secret_key = "S"};
  asl__sigv4_output out;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__sigv4_sign(&in, &out, &err) == ASL_OK);
  CHECK_PREFIX(out.canonical_request,
               "GET\n/\na=&b=1&b=2&c%20d=e%3Df\nhost:h\nx-amz-date:20150830T123600Z\nx-b:2,1\n\n"
               "host;x-amz-date;x-b\n");
  asl__sigv4_output_free(&out);

  char date[17];
  asl__amz_date(1440938160, date);
  CHECK_STR(date, DATE);
  asl_error_clear(&err);
}

int main(void)
{
  test_vectors();
  test_intermediates();
  test_encoding_and_repeats();
  return CHECK_DONE();
}
