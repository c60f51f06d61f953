/* aslrun's HTTP pieces driven from outside, for the node tests (tests/handlers/node), which
 * check them against the AWS SDK for JavaScript:
 *   http_tool sign        stdin: [{"method", "path", "query": [[k, v]...], "headers": [[k, v]...],
 *                         "body", "date", "region", "service", "key", "secret"}...]
 *                         stdout: [{"authorization", "canonical"}...] (aslrun's SigV4)
 *   http_tool invoke URL  stdin: [{"resource", "style": "arn" | "invoke", "input"}...]
 *                         stdout: [{"status", "value" | "error", "cause", "log"}...], all the
 *                         calls made at once through lambda_endpoint URL (credentials from the
 *                         environment, as aslrun reads them). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/handler.h"
#include "../../src/handlers/sigv4.h"

static asl_json *read_stdin(void)
{
  asl_buf b = ASL_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
    asl_buf_add(&b, chunk, n);
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(b.data ? b.data : "", b.len, NULL, &err);
  if (!v) {
    fprintf(stderr, "http_tool: stdin: %s\n", err.cause);
    exit(2);
  }
  asl_buf_free(&b);
  return v;
}

static const char *str(const asl_json *o, const char *k)
{
  const asl_json *v = asl_json_get_cstr(o, k);
  return v && asl_json_is_string(v) ? asl_json_str(v) : "";
}

static asl__sigv4_pair *pairs(const asl_json *a, size_t *n)
{
  *n = a ? asl_json_len(a) : 0;
  asl__sigv4_pair *p = asl_calloc(*n + 1, sizeof *p);
  for (size_t i = 0; i < *n; i++) {
    const asl_json *kv = asl_json_at(a, i);
    p[i].name = asl_json_str(asl_json_at(kv, 0));
    p[i].value = asl_json_str(asl_json_at(kv, 1));
  }
  return p;
}

static int cmd_sign(void)
{
  asl_json *cases = read_stdin();
  asl_json *out = asl_json_array(asl_json_len(cases));
  for (size_t i = 0; i < asl_json_len(cases); i++) {
    const asl_json *c = asl_json_at(cases, i);
    size_t nq, nh;
    asl__sigv4_pair *q = pairs(asl_json_get_cstr(c, "query"), &nq);
    asl__sigv4_pair *h = pairs(asl_json_get_cstr(c, "headers"), &nh);
    const asl_json *body = asl_json_get_cstr(c, "body");
    asl__sigv4_input in = {.method = str(c, "method"), .path = str(c, "path"), .query = q,
                           .n_query = nq, .headers = h, .n_headers = nh,
                           .body = asl_json_str(body), .body_len = asl_json_str_len(body),
                           .amz_date = str(c, "date"), .region = str(c, "region"),
                           .service = str(c, "service"), .access_key = str(c, "key"),
                           .secret_key = str(c, "secret")};
    asl__sigv4_output o;
    asl_error err = ASL_ERROR_INIT;
    if (asl__sigv4_sign(&in, &o, &err) != ASL_OK) {
      fprintf(stderr, "http_tool: %s\n", err.cause);
      return 1;
    }
    asl_json *r = asl_json_object(2);
    asl_json_obj_put_cstr(r, "authorization", asl_json_cstr(o.authorization));
    asl_json_obj_put_cstr(r, "canonical", asl_json_cstr(o.canonical_request));
    asl_json_arr_push(out, r);
    asl__sigv4_output_free(&o);
    asl_free(q);
    asl_free(h);
  }
  char *text = asl_json_dump(out, ASL_JSON_COMPACT, NULL);
  puts(text);
  asl_free(text);
  asl_json_decref(out);
  asl_json_decref(cases);
  return 0;
}

typedef struct slot {
  bool done;
  asl_json *result;
} slot;

static void on_done(void *data, const asl_task_result *r)
{
  slot *s = data;
  s->done = true;
  asl_json *o = asl_json_object(4);
  if (r->status == ASL_OK) {
    asl_json_obj_put_cstr(o, "status", asl_json_cstr("ok"));
    asl_json_obj_put_cstr(o, "value", asl_json_incref(r->value));
  } else {
    asl_json_obj_put_cstr(o, "status", asl_json_cstr("error"));
    asl_json_obj_put_cstr(o, "error", asl_json_cstr(r->error.name ? r->error.name : ""));
    asl_json_obj_put_cstr(o, "cause", asl_json_cstr(r->error.cause ? r->error.cause : ""));
  }
  asl_json_obj_put_cstr(o, "log", r->log ? asl_json_cstr(r->log) : asl_json_null());
  s->result = o;
}

static int cmd_invoke(const char *url)
{
  asl_json *reqs = read_stdin();
  uv_loop_t loop;
  uv_loop_init(&loop);
  asl_error err = ASL_ERROR_INIT;
  asl_handlers_opts ho = {.loop = &loop, .lambda_endpoint = url};
  asl_handlers *h = asl_handlers_new(&ho, &err);
  if (!h) {
    fprintf(stderr, "http_tool: %s\n", err.cause);
    return 2;
  }
  size_t n = asl_json_len(reqs);
  slot *slots = asl_calloc(n + 1, sizeof *slots);
  for (size_t i = 0; i < n; i++) {
    const asl_json *q = asl_json_at(reqs, i);
    asl_task_request r = {.state_name = "Call", .resource = str(q, "resource"),
                          .style = strcmp(str(q, "style"), "invoke") == 0 ? ASL_TASK_LAMBDA_INVOKE
                                                                          : ASL_TASK_LAMBDA_ARN,
                          .input = asl_json_get_cstr(q, "input")};
    asl_task_call *c;
    if (asl_task_invoke(h, &r, on_done, &slots[i], &c, &err) != ASL_OK) {
      fprintf(stderr, "http_tool: %s\n", err.cause);
      return 1;
    }
  }
  for (size_t i = 0; i < n; i++)
    while (!slots[i].done)
      uv_run(&loop, UV_RUN_ONCE);
  asl_json *out = asl_json_array(n);
  for (size_t i = 0; i < n; i++)
    asl_json_arr_push(out, slots[i].result);
  char *text = asl_json_dump(out, ASL_JSON_COMPACT, NULL);
  puts(text);
  asl_free(text);
  asl_json_decref(out);
  asl_free(slots);
  asl_handlers_free(h);
  int rc = uv_loop_close(&loop);
  asl_json_decref(reqs);
  return rc != 0;
}

int main(int argc, char **argv)
{
  signal(SIGPIPE, SIG_IGN); /* a client or server that hangs up is no reason to die */
  if (argc == 2 && strcmp(argv[1], "sign") == 0)
    return cmd_sign();
  if (argc == 3 && strcmp(argv[1], "invoke") == 0)
    return cmd_invoke(argv[2]);
  fprintf(stderr, "usage: http_tool sign | http_tool invoke URL (requests as JSON on stdin)\n");
  return 2;
}
