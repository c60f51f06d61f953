/* Wait states: exactly one of Seconds, SecondsPath, Timestamp, TimestampPath. Literal timestamps
 * are parsed here (RFC 3339 with "T" and "Z" or an offset, as lang's asl_timestamp_parse says),
 * so a bad one is a definition error (conformance validation/test_wait_timestamp_invalid__*). */
#include "internal.h"

#include <string.h>

#define MAX_WAIT_SECONDS 99999999

static void load_seconds(state_ctx *c)
{
  slot *s = &c->f[F_SECONDS];
  asl_state *st = c->st;
  if (c->jsonata && asl__is_jsonata_expr(s->v)) {
    st->u.wait.seconds_expr = asl__compile_jsonata(c->L, s, st->pointer, "Seconds", "Seconds", 0);
    return;
  }
  const char *what = c->jsonata ? "a non-negative integer (at most 99999999) or a JSONata "
                                  "expression \"{% ... %}\""
                                : "a non-negative integer (at most 99999999)";
  if (asl__want_int(c->L, s, st->pointer, "Seconds", 0, MAX_WAIT_SECONDS, what,
                    &st->u.wait.seconds))
    st->u.wait.has_seconds = true;
}

static void load_timestamp(state_ctx *c)
{
  slot *s = &c->f[F_TIMESTAMP];
  asl_state *st = c->st;
  if (c->jsonata && asl__is_jsonata_expr(s->v)) {
    st->u.wait.timestamp_expr =
        asl__compile_jsonata(c->L, s, st->pointer, "Timestamp", "Timestamp", 0);
    return;
  }
  if (!asl__want_string(c->L, s, st->pointer, "Timestamp"))
    return;
  if (asl_timestamp_parse(asl_json_str(s->v), asl_json_str_len(s->v), &st->u.wait.timestamp)) {
    st->u.wait.has_timestamp = true;
    return;
  }
  char *got = asl__describe(s->v);
  asl__sdiag(c, F_TIMESTAMP, false,
             "Timestamp must be an RFC 3339 date-time such as \"2016-03-14T01:59:00Z\" (a "
             "valid date, \"T\", a valid time, then \"Z\" or an offset like \"+01:00\"), not "
             "%s%s",
             got,
             asl__is_jsonata_expr(s->v)
                 ? "; JSONata expressions need \"QueryLanguage\": \"JSONata\" (on the state or "
                   "the machine)"
                 : "");
  asl_free(got);
}

void asl__load_wait(state_ctx *c)
{
  static const field_id forms[] = {F_SECONDS, F_SECONDS_PATH, F_TIMESTAMP, F_TIMESTAMP_PATH};
  asl_state *st = c->st;
  loader *L = c->L;
  size_t present = 0;
  field_id first = F_SECONDS;
  for (size_t i = 0; i < 4; i++) {
    if (!c->f[forms[i]].v)
      continue;
    if (present == 0)
      first = forms[i];
    else
      asl__sdiag(c, forms[i], true,
                 "a Wait state takes exactly one of Seconds, SecondsPath, Timestamp and "
                 "TimestampPath, and this one also has %s; keep one",
                 asl__field_names[first]);
    present++;
  }
  if (present == 0) {
    if (asl__missing(c, F_SECONDS) && asl__missing(c, F_SECONDS_PATH) &&
        asl__missing(c, F_TIMESTAMP) && asl__missing(c, F_TIMESTAMP_PATH))
      asl__diag(L, st->offset, st->pointer, NULL,
                "a Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath: how "
                "long, or until when, to wait");
    return;
  }
  if (present > 1)
    return;
  if (first == F_SECONDS) {
    load_seconds(c);
  } else if (first == F_TIMESTAMP) {
    load_timestamp(c);
  } else if (first == F_SECONDS_PATH) {
    if (asl__compile_value_path(L, &c->f[F_SECONDS_PATH], st->pointer, "SecondsPath",
                                &st->u.wait.seconds_path) &&
        asl_path_is_context(st->u.wait.seconds_path))
      st->uses_context = true;
  } else if (asl__compile_value_path(L, &c->f[F_TIMESTAMP_PATH], st->pointer, "TimestampPath",
                                     &st->u.wait.timestamp_path) &&
             asl_path_is_context(st->u.wait.timestamp_path)) {
    st->uses_context = true;
  }
}
