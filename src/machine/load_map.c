/* Map states: the item processor (ItemProcessor with its ProcessorConfig, or the older
 * Iterator), where the items come from (ItemsPath; Items in JSONata), how each is shaped
 * (ItemSelector, or the older Parameters), MaxConcurrency and the tolerated failures, each with
 * its Path form. The distributed-mode fields (ItemReader, ItemBatcher, ResultWriter, Label) are
 * map_distributed.c's. */
#include "internal.h"

#include <string.h>

#define MAX_CONCURRENCY 2147483647

enum { P_MODE, P_EXECUTION_TYPE, P_COUNT };
static const char *const processor_config_fields[P_COUNT] = {"Mode", "ExecutionType"};

static bool str_is(const asl_json *v, const char *lit)
{
  return asl_json_str_len(v) == strlen(lit) && memcmp(asl_json_str(v), lit, strlen(lit)) == 0;
}

static void load_processor_config(state_ctx *c, const slot *s, const char *proc_ptr)
{
  loader *L = c->L;
  asl_state *st = c->st;
  char *ptr = asl__ptr(proc_ptr, "ProcessorConfig");
  slot f[P_COUNT];
  if (!asl__scan_object(L, s->v, asl__vpos(s), ptr, "ProcessorConfig", processor_config_fields,
                        P_COUNT, f)) {
    asl_free(ptr);
    return;
  }
  if (f[P_MODE].v && asl__want_string(L, &f[P_MODE], ptr, "Mode")) {
    if (str_is(f[P_MODE].v, "DISTRIBUTED")) {
      st->u.map.mode = ASL_MAP_DISTRIBUTED;
    } else if (!str_is(f[P_MODE].v, "INLINE")) {
      char *got = asl__describe(f[P_MODE].v);
      asl__diag(L, asl__vpos(&f[P_MODE]), ptr, "Mode",
                "Mode must be \"INLINE\" or \"DISTRIBUTED\", not %s", got);
      asl_free(got);
    }
  }
  slot *et = &f[P_EXECUTION_TYPE];
  if (et->v && asl__want_string(L, et, ptr, "ExecutionType")) {
    if (!str_is(et->v, "STANDARD") && !str_is(et->v, "EXPRESS")) {
      char *got = asl__describe(et->v);
      asl__diag(L, asl__vpos(et), ptr, "ExecutionType",
                "ExecutionType must be \"STANDARD\" or \"EXPRESS\", not %s", got);
      asl_free(got);
    } else if (st->u.map.mode != ASL_MAP_DISTRIBUTED) {
      asl__diag(L, et->kpos, ptr, "ExecutionType",
                "ExecutionType is only for \"Mode\": \"DISTRIBUTED\"; remove it, or set the "
                "Mode");
    } else {
      st->u.map.execution_type = asl__arena_str(L, et->v);
    }
  } else if (!et->v && st->u.map.mode == ASL_MAP_DISTRIBUTED) {
    asl__diag(L, asl__vpos(s), ptr, NULL,
              "a DISTRIBUTED Map needs \"ExecutionType\": \"STANDARD\" or \"EXPRESS\" (how its "
              "child executions run)");
  }
  asl_free(ptr);
}

static void load_processor(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *proc = &c->f[F_ITEM_PROCESSOR];
  slot *iter = &c->f[F_ITERATOR];
  if (proc->v && iter->v) {
    asl__sdiag(c, F_ITERATOR, true,
               "a Map state has ItemProcessor or Iterator (its older name), not both; keep "
               "ItemProcessor");
    return;
  }
  if (!proc->v && !iter->v) {
    if (asl__missing(c, F_ITEM_PROCESSOR) && asl__missing(c, F_ITERATOR))
      asl__diag(L, st->offset, st->pointer, NULL,
                "missing \"ItemProcessor\": the states run for each item, with \"StartAt\" and "
                "\"States\"");
    return;
  }
  /* the older Iterator takes a ProcessorConfig too (conformance
   * map/test_map_state_legacy_config_distributed.json) */
  static const char *const extra[] = {"ProcessorConfig"};
  slot *which = proc->v ? proc : iter;
  const char *field = proc->v ? "ItemProcessor" : "Iterator";
  slot config;
  char *ptr = asl__ptr(st->pointer, field);
  /* the mode decides which fields the Map may have: read it before the processor's states */
  if (asl_json_is_object(which->v)) {
    slot pc = asl__member(which->v, "ProcessorConfig");
    if (pc.v)
      load_processor_config(c, &pc, ptr);
  }
  asl__load_sublist(c, which->v, asl__vpos(which), ptr, field, &st->u.map.processor, extra, 1,
                    &config);
  asl_free(ptr);
}

/* A number that may also be given by a path or, in JSONata, an expression. */
static bool load_limit(state_ctx *c, field_id lit, field_id path, asl_path **out_path,
                       asl_jsonata_template **out_expr)
{
  asl_state *st = c->st;
  if (c->f[lit].v && c->f[path].v) {
    asl__sdiag(c, path, true, "a Map state may have %s or %s, not both; keep one",
               asl__field_names[lit], asl__field_names[path]);
    return false;
  }
  if (c->f[path].v &&
      asl__compile_value_path(c->L, &c->f[path], st->pointer, asl__field_names[path], out_path) &&
      asl_path_is_context(*out_path))
    st->uses_context = true;
  if (!c->f[lit].v)
    return false;
  if (c->jsonata && asl__is_jsonata_expr(c->f[lit].v)) {
    *out_expr = asl__compile_jsonata(c->L, &c->f[lit], st->pointer, asl__field_names[lit],
                                     asl__field_names[lit], 0);
    return false;
  }
  return true; /* the caller reads the literal */
}

static void load_limits(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  const char *p = st->pointer;
  const char *or_expr = c->jsonata ? " or a JSONata expression \"{% ... %}\"" : "";
  char *what;
  st->u.map.tolerated_failure_count = -1;
  st->u.map.tolerated_failure_percentage = -1;
  if (load_limit(c, F_MAX_CONCURRENCY, F_MAX_CONCURRENCY_PATH, &st->u.map.max_concurrency_path,
                 &st->u.map.max_concurrency_expr)) {
    what = asl_strfmt("a non-negative integer (0 means no limit)%s", or_expr);
    asl__want_int(L, &c->f[F_MAX_CONCURRENCY], p, "MaxConcurrency", 0, MAX_CONCURRENCY, what,
                  &st->u.map.max_concurrency);
    asl_free(what);
  }
  if (load_limit(c, F_TOLERATED_FAILURE_COUNT, F_TOLERATED_FAILURE_COUNT_PATH,
                 &st->u.map.tolerated_failure_count_path,
                 &st->u.map.tolerated_failure_count_expr)) {
    what = asl_strfmt("a non-negative integer%s", or_expr);
    asl__want_int(L, &c->f[F_TOLERATED_FAILURE_COUNT], p, "ToleratedFailureCount", 0, INT64_MAX,
                  what, &st->u.map.tolerated_failure_count);
    asl_free(what);
  }
  if (load_limit(c, F_TOLERATED_FAILURE_PERCENTAGE, F_TOLERATED_FAILURE_PERCENTAGE_PATH,
                 &st->u.map.tolerated_failure_percentage_path,
                 &st->u.map.tolerated_failure_percentage_expr)) {
    what = asl_strfmt("a number from 0 to 100%s", or_expr);
    asl__want_number(L, &c->f[F_TOLERATED_FAILURE_PERCENTAGE], p, "ToleratedFailurePercentage", 0,
                     100, what, &st->u.map.tolerated_failure_percentage);
    asl_free(what);
  }
}

static void load_items(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  if (c->f[F_ITEMS_PATH].v &&
      asl__compile_value_path(L, &c->f[F_ITEMS_PATH], st->pointer, "ItemsPath",
                              &st->u.map.items_path) &&
      asl_path_is_context(st->u.map.items_path))
    st->uses_context = true;
  slot *items = &c->f[F_ITEMS];
  if (items->v) {
    if (asl_json_is_array(items->v) || asl__is_jsonata_expr(items->v)) {
      st->u.map.items = asl__compile_jsonata(L, items, st->pointer, "Items", "Items", 0);
    } else {
      char *got = asl__describe(items->v);
      asl__sdiag(c, F_ITEMS, false,
                 "Items must be an array or a JSONata expression \"{%% ... %%}\", not %s", got);
      asl_free(got);
    }
  }
  slot *sel = &c->f[F_ITEM_SELECTOR];
  if (sel->v && c->f[F_PARAMETERS].v) {
    asl__sdiag(c, F_PARAMETERS, true,
               "a Map state may have ItemSelector or Parameters (its older name), not both; keep "
               "ItemSelector");
    return;
  }
  if (c->f[F_PARAMETERS].v) {
    st->u.map.item_selector = st->parameters; /* compiled by common.c */
  } else if (sel->v && c->jsonata) {
    if (asl_json_is_object(sel->v) || asl__is_jsonata_expr(sel->v)) {
      st->u.map.jsonata_item_selector =
          asl__compile_jsonata(L, sel, st->pointer, "ItemSelector", "ItemSelector", 0);
    } else {
      char *got = asl__describe(sel->v);
      asl__sdiag(c, F_ITEM_SELECTOR, false,
                 "ItemSelector must be an object or a JSONata expression \"{%% ... %%}\", not %s",
                 got);
      asl_free(got);
    }
  } else if (sel->v &&
             asl__compile_template(L, sel, st->pointer, "ItemSelector", &st->u.map.item_selector) &&
             asl_template_uses_context(st->u.map.item_selector)) {
    st->uses_context = true;
  }
}

void asl__load_map(state_ctx *c)
{
  load_processor(c);
  load_items(c);
  load_limits(c);
  asl__load_map_distributed(c);
}
