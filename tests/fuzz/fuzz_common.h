/* Shared by the lang fuzz targets: a document with every kind of JSON value to evaluate against,
 * and the check that every reference was given back. */
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

/* A reference-count leak is a bug the sanitizers cannot see: stop on it. */
static inline void fuzz_check_live(size_t before)
{
  if (asl_json_live() != before)
    abort();
}

#endif
