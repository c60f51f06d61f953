/* Private to src/cli: `aslrun replay HISTORY MACHINE`. replay_history.c reads an execution
 * history as AWS exports it and places every event (its state, the Map iterations holding it,
 * the sequential "thread" it belongs to); cmd_replay.c feeds the recorded Task results back,
 * runs the execution again, and compares the two histories thread by thread. */
#ifndef ASLRUN_CLI_REPLAY_H
#define ASLRUN_CLI_REPLAY_H

#include "cli.h"

/* One event of either history, placed. */
typedef struct replay_event {
  int64_t id;
  int64_t prev;
  int64_t ts_ms;           /* its timestamp (AWS's history: when readable) */
  bool ts_ok;
  const char *type;        /* "TaskStateEntered" (static or borrowed) */
  const asl_json *details; /* the *EventDetails object, or NULL (borrowed) */
  const char *state;       /* the state it belongs to, or NULL (borrowed) */
  char *path;   /* the Map iterations holding it: "" or "\x1fMAP\x1eINDEX..." (owned) */
  char *thread; /* its sequential thread: the state list and path (owned) */
} replay_event;

typedef ASL_VEC(replay_event) replay_events;

/* Structure of the machine the placing needs: each state by name, and the Parallel or Map state
 * each state list belongs to. */
typedef struct replay_machine replay_machine;
replay_machine *replay_machine_new(const asl_machine *m);
void replay_machine_free(replay_machine *rm);

/* Reads AWS's history [doc] ({"events": [...]}, or the array alone; any order of ids) into
 * [out], sorted by id and placed; false and *why (a new string) when it is not a history. */
bool replay_read_history(const asl_json *doc, const replay_machine *rm, replay_events *out,
                         char **why);
/* Places events whose type, state and ids are already set (the local run's), in id order. */
void replay_place(const replay_machine *rm, replay_events *events, bool attribute);
void replay_events_free(replay_events *ev);

/* A timestamp as the AWS CLI writes it (ISO 8601 with an offset, or epoch seconds as a number)
 * in milliseconds; false when it is neither. */
bool replay_timestamp_ms(const asl_json *v, int64_t *ms);
/* The key of a Task's recorded results: its state and the Map iterations holding it. */
char *replay_task_key(const char *state, const char *path);
/* The same key from an answer query of the executor. */
char *replay_query_key(const asl_task_query *q);

#endif
