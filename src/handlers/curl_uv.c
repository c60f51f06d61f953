/* Drives libcurl's multi interface from the libuv loop: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION -> one uv_poll per socket) and when to call back
 * (CURLMOPT_TIMERFUNCTION -> one uv_timer); the loop's events go back to curl through
 * curl_multi_socket_action, and finished transfers are handed to their owners. Building the
 * requests and reading the answers is http_lambda.c's. */
#include "curl_uv.h"

#include <string.h>

typedef struct xfer xfer;
struct xfer {
  CURL *easy;
  asl__http_done_cb cb;
  void *data;
  xfer *prev, *next;
};

typedef struct sock_ctx sock_ctx;
struct sock_ctx {
  uv_poll_t poll;
  curl_socket_t fd;
  asl__http *h;
  sock_ctx *prev, *next;
};

struct asl__http {
  const asl__curl_api *api;
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  xfer *xfers;
  sock_ctx *socks;
  int open_handles;
  bool closing;
  void (*hold)(void *);
  void (*release)(void *);
  void *owner;
};

static void on_handle_closed(uv_handle_t *handle)
{
  asl__http *h = handle->data;
  if (handle != (uv_handle_t *)&h->timer)
    asl_free(handle); /* a sock_ctx: its poll handle is its first member */
  h->release(h->owner);
  if (--h->open_handles == 0)
    asl_free(h);
}

static void close_handle(asl__http *h, uv_handle_t *handle)
{
  handle->data = h;
  uv_close(handle, on_handle_closed);
}

static void sock_close(asl__http *h, sock_ctx *s)
{
  if (s->prev)
    s->prev->next = s->next;
  else
    h->socks = s->next;
  if (s->next)
    s->next->prev = s->prev;
  uv_poll_stop(&s->poll);
  close_handle(h, (uv_handle_t *)&s->poll);
}

/* Hands every finished transfer to its owner. */
static void drain_done(asl__http *h)
{
  const asl__curl_api *api = h->api;
  CURLMsg *msg;
  int left;
  while ((msg = api->multi_info_read(h->multi, &left))) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    CURL *easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    xfer *x = NULL;
    api->easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    api->multi_remove_handle(h->multi, easy);
    if (!x)
      continue;
    if (x->prev)
      x->prev->next = x->next;
    else
      h->xfers = x->next;
    if (x->next)
      x->next->prev = x->prev;
    asl__http_done_cb cb = x->cb;
    void *data = x->data;
    asl_free(x);
    cb(data, easy, code);
  }
}

static void on_poll(uv_poll_t *p, int status, int events)
{
  sock_ctx *s = (sock_ctx *)p;
  asl__http *h = s->h;
  int flags = 0;
  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  int running;
  h->api->multi_socket_action(h->multi, s->fd, flags, &running);
  drain_done(h);
}

static void on_timer(uv_timer_t *t)
{
  asl__http *h = t->data;
  int running;
  h->api->multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  drain_done(h);
}

/* CURLMOPT_SOCKETFUNCTION */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
  (void)easy;
  asl__http *h = userp;
  sock_ctx *s = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (s) {
      h->api->multi_assign(h->multi, fd, NULL);
      sock_close(h, s);
    }
    return 0;
  }
  if (!s) {
    s = asl_calloc(1, sizeof *s);
    s->fd = fd;
    s->h = h;
    if (uv_poll_init_socket(h->loop, &s->poll, fd) != 0) {
      asl_free(s);
      return -1; /* curl fails the transfer */
    }
    s->poll.data = h;
    h->open_handles++;
    h->hold(h->owner);
    s->next = h->socks;
    if (h->socks)
      h->socks->prev = s;
    h->socks = s;
    h->api->multi_assign(h->multi, fd, s);
  }
  int events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= UV_WRITABLE;
  return uv_poll_start(&s->poll, events, on_poll) == 0 ? 0 : -1;
}

/* CURLMOPT_TIMERFUNCTION: curl wants a call after [ms] (-1: no call). Never act on it here:
 * curl must not be re-entered from its own callback. */
static int on_curl_timer(CURLM *multi, long ms, void *userp)
{
  (void)multi;
  asl__http *h = userp;
  if (ms < 0)
    uv_timer_stop(&h->timer);
  else
    uv_timer_start(&h->timer, on_timer, (uint64_t)ms, 0);
  return 0;
}

asl__http *asl__http_new(uv_loop_t *loop, void (*hold)(void *), void (*release)(void *),
                         void *owner, asl_error *err)
{
  const asl__curl_api *api = asl__curl_load(err);
  if (!api)
    return NULL;
  asl__http *h = asl_calloc(1, sizeof *h);
  h->api = api;
  h->loop = loop;
  h->hold = hold;
  h->release = release;
  h->owner = owner;
  h->multi = api->multi_init();
  int rc = h->multi ? uv_timer_init(loop, &h->timer) : UV_ENOMEM;
  if (rc != 0) {
    if (h->multi)
      api->multi_cleanup(h->multi);
    asl_free(h);
    asl_error_set(err, ASL_E_IO, NULL, "cannot start the HTTP client: %s",
                  h->multi ? uv_strerror(rc) : "curl_multi_init failed");
    return NULL;
  }
  h->timer.data = h;
  h->open_handles = 1;
  hold(owner);
  api->multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  api->multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
  api->multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  api->multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
  /* keep enough idle connections for a Map's whole concurrency to reuse them */
  api->multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 256L);
  return h;
}

const asl__curl_api *asl__http_api(const asl__http *h)
{
  return h->api;
}

asl_status asl__http_start(asl__http *h, CURL *easy, asl__http_done_cb cb, void *data,
                           asl_error *err)
{
  xfer *x = asl_calloc(1, sizeof *x);
  x->easy = easy;
  x->cb = cb;
  x->data = data;
  h->api->easy_setopt(easy, CURLOPT_PRIVATE, (void *)x);
  CURLMcode rc = h->api->multi_add_handle(h->multi, easy);
  if (rc != CURLM_OK) {
    asl_free(x);
    return asl_error_set(err, ASL_E_IO, NULL, "cannot start an HTTP request: %s",
                         h->api->multi_strerror(rc));
  }
  x->next = h->xfers;
  if (h->xfers)
    h->xfers->prev = x;
  h->xfers = x;
  return ASL_OK;
}

void asl__http_stop(asl__http *h, CURL *easy)
{
  xfer *x = NULL;
  h->api->easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
  h->api->multi_remove_handle(h->multi, easy);
  if (!x)
    return;
  if (x->prev)
    x->prev->next = x->next;
  else
    h->xfers = x->next;
  if (x->next)
    x->next->prev = x->prev;
  asl_free(x);
  h->api->easy_setopt(easy, CURLOPT_PRIVATE, (void *)NULL);
}

void asl__http_close(asl__http *h)
{
  if (!h || h->closing)
    return;
  h->closing = true;
  /* owners stop their transfers first; any left would be our bug, but must not leak */
  while (h->xfers) {
    CURL *easy = h->xfers->easy;
    asl__http_stop(h, easy);
    h->api->easy_cleanup(easy);
  }
  /* stop watching before curl closes the cached connections' sockets */
  for (sock_ctx *s = h->socks; s; s = s->next)
    uv_poll_stop(&s->poll);
  h->api->multi_cleanup(h->multi); /* may report CURL_POLL_REMOVE for them */
  h->multi = NULL;
  while (h->socks)
    sock_close(h, h->socks);
  uv_timer_stop(&h->timer);
  close_handle(h, (uv_handle_t *)&h->timer);
}
