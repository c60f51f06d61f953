/* Succeed states: nothing of their own. Their InputPath/OutputPath (JSONPath) and Output
 * (JSONata) are loaded by common.c; that they have no Next or End is said by state_types.def. */
#include "internal.h"

void asl__load_succeed(state_ctx *c)
{
  (void)c;
}
