/* libcurl's multi interface driven by the libuv loop (private to src/handlers): one client per
 * registry, so every HTTP call of a run shares one connection cache and runs concurrently on the
 * loop's thread. */
#ifndef ASLRUN_HANDLERS_CURL_UV_H
#define ASLRUN_HANDLERS_CURL_UV_H

#include <uv.h>

#include "netlib.h"

typedef struct asl__http asl__http;

/* [code] is the transfer's result; the easy handle is already out of the multi handle and is the
 * callback's to clean up. */
typedef void (*asl__http_done_cb)(void *data, CURL *easy, CURLcode code);

/* A client on [loop]; loads libcurl on first use. [hold]/[release] count the client's open
 * handles for whoever must wait for them before closing the loop (the registry). */
asl__http *asl__http_new(uv_loop_t *loop, void (*hold)(void *), void (*release)(void *),
                         void *owner, asl_error *err);
/* Stops every transfer (their callbacks never run) and closes the client's handles; the memory
 * goes when the last handle is closed. NULL is a no-op. */
void asl__http_close(asl__http *h);
const asl__curl_api *asl__http_api(const asl__http *h);
/* Starts [easy] (fully set up by the caller, CURLOPT_PRIVATE excepted); [cb] runs once from the
 * loop when it ends, never inside this call. */
asl_status asl__http_start(asl__http *h, CURL *easy, asl__http_done_cb cb, void *data,
                           asl_error *err);
/* Removes a started transfer; its callback will not run. The caller cleans [easy] up. */
void asl__http_stop(asl__http *h, CURL *easy);

#endif
