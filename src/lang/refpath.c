/* Reference paths (ResultPath and the like): "$", names and single array indexes only, and
 * placing a result into a document the way ResultPath does: copy-on-write along the path,
 * creating the objects that are missing, sharing everything else. */
#include "internal.h"

#include <string.h>

struct asl_refpath {
  const asl_path *path;
};

asl_status asl_refpath_compile(asl_arena *a, const char *text, size_t len, asl_refpath **out,
                               asl_error *err)
{
  *out = NULL;
  asl_path *p;
  asl_status st = asl_path_compile(a, text, len, &p, err);
  if (st != ASL_OK)
    return st;
  if (p->context)
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' refers to the context object; a reference path starts with a "
                         "single '$'",
                         p->text);
  if (p->var)
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' refers to a variable; a reference path starts with '$' and names "
                         "a place in the state's output (assign variables with Assign)",
                         p->text);
  for (size_t i = 0; i < p->nsteps; i++) {
    const path_step *s = &p->steps[i];
    if ((s->kind == STEP_PROP || s->kind == STEP_INDEX) && s->n == 1)
      continue;
    return asl_error_set(err, ASL_E_DEFINITION, NULL,
                         "'%s' is not a reference path: only names (.a or ['a']) and single "
                         "array indexes ([0]) may follow '$', no wildcards, slices, unions, "
                         "filters, '..' or functions",
                         p->text);
  }
  asl_refpath *rp = asl_arena_alloc(a, sizeof *rp);
  rp->path = p;
  *out = rp;
  return ASL_OK;
}

const char *asl_refpath_text(const asl_refpath *rp)
{
  return rp->path->text;
}

/* Returns [node] (NULL when missing) with [result] placed at steps [i..]: a new reference, or
 * NULL when a step cannot be taken. */
static asl_json *place(const asl_path *p, size_t i, const asl_json *node, const asl_json *result)
{
  if (i == p->nsteps)
    return asl_json_incref(result);
  const path_step *st = &p->steps[i];
  if (st->kind == STEP_PROP) {
    asl_json *base;
    if (!node)
      base = asl_json_object(1);
    else if (asl_json_is_object(node))
      base = asl_json_unshare(asl_json_incref(node));
    else
      return NULL;
    const path_name *nm = &st->names[0];
    asl_json *child = place(p, i + 1, asl_json_get(base, nm->s, nm->len), result);
    if (!child) {
      asl_json_decref(base);
      return NULL;
    }
    asl_json_obj_put(base, nm->s, nm->len, child);
    return base;
  }
  /* an index replaces an existing element; arrays are never created or extended */
  if (!node || !asl_json_is_array(node))
    return NULL;
  int64_t len = (int64_t)asl_json_len(node);
  int64_t eff = st->indexes[0] < 0 ? len + st->indexes[0] : st->indexes[0];
  if (eff < 0 || eff >= len)
    return NULL;
  asl_json *child = place(p, i + 1, asl_json_at(node, (size_t)eff), result);
  if (!child)
    return NULL;
  asl_json *copy = asl_json_array((size_t)len);
  for (int64_t k = 0; k < len; k++)
    asl_json_arr_push(copy, k == eff ? child : asl_json_incref(asl_json_at(node, (size_t)k)));
  return copy;
}

asl_json *asl_refpath_apply(const asl_refpath *rp, const asl_json *input, const asl_json *result,
                            asl_error *err)
{
  asl_json *out = place(rp->path, 0, input, result);
  if (!out) {
    /* AWS's words for a ResultPath that cannot be applied ("Unable to apply ReferencePath"); the
     * corpus records no such case, so the rest of the text is ours */
    asl_buf b = ASL_BUF_INIT;
    asl__dump(input, &b);
    asl__runtime_error(err, "States.Runtime", "Unable to apply ReferencePath %s to input %s",
                       rp->path->text, b.data);
    asl_buf_free(&b);
  }
  return out;
}
