/* What a Task's Resource means to the executor: its style (a Lambda function ARN,
 * lambda:invoke, another service integration, an activity), which decides the history events
 * and what the handler registry is asked, and the resourceType/resource pair that TaskScheduled
 * and its siblings carry. Whether a resource is valid was checked at load (src/machine). */
#include "internal.h"

#include <string.h>

/* "arn:PARTITION:SERVICE:" and the rest after it, or NULL. */
static const char *after_service(const char *res, const char *service)
{
  if (strncmp(res, "arn:", 4) != 0)
    return NULL;
  const char *p = strchr(res + 4, ':');
  if (!p)
    return NULL;
  size_t n = strlen(service);
  if (strncmp(p + 1, service, n) != 0 || p[1 + n] != ':')
    return NULL;
  return p + 2 + n;
}

bool asl__resource_is_callback(const char *resource)
{
  static const char suffix[] = ".waitForTaskToken";
  size_t n = strlen(resource);
  return n > sizeof suffix - 1 && strcmp(resource + n - (sizeof suffix - 1), suffix) == 0;
}

asl_task_style asl_exec_resource_style(const char *resource)
{
  const char *rest = after_service(resource, "lambda");
  if (rest && strstr(rest, ":function:"))
    return ASL_TASK_LAMBDA_ARN;
  rest = after_service(resource, "states");
  if (rest && strncmp(rest, "::", 2) == 0) {
    /* lambda:invoke.waitForTaskToken invokes the function as lambda:invoke does; the Task then
     * ends with the callback's answer, not the function's (state_task.c) */
    if (strcmp(rest + 2, "lambda:invoke") == 0 ||
        strcmp(rest + 2, "lambda:invoke.waitForTaskToken") == 0)
      return ASL_TASK_LAMBDA_INVOKE;
    return ASL_TASK_SERVICE;
  }
  if (rest && strstr(rest, ":activity:"))
    return ASL_TASK_ACTIVITY;
  return ASL_TASK_SERVICE;
}

bool asl__resource_split(const char *resource, const char **type, size_t *type_len,
                         const char **action)
{
  const char *rest = after_service(resource, "states");
  if (!rest || strncmp(rest, "::", 2) != 0)
    return false;
  rest += 2;
  const char *colon = strrchr(rest, ':');
  if (!colon || colon == rest)
    return false;
  *type = rest;
  *type_len = (size_t)(colon - rest);
  *action = colon + 1;
  return true;
}
