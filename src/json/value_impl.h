/* The node behind asl_json; private to src/json. */
#ifndef ASLRUN_JSON_VALUE_IMPL_H
#define ASLRUN_JSON_VALUE_IMPL_H

#include "aslrun/json.h"

enum {
  NODE_STATIC = 1, /* null/true/false: never counted, never freed */
};

/* Keys shorter than KEY_INLINE bytes (nearly all of them) live in the member itself: parsing a
 * large document then costs no allocation a key. */
#define KEY_INLINE 16

typedef struct member {
  asl_json *val;
  uint32_t klen;
  uint32_t kpos; /* offset of the key in the source, or UINT32_MAX */
  union {
    char *heap;             /* klen >= KEY_INLINE: NUL-terminated copy, may hold NULs */
    char small[KEY_INLINE]; /* klen < KEY_INLINE */
  } k;
} member;

static inline const char *member_key(const member *m)
{
  return m->klen < KEY_INLINE ? m->k.small : m->k.heap;
}

struct asl_json {
  uint8_t kind;
  uint8_t flags;
  uint32_t pos; /* offset of the first byte in the source, or UINT32_MAX */
  int32_t refs;
  size_t size; /* cached compact length; 0 = not computed yet */
  union {
    bool b;
    int64_t i;
    double d;
    struct {
      size_t len;
      char *p; /* points into the node (inline) or to a taken buffer */
    } s;
    struct {
      asl_json **items;
      size_t len;
      size_t cap;
    } a;
    struct {
      member *m;
      size_t len;
      size_t cap;
      uint32_t *index; /* open addressing, slot = member index + 1; NULL until needed */
      size_t index_cap;
    } o;
  } u;
};

#define POS_NONE UINT32_MAX

asl_json *asl__json_new(asl_json_kind kind);
/* Stores a copy of key [k] in [m]. */
void asl__member_set_key(member *m, const char *k, size_t klen);
void asl__member_free_key(member *m);
/* Appends a member without looking for an existing key. */
void asl__json_obj_append(asl_json *o, const char *k, size_t klen, uint32_t kpos, asl_json *v);
/* Adds member [m] (its key and value are taken) to unshared [o]: a key already present keeps its
 * place and takes the new value, as Jackson does. */
void asl__json_obj_adopt(asl_json *o, member *m);
uint64_t asl__json_hash(const char *k, size_t n);

#endif
