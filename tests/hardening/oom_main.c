/* A data-driven test runner (run_lang_tests, run_json_tests, run_jsonata_tests, compiled beside
 * this file with -Dmain=runner_main) with the CLI's out-of-memory ending: "aslrun: out of memory"
 * on stderr and exit status 70, so that tools/alloc-sweep can hold every program it sweeps to the
 * same clean end. The runners themselves keep the library's default (abort). */
#undef main
#include <unistd.h>

#include "aslrun/util.h"

int runner_main(int argc, char **argv);

static void on_out_of_memory(void)
{
  static const char msg[] = "aslrun: out of memory\n";
  ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)n;
  _exit(70);
}

int main(int argc, char **argv)
{
  asl_set_oom_handler(on_out_of_memory);
  return runner_main(argc, argv);
}
