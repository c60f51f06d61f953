/* Arena for a compiled machine: names, compiled paths, templates and Choice trees live as long
 * as the machine and go with it at once, so the compilers need no free code. */
#include "aslrun/util.h"

#include <stdalign.h>
#include <string.h>

#define BLOCK_SIZE (16 * 1024)

typedef struct block {
  struct block *next;
  size_t used;
  size_t size;
  alignas(max_align_t) unsigned char data[];
} block;

typedef struct deferred {
  struct deferred *next;
  void (*fn)(void *);
  void *p;
} deferred;

struct asl_arena {
  block *head;
  deferred *defers;
};

asl_arena *asl_arena_new(void)
{
  return asl_calloc(1, sizeof(asl_arena));
}

void asl_arena_free(asl_arena *a)
{
  if (!a)
    return;
  for (deferred *d = a->defers; d; d = d->next)
    d->fn(d->p);
  for (block *b = a->head, *next; b; b = next) {
    next = b->next;
    asl_free(b);
  }
  asl_free(a);
}

void *asl_arena_alloc(asl_arena *a, size_t n)
{
  const size_t align = alignof(max_align_t);
  n = (n + align - 1) & ~(align - 1);
  if (!n)
    n = align;
  block *b = a->head;
  if (!b || b->size - b->used < n) {
    size_t size = n > BLOCK_SIZE / 4 ? n : BLOCK_SIZE;
    b = asl_alloc(sizeof(block) + size);
    b->size = size;
    b->used = 0;
    if (size == n && a->head) {
      /* a big object gets a block of its own behind the current one, which keeps its space */
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *asl_arena_strndup(asl_arena *a, const char *s, size_t n)
{
  char *p = asl_arena_alloc(a, n + 1);
  if (n)
    memcpy(p, s, n);
  return p;
}

char *asl_arena_strdup(asl_arena *a, const char *s)
{
  return asl_arena_strndup(a, s, strlen(s));
}

void asl_arena_defer(asl_arena *a, void (*fn)(void *), void *p)
{
  deferred *d = asl_arena_alloc(a, sizeof *d);
  d->fn = fn;
  d->p = p;
  d->next = a->defers;
  a->defers = d;
}
