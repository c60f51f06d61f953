/* Shared by the lang fuzz targets: a document with every kind of JSON value to evaluate against,
 * the split of an input into program and document, and the check that every reference was given
 * back. */
#ifndef ASLRUN_TESTS_FUZZ_COMMON_H
#define ASLRUN_TESTS_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "aslrun/lang.h"

static const char fuzz_doc_text[] =
  "{\"a\":{\"b\":[1,2.5,\"x\",null,true,{\"c\":[]}],\"d\":{}},\"s\":\"a,b;c\",\"n\":-3,"
  "\"f\":1.5e3,\"t\":true,\"z\":null,\"arr\":[[1,2],[3],{\"k\":\"v\"},\"\"],"
  "\"users\":[{\"name\":\"x\",\"age\":3,\"tags\":[\"p\"]},{\"name\":\"y\",\"age\":40}],"
  "\"json\":\"{\\\"q\\\":[1,{}]}\",\"b64\":\"aGk=\",\"e\":\"\",\"nul\":\"a\\u0000b\","
  "\"big\":9223372036854775807,\"deep\":[[[[[[[[1]]]]]]]]}";

static const char fuzz_ctx_text[] =
  "{\"Execution\":{\"Id\":\"arn:aws:states:us-east-1:1:execution:m:e\",\"Input\":{\"k\":[1]},"
  "\"Name\":\"e-1-2\",\"StartTime\":\"2024-01-02T03:04:05.678Z\"},\"State\":{\"Name\":\"S\","
  "\"EnteredTime\":\"2024-01-02T03:04:05.678Z\",\"RetryCount\":0},\"StateMachine\":{\"Id\":\"x\","
  "\"Name\":\"m-a-b\"}}";

static inline asl_json *fuzz_parse(const char *text, size_t len)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, len, NULL, &err);
  asl_error_clear(&err);
  return v;
}

/* The input of a target that evaluates something: its first line is the program (a path, rule,
 * template or expression), the rest after a newline the document to evaluate it against; the
 * built-in document when there is none or it is not JSON. Returns the first line's length;
 * *doc and *ctx (the context object) are new references. */
static inline size_t fuzz_split(const char *text, size_t size, asl_json **doc, asl_json **ctx)
{
  const char *nl = memchr(text, '\n', size);
  size_t first = nl ? (size_t)(nl - text) : size;
  *doc = nl ? fuzz_parse(nl + 1, size - first - 1) : NULL;
  if (!*doc)
    *doc = fuzz_parse(fuzz_doc_text, sizeof fuzz_doc_text - 1);
  *ctx = fuzz_parse(fuzz_ctx_text, sizeof fuzz_ctx_text - 1);
  return first;
}

/* A reference-count leak is a bug the sanitizers cannot see: stop on it. */
static inline void fuzz_check_live(size_t before)
{
  if (asl_json_live() != before)
    abort();
}

#endif
