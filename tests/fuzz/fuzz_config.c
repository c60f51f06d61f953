/* libFuzzer target for the readers of aslrun.json and of Step Functions Local's MockConfigFile
 * (handlers module): the first byte says which (even: aslrun.json, odd: a mock file), the rest is
 * the file's text. What loads is used as a run would: every state a mock names is checked and
 * invoked a few times in each resource style (a mock always answers, so nothing is started);
 * every configured function is checked. A file that does not load must say why. Nothing may
 * crash, hang, leak or leave a reference. Seeds: the repository's aslrun.json and mock files. */
#include <stdint.h>
#include <stdio.h>

#include "aslrun/handler.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct result {
  int calls;
  asl_status status;
} result;

static void on_done(void *data, const asl_task_result *r)
{
  result *res = data;
  res->calls++;
  res->status = r->status;
  if (r->status == ASL_E_HANDLER && !r->error.name)
    abort(); /* a failed invocation names its error */
  if (r->status == ASL_OK && !r->value)
    abort();
}

/* The first key of object [o], as a C string (NULL when none or it holds a NUL). */
static char *first_key(const asl_json *o)
{
  if (!o || !asl_json_is_object(o) || asl_json_len(o) == 0)
    return NULL;
  size_t kl;
  const char *k = asl_json_key_at(o, 0, &kl);
  return strlen(k) == kl ? asl_strndup(k, kl) : NULL;
}

static void use_state(uv_loop_t *loop, asl_handlers *h, const char *state)
{
  asl_error err = ASL_ERROR_INIT;
  /* an integration that only a mock can serve: OK means a mock names the state */
  if (asl_handlers_check(h, state, "arn:aws:states:::dynamodb:getItem", ASL_TASK_SERVICE,
                         &err) != ASL_OK) {
    if (!err.cause)
      abort();
    asl_error_clear(&err);
    return;
  }
  static const struct {
    asl_task_style style;
    const char *resource;
  } styles[] = {
      {ASL_TASK_SERVICE, "arn:aws:states:::dynamodb:getItem"},
      {ASL_TASK_LAMBDA_ARN, "arn:aws:lambda:us-east-1:123456789012:function:F"},
      {ASL_TASK_LAMBDA_INVOKE, "arn:aws:states:::lambda:invoke"},
      {ASL_TASK_ACTIVITY, "arn:aws:states:us-east-1:123456789012:activity:A"},
  };
  asl_json *in = fuzz_parse("{\"FunctionName\":\"F\",\"Payload\":{\"k\":1}}", 38);
  for (uint64_t inv = 0; inv < 3; inv++) {
    for (size_t s = 0; s < sizeof styles / sizeof *styles; s++) {
      asl_task_request req = {.state_name = state, .resource = styles[s].resource,
                              .style = styles[s].style, .input = in, .invocation = inv,
                              .random = 42 + inv};
      result res = {0};
      asl_task_call *call;
      if (asl_task_invoke(h, &req, on_done, &res, &call, &err) != ASL_OK) {
        asl_error_clear(&err);
        continue;
      }
      while (res.calls == 0)
        uv_run(loop, UV_RUN_ONCE);
      if (res.calls != 1)
        abort();
    }
  }
  asl_json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t live = asl_json_live();
  bool mockfile = data[0] & 1;
  asl_json *doc = fuzz_parse((const char *)data + 1, size - 1);
  if (!doc)
    return 0;
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_handlers_opts o = {.loop = &loop, .config_dir = "/nonexistent/aslrun"};
  char *machine = NULL, *test_case = NULL;
  const asl_json *states = NULL;
  if (mockfile) {
    const asl_json *sms = asl_json_is_object(doc) ? asl_json_get_cstr(doc, "StateMachines") : NULL;
    machine = first_key(sms);
    const asl_json *sm = machine ? asl_json_get_cstr(sms, machine) : NULL;
    const asl_json *tcs = sm && asl_json_is_object(sm) ? asl_json_get_cstr(sm, "TestCases") : NULL;
    test_case = first_key(tcs);
    states = test_case ? asl_json_get_cstr(tcs, test_case) : NULL;
    o.mock_config = doc;
    o.state_machine_name = machine ? machine : "M";
    o.test_case = test_case ? test_case : "T";
  } else {
    o.config = doc;
    states = asl_json_is_object(doc) ? asl_json_get_cstr(doc, "mocks") : NULL;
  }
  asl_error err = ASL_ERROR_INIT;
  asl_handlers *h = asl_handlers_new(&o, &err);
  if (!h) {
    if (!err.cause)
      abort(); /* a file that does not load says why */
    asl_error_clear(&err);
  } else {
    for (size_t i = 0; states && asl_json_is_object(states) && i < asl_json_len(states) && i < 8;
         i++) {
      size_t kl;
      const char *k = asl_json_key_at(states, i, &kl);
      use_state(&loop, h, k);
    }
    const asl_json *fns = !mockfile && asl_json_is_object(doc) ? asl_json_get_cstr(doc, "functions")
                                                               : NULL;
    for (size_t i = 0; fns && asl_json_is_object(fns) && i < asl_json_len(fns) && i < 8; i++) {
      size_t kl;
      const char *k = asl_json_key_at(fns, i, &kl);
      char arn[160];
      snprintf(arn, sizeof arn, "arn:aws:lambda:us-east-1:123456789012:function:%.60s", k);
      if (asl_handlers_check(h, "S", arn, ASL_TASK_LAMBDA_ARN, &err) != ASL_OK && !err.cause)
        abort();
      asl_error_clear(&err);
    }
    asl_handlers_free(h);
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  if (uv_loop_close(&loop) != 0)
    abort(); /* a handle was left open */
  asl_free(machine);
  asl_free(test_case);
  asl_json_decref(doc);
  fuzz_check_live(live);
  return 0;
}
