/* Private to the parser files (lexer.c, parse.c, ast.c): tokens and the parser's state. */
#ifndef ASLRUN_LANG_JSONATA_SYNTAX_H
#define ASLRUN_LANG_JSONATA_SYNTAX_H

#include "internal.h"

typedef struct jn_lexer {
  asl_arena *a;
  const char *src;
  size_t len;
  size_t pos;
  int flags;
  jn_parse_error *err;
} jn_lexer;

/* Reads the next token into a new node (a leaf of kind N_NAME, N_VARIABLE, N_STRING, N_NUMBER,
 * N_VALUE, N_REGEX, R_OPERATOR, or R_END at the end). [infix]: a '/' is division, not a regex.
 * NULL on a lexical error (L->err filled). */
jn_node *jn_lex(jn_lexer *L, bool infix);

/* Sets the parse error (the first one wins); returns NULL for `return jn_syntax_error(...)`. */
void *jn_syntax_error(jn_parse_error *err, asl_arena *a, const char *code, size_t pos,
                      const char *token, size_t token_len, bool token_is_text);

/* ast.c: the post-parse pass of jsonata-js (processAST): paths, predicates, ancestry, tail
 * calls. NULL on error. */
jn_node *jn_process(asl_arena *a, jn_node *raw, jn_parse_error *err);

jn_node *jn_node_new(asl_arena *a, jn_kind kind, uint32_t pos);

#endif
