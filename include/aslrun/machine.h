/* A state machine definition, loaded: validated against every rule of the Amazon States Language
 * and compiled, so that running it never parses or looks anything up by name.
 *
 * Representation: the machine owns one arena holding every state, name and compiled expression;
 * `next` fields are pointers. The parsed definition is kept (refcounted) because Result values
 * and template constants are shared into outputs, and because its positions locate errors.
 * A machine is immutable after loading and may run any number of executions at once. */
#ifndef ASLRUN_MACHINE_H
#define ASLRUN_MACHINE_H

#include "aslrun/jsonata.h"
#include "aslrun/lang.h"

typedef enum asl_state_type {
  ASL_STATE_TASK,
  ASL_STATE_PASS,
  ASL_STATE_CHOICE,
  ASL_STATE_WAIT,
  ASL_STATE_SUCCEED,
  ASL_STATE_FAIL,
  ASL_STATE_PARALLEL,
  ASL_STATE_MAP,
} asl_state_type;

typedef enum asl_query_language {
  ASL_QL_JSONPATH,
  ASL_QL_JSONATA,
} asl_query_language;

typedef struct asl_state asl_state;

/* One list of states: the machine's top level, a Parallel branch or a Map item processor. */
typedef struct asl_states {
  asl_state *start;
  asl_state **items; /* in definition order */
  size_t count;
  const char *pointer; /* JSON pointer of the object holding "States", "" for the top level */
  struct asl__states_priv *priv; /* private to src/machine: name index, load-time flags */
} asl_states;

typedef enum asl_jitter {
  ASL_JITTER_NONE,
  ASL_JITTER_FULL,
} asl_jitter;

/* ErrorEquals, compiled: exact names plus the two wildcards. */
typedef struct asl_error_match {
  const char **names;
  size_t count;
  bool all;         /* contains States.ALL */
  bool task_failed; /* contains States.TaskFailed */
} asl_error_match;

typedef struct asl_retrier {
  asl_error_match errors;
  int64_t interval_seconds;  /* default 1 */
  int64_t max_attempts;      /* default 3; 0 = never retry */
  double backoff_rate;       /* default 2.0 */
  int64_t max_delay_seconds; /* 0 = no cap */
  asl_jitter jitter;
} asl_retrier;

typedef struct asl_catcher {
  asl_error_match errors;
  asl_state *next;
  asl_template *assign_template; /* Assign of a JSONPath state's catcher, on the error output */
  asl_refpath *result_path; /* NULL: "$" unless result_path_null */
  bool result_path_null;
  /* JSONata states: Output and Assign, compiled (NULL when absent); they read
   * $states.errorOutput */
  asl_jsonata_template *output;
  asl_jsonata_template *assign_jsonata;
  const asl_json *assign; /* Assign as written (both languages), or NULL */
} asl_catcher;

typedef struct asl_choice_branch {
  asl_choice *rule; /* NULL in JSONata states, which have condition instead */
  asl_template *assign_template; /* Assign of a JSONPath rule, on the state's input */
  asl_state *next;
  /* JSONata states: Condition (a "{% ... %}" string or a boolean), the rule's Output and Assign,
   * compiled (NULL when absent) */
  asl_jsonata_template *condition;
  asl_jsonata_template *output;
  asl_jsonata_template *assign_jsonata;
  const asl_json *assign; /* Assign as written (both languages), or NULL */
} asl_choice_branch;

typedef enum asl_map_mode {
  ASL_MAP_INLINE,
  ASL_MAP_DISTRIBUTED,
} asl_map_mode;

struct asl_state {
  asl_state_type type;
  const char *name; /* NUL-terminated; may not hold NULs (checked at load) */
  size_t name_len;
  const char *pointer; /* "/States/<name>" (escaped), or deeper for branches */
  size_t offset;       /* of the state's key in the source */
  const char *comment;
  asl_query_language query_language;
  const asl_states *list;       /* the state list holding this state */
  size_t index;                 /* its position in list->items */
  const asl_json *definition;   /* the state's object as written (borrowed from the machine) */

  /* JSONata states: every field that may hold an expression is compiled at load into a
   * template (jsonata.h; NULL when absent), here and in the union */
  asl_jsonata_template *arguments;      /* Arguments (Task, Parallel) */
  asl_jsonata_template *output;         /* Output */
  asl_jsonata_template *assign_jsonata; /* Assign */
  const asl_json *assign;               /* Assign as written (both languages), or NULL */

  /* transitions (not Choice, Succeed, Fail) */
  asl_state *next;
  bool end;

  /* input and output processing; a NULL path with the _null flag clear means "$" */
  asl_path *input_path;
  bool input_path_null; /* InputPath: null -> the effective input is {} */
  asl_path *output_path;
  bool output_path_null; /* OutputPath: null -> the output is {} */
  asl_template *parameters; /* Parameters (Pass, Task, Parallel; Map: legacy item Parameters) */
  asl_template *result_selector;
  asl_template *assign_template; /* Assign (JSONPath states): name or "name.$" -> value */
  asl_refpath *result_path;
  bool result_path_null; /* ResultPath: null -> the result is discarded */
  /* The state's expressions read $$: build the context object for it. */
  bool uses_context;

  /* Retry and Catch (Task, Parallel, Map) */
  asl_retrier *retriers;
  size_t retrier_count;
  asl_catcher *catchers;
  size_t catcher_count;

  union {
    struct {
      const asl_json *result; /* Result, or NULL */
    } pass;
    struct {
      const char *resource;
      int64_t timeout_seconds; /* 0: none given */
      asl_path *timeout_seconds_path;
      int64_t heartbeat_seconds; /* 0: none given */
      asl_path *heartbeat_seconds_path;
      const asl_json *credentials;
      const char *role_arn;       /* Credentials.RoleArn, when a literal */
      asl_expr *role_arn_path;    /* Credentials."RoleArn.$" */
      /* JSONata: "{% ... %}" forms of TimeoutSeconds and HeartbeatSeconds, and RoleArn */
      asl_jsonata_template *timeout_seconds_expr;
      asl_jsonata_template *heartbeat_seconds_expr;
      asl_jsonata_template *role_arn_expr;
    } task;
    struct {
      asl_choice_branch *branches;
      size_t count;
      asl_state *default_next; /* NULL: none */
    } choice;
    struct {
      int64_t seconds;           /* Seconds, when has_seconds */
      bool has_seconds;
      asl_path *seconds_path;
      asl_timestamp timestamp;   /* Timestamp, when has_timestamp */
      bool has_timestamp;
      asl_path *timestamp_path;
      /* JSONata: "{% ... %}" forms of Seconds and Timestamp */
      asl_jsonata_template *seconds_expr;
      asl_jsonata_template *timestamp_expr;
    } wait;
    struct {
      const char *error; /* Error, or NULL */
      const char *cause; /* Cause, or NULL */
      asl_expr *error_path;
      asl_expr *cause_path;
      /* JSONata: "{% ... %}" forms of Error and Cause */
      asl_jsonata_template *error_expr;
      asl_jsonata_template *cause_expr;
    } fail;
    struct {
      asl_states *branches;
      size_t count;
    } parallel;
    struct {
      asl_states processor; /* ItemProcessor or Iterator */
      asl_map_mode mode;
      const char *execution_type; /* ProcessorConfig.ExecutionType (DISTRIBUTED), or NULL */
      asl_path *items_path;       /* NULL: "$" */
      asl_template *item_selector; /* ItemSelector (or the legacy Parameters) */
      int64_t max_concurrency;    /* 0: no limit */
      asl_path *max_concurrency_path;
      int64_t tolerated_failure_count; /* -1: none given */
      asl_path *tolerated_failure_count_path;
      double tolerated_failure_percentage; /* -1: none given */
      asl_path *tolerated_failure_percentage_path;
      const asl_json *item_reader;  /* kept as written; read by the executor */
      const asl_json *item_batcher;
      const asl_json *result_writer;
      const char *label;
      /* ItemReader, compiled (JSONPath states) */
      const char *reader_resource;
      asl_template *reader_parameters;
      int64_t reader_max_items; /* ReaderConfig.MaxItems; 0: none given */
      asl_path *reader_max_items_path;
      /* ItemBatcher, compiled (JSONPath states) */
      int64_t batcher_max_items;          /* MaxItemsPerBatch; 0: none given */
      asl_path *batcher_max_items_path;
      int64_t batcher_max_input_bytes;    /* MaxInputBytesPerBatch; 0: none given */
      asl_path *batcher_max_input_bytes_path;
      asl_template *batcher_batch_input;  /* BatchInput */
      /* ResultWriter, compiled (JSONPath states) */
      const char *writer_resource;
      asl_template *writer_parameters;
      /* JSONata: Items, ItemSelector and the "{% ... %}" forms of the numbers */
      asl_jsonata_template *items;
      asl_jsonata_template *jsonata_item_selector;
      asl_jsonata_template *max_concurrency_expr;
      asl_jsonata_template *tolerated_failure_count_expr;
      asl_jsonata_template *tolerated_failure_percentage_expr;
      asl_jsonata_template *batcher_max_items_expr;
      asl_jsonata_template *batcher_max_input_bytes_expr;
      asl_jsonata_template *batcher_batch_input_expr;
    } map;
  } u;
};

typedef struct asl_machine {
  asl_arena *arena;
  asl_json *definition; /* the parsed definition, with positions */
  asl_states top;
  const char *comment;
  const char *version;
  asl_query_language query_language;
  int64_t timeout_seconds; /* 0: none */
  size_t state_count;      /* all states, at every level */
} asl_machine;

typedef struct asl_load_opts {
  /* The longest state name in UTF-16 units: 0 for AWS's quota (80), INT64_MAX for none (local
   * experiments; such a machine cannot be created on AWS). */
  int64_t max_state_name;
  /* Variables come from outside the definition (TestState's "variables"): a JSONPath reference
   * to a variable no Assign sets is not a definition error then. */
  bool unchecked_variables;
} asl_load_opts;

/* Validates and compiles [definition] (borrowed; the machine keeps its own reference). Every
 * problem goes to [d], all of them, each with the offset and JSON pointer of the field and a
 * message that says what is wrong and what to do. Returns NULL when it added any. */
asl_machine *asl_machine_load(const asl_json *definition, const asl_load_opts *opts, asl_diags *d);
/* The longest definition Step Functions accepts (CreateStateMachine's `definition`: 1,048,576
 * characters); asl_machine_load_text refuses a longer text before parsing it. */
#define ASL_MAX_DEFINITION_BYTES 1048576
/* Parses [text] (a syntax error becomes a diagnostic at its position) and loads it; a text over
 * ASL_MAX_DEFINITION_BYTES is one diagnostic at its start. */
asl_machine *asl_machine_load_text(const char *text, size_t len, const asl_load_opts *opts,
                                   asl_diags *d);
void asl_machine_free(asl_machine *m); /* NULL is a no-op */

/* Lints beyond AWS's validation (aslrun validate --strict): what AWS accepts but is almost
 * certainly a mistake. Each is added to [d] as a diagnostic whose message starts "warning: ",
 * at the field it concerns: a catcher or retrier that can never act (the ones before it handle
 * every error it names; States.Runtime, which nothing retries or catches); States.ALL retried
 * ten times or more with no MaxDelaySeconds; a Choice without Default (with [input_schema],
 * whether its rules cover every input the schema allows, for enum, const and type schemas); a
 * loop no path leaves for an End, Succeed or Fail state; a Task calling Lambda without
 * TimeoutSeconds (AWS's best practice). */
typedef struct asl_lint_opts {
  const asl_json *input_schema; /* a JSON Schema of the execution input, or NULL */
} asl_lint_opts;

void asl_machine_lint(const asl_machine *m, const asl_lint_opts *opts, asl_diags *d);

/* "Task", "Pass", ... as in the definition. */
const char *asl_state_type_name(asl_state_type t);
/* The state named [name] in [states] (not searching nested lists), or NULL. For tools, not for
 * running: the executor follows pointers. */
asl_state *asl_states_find(const asl_states *states, const char *name, size_t len);
/* True when [m] matches Step Functions error [name] (States.ALL does not match States.Runtime
 * and the other terminal errors; States.TaskFailed does not match States.Timeout). */
bool asl_error_match_test(const asl_error_match *m, const char *name);

#endif
