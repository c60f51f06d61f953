/* libFuzzer target for Choice rules: the input is a rule's JSON, optionally followed by a newline
 * and a JSON document to evaluate against (a built-in document otherwise). The rule is compiled
 * both as a top-level rule and as a nested one; what compiles is evaluated. A rule that does not
 * compile must say why; a failed evaluation names its error. Nothing may crash, hang, leak or
 * leave a reference. Seeds: the rules of tests/lang/choice.test. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  const char *text = (const char *)data;
  asl_json *doc;
  asl_json *ctx;
  size_t rlen = fuzz_split(text, size, &doc, &ctx);
  asl_json *rule = fuzz_parse(text, rlen);
  if (!rule) {
    asl_json_decref(doc);
    asl_json_decref(ctx);
    return 0;
  }
  asl_arena *a = asl_arena_new();
  asl_env env = {.input = doc, .context = ctx, .rng = NULL};
  for (int top = 0; top <= 1; top++) {
    asl_diags d = ASL_DIAGS_INIT;
    asl_choice *c = asl_choice_compile(a, rule, "/States/C/Choices/0", top != 0, &d);
    if ((c == NULL) != (d.len > 0))
      abort(); /* NULL exactly when something was reported */
    if (c) {
      asl_error err = ASL_ERROR_INIT;
      bool matched = false;
      (void)asl_choice_uses_context(c);
      if (asl_choice_eval(c, &env, &matched, &err) != ASL_OK && (!err.name || !err.cause))
        abort();
      asl_error_clear(&err);
    } else {
      asl_buf out = ASL_BUF_INIT;
      asl_diags_print(&d, "fuzz", text, rlen, &out);
      asl_buf_free(&out);
    }
    asl_diags_free(&d);
  }
  asl_arena_free(a);
  asl_json_decref(rule);
  asl_json_decref(doc);
  asl_json_decref(ctx);
  fuzz_check_live(live);
  return 0;
}
