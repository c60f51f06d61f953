/* Private to src/lang: the compiled form of JSONPath filter expressions, shared by their parser
 * (jsonpath_filter.c) and their evaluator (jsonpath_filter_eval.c). */
#ifndef ASLRUN_LANG_FILTER_H
#define ASLRUN_LANG_FILTER_H

#include <regex.h>

#include "internal.h"

typedef enum operand_kind { OPD_PATH, OPD_JSON, OPD_REGEX } operand_kind;

typedef struct operand {
  operand_kind kind;
  asl_path *path;
  bool exists_check; /* a bare path: test existence */
  bool should_exist; /* false for !@.x */
  asl_json *lit;     /* OPD_JSON (kept by the arena) */
  regex_t *re;       /* OPD_REGEX */
  const char *re_src;
} operand;

typedef enum rel_op {
  R_EQ,
  R_NE,
  R_TSEQ,
  R_TSNE,
  R_LT,
  R_LE,
  R_GT,
  R_GE,
  R_REGEX,
  R_IN,
  R_NIN,
  R_SUBSETOF,
  R_ANYOF,
  R_NONEOF,
  R_SIZE,
  R_EMPTY,
  R_CONTAINS,
  R_EXISTS,
} rel_op;

typedef enum fnode_kind { FN_OR, FN_AND, FN_NOT, FN_REL } fnode_kind;

typedef struct fnode fnode;
struct fnode {
  fnode_kind kind;
  fnode *a; /* OR/AND: left; NOT: operand */
  fnode *b; /* OR/AND: right */
  rel_op op;
  operand left;
  operand right;
};

struct asl_filter {
  fnode *root;
  bool uses_root;
};

/* A number literal as Java's BigDecimal reads it (-?digits[.digits][e[+-]digits]): a new
 * reference, or NULL when [s] is not one. */
asl_json *asl__filter_number(const char *s, size_t n);

#endif
