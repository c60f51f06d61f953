/* Measures Lambda over HTTP (not a test), run by hand: bench_http TESTS_HANDLERS_DIR [N]
 * - throughput: N invocations (default 10,000) of a Python echo function with 50 in flight, as a
 *   Map with MaxConcurrency 50 keeps them: in-process, then through `lambda serve` running in
 *   another process (serve_driver), then against a stub endpoint that answers at once (the
 *   client's own cost);
 * - latency: one call at a time, in-process and over HTTP, the difference being the overhead
 *   per call of going through HTTP.
 * With --stub it is that stub endpoint instead: prints its port and answers {"ok": true} to
 * every request until stdin closes. */
#include <unistd.h>

#include "../../src/handlers/serve_http.h"
#include "child_server.h"
#include "harness.h"

static uv_loop_t loop;

/* ---- the stub endpoint ---- */

static void stub_request(void *data, asl__http_conn *conn, const asl__http_request *req)
{
  (void)data;
  (void)req;
  static const char body[] = "{\"ok\": true}";
  asl__http_respond(conn, 200, "OK",
                    "Content-Type: application/json\r\nX-Amz-Executed-Version: $LATEST\r\n"
                    "x-amzn-RequestId: 00000000-0000-4000-8000-000000000000\r\n",
                    body, sizeof body - 1);
}

static void on_stdin(uv_poll_t *p, int status, int events)
{
  (void)status;
  (void)events;
  char b[64];
  if (read(0, b, sizeof b) <= 0)
    uv_stop(p->loop);
}

static int stub(void)
{
  asl_error err = ASL_ERROR_INIT;
  asl__http_server_opts o = {.loop = &loop, .max_body = 6291456, .on_request = stub_request};
  asl__http_server *s = asl__http_server_start(&o, &err);
  if (!s)
    return 1;
  printf("%d\n", asl__http_server_port(s));
  fflush(stdout);
  uv_poll_t in;
  uv_poll_init(&loop, &in, 0);
  uv_poll_start(&in, UV_READABLE, on_stdin);
  uv_run(&loop, UV_RUN_DEFAULT);
  return 0;
}

/* ---- measurements ---- */

static double now_ms(void)
{
  return (double)uv_hrtime() / 1e6;
}

static const asl_task_request *bench_req;

static int done_count, failed_count;

static void on_bench_done(void *data, const asl_task_result *r)
{
  (void)data;
  done_count++;
  failed_count += r->status != ASL_OK;
}

static double cpu_ms(void)
{
  uv_rusage_t u;
  uv_getrusage(&u);
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static double cpu_per_call_us; /* this process's CPU time per call in the last throughput run */

/* [n] invocations, [width] in flight; returns invocations per second. */
static double throughput(asl_handlers *h, int n, int width)
{
  double cpu0 = cpu_ms();
  asl_task_call *c;
  asl_error err = ASL_ERROR_INIT;
  int started = 0;
  done_count = failed_count = 0;
  double t0 = now_ms();
  while (done_count < n) {
    while (started < n && started - done_count < width) {
      if (asl_task_invoke(h, bench_req, on_bench_done, NULL, &c, &err) != ASL_OK) {
        fprintf(stderr, "invoke: %s\n", err.cause);
        exit(1);
      }
      started++;
    }
    uv_run(&loop, UV_RUN_ONCE);
  }
  double s = (now_ms() - t0) / 1000.0;
  cpu_per_call_us = (cpu_ms() - cpu0) * 1000.0 / n;
  if (failed_count)
    fprintf(stderr, "%d of %d calls failed\n", failed_count, n);
  return n / s;
}

static double latency_ms(asl_handlers *h, int n)
{
  outcome o = {0};
  asl_error err = ASL_ERROR_INIT;
  double t0 = now_ms();
  for (int i = 0; i < n; i++)
    run_one(&loop, h, bench_req, &o, &err);
  outcome_clear(&o);
  return (now_ms() - t0) / n;
}

static asl_handlers *registry(const asl_json *cfg, const char *dir, const char *endpoint)
{
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts o = {.loop = &loop, .config = cfg, .config_dir = dir,
                         .lambda_endpoint = endpoint};
  asl_handlers *h = asl_handlers_new(&o, &err);
  if (!h) {
    fprintf(stderr, "%s\n", err.cause);
    exit(1);
  }
  return h;
}

int main(int argc, char **argv)
{
  ignore_sigpipe();
  (void)check_failures;
  uv_loop_init(&loop);
  if (argc >= 2 && strcmp(argv[1], "--stub") == 0)
    return stub();
  if (argc < 2)
    return 2;
  int n = argc > 2 ? atoi(argv[2]) : 10000;
  unsetenv("AWS_ACCESS_KEY_ID");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
  char dir[4096], config[4200], self[4200], driver[4200];
  snprintf(dir, sizeof dir, "%s/http", argv[1]);
  snprintf(config, sizeof config, "%s/aslrun.json", dir);
  /* the other programs sit next to this one in the build directory */
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  self[sl > 0 ? sl : 0] = '\0';
  snprintf(driver, sizeof driver, "%.*s/serve_driver", (int)(strrchr(self, '/') - self), self);

  asl_json *cfg = J("{\"functions\": {\"Echo\": {\"python\": \"functions/app.echo\", "
                    "\"concurrency\": 50}}}");
  asl_json *in = J("{\"id\": 1, \"name\": \"small event\"}");
  asl_task_request r = {.state_name = "Call",
                        .resource = "arn:aws:lambda:us-east-1:123456789012:function:Echo",
                        .style = ASL_TASK_LAMBDA_ARN, .input = in};
  bench_req = &r;

  asl_handlers *local = registry(cfg, dir, NULL);
  throughput(local, 200, 50); /* start the 50 warm workers */
  double in_process = throughput(local, n, 50);
  double in_process_cpu = cpu_per_call_us;
  double in_process_lat = (latency_ms(local, 200), latency_ms(local, 2000));
  asl_handlers_free(local);

  char *served_argv[] = {driver, config, "--quiet", NULL};
  child_server served;
  if (child_server_start(&served, served_argv) != 0)
    return 1;
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", served.port);
  asl_handlers *remote = registry(NULL, NULL, url);
  double http_lat_first = (latency_ms(remote, 200), latency_ms(remote, 2000));
  throughput(remote, 200, 50);
  double over_http = throughput(remote, n, 50);
  double over_http_cpu = cpu_per_call_us;
  double http_lat = (latency_ms(remote, 200), latency_ms(remote, 2000));
  asl_handlers_free(remote);
  child_server_stop(&served);

  char *stub_argv[] = {self, "--stub", NULL};
  child_server st;
  if (child_server_start(&st, stub_argv) != 0)
    return 1;
  snprintf(url, sizeof url, "http://127.0.0.1:%d", st.port);
  asl_handlers *bare = registry(NULL, NULL, url);
  throughput(bare, 200, 50);
  double stub_rate = throughput(bare, n, 50);
  double stub_cpu = cpu_per_call_us;
  double stub_lat = (latency_ms(bare, 200), latency_ms(bare, 5000));
  asl_handlers_free(bare);
  child_server_stop(&st);

  printf("%d invocations, 50 in flight, Python echo function:\n", n);
  printf("  in-process python handler:      %8.0f invocations/s, %5.1f us of aslrun's CPU per call\n",
         in_process, in_process_cpu);
  printf("  over HTTP to lambda serve:      %8.0f invocations/s, %5.1f us of the client's CPU per "
         "call\n",
         over_http, over_http_cpu);
  printf("  over HTTP to a stub endpoint:   %8.0f invocations/s, %5.1f us of the client's CPU per "
         "call\n",
         stub_rate, stub_cpu);
  printf("one call at a time:\n");
  printf("  in-process python handler:  %.3f ms per call\n", in_process_lat);
  printf("  over HTTP to lambda serve:  %.3f ms per call (+%.3f ms) on a fresh connection, %.3f ms "
         "(+%.3f ms) after the 50-wide run\n",
         http_lat_first, http_lat_first - in_process_lat, http_lat, http_lat - in_process_lat);
  printf("  over HTTP to a stub:        %.3f ms per call\n", stub_lat);
  asl_json_decref(in);
  asl_json_decref(cfg);
  uv_loop_close(&loop);
  return 0;
}
