/* The real clock: wall-clock time (read once, then advanced by the monotonic clock, so a change
 * of the system time cannot reorder events), and timers that take the real delay. */
#include "internal.h"

static int64_t real_now(const asl__clock *c)
{
  return asl__clock_real_reading(c);
}

static int real_arm(asl__clock *c, int64_t due_ms)
{
  return asl__clock_arm_after(c, due_ms - real_now(c));
}

/* uv's timer counts whole milliseconds of its own cached time, so it may fire a fraction of a
 * millisecond before our reading reaches the deadline: that deadline is due. */
static int64_t real_advance(asl__clock *c, int64_t due_ms)
{
  int64_t now = real_now(c);
  return now + 1 >= due_ms && now < due_ms ? due_ms : now;
}

const asl__clock_ops asl__clock_real_ops = {real_now, real_arm, real_advance};
