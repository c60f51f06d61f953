/* Values the C tests write as literals: JSON text and state machine definitions. A literal that
 * does not parse or load is a mistake in the test, not a finding, so both stop the test with
 * exit status 2 and say what was wrong. */
#ifndef ASLRUN_TESTS_LITERALS_H
#define ASLRUN_TESTS_LITERALS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aslrun/json.h"
#include "aslrun/machine.h"

static inline asl_json *J(const char *text)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, strlen(text), NULL, &err);
  if (!v) {
    fprintf(stderr, "bad test JSON: %s\n  %s\n", err.cause, text);
    exit(2);
  }
  return v;
}

static inline asl_machine *load_machine(const char *definition)
{
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text(definition, strlen(definition), NULL, &d);
  if (!m) {
    asl_buf b = ASL_BUF_INIT;
    asl_diags_print(&d, "test", definition, strlen(definition), &b);
    fprintf(stderr, "cannot load test machine:\n%s", b.data);
    exit(2);
  }
  asl_diags_free(&d);
  return m;
}

#endif
