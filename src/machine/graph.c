/* The state graph: the machine-wide name index (state names are unique in the whole machine, so
 * one hash serves every list), transitions recorded while loading and resolved to pointers at
 * the end, and the reachability check of each state list. Loading the states themselves is
 * load.c's and the loaders' concern. */
#include "internal.h"

#include <string.h>

#define uthash_malloc(sz) asl_alloc(sz)
#define uthash_free(ptr, sz) asl_free(ptr)
#include <uthash.h>

/* "Did you mean" over a list compares the name with every state of the list; past this budget
 * of comparisons a hopeless definition gets no more suggestions. */
#define SUGGEST_BUDGET 200000

struct name_entry {
  asl_state *st;
  bool dup; /* another state has the same name: references to it are not checked again */
  UT_hash_handle hh;
};

struct asl__names {
  name_entry *head;
};

void asl__names_free(struct asl__names *n)
{
  if (n)
    HASH_CLEAR(hh, n->head);
}

static void names_free_cb(void *p)
{
  asl__names_free(p);
}

struct asl__names *asl__names_of(loader *L)
{
  if (!L->names) {
    L->names = asl_arena_alloc(L->a, sizeof(struct asl__names));
    asl_arena_defer(L->a, names_free_cb, L->names);
  }
  return L->names;
}

void asl__names_add(loader *L, asl_state *st, const slot *key)
{
  struct asl__names *n = asl__names_of(L);
  name_entry *e = NULL;
  HASH_FIND(hh, n->head, st->name, st->name_len, e);
  if (e) {
    e->dup = true;
    asl__diag(L, key->kpos, st->pointer, NULL,
              "a state with this name already exists at %s; state names must be unique in the "
              "whole machine, including Parallel branches and Map processors: rename one",
              e->st->pointer);
    return;
  }
  e = asl_arena_alloc(L->a, sizeof *e);
  e->st = st;
  HASH_ADD_KEYPTR(hh, n->head, st->name, st->name_len, e);
}

asl_state *asl_states_find(const asl_states *states, const char *name, size_t len)
{
  if (!states || !states->priv || !states->priv->names)
    return NULL;
  name_entry *e = NULL;
  HASH_FIND(hh, states->priv->names->head, name, len, e);
  return e && e->st->list == states ? e->st : NULL;
}

void asl__add_ref(loader *L, const asl_states *list, asl_state **target, const slot *s,
                  const char *base, const char *field)
{
  if (!asl__want_string(L, s, base, field)) {
    asl__mark_broken(L, list);
    return;
  }
  asl__ref r = {target,
                list,
                asl_json_str(s->v),
                asl_json_str_len(s->v),
                asl__vpos(s),
                asl__ptr(base, field)};
  ASL_VEC_PUSH(L->refs, r);
}

void asl__mark_broken(loader *L, const asl_states *list)
{
  (void)L;
  if (list->priv)
    list->priv->broken = true;
}

static void no_such_state(loader *L, const asl__ref *r)
{
  asl_json *name = asl_json_string(r->name, r->len);
  char *q = asl__describe(name);
  asl_json_decref(name);
  suggest sg;
  asl__suggest_init(&sg, r->name, r->len);
  if (L->suggestions < SUGGEST_BUDGET) {
    for (size_t i = 0; i < r->list->count; i++) {
      const asl_state *st = r->list->items[i];
      asl__suggest_try(&sg, st->name, st->name_len);
    }
    L->suggestions += r->list->count;
  }
  char buf[1024];
  if (sg.best)
    asl__diag(L, r->pos, r->pointer, NULL, "no state named %s%s", q,
              asl__suggest_text(&sg, buf, sizeof buf));
  else
    asl__diag(L, r->pos, r->pointer, NULL,
              "no state named %s; name one of the states of %s (state names are case-sensitive)", q,
              r->list->pointer[0] ? r->list->pointer : "the machine's \"States\"");
  asl_free(q);
}

void asl__resolve_refs(loader *L)
{
  struct asl__names *n = asl__names_of(L);
  for (size_t i = 0; i < L->refs.len; i++) {
    asl__ref *r = &L->refs.items[i];
    name_entry *e = NULL;
    HASH_FIND(hh, n->head, r->name, r->len, e);
    if (e && e->st->list == r->list) {
      *r->target = e->st;
    } else if (e && e->dup) {
      asl__mark_broken(L, r->list); /* already reported as a duplicate name */
    } else if (e) {
      asl__mark_broken(L, r->list);
      asl_json *name = asl_json_string(r->name, r->len);
      char *q = asl__describe(name);
      asl_json_decref(name);
      asl__diag(L, r->pos, r->pointer, NULL,
                "state %s is in another state list (%s): a Parallel branch or a Map's item "
                "processor is closed, no transition may enter or leave it; use a state of this "
                "list, or \"End\": true to finish the branch",
                q, e->st->list->pointer[0] ? e->st->list->pointer : "the top level");
      asl_free(q);
    } else {
      asl__mark_broken(L, r->list);
      no_such_state(L, r);
    }
  }
}

static void visit(asl_state *st, bool *seen, asl_state **stack, size_t *top)
{
  if (!st || seen[st->index])
    return;
  seen[st->index] = true;
  stack[(*top)++] = st;
}

void asl__check_reachable(loader *L, const asl_states *list)
{
  (void)L;
  if (!list->priv || list->priv->broken)
    return; /* a transition is missing: everything behind it would look unreachable */
  if (!list->start || list->count == 0)
    return;
  bool *seen = asl_calloc(list->count, sizeof(bool));
  asl_state **stack = asl_alloc(list->count * sizeof(asl_state *));
  size_t top = 0;
  visit(list->start, seen, stack, &top);
  while (top > 0) {
    asl_state *st = stack[--top];
    visit(st->next, seen, stack, &top);
    for (size_t i = 0; i < st->catcher_count; i++)
      visit(st->catchers[i].next, seen, stack, &top);
    switch (st->type) {
    case ASL_STATE_CHOICE:
      for (size_t i = 0; i < st->u.choice.count; i++)
        visit(st->u.choice.branches[i].next, seen, stack, &top);
      visit(st->u.choice.default_next, seen, stack, &top);
      break;
    case ASL_STATE_TASK:
    case ASL_STATE_PASS:
    case ASL_STATE_WAIT:
    case ASL_STATE_SUCCEED:
    case ASL_STATE_FAIL:
    case ASL_STATE_PARALLEL:
    case ASL_STATE_MAP:
      break;
    }
  }
  for (size_t i = 0; i < list->count; i++) {
    const asl_state *st = list->items[i];
    if (seen[i])
      continue;
    asl_json *name = asl_json_string(st->name, st->name_len);
    char *q = asl__describe(name);
    asl_json_decref(name);
    asl__diag(L, st->offset, st->pointer, NULL,
              "state %s is never reached: no StartAt, Next, Default or Catch leads to it; remove "
              "it or add a transition to it",
              q);
    asl_free(q);
  }
  asl_free(seen);
  asl_free(stack);
}
