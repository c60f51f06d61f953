/* Child-process helpers shared by process.c and python.c (private to src/handlers). */
#ifndef ASLRUN_HANDLERS_SPAWN_H
#define ASLRUN_HANDLERS_SPAWN_H

#include <time.h>

#include "internal.h"

/* Lambda's largest synchronous response (bytes) and how much log a call keeps. */
#define ASL_RESPONSE_LIMIT 6291556
#define ASL_LOG_LIMIT (1024 * 1024)

/* This process's environment, then [extra] (taken), then the function's "environment"; a later
 * KEY replaces an earlier one. NULL-terminated; free with asl__child_env_free. */
char **asl__child_env(const asl__fn *fn, char **extra, size_t n_extra);
void asl__child_env_free(char **env);
/* SIGKILL to [pid]'s process group (it leads one), else to [pid]. */
void asl__kill_group(int pid);
/* SIGKILL to what is left of the process group that [pid] led, once [pid] itself was reaped:
 * never to [pid] alone, which the system may already have given to another process. */
void asl__kill_group_after_exit(int pid);
/* Go's name of a signal ("killed"), or NULL. */
const char *asl__signal_name(int sig);
/* {"errorType":"Runtime.ExitError","errorMessage":"RequestId: ... Error: Runtime exited ..."} */
void asl__exit_payload(asl_buf *b, const char *request_id, int64_t status, int sig);
/* {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ... Task timed out after N.NN seconds"} */
void asl__timeout_payload(asl_buf *b, const char *request_id, double timeout_s);
/* "2026/11/23/[$LATEST]<32 hex>" as Lambda names log streams. */
char *asl__log_stream_name(asl_handlers *h, int64_t now_ms);

#endif
