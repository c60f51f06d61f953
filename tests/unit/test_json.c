/* What the data files cannot reach: reference counts, sharing, in-place updates, positions. */
#include "aslrun/json.h"

#include <stdint.h>

#include "check.h"

static char *dump(const asl_json *v)
{
  return asl_json_dump(v, ASL_JSON_COMPACT, NULL);
}

static void test_refcounts(void)
{
  size_t live = asl_json_live();
  asl_json *o = asl_json_object(0);
  asl_json *s = asl_json_cstr("shared");
  asl_json_obj_put_cstr(o, "a", asl_json_incref(s));
  asl_json_obj_put_cstr(o, "b", s);
  CHECK(asl_json_live() == live + 2);
  asl_json *o2 = asl_json_unshare(asl_json_incref(o)); /* shared: copied */
  CHECK(o2 != o);
  asl_json_obj_put_cstr(o2, "c", asl_json_int(3));
  char *t1 = dump(o);
  char *t2 = dump(o2);
  CHECK_STR(t1, "{\"a\":\"shared\",\"b\":\"shared\"}");
  CHECK_STR(t2, "{\"a\":\"shared\",\"b\":\"shared\",\"c\":3}");
  asl_free(t1);
  asl_free(t2);
  asl_json_decref(o);
  asl_json_decref(o2);
  CHECK(asl_json_live() == live);
}

static void test_put_keeps_place(void)
{
  asl_json *o = asl_json_object(0);
  asl_json_obj_put_cstr(o, "x", asl_json_int(1));
  asl_json_obj_put_cstr(o, "y", asl_json_int(2));
  asl_json_obj_put_cstr(o, "x", asl_json_double(1.5));
  char *t = dump(o);
  CHECK_STR(t, "{\"x\":1.5,\"y\":2}");
  asl_free(t);
  CHECK(asl_json_obj_remove(o, "x", 1));
  CHECK(!asl_json_obj_remove(o, "x", 1));
  t = dump(o);
  CHECK_STR(t, "{\"y\":2}");
  asl_free(t);
  asl_json_decref(o);
}

static void test_large_object_index(void)
{
  asl_json *o = asl_json_object(0);
  char key[16];
  for (int i = 0; i < 1000; i++) {
    int n = snprintf(key, sizeof key, "k%d", i);
    asl_json_obj_put(o, key, (size_t)n, asl_json_int(i));
  }
  CHECK(asl_json_len(o) == 1000);
  CHECK(asl_json_int_val(asl_json_get_cstr(o, "k777")) == 777);
  CHECK(asl_json_get_cstr(o, "k1000") == NULL);
  asl_json_obj_put_cstr(o, "k5", asl_json_int(-5)); /* replaces through the index */
  CHECK(asl_json_len(o) == 1000);
  CHECK(asl_json_int_val(asl_json_get_cstr(o, "k5")) == -5);
  CHECK(asl_json_obj_remove(o, "k0", 2));
  CHECK(asl_json_get_cstr(o, "k0") == NULL);
  CHECK(asl_json_int_val(asl_json_get_cstr(o, "k999")) == 999);
  asl_json_decref(o);
}

static void test_positions(void)
{
  const char *text = "{\n  \"States\": {\n    \"A\": {\"Next\": \"B\", \"End\": true}\n  }\n}";
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, strlen(text), NULL, &err);
  CHECK(v != NULL);
  int line, col;
  size_t off = asl_json_pointer_pos(v, "/States/A/Next", false);
  asl_text_linecol(text, strlen(text), off, &line, &col);
  CHECK(line == 3 && col == 19);
  off = asl_json_pointer_pos(v, "/States/A/Next", true);
  asl_text_linecol(text, strlen(text), off, &line, &col);
  CHECK(line == 3 && col == 11);
  off = asl_json_pointer_pos(v, "/States/A/End", false); /* true has no position: its key */
  asl_text_linecol(text, strlen(text), off, &line, &col);
  CHECK(line == 3 && col == 24);
  off = asl_json_pointer_pos(v, "/States/Nope/Next", false); /* deepest existing ancestor */
  asl_text_linecol(text, strlen(text), off, &line, &col);
  CHECK(line == 2 && col == 13);
  asl_json_decref(v);
}

static void test_escaped_string_positions(void)
{
  const char *text = "[\"a\\\"b\\\\\", \"c\"]";
  asl_json *v = asl_json_parse(text, strlen(text), NULL, NULL);
  CHECK(v && asl_json_pos(asl_json_at(v, 0)) == 1);
  CHECK(v && asl_json_pos(asl_json_at(v, 1)) == 11);
  asl_json_decref(v);
}

static void test_size_matches_dump(void)
{
  const char *text =
      "{\"a\":[1,2.5,-0.0,1e300,\"x\\u0001\\n\\\"\",null,true,false,{}],\"\\u00e9\":{\"b\":[]}}";
  asl_json *v = asl_json_parse(text, strlen(text), NULL, NULL);
  size_t len;
  char *t = asl_json_dump(v, ASL_JSON_COMPACT, &len);
  CHECK(asl_json_size(v) == len);
  asl_free(t);
  asl_json_decref(v);
}

static void test_depth_limit(void)
{
  char text[3000];
  for (int i = 0; i < 1500; i++)
    text[i] = '[';
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl_json_parse(text, 1500, NULL, &err) == NULL);
  CHECK(err.code == ASL_E_LIMIT);
  asl_error_clear(&err);
}

int main(void)
{
  test_refcounts();
  test_put_keeps_place();
  test_large_object_index();
  test_positions();
  test_escaped_string_positions();
  test_size_matches_dump();
  test_depth_limit();
  return CHECK_DONE();
}
