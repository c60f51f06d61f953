/* libFuzzer target for the JSON parser and printer (json module). The input is parsed as JSON
 * (with the default depth cap, and a small one); what parses must print and read back as an equal
 * value with the same compact text and cached size, and every JSON pointer to one of its members
 * must resolve. Nothing may crash, hang, leak or leave a reference. Seeds: tests/json/values.test
 * and the repository's JSON files. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pointers of a few members, escaped as RFC 6901 wants ("~0", "~1"). */
static void check_pointers(const asl_json *root, const asl_json *v, asl_buf *ptr, int depth)
{
  if (depth > 8)
    return;
  size_t n = asl_json_len(v);
  for (size_t i = 0; i < n && i < 4; i++) {
    size_t keep = ptr->len;
    const asl_json *child;
    if (asl_json_is_array(v)) {
      asl_buf_printf(ptr, "/%zu", i);
      child = asl_json_at(v, i);
    } else {
      size_t klen;
      const char *k = asl_json_key_at(v, i, &klen);
      asl_buf_addc(ptr, '/');
      for (size_t j = 0; j < klen; j++) {
        if (k[j] == '~')
          asl_buf_adds(ptr, "~0");
        else if (k[j] == '/')
          asl_buf_adds(ptr, "~1");
        else
          asl_buf_addc(ptr, k[j]);
      }
      child = asl_json_value_at(v, i);
    }
    /* it lands on the member or, for a key holding a NUL (which a C string cannot name) or a
     * static value (null, true, false have no position), on an ancestor: never nowhere */
    if (asl_json_pointer_pos(root, ptr->data, false) == ASL_NOPOS)
      abort();
    (void)asl_json_pointer_pos(root, ptr->data, true);
    check_pointers(root, child, ptr, depth + 1);
    ptr->len = keep;
    ptr->data[keep] = '\0';
  }
}

/* A number too large for a double reads as infinity, which prints as Jackson prints it: the
 * string "Infinity". Such a value cannot read back as itself. */
static bool has_nonfinite(const asl_json *v)
{
  if (asl_json_is_number(v))
    return !isfinite(asl_json_num_val(v));
  for (size_t i = 0; i < asl_json_len(v); i++)
    if (has_nonfinite(asl_json_is_array(v) ? asl_json_at(v, i) : asl_json_value_at(v, i)))
      return true;
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  const char *text = (const char *)data;
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, size, NULL, &err);
  if (!v) {
    if (err.code != ASL_E_SYNTAX && err.code != ASL_E_LIMIT)
      abort();
    asl_error_clear(&err);
  } else {
    size_t clen, plen;
    char *compact = asl_json_dump(v, ASL_JSON_COMPACT, &clen);
    char *pretty = asl_json_dump(v, ASL_JSON_PRETTY, &plen);
    if (clen != asl_json_size(v))
      abort(); /* the cached size AWS's limits count is the compact text's */
    asl_json *back = asl_json_parse(compact, clen, NULL, &err);
    asl_json *back2 = asl_json_parse(pretty, plen, NULL, &err);
    if (!back || !back2 || (!has_nonfinite(v) && !asl_json_equal(v, back)) ||
        !asl_json_equal(back, back2))
      abort(); /* what we print must read back as the same value */
    size_t clen2;
    char *again = asl_json_dump(back, ASL_JSON_COMPACT, &clen2);
    if (clen2 != clen || memcmp(again, compact, clen) != 0)
      abort(); /* printing is a fixed point after one round */
    asl_buf ptr = ASL_BUF_INIT;
    asl_buf_adds(&ptr, "");
    if (asl_json_pointer_pos(v, "", false) != asl_json_pos(v))
      abort();
    check_pointers(v, v, &ptr, 0);
    asl_buf_free(&ptr);
    asl_free(again);
    asl_free(compact);
    asl_free(pretty);
    asl_json_decref(back);
    asl_json_decref(back2);
    asl_json_decref(v);
  }
  /* a small depth cap: deep input is an error, never a deep recursion */
  asl_json_parse_opts o = {.max_depth = 4};
  asl_json *shallow = asl_json_parse(text, size, &o, &err);
  asl_json_decref(shallow);
  asl_error_clear(&err);
  fuzz_check_live(live);
  return 0;
}
