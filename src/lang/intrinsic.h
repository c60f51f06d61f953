/* Private to src/lang: intrinsic function calls (States.Format(...), nested), parsed once into a
 * call tree (intrinsic_parse.c) and evaluated by the functions of intrinsics.def. */
#ifndef ASLRUN_LANG_INTRINSIC_H
#define ASLRUN_LANG_INTRINSIC_H

#include "internal.h"

typedef struct intr_call intr_call;

/* Parses [text] ("States.Name(args)"); ASL_E_DEFINITION with a cause on any problem. */
asl_status asl__intr_compile(asl_arena *a, const char *text, size_t len, intr_call **out,
                             asl_error *err);
bool asl__intr_uses_context(const intr_call *c);
/* A new reference, or NULL with States.IntrinsicFailure (or States.Runtime for a path that
 * matches nothing, worded for [field]). */
asl_json *asl__intr_eval(const intr_call *c, const asl_env *env, const char *field,
                         asl_error *err);

#endif
