/* The one place that maps a state type to what the executor does with it: the run (and cancel)
 * operations and the history events of its entry, exit and abort. Every switch over the type
 * lists all of them, so -Wswitch points here when a type is added (STYLE.md, section 9). */
#include "internal.h"

#define EV(x) ASL_EVENT_##x

static const asl__state_ops pass_ops = {
    asl__state_pass_run, NULL, EV(PASS_STATE_ENTERED), EV(PASS_STATE_EXITED),
    EV(PASS_STATE_EXITED), true, false};
static const asl__state_ops choice_ops = {
    asl__state_choice_run, NULL, EV(CHOICE_STATE_ENTERED), EV(CHOICE_STATE_EXITED),
    EV(CHOICE_STATE_EXITED), true, false};
static const asl__state_ops wait_ops = {
    asl__state_wait_run, asl__state_wait_cancel, EV(WAIT_STATE_ENTERED), EV(WAIT_STATE_EXITED),
    EV(WAIT_STATE_ABORTED), true, true};
static const asl__state_ops succeed_ops = {
    asl__state_succeed_run, NULL, EV(SUCCEED_STATE_ENTERED), EV(SUCCEED_STATE_EXITED),
    EV(SUCCEED_STATE_EXITED), true, false};
/* a Fail state has no exit event: FailStateEntered is followed by ExecutionFailed */
static const asl__state_ops fail_ops = {
    asl__state_fail_run, NULL, EV(FAIL_STATE_ENTERED), EV(FAIL_STATE_ENTERED),
    EV(FAIL_STATE_ENTERED), false, false};
/* Task, Parallel and Map run in attempts under Retry and Catch (retry.c) */
static const asl__state_ops task_ops = {
    asl__state_task_run, asl__attempts_cancel, EV(TASK_STATE_ENTERED), EV(TASK_STATE_EXITED),
    EV(TASK_STATE_ABORTED), true, true};
static const asl__state_ops parallel_ops = {
    asl__state_parallel_run, asl__attempts_cancel, EV(PARALLEL_STATE_ENTERED),
    EV(PARALLEL_STATE_EXITED), EV(PARALLEL_STATE_ABORTED), true, true};
static const asl__state_ops map_ops = {
    asl__state_map_run, asl__attempts_cancel, EV(MAP_STATE_ENTERED), EV(MAP_STATE_EXITED),
    EV(MAP_STATE_ABORTED), true, true};

const asl__state_ops *asl__state_ops_of(asl_state_type t)
{
  switch (t) {
  case ASL_STATE_TASK:
    return &task_ops;
  case ASL_STATE_PASS:
    return &pass_ops;
  case ASL_STATE_CHOICE:
    return &choice_ops;
  case ASL_STATE_WAIT:
    return &wait_ops;
  case ASL_STATE_SUCCEED:
    return &succeed_ops;
  case ASL_STATE_FAIL:
    return &fail_ops;
  case ASL_STATE_PARALLEL:
    return &parallel_ops;
  case ASL_STATE_MAP:
    return &map_ops;
  }
  return &pass_ops; /* not reached: every type is listed above */
}
