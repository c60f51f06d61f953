/* The virtual clock: real time plus every stretch it skipped. When the execution has nothing to
 * do but wait for timers (no hold: no run ready, no handler at work), it jumps straight to the
 * earliest deadline, so a one-hour Wait takes no time while timestamps still show the hour.
 * The exact clock (a seeded run in virtual time) reads real time only while a handler is at
 * work (a Python function's real second is a second of the execution): aslrun's own computation
 * takes no time and waits are skipped, so that a run answered by mocks or injected faults
 * repeats its timestamps byte for byte. */
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

static int64_t exact_now(const asl__clock *c)
{
  int64_t work = c->work_ms;
  if (c->work_holds > 0)
    work += (int64_t)(uv_now(c->loop) - c->work_since_ms);
  return c->wall_base_ms + c->skipped_ms + work;
}

static int exact_arm(asl__clock *c, int64_t due_ms)
{
  if (c->holds > 0)
    return asl__clock_arm_after(c, due_ms - exact_now(c));
  return asl__clock_arm_after(c, 0);
}

/* Nothing under way: skip to the deadline. A handler at work: time runs as real time does.
 * Only aslrun's own computation: the deadline waits for it to end, then is skipped to. */
static int64_t exact_advance(asl__clock *c, int64_t due_ms)
{
  int64_t now = exact_now(c);
  if (due_ms <= now)
    return now;
  if (c->work_holds > 0)
    return now + 1 >= due_ms ? due_ms : now;
  if (c->holds > 0)
    return now;
  c->skipped_ms += due_ms - now;
  return due_ms;
}

const asl__clock_ops asl__clock_exact_ops = {exact_now, exact_arm, exact_advance};
