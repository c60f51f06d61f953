/* The fields only a DISTRIBUTED Map has: ItemReader (where the items come from), ItemBatcher
 * (items grouped into batches), ResultWriter (where results go) and Label. They are checked and
 * compiled here and also kept as written for the executor; reading S3 is not the loader's
 * concern. */
#include "internal.h"

#include <string.h>

static bool str_is(const asl_json *v, const char *lit)
{
  return asl_json_str_len(v) == strlen(lit) && memcmp(asl_json_str(v), lit, strlen(lit)) == 0;
}

/* A string field whose value must be one of [allowed] (NULL-terminated). */
static void want_enum(loader *L, const slot *s, const char *ptr, const char *field,
                      const char *const *allowed)
{
  if (!s->v || !asl__want_string(L, s, ptr, field))
    return;
  asl_buf list = ASL_BUF_INIT;
  for (size_t i = 0; allowed[i]; i++) {
    if (str_is(s->v, allowed[i])) {
      asl_buf_free(&list);
      return;
    }
    asl_buf_printf(&list, "%s\"%s\"", i ? ", " : "", allowed[i]);
  }
  char *got = asl__describe(s->v);
  asl__diag(L, asl__vpos(s), ptr, field, "%s must be one of %s, not %s", field, list.data, got);
  asl_free(got);
  asl_buf_free(&list);
}

/* "arn:PARTITION:states:::s3:ACTION" for one of [actions]. */
static bool is_s3_resource(const asl_json *v, const char *const *actions)
{
  const char *s = asl_json_str(v);
  size_t n = asl_json_str_len(v);
  if (n < 4 || memcmp(s, "arn:", 4) != 0)
    return false;
  const char *colon = memchr(s + 4, ':', n - 4);
  if (!colon)
    return false;
  size_t rest = n - (size_t)(colon - s);
  for (size_t i = 0; actions[i]; i++) {
    char *want = asl_strfmt(":states:::s3:%s", actions[i]);
    bool ok = strlen(want) == rest && memcmp(colon, want, rest) == 0;
    asl_free(want);
    if (ok)
      return true;
  }
  return false;
}

static const char *resource_str(state_ctx *c, const slot *s, const char *ptr,
                                const char *const *actions, const char *example)
{
  if (!asl__want_string(c->L, s, ptr, "Resource"))
    return NULL;
  if (is_s3_resource(s->v, actions))
    return asl__arena_str(c->L, s->v);
  char *got = asl__describe(s->v);
  asl__diag(c->L, asl__vpos(s), ptr, "Resource", "Resource must be %s, not %s", example, got);
  asl_free(got);
  return NULL;
}

/* Parameters (JSONPath) or Arguments (JSONata) of a reader or writer. */
static asl_template *load_params(state_ctx *c, const slot *params, const slot *args,
                                 const char *ptr)
{
  loader *L = c->L;
  asl_template *t = NULL;
  if (params->v && c->jsonata)
    asl__diag(L, params->kpos, ptr, "Parameters",
              "Parameters is a JSONPath field and this state uses JSONata; use Arguments");
  else if (params->v && asl__compile_template(L, params, ptr, "Parameters", &t) &&
           asl_template_uses_context(t))
    c->st->uses_context = true;
  if (args->v && !c->jsonata)
    asl__diag(L, args->kpos, ptr, "Arguments",
              "Arguments is a JSONata field and this state uses JSONPath; use Parameters");
  else if (args->v && !asl_json_is_object(args->v) && !asl__is_jsonata_expr(args->v))
    asl__want_object(L, args, ptr, "Arguments");
  else if (args->v)
    /* compiled for its diagnostics only: S3 is not served locally, nothing evaluates it */
    asl__compile_jsonata(L, args, ptr, "Arguments", "Arguments", 0);
  return t;
}

/* A positive count that may also come from a JSONPath (or, in JSONata, an expression). */
static void load_count(state_ctx *c, const slot *lit, const slot *path, const char *ptr,
                       const char *lname, const char *pname, int64_t max, int64_t *out,
                       asl_path **out_path, asl_jsonata_template **out_expr)
{
  loader *L = c->L;
  if (lit->v && path->v) {
    asl__diag(L, path->kpos, ptr, pname, "use %s or %s, not both", lname, pname);
    return;
  }
  if (lit->v && c->jsonata && asl__is_jsonata_expr(lit->v)) {
    /* without [out_expr] (ReaderConfig, never run locally) compiled for its diagnostics */
    asl_jsonata_template *t = asl__compile_jsonata(L, lit, ptr, lname, lname, 0);
    if (out_expr)
      *out_expr = t;
  } else if (lit->v) {
    char *what = asl_strfmt("a positive integer (at most %lld)%s", (long long)max,
                            c->jsonata ? " or a JSONata expression \"{% ... %}\"" : "");
    asl__want_int(L, lit, ptr, lname, 1, max, what, out);
    asl_free(what);
  }
  if (!path->v)
    return;
  if (c->jsonata)
    asl__diag(L, path->kpos, ptr, pname,
              "%s is a JSONPath field and this state uses JSONata; use %s with a {%% ... %%} "
              "expression",
              pname, lname);
  else if (asl__compile_value_path(L, path, ptr, pname, out_path) && asl_path_is_context(*out_path))
    c->st->uses_context = true;
}

enum {
  RC_INPUT_TYPE,
  RC_HEADER_LOCATION,
  RC_HEADERS,
  RC_DELIMITER,
  RC_MAX_ITEMS,
  RC_MAX_ITEMS_PATH,
  RC_MANIFEST_TYPE,
  RC_COUNT
};
static const char *const reader_config_fields[RC_COUNT] = {
    "InputType", "CSVHeaderLocation", "CSVHeaders",  "CSVDelimiter",
    "MaxItems",  "MaxItemsPath",      "ManifestType"};

static void load_reader_config(state_ctx *c, const slot *s, const char *reader_ptr)
{
  static const char *const input_types[] = {"CSV", "JSON", "JSONL", "MANIFEST", "PARQUET", NULL};
  static const char *const locations[] = {"FIRST_ROW", "GIVEN", NULL};
  static const char *const delimiters[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", NULL};
  loader *L = c->L;
  asl_state *st = c->st;
  char *ptr = asl__ptr(reader_ptr, "ReaderConfig");
  slot f[RC_COUNT];
  if (asl__scan_object(L, s->v, asl__vpos(s), ptr, "ReaderConfig", reader_config_fields, RC_COUNT,
                       f)) {
    want_enum(L, &f[RC_INPUT_TYPE], ptr, "InputType", input_types);
    want_enum(L, &f[RC_HEADER_LOCATION], ptr, "CSVHeaderLocation", locations);
    want_enum(L, &f[RC_DELIMITER], ptr, "CSVDelimiter", delimiters);
    if (f[RC_MANIFEST_TYPE].v)
      asl__want_string(L, &f[RC_MANIFEST_TYPE], ptr, "ManifestType");
    if (f[RC_HEADERS].v && asl__want_array(L, &f[RC_HEADERS], ptr, "CSVHeaders", true)) {
      for (size_t i = 0; i < asl_json_len(f[RC_HEADERS].v); i++)
        if (!asl_json_is_string(asl_json_at(f[RC_HEADERS].v, i))) {
          asl__diag(L, asl__vpos(&f[RC_HEADERS]), ptr, "CSVHeaders",
                    "CSVHeaders must be an array of strings (the column names)");
          break;
        }
    }
    bool given = f[RC_HEADER_LOCATION].v && asl_json_is_string(f[RC_HEADER_LOCATION].v) &&
                 str_is(f[RC_HEADER_LOCATION].v, "GIVEN");
    if (given && !f[RC_HEADERS].v)
      asl__diag(L, asl__vpos(&f[RC_HEADER_LOCATION]), ptr, "CSVHeaderLocation",
                "\"CSVHeaderLocation\": \"GIVEN\" needs \"CSVHeaders\": the column names");
    if (!given && f[RC_HEADERS].v)
      asl__diag(L, f[RC_HEADERS].kpos, ptr, "CSVHeaders",
                "CSVHeaders is used only with \"CSVHeaderLocation\": \"GIVEN\"; add it, or "
                "remove CSVHeaders to read the first row");
    load_count(c, &f[RC_MAX_ITEMS], &f[RC_MAX_ITEMS_PATH], ptr, "MaxItems", "MaxItemsPath",
               100000000, &st->u.map.reader_max_items, &st->u.map.reader_max_items_path, NULL);
  }
  asl_free(ptr);
}

enum { IR_RESOURCE, IR_PARAMETERS, IR_ARGUMENTS, IR_READER_CONFIG, IR_COUNT };
static const char *const reader_fields[IR_COUNT] = {"Resource", "Parameters", "Arguments",
                                                    "ReaderConfig"};

static void load_reader(state_ctx *c)
{
  static const char *const actions[] = {"getObject", "listObjectsV2", NULL};
  asl_state *st = c->st;
  slot *s = &c->f[F_ITEM_READER];
  char *ptr = asl__ptr(st->pointer, "ItemReader");
  slot f[IR_COUNT];
  if (asl__scan_object(c->L, s->v, asl__vpos(s), ptr, "ItemReader", reader_fields, IR_COUNT, f)) {
    st->u.map.item_reader = s->v;
    if (!f[IR_RESOURCE].v)
      asl__diag(c->L, asl__vpos(s), ptr, NULL,
                "missing \"Resource\": \"arn:aws:states:::s3:getObject\" (one file) or "
                "\"arn:aws:states:::s3:listObjectsV2\" (the objects under a prefix)");
    else
      st->u.map.reader_resource = resource_str(
          c, &f[IR_RESOURCE], ptr, actions,
          "\"arn:aws:states:::s3:getObject\" or \"arn:aws:states:::s3:listObjectsV2\"");
    st->u.map.reader_parameters = load_params(c, &f[IR_PARAMETERS], &f[IR_ARGUMENTS], ptr);
    if (f[IR_READER_CONFIG].v)
      load_reader_config(c, &f[IR_READER_CONFIG], ptr);
  }
  asl_free(ptr);
}

enum { IB_MAX_ITEMS, IB_MAX_ITEMS_PATH, IB_MAX_BYTES, IB_MAX_BYTES_PATH, IB_BATCH_INPUT, IB_COUNT };
static const char *const batcher_fields[IB_COUNT] = {"MaxItemsPerBatch", "MaxItemsPerBatchPath",
                                                     "MaxInputBytesPerBatch",
                                                     "MaxInputBytesPerBatchPath", "BatchInput"};

static void load_batcher(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *s = &c->f[F_ITEM_BATCHER];
  char *ptr = asl__ptr(st->pointer, "ItemBatcher");
  slot f[IB_COUNT];
  if (asl__scan_object(L, s->v, asl__vpos(s), ptr, "ItemBatcher", batcher_fields, IB_COUNT, f)) {
    st->u.map.item_batcher = s->v;
    if (!f[IB_MAX_ITEMS].v && !f[IB_MAX_ITEMS_PATH].v && !f[IB_MAX_BYTES].v &&
        !f[IB_MAX_BYTES_PATH].v)
      asl__diag(L, asl__vpos(s), ptr, NULL,
                "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path "
                "forms): how large a batch may be");
    load_count(c, &f[IB_MAX_ITEMS], &f[IB_MAX_ITEMS_PATH], ptr, "MaxItemsPerBatch",
               "MaxItemsPerBatchPath", 100000000, &st->u.map.batcher_max_items,
               &st->u.map.batcher_max_items_path, &st->u.map.batcher_max_items_expr);
    /* a batch is one child execution's input: the payload quota caps it */
    load_count(c, &f[IB_MAX_BYTES], &f[IB_MAX_BYTES_PATH], ptr, "MaxInputBytesPerBatch",
               "MaxInputBytesPerBatchPath", 262144, &st->u.map.batcher_max_input_bytes,
               &st->u.map.batcher_max_input_bytes_path, &st->u.map.batcher_max_input_bytes_expr);
    slot *bi = &f[IB_BATCH_INPUT];
    if (bi->v && c->jsonata) {
      if (!asl_json_is_object(bi->v) && !asl__is_jsonata_expr(bi->v))
        asl__want_object(L, bi, ptr, "BatchInput");
      else
        st->u.map.batcher_batch_input_expr =
            asl__compile_jsonata(L, bi, ptr, "BatchInput", "ItemBatcher/BatchInput", 0);
    } else if (bi->v &&
               asl__compile_template(L, bi, ptr, "BatchInput", &st->u.map.batcher_batch_input) &&
               asl_template_uses_context(st->u.map.batcher_batch_input)) {
      st->uses_context = true;
    }
  }
  asl_free(ptr);
}

enum { RW_RESOURCE, RW_PARAMETERS, RW_ARGUMENTS, RW_WRITER_CONFIG, RW_COUNT };
static const char *const writer_fields[RW_COUNT] = {"Resource", "Parameters", "Arguments",
                                                    "WriterConfig"};
enum { WC_OUTPUT_TYPE, WC_TRANSFORMATION, WC_COUNT };
static const char *const writer_config_fields[WC_COUNT] = {"OutputType", "Transformation"};

static void load_writer(state_ctx *c)
{
  static const char *const actions[] = {"putObject", NULL};
  static const char *const output_types[] = {"JSON", "JSONL", NULL};
  static const char *const transformations[] = {"NONE", "COMPACT", "FLATTEN", NULL};
  loader *L = c->L;
  asl_state *st = c->st;
  slot *s = &c->f[F_RESULT_WRITER];
  char *ptr = asl__ptr(st->pointer, "ResultWriter");
  slot f[RW_COUNT];
  if (asl__scan_object(L, s->v, asl__vpos(s), ptr, "ResultWriter", writer_fields, RW_COUNT, f)) {
    st->u.map.result_writer = s->v;
    if (f[RW_RESOURCE].v)
      st->u.map.writer_resource =
          resource_str(c, &f[RW_RESOURCE], ptr, actions, "\"arn:aws:states:::s3:putObject\"");
    else if (f[RW_PARAMETERS].v || f[RW_ARGUMENTS].v)
      asl__diag(L, asl__vpos(s), ptr, NULL,
                "missing \"Resource\": \"arn:aws:states:::s3:putObject\", where the results go");
    else if (!f[RW_WRITER_CONFIG].v)
      asl__diag(L, asl__vpos(s), ptr, NULL,
                "ResultWriter needs \"Resource\" and \"Parameters\" (where to write the "
                "results) or \"WriterConfig\" (how to shape them)");
    st->u.map.writer_parameters = load_params(c, &f[RW_PARAMETERS], &f[RW_ARGUMENTS], ptr);
    char *wptr = asl__ptr(ptr, "WriterConfig");
    slot w[WC_COUNT];
    if (f[RW_WRITER_CONFIG].v &&
        asl__scan_object(L, f[RW_WRITER_CONFIG].v, asl__vpos(&f[RW_WRITER_CONFIG]), wptr,
                         "WriterConfig", writer_config_fields, WC_COUNT, w)) {
      want_enum(L, &w[WC_OUTPUT_TYPE], wptr, "OutputType", output_types);
      want_enum(L, &w[WC_TRANSFORMATION], wptr, "Transformation", transformations);
    }
    asl_free(wptr);
  }
  asl_free(ptr);
}

/* Label: a prefix of child execution names, so it obeys their character rules (AWS's Map state
 * page: at most 40 characters, no whitespace, brackets, wildcards or punctuation that has a
 * meaning in ARNs). */
static void load_label(state_ctx *c)
{
  slot *s = &c->f[F_LABEL];
  if (!asl__want_string(c->L, s, c->st->pointer, "Label"))
    return;
  const char *v = asl_json_str(s->v);
  size_t n = asl_json_str_len(s->v);
  size_t units = asl_utf16_len(v, n);
  if (units > 40) {
    asl__sdiag(c, F_LABEL, false, "Label is %zu characters long; the limit is 40", units);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)v[i];
    bool bad = ch <= 0x20 || ch == 0x7F || strchr("<>{}[]?*\"#%\\^|~`$&,;:/", ch) != NULL;
    /* U+0080..U+009F are control characters too: C2 80 .. C2 9F in UTF-8 */
    if (ch == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] <= 0x9F)
      bad = true;
    if (bad) {
      asl__sdiag(c, F_LABEL, false,
                 "Label must not contain whitespace, control characters or any of "
                 "< > { } [ ] ? * \" # %% \\ ^ | ~ ` $ & , ; : /");
      return;
    }
  }
  c->st->u.map.label = asl__arena_str(c->L, s->v);
}

void asl__load_map_distributed(state_ctx *c)
{
  static const field_id only_distributed[] = {F_ITEM_READER, F_ITEM_BATCHER, F_RESULT_WRITER,
                                              F_LABEL};
  bool distributed = c->st->u.map.mode == ASL_MAP_DISTRIBUTED;
  for (size_t i = 0; i < sizeof only_distributed / sizeof only_distributed[0]; i++) {
    field_id f = only_distributed[i];
    if (c->f[f].v && !distributed) {
      asl__sdiag(c, f, true,
                 "%s is only for a DISTRIBUTED Map; add \"ProcessorConfig\": {\"Mode\": "
                 "\"DISTRIBUTED\", \"ExecutionType\": \"STANDARD\"} to the ItemProcessor, or "
                 "remove it",
                 asl__field_names[f]);
      c->f[f].v = NULL;
    }
  }
  if (c->f[F_ITEM_READER].v)
    load_reader(c);
  if (c->f[F_ITEM_BATCHER].v)
    load_batcher(c);
  if (c->f[F_RESULT_WRITER].v)
    load_writer(c);
  if (c->f[F_LABEL].v)
    load_label(c);
}
