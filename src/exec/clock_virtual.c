/* The virtual clock: real time plus every stretch it skipped. When the execution has nothing to
 * do but wait for timers (no hold: no run ready, no handler at work), it jumps straight to the
 * earliest deadline, so a one-hour Wait takes no time while timestamps still show the hour. */
#include "internal.h"

static int64_t virtual_now(const asl__clock *c)
{
  return asl__clock_real_reading(c) + c->skipped_ms;
}

static int virtual_arm(asl__clock *c, int64_t due_ms)
{
  /* held: work is under way, so the deadline must come in its own (real) time */
  if (c->holds > 0)
    return asl__clock_arm_after(c, due_ms - virtual_now(c));
  return asl__clock_arm_after(c, 0);
}

static int64_t virtual_advance(asl__clock *c, int64_t due_ms)
{
  int64_t now = virtual_now(c);
  if (c->holds == 0 && due_ms > now) {
    c->skipped_ms += due_ms - now;
    return due_ms;
  }
  return now + 1 >= due_ms && now < due_ms ? due_ms : now;
}

const asl__clock_ops asl__clock_virtual_ops = {virtual_now, virtual_arm, virtual_advance};
