/* libFuzzer target for the definition loader (machine module): the input is a state machine
 * definition's text, loaded with asl_machine_load_text. Nothing may crash, hang or leak, and a
 * load returns a machine exactly when it reports no diagnostic. Seeds: the definitions of
 * tests/validate. */
#include <stdint.h>
#include <stdlib.h>

#include "aslrun/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t live = asl_json_live();
  asl_diags d = ASL_DIAGS_INIT;
  asl_machine *m = asl_machine_load_text((const char *)data, size, NULL, &d);
  if ((m == NULL) != (d.len > 0))
    abort();
  asl_buf out = ASL_BUF_INIT;
  asl_diags_print(&d, "fuzz", (const char *)data, size, &out);
  asl_buf_free(&out);
  asl_machine_free(m);
  asl_diags_free(&d);
  if (asl_json_live() != live)
    abort(); /* a value was not given back */
  return 0;
}
