/* --history FILE: the execution's events streamed to a file as GetExecutionHistory shapes them,
 * {"events": [{"timestamp", "type", "id", "previousEventId", "<type>EventDetails"}, ...]}, one
 * event a line, written as they happen so that nothing accumulates in memory and a failed or
 * interrupted execution still leaves its history. Timestamps are ISO 8601 UTC with
 * milliseconds, as $$ shows them. */
#include "cli.h"

#include <errno.h>
#include <string.h>

struct cli_history {
  FILE *f;
  char *path;
  size_t count;
  asl_buf line;
};

cli_history *cli_history_open(const char *path)
{
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "aslrun: cannot write the history to '%s': %s\n", path, strerror(errno));
    return NULL;
  }
  cli_history *h = asl_calloc(1, sizeof *h);
  h->f = f;
  h->path = asl_strdup(path);
  fputs("{\"events\":[", f);
  return h;
}

static void on_event(void *data, const asl_event *ev)
{
  cli_history *h = data;
  /* a Distributed Map's child executions have histories of their own, as on AWS */
  if (ev->child_execution)
    return;
  asl_json *o = asl_event_json(ev, cli_timestamp(ev->timestamp_ms));
  h->line.len = 0;
  asl_buf_adds(&h->line, h->count++ ? ",\n" : "\n");
  asl_json_dump_buf(o, ASL_JSON_COMPACT, &h->line);
  asl_json_decref(o);
  fwrite(h->line.data, 1, h->line.len, h->f);
}

asl_event_sink cli_history_sink(cli_history *h)
{
  asl_event_sink s = {.on_event = on_event, .data = h};
  return s;
}

bool cli_history_close(cli_history *h)
{
  fputs("\n]}\n", h->f);
  bool ok = !ferror(h->f);
  int write_errno = errno;
  if (fclose(h->f) != 0 && ok) {
    ok = false;
    write_errno = errno;
  }
  if (!ok)
    fprintf(stderr, "aslrun: cannot write the history to '%s': %s\n", h->path,
            strerror(write_errno));
  asl_buf_free(&h->line);
  asl_free(h->path);
  asl_free(h);
  return ok;
}
