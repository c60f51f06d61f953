/* The array family of intrinsics: States.Array, ArrayPartition, ArrayContains, ArrayRange,
 * ArrayGetItem, ArrayLength, ArrayUnique. Arguments arrive checked against intrinsics.def;
 * elements are shared with the input, never copied. Equality is JSON equality as Jackson's
 * (1 and 1.0 differ; intrinsics/test_array_contains__*). */
#include "intrinsic.h"

/* Arrays built by States.ArrayRange hold at most this many items (AWS's documented limit). */
#define RANGE_MAX_ITEMS 1000

asl_json *intr_array(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                     asl_error *err)
{
  (void)c, (void)env, (void)err;
  asl_json *arr = asl_json_array(argc);
  for (size_t i = 0; i < argc; i++)
    asl_json_arr_push(arr, asl_json_incref(argv[i]));
  return arr;
}

asl_json *intr_array_partition(const intr_call *c, asl_json **argv, size_t argc,
                               const asl_env *env, asl_error *err)
{
  (void)argc, (void)env;
  int64_t size;
  asl__intr_integer(argv[1], &size);
  if (size <= 0) {
    asl__intr_fail(c, err, "the chunk size must be greater than 0, not %lld", (long long)size);
    return NULL;
  }
  const asl_json *in = argv[0];
  size_t n = asl_json_len(in);
  asl_json *out = asl_json_array(n / (size_t)size + 1);
  for (size_t i = 0; i < n; i += (size_t)size) {
    size_t end = i + (size_t)size < n ? i + (size_t)size : n;
    asl_json *chunk = asl_json_array(end - i);
    for (size_t k = i; k < end; k++)
      asl_json_arr_push(chunk, asl_json_incref(asl_json_at(in, k)));
    asl_json_arr_push(out, chunk);
  }
  return out;
}

asl_json *intr_array_contains(const intr_call *c, asl_json **argv, size_t argc,
                              const asl_env *env, asl_error *err)
{
  (void)c, (void)argc, (void)env, (void)err;
  size_t n = asl_json_len(argv[0]);
  for (size_t i = 0; i < n; i++)
    if (asl_json_equal(asl_json_at(argv[0], i), argv[1]))
      return asl_json_bool(true);
  return asl_json_bool(false);
}

asl_json *intr_array_range(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                           asl_error *err)
{
  (void)argc, (void)env;
  int64_t start, end, step;
  asl__intr_integer(argv[0], &start);
  asl__intr_integer(argv[1], &end);
  asl__intr_integer(argv[2], &step);
  if (step == 0) {
    asl__intr_fail(c, err, "the step must not be 0");
    return NULL;
  }
  /* the end is included: States.ArrayRange(0, 9, 3) is [0,3,6,9] (test_array_range__00) */
  __int128 count = 0;
  if (step > 0 && end >= start)
    count = ((__int128)end - start) / step + 1;
  else if (step < 0 && end <= start)
    count = ((__int128)start - end) / -(__int128)step + 1;
  if (count > RANGE_MAX_ITEMS) {
    asl__intr_fail(c, err, "the range would hold %lld items; an array can hold at most %d",
                   count > INT64_MAX ? (long long)INT64_MAX : (long long)count, RANGE_MAX_ITEMS);
    return NULL;
  }
  asl_json *arr = asl_json_array((size_t)count);
  for (int64_t k = 0; k < (int64_t)count; k++)
    asl_json_arr_push(arr, asl_json_int(start + k * step));
  return arr;
}

asl_json *intr_array_get_item(const intr_call *c, asl_json **argv, size_t argc,
                              const asl_env *env, asl_error *err)
{
  (void)argc, (void)env;
  int64_t index;
  asl__intr_integer(argv[1], &index);
  size_t n = asl_json_len(argv[0]);
  if (index < 0 || (uint64_t)index >= n) {
    asl__intr_fail(c, err, "the index %lld is out of bounds of the array of %zu item%s",
                   (long long)index, n, n == 1 ? "" : "s");
    return NULL;
  }
  return asl_json_incref(asl_json_at(argv[0], (size_t)index));
}

asl_json *intr_array_length(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                            asl_error *err)
{
  (void)c, (void)argc, (void)env, (void)err;
  return asl_json_int((int64_t)asl_json_len(argv[0]));
}

asl_json *intr_array_unique(const intr_call *c, asl_json **argv, size_t argc, const asl_env *env,
                            asl_error *err)
{
  (void)c, (void)argc, (void)env, (void)err;
  const asl_json *in = argv[0];
  size_t n = asl_json_len(in);
  asl_json *out = asl_json_array(n);
  for (size_t i = 0; i < n; i++) {
    const asl_json *v = asl_json_at(in, i);
    bool seen = false;
    for (size_t k = 0; k < asl_json_len(out) && !seen; k++)
      seen = asl_json_equal(asl_json_at(out, k), v);
    if (!seen)
      asl_json_arr_push(out, asl_json_incref(v));
  }
  return out;
}
