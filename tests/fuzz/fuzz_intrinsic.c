/* libFuzzer target for intrinsic function calls (and `.$` expressions in general): the input
 * is compiled as the value of a `.$` field and, when it compiles, evaluated against a built-in
 * document and context object with a seeded random source. Nothing may crash, hang, leak or
 * leave a reference. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  asl_json *doc = fuzz_parse(fuzz_doc_text, sizeof fuzz_doc_text - 1);
  asl_json *ctx = fuzz_parse(fuzz_ctx_text, sizeof fuzz_ctx_text - 1);
  asl_arena *a = asl_arena_new();
  uint64_t seed = 7;
  asl_env env = {.input = doc, .context = ctx, .rng = &seed};
  asl_error err = ASL_ERROR_INIT;
  asl_expr *e;
  if (asl_expr_compile(a, (const char *)data, size, ASL_EXPR_PATHS | ASL_EXPR_INTRINSICS, &e,
                       &err) == ASL_OK) {
    asl_json *v = asl_expr_eval(e, "value.$", &env, &err);
    asl_json_decref(v);
  }
  asl_error_clear(&err);
  asl_arena_free(a);
  asl_json_decref(doc);
  asl_json_decref(ctx);
  fuzz_check_live(live);
  return 0;
}
