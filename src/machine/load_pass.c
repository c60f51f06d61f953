/* Pass states: Result, kept as written (it flows into outputs, so it stays a shared value). The
 * input/output fields a Pass shares with other states are loaded by common.c. */
#include "internal.h"

void asl__load_pass(state_ctx *c)
{
  c->st->u.pass.result = c->f[F_RESULT].v;
}
