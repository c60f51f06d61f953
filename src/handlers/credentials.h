/* The AWS settings a Lambda call needs from the user's environment (private to src/handlers):
 * credentials by the standard chain (environment, then the shared credentials and config files
 * for the profile), the region and an endpoint override, as botocore and the other SDKs read
 * them (reference lambda-invoke-api.md sections 4 and 6). */
#ifndef ASLRUN_HANDLERS_CREDENTIALS_H
#define ASLRUN_HANDLERS_CREDENTIALS_H

#include "aslrun/error.h"

typedef struct asl__aws_settings {
  /* credentials; access_key NULL when none are configured (requests then go unsigned) */
  char *access_key, *secret_key, *session_token;
  char *creds_source; /* "environment variables", "profile dev in /home/u/.aws/credentials" */
  char *searched;     /* with no credentials: what was looked at, for the message */
  char *profile;      /* the profile the files were read for */
  char *region;       /* AWS_REGION, AWS_DEFAULT_REGION or the profile's region; or NULL */
  char *endpoint;     /* AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL or the profile's; or NULL */
  char *endpoint_source;
  char *ca_bundle; /* AWS_CA_BUNDLE or the profile's ca_bundle: the CA certificates to trust */
} asl__aws_settings;

/* Reads the settings for [service] ("lambda": AWS_ENDPOINT_URL_LAMBDA and the "lambda" key of a
 * services section). [profile] is an explicitly chosen profile (aslrun.json's "profile"), which
 * like the SDKs' --profile skips the credential environment variables; NULL picks the profile
 * from AWS_PROFILE, AWS_DEFAULT_PROFILE or "default". Fails with a clear message on a named
 * profile that does not exist, partial credentials, an unreadable or malformed file, or a
 * profile that needs a credential provider aslrun does not have (assume role, SSO, web
 * identity, credential_process). Reads small files synchronously: call once per function. */
asl_status asl__aws_settings_load(const char *profile, const char *service,
                                  asl__aws_settings *out, asl_error *err);
void asl__aws_settings_free(asl__aws_settings *s);

#endif
