/* Text helpers: positions for diagnostics, UTF-8 checks, base64. */
#include "aslrun/util.h"

#include <stdint.h>
#include <string.h>

void asl_text_linecol(const char *text, size_t len, size_t offset, int *line, int *col)
{
  int l = 1;
  int c = 1;
  if (offset > len)
    offset = len;
  for (size_t i = 0; i < offset; i++) {
    unsigned char ch = (unsigned char)text[i];
    if (ch == '\n') {
      l++;
      c = 1;
    } else if ((ch & 0xC0) != 0x80) { /* count characters, not continuation bytes */
      c++;
    }
  }
  *line = l;
  *col = c;
}

bool asl_utf8_valid(const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) /* truncated sequence */
      return false;
    for (size_t k = 1; k <= extra; k++) {
      if ((p[i + k] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

size_t asl_utf8_floor(const char *s, size_t n)
{
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return n;
}

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void asl_base64_encode(const void *data, size_t n, asl_buf *out)
{
  const unsigned char *p = data;
  const char *tab = base64_alphabet;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n)
      v |= p[i + 2];
    char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                 i + 2 < n ? tab[v & 63] : '='};
    asl_buf_add(out, q, 4);
  }
}

static int base64_value(char c, unsigned flags)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || (c == '-' && (flags & ASL_BASE64_URL)))
    return 62;
  if (c == '/' || (c == '_' && (flags & ASL_BASE64_URL)))
    return 63;
  return -1;
}

size_t asl_base64_decode(const char *s, size_t n, unsigned flags, asl_buf *out)
{
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < n && s[i] != '='; i++) {
    int v = base64_value(s[i], flags);
    if (v < 0) {
      if (flags & ASL_BASE64_SKIP)
        continue;
      break;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      asl_buf_addc(out, (char)((acc >> bits) & 0xFF));
    }
  }
  return i;
}

int asl_hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

size_t asl_utf16_len(const char *s, size_t n)
{
  size_t units = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) == 0x80)
      continue;
    units += (c >= 0xF0) ? 2 : 1; /* four-byte sequences are surrogate pairs in UTF-16 */
  }
  return units;
}
