/* State machines: CreateStateMachine, DescribeStateMachine, UpdateStateMachine,
 * DeleteStateMachine, ListStateMachines, ValidateStateMachineDefinition and the tag operations.
 * A definition is loaded once, when it is given (src/machine); its problems come back in AWS's
 * InvalidDefinition format ("Invalid State Machine Definition: 'CODE: message at /pointer, ...'")
 * or, for ValidateStateMachineDefinition, as AWS's diagnostics (severity, code, message,
 * location). Executions are executions.c's. */
#include "internal.h"

#include <string.h>

#define MACHINES_DIR "machines"

/* ---- versions ---- */

srv_version *asl__version_ref(srv_version *v)
{
  v->refs++;
  return v;
}

void asl__version_unref(srv_version *v)
{
  if (!v || --v->refs > 0)
    return;
  asl_machine_free(v->machine);
  asl_free(v->definition);
  asl_free(v->role_arn);
  asl_free(v->revision_id);
  asl_free(v);
}

static srv_version *version_new(const char *text, size_t len, asl_machine *m, const char *role,
                                int64_t update_ms)
{
  srv_version *v = asl_calloc(1, sizeof *v);
  v->refs = 1;
  v->definition = asl_strndup(text, len);
  v->definition_len = len;
  v->machine = m;
  v->role_arn = asl_strdup(role);
  v->update_ms = update_ms;
  return v;
}

void asl__machine_free(srv_machine *m)
{
  if (!m)
    return;
  asl__version_unref(m->ver);
  asl_json_decref(m->tags);
  asl_json_decref(m->logging);
  asl_json_decref(m->tracing);
  asl_json_decref(m->encryption);
  asl_free(m->arn);
  asl_free(m->name);
  asl_free(m);
}

srv_machine *asl__machine_find(asl_sfn_server *s, const char *arn)
{
  srv_machine *m = NULL;
  HASH_FIND_STR(s->machines, arn, m);
  return m;
}

/* ---- definitions and their diagnostics ---- */

typedef struct diag_out {
  const char *code;
  char *message;
  char *location; /* NULL: none */
} diag_out;

typedef ASL_VEC(diag_out) diag_list;

static void diags_free(diag_list *l)
{
  for (size_t i = 0; i < l->len; i++) {
    asl_free(l->items[i].message);
    asl_free(l->items[i].location);
  }
  ASL_VEC_FREE(*l);
}

/* Loads [text]; NULL with [out] holding AWS-shaped diagnostics when it is not a valid definition.
 * Codes: INVALID_JSON_DESCRIPTION (not JSON), MISSING_TRANSITION_TARGET (a Next, Default or
 * StartAt naming no state), SCHEMA_VALIDATION_FAILED (everything else), as AWS names them. */
static asl_machine *load(const char *text, size_t len, const asl_load_opts *opts,
                         diag_list *out)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *def = asl_json_parse(text, len, NULL, &err);
  if (!def) {
    int line = 1;
    int col = 1;
    if (err.offset != ASL_NOPOS)
      asl_text_linecol(text, len, err.offset, &line, &col);
    diag_out d = {"INVALID_JSON_DESCRIPTION",
                  asl_strfmt("%s at line %d, column %d", err.cause ? err.cause : "invalid JSON",
                             line, col),
                  asl_strfmt("line %d, column %d", line, col)};
    ASL_VEC_PUSH(*out, d);
    asl_error_clear(&err);
    return NULL;
  }
  if (!asl_json_is_object(def)) {
    diag_out d = {"SCHEMA_VALIDATION_FAILED", asl_strdup("Definition must be a valid JSON object"),
                  NULL};
    ASL_VEC_PUSH(*out, d);
    asl_json_decref(def);
    return NULL;
  }
  asl_diags diags = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load(def, opts, &diags);
  asl_json_decref(def);
  asl_diags_sort(&diags);
  for (size_t i = 0; !m && i < diags.len; i++) {
    const asl_diag *g = &diags.items[i];
    bool target = strncmp(g->message, "no state named", 14) == 0 ||
                  strstr(g->message, "is not the name of a state") != NULL;
    diag_out d = {target ? "MISSING_TRANSITION_TARGET" : "SCHEMA_VALIDATION_FAILED",
                  asl_strdup(g->message),
                  asl_strdup(g->pointer && g->pointer[0] ? g->pointer : "/")};
    ASL_VEC_PUSH(*out, d);
  }
  asl_diags_free(&diags);
  return m;
}

asl_machine *asl__definition_load(srv_request *rq, const char *text, size_t len)
{
  return asl__definition_load_opts(rq, text, len, NULL);
}

asl_machine *asl__definition_load_opts(srv_request *rq, const char *text, size_t len,
                                       const asl_load_opts *opts)
{
  diag_list l = {0};
  asl_machine *m = load(text, len, opts, &l);
  if (m)
    return m;
  asl_buf b = ASL_BUF_INIT;
  for (size_t i = 0; i < l.len; i++) {
    asl_buf_printf(&b, "%s%s: %s", i ? ", " : "", l.items[i].code, l.items[i].message);
    if (l.items[i].location && strcmp(l.items[i].code, "INVALID_JSON_DESCRIPTION") != 0)
      asl_buf_printf(&b, " at %s", l.items[i].location);
  }
  asl__fail(rq, 400, "InvalidDefinition", "Invalid State Machine Definition: '%s'",
            b.data ? b.data : "");
  asl_buf_free(&b);
  diags_free(&l);
  return NULL;
}

void asl__op_validate_definition(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *def = asl__param_str(rq, body, "definition", true, 1, 1048576, &ok);
  if (!ok)
    return;
  static const char *const types[] = {"STANDARD", "EXPRESS", NULL};
  static const char *const severities[] = {"ERROR", "WARNING", NULL};
  asl__param_enum(rq, body, "type", types, &ok);
  if (!ok)
    return;
  asl__param_enum(rq, body, "severity", severities, &ok);
  if (!ok)
    return;
  int64_t max = asl__param_int(rq, body, "maxResults", 0, 100, 0, &ok);
  if (!ok)
    return;
  if (max == 0)
    max = 100;
  diag_list l = {0};
  asl_machine *m = load(def, strlen(def), NULL, &l);
  asl_machine_free(m);
  asl_json *res = asl_json_object(3);
  asl_json_obj_put_cstr(res, "result", asl_json_cstr(l.len ? "FAIL" : "OK"));
  asl_json *arr = asl_json_array(l.len);
  for (size_t i = 0; i < l.len && (int64_t)i < max; i++) {
    asl_json *d = asl_json_object(4);
    asl_json_obj_put_cstr(d, "severity", asl_json_cstr("ERROR"));
    asl_json_obj_put_cstr(d, "code", asl_json_cstr(l.items[i].code));
    asl_json_obj_put_cstr(d, "message", asl_json_cstr(l.items[i].message));
    if (l.items[i].location)
      asl_json_obj_put_cstr(d, "location", asl_json_cstr(l.items[i].location));
    asl_json_arr_push(arr, d);
  }
  asl_json_obj_put_cstr(res, "diagnostics", arr);
  asl_json_obj_put_cstr(res, "truncated", asl_json_bool((int64_t)l.len > max));
  diags_free(&l);
  asl__reply(rq, res);
}

/* ---- records (the state directory's files) ---- */

asl_json *asl__machine_record(const srv_machine *m)
{
  asl_json *r = asl_json_object(12);
  asl_json_obj_put_cstr(r, "stateMachineArn", asl_json_cstr(m->arn));
  asl_json_obj_put_cstr(r, "name", asl_json_cstr(m->name));
  asl_json_obj_put_cstr(r, "type", asl_json_cstr(m->express ? "EXPRESS" : "STANDARD"));
  asl_json_obj_put_cstr(r, "definition",
                        asl_json_string(m->ver->definition, m->ver->definition_len));
  asl_json_obj_put_cstr(r, "roleArn", asl_json_cstr(m->ver->role_arn));
  asl_json_obj_put_cstr(r, "creationDate", asl_json_int(m->creation_ms));
  asl_json_obj_put_cstr(r, "updateDate", asl_json_int(m->ver->update_ms));
  if (m->ver->revision_id)
    asl_json_obj_put_cstr(r, "revisionId", asl_json_cstr(m->ver->revision_id));
  asl_json_obj_put_cstr(r, "tags", asl_json_incref(m->tags));
  asl_json_obj_put_cstr(r, "loggingConfiguration", asl_json_incref(m->logging));
  if (m->tracing)
    asl_json_obj_put_cstr(r, "tracingConfiguration", asl_json_incref(m->tracing));
  if (m->encryption)
    asl_json_obj_put_cstr(r, "encryptionConfiguration", asl_json_incref(m->encryption));
  asl_json_obj_put_cstr(r, "seq", asl_json_int((int64_t)m->seq));
  return r;
}

static const char *rec_str(const asl_json *rec, const char *key)
{
  const asl_json *v = asl_json_get_cstr(rec, key);
  return v && asl_json_is_string(v) ? asl_json_str(v) : NULL;
}

static int64_t rec_int(const asl_json *rec, const char *key)
{
  const asl_json *v = asl_json_get_cstr(rec, key);
  return v && asl_json_kind_of(v) == ASL_JSON_INT ? asl_json_int_val(v) : -1;
}

srv_machine *asl__machine_from_record(asl_sfn_server *s, const asl_json *rec, asl_error *err)
{
  (void)s;
  const char *arn = rec_str(rec, "stateMachineArn");
  const char *name = rec_str(rec, "name");
  const char *type = rec_str(rec, "type");
  const asl_json *defv = asl_json_get_cstr(rec, "definition");
  const char *role = rec_str(rec, "roleArn");
  const asl_json *tags = asl_json_get_cstr(rec, "tags");
  const asl_json *logging = asl_json_get_cstr(rec, "loggingConfiguration");
  int64_t created = rec_int(rec, "creationDate");
  int64_t updated = rec_int(rec, "updateDate");
  int64_t seq = rec_int(rec, "seq");
  if (!arn || !name || !type || !defv || !asl_json_is_string(defv) || !role || !tags ||
      !asl_json_is_array(tags) || !logging || created < 0 || updated < 0 || seq < 0) {
    asl_error_set(err, ASL_E_IO, NULL, "not a state machine record of aslrun serve");
    return NULL;
  }
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *am = asl_machine_load_text(asl_json_str(defv), asl_json_str_len(defv), NULL, &d);
  if (!am) {
    asl_error_set(err, ASL_E_DEFINITION, NULL, "its definition no longer loads: %s",
                  d.len ? d.items[0].message : "invalid");
    asl_diags_free(&d);
    return NULL;
  }
  asl_diags_free(&d);
  srv_machine *m = asl_calloc(1, sizeof *m);
  m->arn = asl_strdup(arn);
  m->name = asl_strdup(name);
  m->express = strcmp(type, "EXPRESS") == 0;
  m->ver = version_new(asl_json_str(defv), asl_json_str_len(defv), am, role, updated);
  const char *rev = rec_str(rec, "revisionId");
  m->ver->revision_id = rev ? asl_strdup(rev) : NULL;
  m->creation_ms = created;
  m->tags = asl_json_incref(tags);
  m->logging = asl_json_incref(logging);
  m->tracing = asl_json_incref(asl_json_get_cstr(rec, "tracingConfiguration"));
  m->encryption = asl_json_incref(asl_json_get_cstr(rec, "encryptionConfiguration"));
  m->seq = (uint64_t)seq;
  return m;
}

/* ---- parameters shared by create and update ---- */

/* tags: [{"key": 1-128 chars, "value": 0-256 chars}], at most 50 on a resource. */
static bool check_tags(srv_request *rq, const asl_json *tags)
{
  if (!asl_json_is_array(tags))
    return asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
                     "The value of 'tags' must be a list of {\"key\", \"value\"} objects");
  for (size_t i = 0; i < asl_json_len(tags); i++) {
    const asl_json *t = asl_json_at(tags, i);
    const asl_json *k = asl_json_is_object(t) ? asl_json_get_cstr(t, "key") : NULL;
    const asl_json *v = asl_json_is_object(t) ? asl_json_get_cstr(t, "value") : NULL;
    if (!k || !asl_json_is_string(k) || (v && !asl_json_is_string(v)))
      return asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
                       "The value of 'tags' must be a list of {\"key\", \"value\"} objects");
    size_t kl = asl_json_str_len(k);
    if (kl < 1 || kl > 128 || (v && asl_json_str_len(v) > 256))
      return asl__fail(rq, 400, "ValidationException",
                       "1 validation error detected: Value at 'tags.%zu.member.%s' failed to "
                       "satisfy constraint: Member must have length %s",
                       i + 1, kl < 1 || kl > 128 ? "key" : "value",
                       kl < 1 || kl > 128 ? "between 1 and 128" : "less than or equal to 256");
  }
  return true;
}

/* [tags] added to (or replacing values in) [old]: a new array. */
static asl_json *merge_tags(const asl_json *old, const asl_json *tags)
{
  asl_json *out = asl_json_array((old ? asl_json_len(old) : 0) + (tags ? asl_json_len(tags) : 0));
  for (size_t i = 0; old && i < asl_json_len(old); i++)
    asl_json_arr_push(out, asl_json_incref(asl_json_at(old, i)));
  for (size_t i = 0; tags && i < asl_json_len(tags); i++) {
    const asl_json *t = asl_json_at(tags, i);
    const asl_json *k = asl_json_get_cstr(t, "key");
    const asl_json *v = asl_json_get_cstr(t, "value");
    asl_json *nt = asl_json_object(2);
    asl_json_obj_put_cstr(nt, "key", asl_json_incref(k));
    asl_json_obj_put_cstr(nt, "value", v ? asl_json_incref(v) : asl_json_cstr(""));
    bool replaced = false;
    for (size_t j = 0; j < asl_json_len(out) && !replaced; j++) {
      if (asl_json_equal(asl_json_get_cstr(asl_json_at(out, j), "key"), k)) {
        /* arrays are unshared while built: replace in place through a new array */
        asl_json *copy = asl_json_array(asl_json_len(out));
        for (size_t c = 0; c < asl_json_len(out); c++)
          asl_json_arr_push(copy, asl_json_incref(c == j ? nt : asl_json_at(out, c)));
        asl_json_decref(out);
        out = copy;
        replaced = true;
      }
    }
    if (replaced)
      asl_json_decref(nt);
    else
      asl_json_arr_push(out, nt);
  }
  return out;
}

static bool check_role(srv_request *rq, const char *role)
{
  if (strncmp(role, "arn:", 4) != 0 || !strchr(role + 4, ':'))
    return asl__fail(rq, 400, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %.300s'", role);
  return true;
}

static asl_json *default_logging(void)
{
  asl_json *l = asl_json_object(2);
  asl_json_obj_put_cstr(l, "level", asl_json_cstr("OFF"));
  asl_json_obj_put_cstr(l, "includeExecutionData", asl_json_bool(false));
  return l;
}

/* ---- CreateStateMachine ---- */

typedef struct create_ctx {
  srv_request *rq;
  srv_machine *m;
  bool update; /* UpdateStateMachine's answer instead */
} create_ctx;

static void on_machine_saved(void *data, asl_status st, const char *why)
{
  create_ctx *c = data;
  srv_machine *m = c->m;
  asl_sfn_server *s = c->rq->srv;
  if (st != ASL_OK) {
    asl__fail(c->rq, 500, "com.amazon.coral.service#InternalFailure",
              "aslrun serve could not write the state machine to the state directory: %s", why);
    if (!c->update) {
      /* not kept: nothing is reported that a restart would lose */
      HASH_DEL(s->machines, m);
      asl__machine_free(m);
    }
    asl_free(c);
    return;
  }
  asl_json *res = asl_json_object(2);
  if (c->update) {
    asl_json_obj_put_cstr(res, "updateDate", asl__timestamp(m->ver->update_ms));
    if (m->ver->revision_id)
      asl_json_obj_put_cstr(res, "revisionId", asl_json_cstr(m->ver->revision_id));
  } else {
    asl_json_obj_put_cstr(res, "stateMachineArn", asl_json_cstr(m->arn));
    asl_json_obj_put_cstr(res, "creationDate", asl__timestamp(m->creation_ms));
  }
  asl__reply(c->rq, res);
  asl_free(c);
}

static void save_machine(srv_request *rq, srv_machine *m, bool update)
{
  create_ctx *c = asl_calloc(1, sizeof *c);
  c->rq = rq;
  c->m = m;
  c->update = update;
  char *file = asl__persist_machine_file(m->name);
  asl__persist_write(rq->srv, MACHINES_DIR, file, asl__machine_record(m), NULL, on_machine_saved,
                     c);
  asl_free(file);
}

static bool check_config_objects(srv_request *rq, const asl_json *body)
{
  static const char *const keys[] = {"loggingConfiguration", "tracingConfiguration",
                                     "encryptionConfiguration"};
  for (size_t i = 0; i < 3; i++) {
    const asl_json *v = asl_json_get_cstr(body, keys[i]);
    if (v && !asl_json_is_null(v) && !asl_json_is_object(v))
      return asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
                       "The value of '%s' must be an object", keys[i]);
  }
  bool ok;
  if (asl__param_bool(rq, body, "publish", false, &ok))
    return asl__fail(rq, 400, "ValidationException",
                     "aslrun serve does not publish state machine versions: create or update "
                     "without 'publish' (versions and aliases are not supported)");
  if (!ok)
    return false;
  if (asl__param_str(rq, body, "versionDescription", false, 0, 256, &ok) && ok)
    return asl__fail(rq, 400, "ValidationException",
                     "Version description can only be set when publish is true");
  if (!ok)
    return false;
  const asl_json *enc = asl_json_get_cstr(body, "encryptionConfiguration");
  const asl_json *enc_type = enc && asl_json_is_object(enc) ? asl_json_get_cstr(enc, "type") : NULL;
  if (enc && asl_json_is_object(enc) &&
      (!enc_type || !asl_json_is_string(enc_type) ||
       (strcmp(asl_json_str(enc_type), "AWS_OWNED_KEY") != 0 &&
        strcmp(asl_json_str(enc_type), "CUSTOMER_MANAGED_KMS_KEY") != 0)))
    return asl__fail(rq, 400, "ValidationException",
                     "1 validation error detected: Value at 'encryptionConfiguration.type' failed "
                     "to satisfy constraint: Member must satisfy enum value set: "
                     "[AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]");
  const asl_json *l = asl_json_get_cstr(body, "loggingConfiguration");
  const asl_json *level = l && asl_json_is_object(l) ? asl_json_get_cstr(l, "level") : NULL;
  const asl_json *dest = l && asl_json_is_object(l) ? asl_json_get_cstr(l, "destinations") : NULL;
  if (level && asl_json_is_string(level) && strcmp(asl_json_str(level), "OFF") != 0 &&
      (!dest || asl_json_len(dest) == 0))
    return asl__fail(rq, 400, "InvalidLoggingConfiguration",
                     "Invalid Logging Configuration: Must specify exactly one Log Destination.");
  return true;
}

void asl__op_create_state_machine(srv_request *rq, const asl_json *body)
{
  asl_sfn_server *s = rq->srv;
  bool ok;
  const char *name = asl__param_str(rq, body, "name", true, 1, 80, &ok);
  if (!ok)
    return;
  const char *def = asl__param_str(rq, body, "definition", true, 1, 1048576, &ok);
  if (!ok)
    return;
  const char *role = asl__param_str(rq, body, "roleArn", true, 1, 256, &ok);
  if (!ok)
    return;
  static const char *const types[] = {"STANDARD", "EXPRESS", NULL};
  const char *type = asl__param_enum(rq, body, "type", types, &ok);
  if (!ok)
    return;
  const asl_json *tags = asl_json_get_cstr(body, "tags");
  if (tags && !asl_json_is_null(tags) && !check_tags(rq, tags))
    return;
  if (!check_config_objects(rq, body))
    return;
  if (!asl__name_valid(name)) {
    asl__fail(rq, 400, "InvalidName", "Invalid Name: '%s'", name);
    return;
  }
  if (!check_role(rq, role))
    return;
  bool express = type && strcmp(type, "EXPRESS") == 0;
  char *arn = asl__sm_arn(s, name);
  srv_machine *old = asl__machine_find(s, arn);
  if (old) {
    /* AWS: the same request again answers with the machine it made; anything else conflicts */
    bool same = strcmp(old->ver->definition, def) == 0 && strcmp(old->ver->role_arn, role) == 0 &&
                old->express == express;
    if (same) {
      asl_json *res = asl_json_object(2);
      asl_json_obj_put_cstr(res, "stateMachineArn", asl_json_cstr(old->arn));
      asl_json_obj_put_cstr(res, "creationDate", asl__timestamp(old->creation_ms));
      asl__reply(rq, res);
    } else {
      asl__fail(rq, 400, "StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn);
    }
    asl_free(arn);
    return;
  }
  if (HASH_COUNT(s->machines) >= SERVE_MACHINES_MAX) {
    asl__fail(rq, 400, "StateMachineLimitExceeded",
              "The maximum number of state machines (%d) has been reached. Existing state "
              "machines must be deleted before a new state machine can be created.",
              SERVE_MACHINES_MAX);
    asl_free(arn);
    return;
  }
  asl_machine *am = asl__definition_load(rq, def, strlen(def));
  if (!am) {
    asl_free(arn);
    return;
  }
  int64_t now = asl__now_ms();
  srv_machine *m = asl_calloc(1, sizeof *m);
  m->arn = arn;
  m->name = asl_strdup(name);
  m->express = express;
  m->ver = version_new(def, strlen(def), am, role, now);
  m->creation_ms = now;
  m->tags = merge_tags(NULL, tags && !asl_json_is_null(tags) ? tags : NULL);
  const asl_json *logging = asl_json_get_cstr(body, "loggingConfiguration");
  m->logging = logging && asl_json_is_object(logging) ? asl_json_incref(logging)
                                                       : default_logging();
  const asl_json *tracing = asl_json_get_cstr(body, "tracingConfiguration");
  m->tracing = tracing && asl_json_is_object(tracing) ? asl_json_incref(tracing) : NULL;
  const asl_json *enc = asl_json_get_cstr(body, "encryptionConfiguration");
  m->encryption = enc && asl_json_is_object(enc) ? asl_json_incref(enc) : NULL;
  m->seq = s->next_seq++;
  HASH_ADD_KEYPTR(hh, s->machines, m->arn, strlen(m->arn), m);
  save_machine(rq, m, false);
}

/* ---- DescribeStateMachine, ListStateMachines ---- */

/* The machine [arn] names, after checking the ARN; NULL after answering otherwise. */
static srv_machine *find_or_fail(srv_request *rq, const char *arn)
{
  if (!asl__arn_check(rq, arn, SRV_ARN_STATE_MACHINE))
    return NULL;
  srv_machine *m = asl__machine_find(rq->srv, arn);
  if (!m)
    asl__fail(rq, 400, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn);
  return m;
}

void asl__op_describe_state_machine(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "stateMachineArn", true, 1, 256, &ok);
  if (!ok)
    return;
  static const char *const data[] = {"ALL_DATA", "METADATA_ONLY", NULL};
  const char *included = asl__param_enum(rq, body, "includedData", data, &ok);
  if (!ok)
    return;
  /* METADATA_ONLY: AWS answers the definition as {} */
  bool metadata_only = included && strcmp(included, "METADATA_ONLY") == 0;
  srv_machine *m = find_or_fail(rq, arn);
  if (!m)
    return;
  asl_json *res = asl_json_object(10);
  asl_json_obj_put_cstr(res, "stateMachineArn", asl_json_cstr(m->arn));
  asl_json_obj_put_cstr(res, "name", asl_json_cstr(m->name));
  asl_json_obj_put_cstr(res, "status", asl_json_cstr("ACTIVE"));
  asl_json *def = metadata_only ? asl_json_cstr("{}")
                                : asl_json_string(m->ver->definition, m->ver->definition_len);
  asl_json_obj_put_cstr(res, "definition", def);
  asl_json_obj_put_cstr(res, "roleArn", asl_json_cstr(m->ver->role_arn));
  asl_json_obj_put_cstr(res, "type", asl_json_cstr(m->express ? "EXPRESS" : "STANDARD"));
  asl_json_obj_put_cstr(res, "creationDate", asl__timestamp(m->creation_ms));
  asl_json_obj_put_cstr(res, "loggingConfiguration", asl_json_incref(m->logging));
  if (m->tracing)
    asl_json_obj_put_cstr(res, "tracingConfiguration", asl_json_incref(m->tracing));
  if (m->encryption)
    asl_json_obj_put_cstr(res, "encryptionConfiguration", asl_json_incref(m->encryption));
  if (m->ver->revision_id)
    asl_json_obj_put_cstr(res, "revisionId", asl_json_cstr(m->ver->revision_id));
  asl__reply(rq, res);
}

void asl__op_list_state_machines(srv_request *rq, const asl_json *body)
{
  asl_sfn_server *s = rq->srv;
  bool ok;
  int64_t max = asl__param_int(rq, body, "maxResults", 0, SERVE_PAGE_MAX, 0, &ok);
  if (!ok)
    return;
  const char *token = asl__param_str(rq, body, "nextToken", false, 1, 1024, &ok);
  if (!ok)
    return;
  int64_t after = 0;
  if (token && !asl__token_read(rq, token, "sm", "", &after))
    return;
  if (max == 0)
    max = SERVE_PAGE_DEFAULT;
  /* in creation order: collect those after the token's position, sorted by seq */
  ASL_VEC(srv_machine *) all = {0};
  for (srv_machine *m = s->machines; m; m = m->hh.next)
    if ((int64_t)m->seq > after)
      ASL_VEC_PUSH(all, m);
  for (size_t i = 1; i < all.len; i++) { /* insertion sort: hash order is nearly creation order */
    srv_machine *x = all.items[i];
    size_t j = i;
    for (; j > 0 && all.items[j - 1]->seq > x->seq; j--)
      all.items[j] = all.items[j - 1];
    all.items[j] = x;
  }
  asl_json *list = asl_json_array(all.len);
  size_t n = all.len < (size_t)max ? all.len : (size_t)max;
  for (size_t i = 0; i < n; i++) {
    srv_machine *m = all.items[i];
    asl_json *o = asl_json_object(4);
    asl_json_obj_put_cstr(o, "stateMachineArn", asl_json_cstr(m->arn));
    asl_json_obj_put_cstr(o, "name", asl_json_cstr(m->name));
    asl_json_obj_put_cstr(o, "type", asl_json_cstr(m->express ? "EXPRESS" : "STANDARD"));
    asl_json_obj_put_cstr(o, "creationDate", asl__timestamp(m->creation_ms));
    asl_json_arr_push(list, o);
  }
  asl_json *res = asl_json_object(2);
  asl_json_obj_put_cstr(res, "stateMachines", list);
  if (n < all.len) {
    char *t = asl__token_make("sm", "", (int64_t)all.items[n - 1]->seq);
    asl_json_obj_put_cstr(res, "nextToken", asl_json_cstr(t));
    asl_free(t);
  }
  ASL_VEC_FREE(all);
  asl__reply(rq, res);
}

/* ---- UpdateStateMachine, DeleteStateMachine ---- */

void asl__op_update_state_machine(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "stateMachineArn", true, 1, 256, &ok);
  if (!ok)
    return;
  const char *def = asl__param_str(rq, body, "definition", false, 1, 1048576, &ok);
  if (!ok)
    return;
  const char *role = asl__param_str(rq, body, "roleArn", false, 1, 256, &ok);
  if (!ok)
    return;
  if (!check_config_objects(rq, body))
    return;
  const asl_json *logging = asl_json_get_cstr(body, "loggingConfiguration");
  const asl_json *tracing = asl_json_get_cstr(body, "tracingConfiguration");
  logging = logging && asl_json_is_object(logging) ? logging : NULL;
  tracing = tracing && asl_json_is_object(tracing) ? tracing : NULL;
  const asl_json *enc = asl_json_get_cstr(body, "encryptionConfiguration");
  enc = enc && asl_json_is_object(enc) ? enc : NULL;
  if (!def && !role && !logging && !tracing && !enc) {
    asl__fail(rq, 400, "MissingRequiredParameter",
              "Either the definition, the role ARN, the LoggingConfiguration, the "
              "EncryptionConfiguration or the TracingConfiguration must be specified");
    return;
  }
  if (role && !check_role(rq, role))
    return;
  srv_machine *m = find_or_fail(rq, arn);
  if (!m)
    return;
  asl_machine *am = NULL;
  if (def) {
    am = asl__definition_load(rq, def, strlen(def));
    if (!am)
      return;
  }
  /* a new version; executions still running keep the one they started with */
  srv_version *old = m->ver;
  if (!def) {
    /* the same text again: it loaded before, so it loads now */
    asl_diags d = ASL_DIAGS_INIT;
    am = asl_machine_load_text(old->definition, old->definition_len, NULL, &d);
    asl_diags_free(&d);
  }
  srv_version *v = version_new(def ? def : old->definition, def ? strlen(def) : old->definition_len,
                               am, role ? role : old->role_arn, asl__now_ms());
  char rev[37];
  asl__uuid(rev);
  v->revision_id = asl_strdup(rev);
  m->ver = v;
  asl__version_unref(old);
  if (logging) {
    asl_json_decref(m->logging);
    m->logging = asl_json_incref(logging);
  }
  if (tracing) {
    asl_json_decref(m->tracing);
    m->tracing = asl_json_incref(tracing);
  }
  if (enc) {
    asl_json_decref(m->encryption);
    m->encryption = asl_json_incref(enc);
  }
  save_machine(rq, m, true);
}

void asl__op_delete_state_machine(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "stateMachineArn", true, 1, 256, &ok);
  if (!ok)
    return;
  if (!asl__arn_check(rq, arn, SRV_ARN_STATE_MACHINE))
    return;
  srv_machine *m = asl__machine_find(rq->srv, arn);
  /* AWS answers a machine that does not exist (any more) with success too */
  if (m) {
    char *file = asl__persist_machine_file(m->name);
    asl__persist_remove(rq->srv, MACHINES_DIR, file);
    asl_free(file);
    HASH_DEL(rq->srv->machines, m);
    asl__machine_free(m);
  }
  asl__reply(rq, asl_json_object(0));
}

/* ---- tags ---- */

static srv_machine *tag_target(srv_request *rq, const asl_json *body)
{
  bool ok;
  const char *arn = asl__param_str(rq, body, "resourceArn", true, 1, 256, &ok);
  if (!ok)
    return NULL;
  if (!asl__arn_check(rq, arn, SRV_ARN_STATE_MACHINE))
    return NULL;
  srv_machine *m = asl__machine_find(rq->srv, arn);
  if (!m)
    asl__fail(rq, 400, "ResourceNotFound", "Resource not found: '%s'", arn);
  return m;
}

static void on_tags_saved(void *data, asl_status st, const char *why)
{
  srv_request *rq = data;
  if (st != ASL_OK)
    asl__fail(rq, 500, "com.amazon.coral.service#InternalFailure",
              "aslrun serve could not write the state machine to the state directory: %s", why);
  else
    asl__reply(rq, asl_json_object(0));
}

static void save_tags(srv_request *rq, srv_machine *m)
{
  char *file = asl__persist_machine_file(m->name);
  asl__persist_write(rq->srv, MACHINES_DIR, file, asl__machine_record(m), NULL, on_tags_saved,
                     rq);
  asl_free(file);
}

void asl__op_tag_resource(srv_request *rq, const asl_json *body)
{
  const asl_json *tags = asl_json_get_cstr(body, "tags");
  if (!tags || asl_json_is_null(tags)) {
    asl__fail(rq, 400, "ValidationException",
              "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
              "Member must not be null");
    return;
  }
  if (!check_tags(rq, tags))
    return;
  srv_machine *m = tag_target(rq, body);
  if (!m)
    return;
  asl_json *merged = merge_tags(m->tags, tags);
  if (asl_json_len(merged) > SERVE_TAGS_MAX) {
    asl_json_decref(merged);
    asl__fail(rq, 400, "TooManyTags",
              "Too many tags: a resource may have at most %d tags; '%s' would have more",
              SERVE_TAGS_MAX, m->arn);
    return;
  }
  asl_json_decref(m->tags);
  m->tags = merged;
  save_tags(rq, m);
}

void asl__op_untag_resource(srv_request *rq, const asl_json *body)
{
  const asl_json *keys = asl_json_get_cstr(body, "tagKeys");
  if (!keys || asl_json_is_null(keys)) {
    asl__fail(rq, 400, "ValidationException",
              "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
              "constraint: Member must not be null");
    return;
  }
  for (size_t i = 0; i < asl_json_len(keys) || !asl_json_is_array(keys); i++) {
    if (!asl_json_is_array(keys) || !asl_json_is_string(asl_json_at(keys, i))) {
      asl__fail(rq, 400, "com.amazon.coral.service#SerializationException",
                "The value of 'tagKeys' must be a list of strings");
      return;
    }
  }
  srv_machine *m = tag_target(rq, body);
  if (!m)
    return;
  asl_json *kept = asl_json_array(asl_json_len(m->tags));
  for (size_t i = 0; i < asl_json_len(m->tags); i++) {
    const asl_json *t = asl_json_at(m->tags, i);
    bool drop = false;
    for (size_t k = 0; k < asl_json_len(keys) && !drop; k++)
      drop = asl_json_equal(asl_json_get_cstr(t, "key"), asl_json_at(keys, k));
    if (!drop)
      asl_json_arr_push(kept, asl_json_incref(t));
  }
  asl_json_decref(m->tags);
  m->tags = kept;
  save_tags(rq, m);
}

void asl__op_list_tags(srv_request *rq, const asl_json *body)
{
  srv_machine *m = tag_target(rq, body);
  if (!m)
    return;
  asl_json *res = asl_json_object(1);
  asl_json_obj_put_cstr(res, "tags", asl_json_incref(m->tags));
  asl__reply(rq, res);
}
