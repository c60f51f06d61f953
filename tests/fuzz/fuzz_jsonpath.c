/* libFuzzer target for the JSONPath compiler and evaluator (and reference paths, which share
 * the compiler). Input: a path, optionally followed by a newline and a JSON document to evaluate
 * against (a built-in document otherwise). Nothing may crash, hang, leak or leave a reference. */
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  const char *text = (const char *)data;
  asl_json *doc;
  asl_json *ctx;
  size_t plen = fuzz_split(text, size, &doc, &ctx);
  asl_arena *a = asl_arena_new();
  asl_env env = {.input = doc, .context = ctx, .rng = NULL};

  asl_error err = ASL_ERROR_INIT;
  asl_path *p;
  if (asl_path_compile(a, text, plen, &p, &err) == ASL_OK) {
    (void)asl_path_is_definite(p);
    asl_json *v = asl_path_eval(p, &env, &err);
    asl_json_decref(v);
  }
  asl_error_clear(&err);

  asl_refpath *rp;
  if (asl_refpath_compile(a, text, plen, &rp, &err) == ASL_OK) {
    asl_json *one = asl_json_int(1);
    asl_json *v = asl_refpath_apply(rp, doc, one, &err);
    asl_json_decref(v);
    asl_json_decref(one);
  }
  asl_error_clear(&err);

  asl_arena_free(a);
  asl_json_decref(doc);
  asl_json_decref(ctx);
  fuzz_check_live(live);
  return 0;
}
