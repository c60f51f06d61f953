/* The JSON family of intrinsics: States.StringToJson, States.JsonToString, States.JsonMerge. */
#include "intrinsic.h"

asl_json *intr_string_to_json(const intr_call *c, asl_json **argv, size_t argc,
                              const asl_env *env, asl_error *err)
{
  (void)argc, (void)env;
  const char *s = asl_json_str(argv[0]);
  size_t n = asl_json_str_len(argv[0]);
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  /* nothing but blanks reads as null, as Jackson's readTree does (test_string_to_json__00, 01) */
  if (i == n)
    return asl_json_null();
  asl_error perr = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(s, n, NULL, &perr);
  if (!v) {
    asl__intr_fail(c, err, "the argument is not valid JSON: %s", perr.cause ? perr.cause : "?");
    asl_error_clear(&perr);
  }
  return v;
}

asl_json *intr_json_to_string(const intr_call *c, asl_json **argv, size_t argc,
                              const asl_env *env, asl_error *err)
{
  (void)c, (void)argc, (void)env, (void)err;
  size_t len;
  char *s = asl_json_dump(argv[0], ASL_JSON_COMPACT, &len);
  return asl_json_string_take(s, len);
}

/* A shallow merge: the members of the second object replace those of the first with the same
 * name, which keep their place; AWS supports no deep merge. */
asl_json *intr_json_merge(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                          asl_error *err)
{
  (void)argc, (void)env;
  if (asl_json_bool_val(argv[2])) {
    asl__intr_fail(c, err, "only a shallow merge is supported: the third argument must be false");
    return NULL;
  }
  asl_json *out = asl_json_unshare(asl_json_incref(argv[0]));
  size_t n = asl_json_len(argv[1]);
  for (size_t i = 0; i < n; i++) {
    size_t kl;
    const char *k = asl_json_key_at(argv[1], i, &kl);
    asl_json_obj_put(out, k, kl, asl_json_incref(asl_json_value_at(argv[1], i)));
  }
  return out;
}
