/* The clock on a real loop: virtual time skips to deadlines without taking real time, equal
 * deadlines fire in the order they were set, a stopped timer never fires, a held virtual clock
 * waits in real time, and the real clock takes the real delay. */
#include <uv.h>

#include "../unit/check.h"
#include "internal.h"

#define MAX_FIRED 16

typedef struct fired_log {
  int order[MAX_FIRED];
  int64_t at[MAX_FIRED];
  int count;
  asl__clock *clock;
} fired_log;

typedef struct tagged_timer {
  asl__timer t;
  int tag;
  fired_log *log;
} tagged_timer;

static void on_fire(asl__timer *t)
{
  tagged_timer *tt = t->data;
  fired_log *log = tt->log;
  if (log->count < MAX_FIRED) {
    log->order[log->count] = tt->tag;
    log->at[log->count] = asl__clock_now(log->clock);
  }
  log->count++;
}

static void start(asl__clock *c, tagged_timer *tt, fired_log *log, int tag, int64_t due)
{
  tt->t.cb = on_fire;
  tt->t.data = tt;
  tt->t.slot = ASL__TIMER_IDLE;
  tt->tag = tag;
  tt->log = log;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__clock_timer_start(c, &tt->t, due, &err) == ASL_OK);
}

static int closed;

static void on_closed(void *data)
{
  (void)data;
  closed++;
}

static void close_clock(uv_loop_t *loop, asl__clock *c)
{
  closed = 0;
  asl__clock_close(c, on_closed, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  CHECK(closed == 1);
}

static void test_virtual_skips_and_orders(void)
{
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  asl__clock c;
  asl_error err = ASL_ERROR_INIT;
  const int64_t start_ms = 1700000000000;
  CHECK(asl__clock_init(&c, &loop, true, false, start_ms, &err) == ASL_OK);
  fired_log log = {.clock = &c};
  tagged_timer t[5];
  int64_t now = asl__clock_now(&c);
  CHECK(now >= start_ms && now < start_ms + 1000);
  start(&c, &t[0], &log, 0, now + 3600 * 1000);
  start(&c, &t[1], &log, 1, now + 10);
  start(&c, &t[2], &log, 2, now + 10); /* same deadline, set later: fires later */
  start(&c, &t[3], &log, 3, now + 5000);
  start(&c, &t[4], &log, 4, now + 20);
  asl__clock_timer_stop(&c, &t[4].t);
  CHECK(!asl__clock_timer_active(&t[4].t));
  uint64_t real0 = uv_hrtime();
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t real_ms = (uv_hrtime() - real0) / 1000000u;
  CHECK(log.count == 4);
  CHECK(log.order[0] == 1 && log.order[1] == 2 && log.order[2] == 3 && log.order[3] == 0);
  CHECK(log.at[3] >= now + 3600 * 1000);
  CHECK(log.at[2] >= now + 5000 && log.at[2] < now + 3600 * 1000);
  CHECK(real_ms < 500); /* an hour of virtual time in well under a second */
  CHECK(asl__clock_now(&c) >= start_ms + 3600 * 1000);
  close_clock(&loop, &c);
  CHECK(uv_loop_close(&loop) == 0);
}

static void test_virtual_held_waits_in_real_time(void)
{
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  asl__clock c;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__clock_init(&c, &loop, true, false, 0, &err) == ASL_OK);
  fired_log log = {.clock = &c};
  tagged_timer t;
  asl__clock_hold(&c);
  uint64_t real0 = uv_hrtime();
  start(&c, &t, &log, 7, asl__clock_now(&c) + 30);
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t real_ms = (uv_hrtime() - real0) / 1000000u;
  CHECK(log.count == 1 && log.order[0] == 7);
  CHECK(real_ms >= 25); /* work under way: no skipping */
  asl__clock_release(&c);
  close_clock(&loop, &c);
  CHECK(uv_loop_close(&loop) == 0);
}

static void test_real_takes_the_delay(void)
{
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  asl__clock c;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__clock_init(&c, &loop, false, false, 0, &err) == ASL_OK);
  fired_log log = {.clock = &c};
  tagged_timer t[3];
  int64_t now = asl__clock_now(&c);
  start(&c, &t[0], &log, 0, now + 40);
  start(&c, &t[1], &log, 1, now + 20);
  start(&c, &t[2], &log, 2, now + 20);
  uint64_t real0 = uv_hrtime();
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t real_ms = (uv_hrtime() - real0) / 1000000u;
  CHECK(log.count == 3);
  CHECK(log.order[0] == 1 && log.order[1] == 2 && log.order[2] == 0);
  CHECK(log.at[0] >= now + 20 && log.at[2] >= now + 40);
  CHECK(real_ms >= 35);
  close_clock(&loop, &c);
  CHECK(uv_loop_close(&loop) == 0);
}

/* A timer callback that starts a timer for the same instant and stops another. */
typedef struct chain {
  asl__clock *c;
  tagged_timer a, b, victim;
  fired_log log;
} chain;

static void on_chain_first(asl__timer *t)
{
  chain *ch = t->data;
  ch->log.order[ch->log.count++] = 100;
  asl__clock_timer_stop(ch->c, &ch->victim.t);
  start(ch->c, &ch->b, &ch->log, 101, asl__clock_now(ch->c));
}

static void test_callbacks_may_start_and_stop(void)
{
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  asl__clock c;
  asl_error err = ASL_ERROR_INIT;
  CHECK(asl__clock_init(&c, &loop, true, false, 0, &err) == ASL_OK);
  chain ch = {.c = &c};
  ch.log.clock = &c;
  int64_t now = asl__clock_now(&c);
  ch.a.t.cb = on_chain_first;
  ch.a.t.data = &ch;
  ch.a.t.slot = ASL__TIMER_IDLE;
  CHECK(asl__clock_timer_start(&c, &ch.a.t, now + 1000, &err) == ASL_OK);
  start(&c, &ch.victim, &ch.log, 102, now + 1000);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(ch.log.count == 2);
  CHECK(ch.log.order[0] == 100 && ch.log.order[1] == 101);
  close_clock(&loop, &c);
  CHECK(uv_loop_close(&loop) == 0);
}

/* The exact clock (seeded runs in virtual time) reads real time only while a handler works: it
 * starts at the given instant to the millisecond, fires each timer at its very deadline, stands
 * still otherwise, and a deadline that falls during a handler's work comes in real time. */
static void test_exact_never_reads_real_time(void)
{
  uv_loop_t loop;
  CHECK(uv_loop_init(&loop) == 0);
  asl__clock c;
  asl_error err = ASL_ERROR_INIT;
  const int64_t start_ms = 1704067200000; /* 2024-01-01T00:00:00Z */
  CHECK(asl__clock_init(&c, &loop, true, true, start_ms, &err) == ASL_OK);
  CHECK(asl__clock_now(&c) == start_ms);
  fired_log log = {.clock = &c};
  tagged_timer t[3];
  start(&c, &t[0], &log, 0, start_ms + 3600 * 1000);
  start(&c, &t[1], &log, 1, start_ms + 7);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(log.count == 2 && log.order[0] == 1 && log.order[1] == 0);
  CHECK(log.at[0] == start_ms + 7 && log.at[1] == start_ms + 3600 * 1000);
  /* real time passes: the clock does not move */
  uv_sleep(15);
  uv_update_time(&loop);
  CHECK(asl__clock_now(&c) == start_ms + 3600 * 1000);
  /* a handler at work: the deadline comes after its real delay */
  asl__clock_hold_work(&c);
  uint64_t real0 = uv_hrtime();
  start(&c, &t[2], &log, 2, asl__clock_now(&c) + 30);
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t real_ms = (uv_hrtime() - real0) / 1000000u;
  CHECK(log.count == 3 && log.order[2] == 2);
  CHECK(real_ms >= 25);
  /* at its instant, or as much later as the loop woke late on a loaded machine: real time */
  CHECK(log.at[2] >= start_ms + 3600 * 1000 + 30);
  CHECK(log.at[2] <= start_ms + 3600 * 1000 + (int64_t)real_ms + 1);
  asl__clock_release_work(&c);
  CHECK(asl__clock_now(&c) >= start_ms + 3600 * 1000 + 29);
  close_clock(&loop, &c);
  CHECK(uv_loop_close(&loop) == 0);
}

int main(void)
{
  test_exact_never_reads_real_time();
  test_virtual_skips_and_orders();
  test_virtual_held_waits_in_real_time();
  test_real_takes_the_delay();
  test_callbacks_may_start_and_stop();
  return CHECK_DONE();
}
