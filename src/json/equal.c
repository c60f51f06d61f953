/* Deep equality of values, with Jackson's rules: numbers of different kinds differ. */
#include "value_impl.h"

#include <string.h>

bool asl_json_equal(const asl_json *a, const asl_json *b)
{
  if (a == b)
    return true;
  if (a->kind != b->kind)
    return false;
  switch ((asl_json_kind)a->kind) {
  case ASL_JSON_NULL:
    return true;
  case ASL_JSON_BOOL:
    return a->u.b == b->u.b;
  case ASL_JSON_INT:
    return a->u.i == b->u.i;
  case ASL_JSON_DOUBLE:
    return a->u.d == b->u.d;
  case ASL_JSON_STRING:
    return a->u.s.len == b->u.s.len && memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
  case ASL_JSON_ARRAY:
    if (a->u.a.len != b->u.a.len)
      return false;
    for (size_t i = 0; i < a->u.a.len; i++)
      if (!asl_json_equal(a->u.a.items[i], b->u.a.items[i]))
        return false;
    return true;
  case ASL_JSON_OBJECT:
    if (a->u.o.len != b->u.o.len)
      return false;
    for (size_t i = 0; i < a->u.o.len; i++) {
      const member *m = &a->u.o.m[i];
      const asl_json *other = asl_json_get(b, member_key(m), m->klen);
      if (!other || !asl_json_equal(m->val, other))
        return false;
    }
    return true;
  }
  return false;
}
