/* libFuzzer target for payload templates (Parameters, ResultSelector, ItemSelector): the input is
 * a template's JSON, optionally followed by a newline and a JSON document to evaluate against (a
 * built-in document otherwise). What compiles is evaluated with a seeded random source; a template
 * that does not compile must say why. Nothing may crash, hang, leak or leave a reference.
 * Seeds: the templates of tests/lang/template.test. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  const char *text = (const char *)data;
  asl_json *doc;
  asl_json *ctx;
  size_t tlen = fuzz_split(text, size, &doc, &ctx);
  asl_json *tmpl = fuzz_parse(text, tlen);
  if (!tmpl) {
    asl_json_decref(doc);
    asl_json_decref(ctx);
    return 0;
  }
  asl_arena *a = asl_arena_new();
  uint64_t seed = 7;
  asl_env env = {.input = doc, .context = ctx, .rng = &seed};
  asl_diags d = ASL_DIAGS_INIT;
  asl_template *t = asl_template_compile(a, tmpl, "/States/S/Parameters", &d);
  if ((t == NULL) != (d.len > 0))
    abort(); /* NULL exactly when something was reported */
  if (t) {
    asl_error err = ASL_ERROR_INIT;
    (void)asl_template_uses_context(t);
    asl_json *v = asl_template_eval(t, &env, &err);
    if (!v && (!err.name || !err.cause))
      abort(); /* a failed evaluation names a Step Functions error */
    asl_json_decref(v);
    asl_error_clear(&err);
  } else {
    asl_buf out = ASL_BUF_INIT;
    asl_diags_print(&d, "fuzz", text, tlen, &out);
    asl_buf_free(&out);
  }
  asl_diags_free(&d);
  asl_arena_free(a);
  asl_json_decref(tmpl);
  asl_json_decref(doc);
  asl_json_decref(ctx);
  fuzz_check_live(live);
  return 0;
}
