/* Reading definitions and inputs, and printing JSON: every problem a user can cause here is
 * reported with the file (or "--input"), line:col and what is wrong, never a crash. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Definitions and inputs beyond this are refused before parsing (the parser has its own cap). */
#define MAX_FILE_BYTES ((size_t)1 << 31)

bool cli_read_file(const char *path, char **text, size_t *len)
{
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "aslrun: cannot read '%s': %s\n", path, strerror(errno));
    return false;
  }
  asl_buf b = ASL_BUF_INIT;
  char chunk[65536];
  size_t n;
  bool too_big = false;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + n > MAX_FILE_BYTES) {
      too_big = true;
      break;
    }
    asl_buf_add(&b, chunk, n);
  }
  int read_errno = ferror(f) ? errno : 0;
  bool failed = ferror(f) != 0;
  if (!is_stdin)
    fclose(f);
  if (failed || too_big) {
    if (too_big)
      fprintf(stderr, "aslrun: cannot read '%s': larger than %zu bytes\n", path, MAX_FILE_BYTES);
    else
      fprintf(stderr, "aslrun: cannot read '%s': %s\n", path, strerror(read_errno));
    asl_buf_free(&b);
    return false;
  }
  if (!b.data)
    asl_buf_reserve(&b, 1);
  *len = b.len;
  *text = asl_buf_steal(&b, NULL);
  return true;
}

asl_json *cli_parse_json(const char *source, const char *text, size_t len)
{
  asl_error err = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text, len, NULL, &err);
  if (v)
    return v;
  int line = 1;
  int col = 1;
  if (err.offset != ASL_NOPOS)
    asl_text_linecol(text, len, err.offset, &line, &col);
  fprintf(stderr, "aslrun: %s:%d:%d: %s\n", source, line, col,
          err.cause ? err.cause : "invalid JSON");
  asl_error_clear(&err);
  return NULL;
}

asl_json *cli_read_json(const char *path)
{
  char *text = NULL;
  size_t len = 0;
  if (!cli_read_file(path, &text, &len))
    return NULL;
  asl_json *v = cli_parse_json(strcmp(path, "-") == 0 ? "<stdin>" : path, text, len);
  asl_free(text);
  return v;
}

void cli_print_json(FILE *f, const asl_json *v)
{
  asl_buf b = ASL_BUF_INIT;
  asl_json_dump_buf(v, isatty(fileno(f)) ? ASL_JSON_PRETTY : ASL_JSON_COMPACT, &b);
  asl_buf_addc(&b, '\n');
  fwrite(b.data, 1, b.len, f);
  asl_buf_free(&b);
}

asl_json *cli_timestamp(int64_t ms)
{
  char buf[32];
  size_t n = asl_timestamp_format_ms(ms, buf);
  return asl_json_string(buf, n);
}
