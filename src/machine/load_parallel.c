/* Parallel states: Branches, a non-empty array of closed state lists (StartAt, States, Comment),
 * each loaded like the machine's own. Retry, Catch and the input/output fields are common.c's
 * and retry_catch.c's. */
#include "internal.h"

#include <stdio.h>

void asl__load_parallel(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *s = &c->f[F_BRANCHES];
  if (!s->v) {
    if (asl__missing(c, F_BRANCHES))
      asl__diag(L, st->offset, st->pointer, NULL,
                "missing \"Branches\": a Parallel state runs a non-empty array of branches, each "
                "with \"StartAt\" and \"States\"");
    return;
  }
  if (!asl__want_array(L, s, st->pointer, "Branches", true))
    return;
  size_t n = asl_json_len(s->v);
  st->u.parallel.branches = asl_arena_alloc(L->a, n * sizeof(asl_states));
  st->u.parallel.count = n;
  char *ptr = asl__ptr(st->pointer, "Branches");
  for (size_t i = 0; i < n; i++) {
    const asl_json *b = asl_json_at(s->v, i);
    char idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    char *bptr = asl__ptr(ptr, idx);
    size_t pos = asl_json_pos(b) != ASL_NOPOS ? asl_json_pos(b) : asl__vpos(s);
    asl__load_sublist(c, b, pos, bptr, "a Parallel branch", &st->u.parallel.branches[i], NULL, 0,
                      NULL);
    asl_free(bptr);
  }
  asl_free(ptr);
}
