/* Private to src/lang/jsonata: the implementations of the built-in functions (functions.def
 * lists them). Each receives its arguments validated against its signature. */
#ifndef ASLRUN_LANG_JSONATA_FUNCTIONS_H
#define ASLRUN_LANG_JSONATA_FUNCTIONS_H

#include "internal.h"

#define FN(name, sig, impl, arity, nparams, flags)                                                 \
  jv impl(jn_ctx *c, jv *args, uint32_t nargs, jv input);
#include "functions.def"
#undef FN

/* The i-th argument, undefined when missing. */
static inline jv arg_at(jv *args, uint32_t nargs, uint32_t i)
{
  return i < nargs ? args[i] : jv_undef();
}

#endif
