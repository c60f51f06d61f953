/* The clock interface shared by both clocks: a heap of timers ordered by (deadline, start
 * order) behind one uv timer armed for the earliest. What "now" is and how the uv timer is armed
 * are the two clocks' own business (clock_real.c, clock_virtual.c). */
#include "internal.h"

static bool earlier(const asl__timer *a, const asl__timer *b)
{
  return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static void heap_set(asl__clock *c, size_t i, asl__timer *t)
{
  c->heap[i] = t;
  t->slot = i;
}

static void sift_up(asl__clock *c, size_t i)
{
  asl__timer *t = c->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!earlier(t, c->heap[parent]))
      break;
    heap_set(c, i, c->heap[parent]);
    i = parent;
  }
  heap_set(c, i, t);
}

static void sift_down(asl__clock *c, size_t i)
{
  asl__timer *t = c->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= c->len)
      break;
    if (child + 1 < c->len && earlier(c->heap[child + 1], c->heap[child]))
      child++;
    if (!earlier(c->heap[child], t))
      break;
    heap_set(c, i, c->heap[child]);
    i = child;
  }
  heap_set(c, i, t);
}

static void heap_remove(asl__clock *c, asl__timer *t)
{
  size_t i = t->slot;
  t->slot = ASL__TIMER_IDLE;
  c->len--;
  if (i == c->len)
    return;
  asl__timer *moved = c->heap[c->len];
  heap_set(c, i, moved);
  sift_down(c, i);
  sift_up(c, moved->slot);
}

/* Arms (or stops) the uv timer for the earliest deadline. uv_timer_start fails only on a closing
 * handle or a NULL callback, and a closing clock is never armed, so its result needs no path. */
static void rearm(asl__clock *c)
{
  if (c->firing || c->on_closed)
    return;
  if (c->len == 0) {
    uv_timer_stop(&c->uvt);
    return;
  }
  int rc = c->ops->arm(c, c->heap[0]->due_ms);
  (void)rc;
}

static void on_uv_timer(uv_timer_t *h)
{
  asl__clock *c = h->data;
  if (c->len == 0)
    return;
  c->firing = true;
  int64_t now = c->ops->advance(c, c->heap[0]->due_ms);
  /* one at a time: a callback may stop or start other timers */
  while (c->len > 0 && c->heap[0]->due_ms <= now && !c->on_closed) {
    asl__timer *t = c->heap[0];
    heap_remove(c, t);
    t->cb(t);
  }
  c->firing = false;
  rearm(c);
}

asl_status asl__clock_init(asl__clock *c, uv_loop_t *loop, bool is_virtual, bool exact,
                           int64_t start_ms, asl_error *err)
{
  *c = (asl__clock){0};
  c->ops = !is_virtual ? &asl__clock_real_ops
           : exact     ? &asl__clock_exact_ops
                       : &asl__clock_virtual_ops;
  c->loop = loop;
  int rc = uv_timer_init(loop, &c->uvt);
  if (rc < 0)
    return asl_error_set(err, ASL_E_IO, NULL, "cannot create the execution's timer: %s",
                         uv_strerror(rc));
  c->uvt.data = c;
  uv_timeval64_t tv;
  rc = uv_gettimeofday(&tv);
  c->wall_base_ms = rc < 0 ? 0 : (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
  uv_update_time(loop);
  c->loop_base_ms = uv_now(loop);
  if (is_virtual && start_ms != 0)
    c->wall_base_ms = start_ms;
  return ASL_OK;
}

int64_t asl__clock_now(const asl__clock *c)
{
  return c->ops->now(c);
}

/* The loop's time, which libuv reads once a turn: everything that happens in one turn happens
 * at one instant, as AWS stamps the Tasks a Map starts together alike, so that their timeouts
 * fall due together (conformance timeouts/test_service_lambda_map_timeout.json). */
int64_t asl__clock_real_reading(const asl__clock *c)
{
  return c->wall_base_ms + (int64_t)(uv_now(c->loop) - c->loop_base_ms);
}

int asl__clock_arm_after(asl__clock *c, int64_t delay_ms)
{
  if (delay_ms < 0)
    delay_ms = 0;
  /* the loop's cached time may be old after a long synchronous chain */
  uv_update_time(c->loop);
  return uv_timer_start(&c->uvt, on_uv_timer, (uint64_t)delay_ms, 0);
}

asl_status asl__clock_timer_start(asl__clock *c, asl__timer *t, int64_t due_ms, asl_error *err)
{
  if (c->on_closed)
    return asl_error_set(err, ASL_E_CANCELED, NULL, "the execution's clock is closed");
  if (c->len == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 8;
    c->heap = asl_realloc(c->heap, c->cap * sizeof *c->heap);
  }
  t->due_ms = due_ms;
  t->seq = c->seq++;
  c->heap[c->len] = t;
  t->slot = c->len++;
  sift_up(c, t->slot);
  if (c->heap[0] == t)
    rearm(c);
  return ASL_OK;
}

void asl__clock_timer_stop(asl__clock *c, asl__timer *t)
{
  if (t->slot == ASL__TIMER_IDLE)
    return;
  bool was_first = t->slot == 0;
  heap_remove(c, t);
  if (was_first)
    rearm(c);
}

bool asl__clock_timer_active(const asl__timer *t)
{
  return t->slot != ASL__TIMER_IDLE;
}

void asl__clock_hold(asl__clock *c)
{
  c->holds++;
}

void asl__clock_hold_work(asl__clock *c)
{
  if (c->work_holds++ == 0) {
    uv_update_time(c->loop);
    c->work_since_ms = uv_now(c->loop);
  }
  asl__clock_hold(c);
}

void asl__clock_release_work(asl__clock *c)
{
  if (--c->work_holds == 0) {
    uv_update_time(c->loop);
    c->work_ms += (int64_t)(uv_now(c->loop) - c->work_since_ms);
  }
  asl__clock_release(c);
}

void asl__clock_release(asl__clock *c)
{
  c->holds--;
  if (c->holds == 0)
    rearm(c);
}

asl_status asl__clock_reopen(asl__clock *c, asl_error *err)
{
  int rc = uv_timer_init(c->loop, &c->uvt);
  if (rc < 0)
    return asl_error_set(err, ASL_E_IO, NULL, "cannot create the execution's timer: %s",
                         uv_strerror(rc));
  c->uvt.data = c;
  c->on_closed = NULL;
  c->closed_data = NULL;
  c->firing = false;
  return ASL_OK;
}

static void on_uv_timer_closed(uv_handle_t *h)
{
  asl__clock *c = h->data;
  asl_free(c->heap);
  c->heap = NULL;
  c->len = c->cap = 0;
  c->on_closed(c->closed_data);
}

void asl__clock_close(asl__clock *c, void (*cb)(void *data), void *data)
{
  c->on_closed = cb;
  c->closed_data = data;
  for (size_t i = 0; i < c->len; i++)
    c->heap[i]->slot = ASL__TIMER_IDLE;
  c->len = 0;
  uv_timer_stop(&c->uvt);
  uv_close((uv_handle_t *)&c->uvt, on_uv_timer_closed);
}
