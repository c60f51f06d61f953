/* Measures the handlers (not a test): mock invocation cost, python cold start, warm invocation
 * round trip for a small event. usage: bench_handlers TESTS_HANDLERS_DIR */
#include "harness.h"

static double now_ms(void)
{
  return (double)uv_hrtime() / 1e6;
}

int main(int argc, char **argv)
{
  (void)check_failures;
  if (argc < 2)
    return 2;
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_json *cfg = J("{\"functions\": {\"Echo\": {\"python\": \"python/app.echo\"},"
                    " \"ColdEcho\": {\"python\": \"python/app.echo\", \"cold\": true}},"
                    " \"mocks\": {\"M\": {\"0-99999999\": {\"Return\": {\"ok\": true}}}}}");
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts o = {.loop = &loop, .config = cfg, .config_dir = argv[1]};
  asl_handlers *h = asl_handlers_new(&o, &err);
  asl_json *in = J("{\"id\": 1, \"name\": \"small event\"}");
  outcome out = {0};
  asl_task_request r = {.state_name = "M", .resource = "arn:aws:lambda:us-east-1:1:function:x",
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  int n = 200000;
  double t0 = now_ms();
  for (int i = 0; i < n; i++) {
    r.invocation = (uint64_t)i;
    run_one(&loop, h, &r, &out, &err);
  }
  printf("mock: %.3f us per invocation (invoke + delivery from the loop)\n",
         (now_ms() - t0) * 1000.0 / n);
  r.state_name = "Cold";
  r.resource = "arn:aws:lambda:us-east-1:123456789012:function:ColdEcho";
  run_one(&loop, h, &r, &out, &err); /* resolves the interpreter behind any shim */
  int cold = 20;
  t0 = now_ms();
  for (int i = 0; i < cold; i++)
    run_one(&loop, h, &r, &out, &err);
  printf("python cold start + invocation: %.2f ms\n", (now_ms() - t0) / cold);
  r.state_name = "Warm";
  r.resource = "arn:aws:lambda:us-east-1:123456789012:function:Echo";
  run_one(&loop, h, &r, &out, &err);
  int warm = 5000;
  t0 = now_ms();
  for (int i = 0; i < warm; i++)
    run_one(&loop, h, &r, &out, &err);
  printf("python warm invocation: %.3f ms per round trip\n", (now_ms() - t0) / warm);
  outcome_clear(&out);
  asl_json_decref(in);
  asl_handlers_free(h);
  asl_json_decref(cfg);
  uv_loop_close(&loop);
  return 0;
}
