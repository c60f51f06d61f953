/* The regular expression engine's parts shared by its compiler (regex_compile.c) and its
 * matching machine (regex.c): the program a pattern compiles to and the character tests. */
#ifndef ASLRUN_JSONATA_REGEX_IMPL_H
#define ASLRUN_JSONATA_REGEX_IMPL_H

#include "internal.h"

#define MAX_PROGRAM 20000
#define MAX_GROUPS 99
#define STEP_BUDGET 20000000u

typedef struct cls {
  uint32_t *r; /* pairs lo, hi */
  uint32_t n;  /* pairs */
  bool neg;
} cls;

typedef enum rop {
  RO_CHAR,
  RO_ANY,
  RO_CLASS,
  RO_SPLIT, /* x first, then y */
  RO_JMP,
  RO_SAVE,
  RO_RESET, /* unset captures x..y */
  RO_MARK,  /* loop register x = pos */
  RO_CHECK, /* fail when pos == loop register x */
  RO_BOL,
  RO_EOL,
  RO_WORDB,
  RO_NWORDB,
  RO_BACKREF,
  RO_LOOK, /* x: start of the sub-program, y: where to go on (after its MATCH); neg, behind in flags */
  RO_MATCH,
} rop;

typedef struct rinst {
  uint8_t op;
  uint8_t neg;
  int32_t x, y;
  uint32_t cp;
} rinst;

struct jn_regex {
  rinst *prog;
  uint32_t n;
  cls *classes;
  uint32_t nclasses;
  int ngroups; /* capturing groups, not counting group 0 */
  int nloops;
  int flags;
};

/* characters */
uint32_t jn_re_fold(uint32_t c);   /* simple case folding (to lower case) */
uint32_t jn_re_unfold(uint32_t c); /* the other way */
bool jn_re_is_word(uint32_t c);
bool jn_re_is_line_term(uint32_t c);
extern const uint32_t jn_re_space_ranges[20]; /* \s as pairs lo, hi */
extern const uint32_t jn_re_digit_ranges[2];
extern const uint32_t jn_re_word_ranges[8];
bool jn_re_in_ranges(const uint32_t *r, uint32_t n, uint32_t c);
bool jn_re_class_has(const jn_regex *re, const cls *k, uint32_t c);

#endif
