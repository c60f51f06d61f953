/* JSON pointers (RFC 6901) resolved to source offsets, for diagnostics. */
#include "value_impl.h"

#include <stdlib.h>
#include <string.h>

/* Reads the next reference token of [p] into [out], unescaping ~0 and ~1; returns the rest. */
static const char *next_token(const char *p, asl_buf *out)
{
  out->len = 0;
  asl_buf_reserve(out, 0);
  out->data[0] = '\0';
  for (; *p && *p != '/'; p++) {
    if (p[0] == '~' && p[1] == '0') {
      asl_buf_addc(out, '~');
      p++;
    } else if (p[0] == '~' && p[1] == '1') {
      asl_buf_addc(out, '/');
      p++;
    } else {
      asl_buf_addc(out, *p);
    }
  }
  return p;
}

size_t asl_json_pointer_pos(const asl_json *root, const char *pointer, bool key)
{
  const asl_json *v = root;
  size_t best = asl_json_pos(root);
  asl_buf tok = ASL_BUF_INIT;
  const char *p = pointer;
  while (*p == '/') {
    p = next_token(p + 1, &tok);
    const asl_json *child = NULL;
    size_t child_key_pos = ASL_NOPOS;
    if (v->kind == ASL_JSON_OBJECT) {
      for (size_t i = 0; i < v->u.o.len; i++) {
        const member *m = &v->u.o.m[i];
        if (m->klen == tok.len && memcmp(member_key(m), tok.data, tok.len) == 0) {
          child = m->val;
          child_key_pos = m->kpos == POS_NONE ? ASL_NOPOS : m->kpos;
        }
      }
    } else if (v->kind == ASL_JSON_ARRAY) {
      char *end;
      unsigned long i = strtoul(tok.data, &end, 10);
      if (tok.len && *end == '\0')
        child = asl_json_at(v, i);
    }
    if (!child)
      break;
    bool last = *p != '/';
    size_t here = asl_json_pos(child);
    /* static nodes (null, true, false) have no position: their key stands in for them */
    if ((last && key) || here == ASL_NOPOS)
      here = child_key_pos != ASL_NOPOS ? child_key_pos : here;
    if (here != ASL_NOPOS)
      best = here;
    v = child;
  }
  asl_buf_free(&tok);
  return best;
}
