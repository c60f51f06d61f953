/* libFuzzer target for the JSONata engine: compiler, evaluator (both dialects), Step Functions'
 * load checks and {% %} templates. Input: an expression, optionally followed by a newline and a
 * JSON document to evaluate against (a built-in document otherwise). The evaluation runs under
 * small depth, time and memory limits; nothing may crash, hang, leak or leave a reference. */
#include <stdint.h>

#include "aslrun/jsonata.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void eval_one(const asl_jsonata *e, const asl_jsonata_env *env)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = NULL;
  if (asl_jsonata_eval(e, env, &v, &err) != ASL_OK) {
    char *cause = asl_jsonata_error_cause(&err);
    asl_free(cause);
  }
  asl_json_decref(v);
  asl_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  const char *text = (const char *)data;
  asl_json *doc;
  asl_json *ctx;
  size_t elen = fuzz_split(text, size, &doc, &ctx);

  /* $states as the executor binds it, and a workflow variable */
  asl_json *states = asl_json_object(2);
  asl_json_obj_put_cstr(states, "input", asl_json_incref(doc));
  asl_json_obj_put_cstr(states, "context", asl_json_incref(ctx));
  asl_json *limit = asl_json_int(3);
  asl_jsonata_var vars[] = {{"states", states}, {"limit", limit}};
  uint64_t seed = 7;
  asl_jsonata_env env = {0};
  env.input = doc;
  env.vars = vars;
  env.nvars = 2;
  env.rng = &seed;
  env.now_ms = 1700000000000;
  env.max_depth = 200;
  env.time_limit_ms = 50; /* each input evaluates up to four times: keep runaway ones short */
  env.max_memory = (size_t)16 << 20;

  asl_arena *a = asl_arena_new();
  asl_error err = ASL_ERROR_INIT;
  for (int flags = 0; flags <= ASL_JSONATA_SFN; flags += ASL_JSONATA_SFN) {
    asl_jsonata *e;
    if (asl_jsonata_compile(a, text, elen, flags, &e, &err) == ASL_OK) {
      (void)asl_jsonata_uses_variable(e, "states");
      size_t off = 0;
      asl_free(asl_jsonata_sfn_check(e, &off));
      eval_one(e, &env);
    } else {
      asl_free(asl_jsonata_error_cause(&err));
    }
    asl_error_clear(&err);
  }

  /* the same text as a template field: {"v": "{% text %}", "k": [1, "{% text %}"]} */
  asl_buf b = ASL_BUF_INIT;
  asl_buf_adds(&b, "{% ");
  asl_buf_add(&b, text, elen);
  asl_buf_adds(&b, " %}");
  asl_json *tmpl = asl_json_object(2);
  asl_json *arr = asl_json_array(2);
  asl_json_arr_push(arr, asl_json_int(1));
  asl_json_arr_push(arr, asl_json_string(b.data, b.len));
  asl_json_obj_put_cstr(tmpl, "v", asl_json_string(b.data, b.len));
  asl_json_obj_put_cstr(tmpl, "k", arr);
  asl_buf_free(&b);
  asl_diags d = ASL_DIAGS_INIT;
  asl_jsonata_template *t = asl_jsonata_template_compile(a, tmpl, "Output", "", &d);
  if (t) {
    (void)asl_jsonata_template_is_constant(t);
    (void)asl_jsonata_template_uses_variable(t, "limit");
    asl_json *v = asl_jsonata_template_eval(t, &env, &err);
    asl_json_decref(v);
    asl_error_clear(&err);
  }
  asl_diags_free(&d);
  asl_json_decref(tmpl);

  asl_arena_free(a);
  asl_json_decref(states);
  asl_json_decref(limit);
  asl_json_decref(doc);
  asl_json_decref(ctx);
  fuzz_check_live(live);
  return 0;
}
