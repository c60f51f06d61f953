/* The credential chain, region and endpoint settings (credentials.c) against files written
 * here: environment first, a chosen profile skips it, the credentials file before the config
 * file, "[profile NAME]" sections, comments and case, sub-settings of a services section,
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, and every refusal's message. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "../../src/handlers/credentials.h"

static char dir[64];
static char creds[128], conf[128];

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void clear_env(void)
{
  static const char *const vars[] = {
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
      "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
      "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CA_BUNDLE"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
    unsetenv(vars[i]);
  setenv("AWS_SHARED_CREDENTIALS_FILE", creds, 1);
  setenv("AWS_CONFIG_FILE", conf, 1);
}

static asl__aws_settings load(const char *profile)
{
  asl__aws_settings s;
  asl_error err = ASL_ERROR_INIT;
  if (asl__aws_settings_load(profile, "lambda", &s, &err) != ASL_OK) {
    fprintf(stderr, "unexpected failure: %s\n", err.cause);
    check_failures++;
    memset(&s, 0, sizeof s);
  }
  asl_error_clear(&err);
  return s;
}

static void expect_error(const char *profile, const char *want)
{
  asl__aws_settings s;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__aws_settings_load(profile, "lambda", &s, &err) != ASL_OK);
  CHECK_STR(err.cause, want);
  asl_error_clear(&err);
}

static void test_chain(void)
{
  write_file(creds, "# comment\n[default]\naws_access_key_id = AKIDFILE\n"
                    "aws_secret_access_key=secretfile\n\n"
                    "[dev]\n; another comment\nAWS_ACCESS_KEY_ID = AKIDDEV\n"
                    "aws_secret_access_key = devsecret\naws_session_token = devtoken==\n");
  write_file(conf, "[default]\nregion = eu-west-1\nca_bundle = /etc/ca.pem\n"
                   "[profile dev]\nregion: us-west-2\nendpoint_url = http://localhost:4566\n"
                   "[profile conf]\naws_access_key_id = AKIDCONF\naws_secret_access_key = cs\n"
                   "services = local\n"
                   "[services local]\nlambda =\n  endpoint_url = http://localhost:9000\n"
                   "s3 =\n  endpoint_url = http://localhost:1\n");
  clear_env();

  /* the default profile from the files */
  asl__aws_settings s = load(NULL);
  CHECK_STR(s.access_key, "AKIDFILE");
  CHECK_STR(s.secret_key, "secretfile");
  CHECK(s.session_token == NULL);
  CHECK_STR(s.region, "eu-west-1");
  CHECK(s.endpoint == NULL);
  CHECK_STR(s.ca_bundle, "/etc/ca.pem");
  char want[256];
  snprintf(want, sizeof want, "profile \"default\" in %s", creds);
  CHECK_STR(s.creds_source, want);
  asl__aws_settings_free(&s);

  /* the environment wins over the files; AWS_REGION over AWS_DEFAULT_REGION */
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  setenv("AWS_SECURITY_TOKEN", "legacytoken", 1);
  setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
  setenv("AWS_CA_BUNDLE", "/env/ca.pem", 1);
  s = load(NULL);
  CHECK_STR(s.ca_bundle, "/env/ca.pem");
  CHECK_STR(s.access_key, "AKIDENV");
  CHECK_STR(s.session_token, "legacytoken");
  CHECK_STR(s.region, "sa-east-1");
  CHECK_STR(s.creds_source, "the environment (AWS_ACCESS_KEY_ID)");
  asl__aws_settings_free(&s);
  setenv("AWS_REGION", "ca-central-1", 1);
  setenv("AWS_SESSION_TOKEN", "newtoken", 1);
  s = load(NULL);
  CHECK_STR(s.region, "ca-central-1");
  CHECK_STR(s.session_token, "newtoken");
  asl__aws_settings_free(&s);

  /* AWS_PROFILE picks the profile, but environment keys still come first (as botocore) */
  setenv("AWS_PROFILE", "dev", 1);
  s = load(NULL);
  CHECK_STR(s.access_key, "AKIDENV");
  CHECK_STR(s.endpoint, "http://localhost:4566");
  asl__aws_settings_free(&s);

  /* a profile named in aslrun.json skips the environment's keys */
  s = load("dev");
  CHECK_STR(s.access_key, "AKIDDEV");
  CHECK_STR(s.secret_key, "devsecret");
  CHECK_STR(s.session_token, "devtoken==");
  CHECK_STR(s.region, "ca-central-1"); /* AWS_REGION still wins over the profile's */
  snprintf(want, sizeof want, "profile \"dev\" in %s", conf);
  CHECK_STR(s.endpoint, "http://localhost:4566");
  CHECK_STR(s.endpoint_source, want);
  asl__aws_settings_free(&s);
  clear_env();
  s = load("dev");
  CHECK_STR(s.region, "us-west-2");
  asl__aws_settings_free(&s);

  /* keys in the config file; the services section's lambda endpoint */
  s = load("conf");
  CHECK_STR(s.access_key, "AKIDCONF");
  CHECK_STR(s.endpoint, "http://localhost:9000");
  snprintf(want, sizeof want, "[services local] in %s", conf);
  CHECK_STR(s.endpoint_source, want);
  asl__aws_settings_free(&s);

  /* endpoint variables: the service's before the global one; both can be switched off */
  setenv("AWS_ENDPOINT_URL", "http://global:1", 1);
  s = load("conf");
  CHECK_STR(s.endpoint, "http://global:1");
  asl__aws_settings_free(&s);
  setenv("AWS_ENDPOINT_URL_LAMBDA", "http://lambda:2", 1);
  s = load(NULL);
  CHECK_STR(s.endpoint, "http://lambda:2");
  CHECK_STR(s.endpoint_source, "AWS_ENDPOINT_URL_LAMBDA");
  asl__aws_settings_free(&s);
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  s = load("conf");
  CHECK(s.endpoint == NULL);
  asl__aws_settings_free(&s);
  clear_env();
}

static void test_refusals(void)
{
  clear_env();
  char want[512];
  /* no files, no variables: nothing, and what was searched */
  unlink(creds);
  unlink(conf);
  asl__aws_settings s = load(NULL);
  CHECK(s.access_key == NULL);
  snprintf(want, sizeof want, "AWS_ACCESS_KEY_ID, profile \"default\" in %s and %s", creds, conf);
  CHECK_STR(s.searched, want);
  asl__aws_settings_free(&s);
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials", 1);
  s = load(NULL);
  CHECK_CONTAINS(s.searched, "; container credentials are not supported");
  asl__aws_settings_free(&s);
  clear_env();

  snprintf(want, sizeof want, "the AWS profile \"ghost\" (aslrun.json \"profile\") is in neither "
                              "%s nor %s",
           creds, conf);
  expect_error("ghost", want);
  setenv("AWS_PROFILE", "ghost", 1);
  snprintf(want, sizeof want, "the AWS profile \"ghost\" (AWS_PROFILE) is in neither %s nor %s",
           creds, conf);
  expect_error(NULL, want);
  clear_env();

  setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  expect_error(NULL, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: AWS needs both");
  clear_env();

  write_file(creds, "[half]\naws_access_key_id = AKID\n");
  snprintf(want, sizeof want, "profile \"half\" in %s has aws_access_key_id but no "
                              "aws_secret_access_key: AWS needs both",
           creds);
  expect_error("half", want);

  write_file(conf, "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n"
                   "[profile proc]\ncredential_process = /bin/creds\n"
                   "[profile sso]\nsso_session = corp\n");
  expect_error("role", "the AWS profile \"role\" uses role_arn, a credential provider aslrun "
                       "does not support; give the profile static keys (aws_access_key_id, "
                       "aws_secret_access_key, aws_session_token) or export AWS_ACCESS_KEY_ID, "
                       "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  expect_error("sso", "the AWS profile \"sso\" uses sso_session, a credential provider aslrun "
                      "does not support; give the profile static keys (aws_access_key_id, "
                      "aws_secret_access_key, aws_session_token) or export AWS_ACCESS_KEY_ID, "
                      "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  expect_error("proc", "the AWS profile \"proc\" uses credential_process, which aslrun does not "
                       "run; export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                       "AWS_SESSION_TOKEN instead");

  /* malformed files say file:line */
  write_file(conf, "[default\nregion = x\n");
  snprintf(want, sizeof want, "%s:1: a section header must end with ']'", conf);
  expect_error(NULL, want);
  write_file(conf, "region = x\n");
  snprintf(want, sizeof want, "%s:1: a setting before any [section]", conf);
  expect_error(NULL, want);
  write_file(conf, "[default]\n\nregion\n");
  snprintf(want, sizeof want, "%s:3: expected \"key = value\"", conf);
  expect_error(NULL, want);
  unlink(conf);
  mkdir(conf, 0700); /* a directory where the file should be */
  snprintf(want, sizeof want, "cannot read %s: not a regular file of at most 1048576 bytes", conf);
  expect_error(NULL, want);
  rmdir(conf);
  unlink(creds);
}

int main(void)
{
  snprintf(dir, sizeof dir, "/tmp/aslrun-cred-XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(creds, sizeof creds, "%s/credentials", dir);
  snprintf(conf, sizeof conf, "%s/config", dir);
  test_chain();
  test_refusals();
  unlink(creds);
  unlink(conf);
  rmdir(dir);
  return CHECK_DONE();
}
