/* Choice states: Choices (non-empty) and Default. In JSONPath states each rule is compiled by
 * lang's asl_choice_compile (which reports bad operators and operands itself); this file checks
 * what a top-level rule adds (Next, Comment, Assign). JSONata rules (Condition, Output, Assign)
 * are compiled by load_jsonata.c. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

enum { R_CONDITION, R_NEXT, R_COMMENT, R_OUTPUT, R_ASSIGN, R_COUNT };
static const char *const rule_fields[R_COUNT] = {"Condition", "Next", "Comment", "Output",
                                                 "Assign"};

/* A field of JSONPath's rule language: Variable, And/Or/Not and the comparison operators. */
static bool is_jsonpath_rule_field(const char *k, size_t len)
{
  static const char *const prefixes[] = {"Variable", "And",     "Or",        "Not", "String",
                                         "Numeric",  "Boolean", "Timestamp", "Is"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i]);
    if (len >= n && memcmp(k, prefixes[i], n) == 0)
      return true;
  }
  return false;
}

/* Reads a rule's members into [f]; with [jsonata], anything else is reported. */
static void scan_rule(state_ctx *c, const asl_json *rule, const char *ptr, slot *f)
{
  loader *L = c->L;
  size_t pos = asl_json_pos(rule);
  for (size_t i = 0; i < R_COUNT; i++)
    f[i] = (slot){NULL, pos};
  size_t n = asl_json_len(rule);
  for (size_t i = 0; i < n; i++) {
    size_t klen;
    const char *k = asl_json_key_at(rule, i, &klen);
    size_t kpos = asl_json_key_pos_at(rule, i);
    size_t j = 0;
    while (j < R_COUNT && !(strlen(rule_fields[j]) == klen && memcmp(rule_fields[j], k, klen) == 0))
      j++;
    if (j < R_COUNT) {
      f[j] = (slot){asl_json_value_at(rule, i), kpos};
      continue;
    }
    if (!c->jsonata)
      continue; /* lang's asl_choice_compile judges the rest */
    char *field = asl_strndup(k, klen);
    asl_json *key = asl_json_string(k, klen);
    char *q = asl__describe(key);
    asl_json_decref(key);
    if (is_jsonpath_rule_field(k, klen)) {
      asl__diag(L, kpos, ptr, field,
                "%s belongs to JSONPath Choice rules and this state uses JSONata; write the test "
                "as \"Condition\": \"{%% ... %%}\"",
                q);
    } else {
      suggest sg;
      asl__suggest_init(&sg, k, klen);
      for (size_t r = 0; r < R_COUNT; r++)
        asl__suggest_try(&sg, rule_fields[r], strlen(rule_fields[r]));
      char buf[1024];
      asl__diag(L, kpos, ptr, field, "unknown field %s in a Choice rule%s", q,
                sg.best ? asl__suggest_text(&sg, buf, sizeof buf)
                        : "; a JSONata rule has Condition, Next, and optionally Comment, Output "
                          "and Assign");
    }
    asl_free(q);
    asl_free(field);
  }
}

static void load_rule(state_ctx *c, const asl_json *rule, const char *ptr, asl_choice_branch *b)
{
  loader *L = c->L;
  slot f[R_COUNT];
  scan_rule(c, rule, ptr, f);
  size_t pos = asl_json_pos(rule);
  if (c->jsonata) {
    if (!f[R_CONDITION].v) {
      asl__diag(L, pos, ptr, NULL,
                "missing \"Condition\": a JSONata rule tests \"Condition\": \"{%% ... %%}\"");
    } else if (!asl_json_is_bool(f[R_CONDITION].v) && !asl__is_jsonata_expr(f[R_CONDITION].v)) {
      char *got = asl__describe(f[R_CONDITION].v);
      asl__diag(L, asl__vpos(&f[R_CONDITION]), ptr, "Condition",
                "Condition must be a JSONata expression \"{%% ... %%}\" or a boolean, not %s", got);
      asl_free(got);
    } else {
      b->condition = asl__compile_jsonata(L, &f[R_CONDITION], ptr, "Condition", "Condition", 0);
    }
    b->output = asl__compile_jsonata(L, &f[R_OUTPUT], ptr, "Output", "Output", 0);
  } else if (f[R_CONDITION].v || f[R_OUTPUT].v) {
    int which = f[R_CONDITION].v ? R_CONDITION : R_OUTPUT;
    asl__diag(L, f[which].kpos, ptr, rule_fields[which],
              "%s belongs to JSONata Choice rules and this state uses JSONPath; %s",
              rule_fields[which],
              which == R_CONDITION
                  ? "test a \"Variable\" with a comparison operator, or set \"QueryLanguage\": "
                    "\"JSONata\""
                  : "use the state's OutputPath, or set \"QueryLanguage\": \"JSONata\"");
  } else {
    b->rule = asl_choice_compile(L->a, rule, ptr, true, L->d);
    if (b->rule && asl_choice_uses_context(b->rule))
      c->st->uses_context = true;
  }
  if (!f[R_NEXT].v) {
    asl__diag(L, pos, ptr, NULL, "missing \"Next\": the state to go to when this rule matches");
    asl__mark_broken(L, c->st->list);
  } else
    asl__add_ref(L, c->st->list, &b->next, &f[R_NEXT], ptr, "Next");
  if (f[R_COMMENT].v)
    asl__want_string(L, &f[R_COMMENT], ptr, "Comment");
  if (f[R_ASSIGN].v && asl__want_object(L, &f[R_ASSIGN], ptr, "Assign")) {
    b->assign = f[R_ASSIGN].v;
    b->assign_template = asl__load_assign(c, &f[R_ASSIGN], ptr);
    if (c->jsonata)
      b->assign_jsonata = asl__compile_jsonata(L, &f[R_ASSIGN], ptr, "Assign", "Assign", 0);
  }
}

void asl__load_choice(state_ctx *c)
{
  loader *L = c->L;
  asl_state *st = c->st;
  slot *choices = &c->f[F_CHOICES];
  if (!choices->v || !asl_json_is_array(choices->v) || asl_json_len(choices->v) == 0)
    asl__mark_broken(L, st->list); /* its transitions are unknown */
  if (!choices->v) {
    if (asl__missing(c, F_CHOICES))
      asl__diag(L, st->offset, st->pointer, NULL,
                "missing \"Choices\": a Choice state needs a non-empty array of rules, each with "
                "a test and a \"Next\"");
  } else if (asl__want_array(L, choices, st->pointer, "Choices", true)) {
    size_t n = asl_json_len(choices->v);
    st->u.choice.branches = asl_arena_alloc(L->a, n * sizeof(asl_choice_branch));
    st->u.choice.count = n;
    char *ptr = asl__ptr(st->pointer, "Choices");
    for (size_t i = 0; i < n; i++) {
      const asl_json *rule = asl_json_at(choices->v, i);
      char idx[24];
      snprintf(idx, sizeof idx, "%zu", i);
      if (!asl_json_is_object(rule)) {
        char *got = asl__describe(rule);
        size_t pos = asl_json_pos(rule) != ASL_NOPOS ? asl_json_pos(rule) : asl__vpos(choices);
        asl__diag(L, pos, ptr, idx, "a Choice rule must be an object, not %s", got);
        asl__mark_broken(L, st->list);
        asl_free(got);
        continue;
      }
      char *rptr = asl__ptr(ptr, idx);
      load_rule(c, rule, rptr, &st->u.choice.branches[i]);
      asl_free(rptr);
    }
    asl_free(ptr);
  }
  if (c->f[F_DEFAULT].v)
    asl__add_ref(L, st->list, &st->u.choice.default_next, &c->f[F_DEFAULT], st->pointer, "Default");
}
