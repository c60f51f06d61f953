/* $base64encode and $base64decode (of the UTF-8 bytes, as Node's Buffer) and the URL functions
 * with JavaScript's encodeURIComponent / encodeURI / decodeURIComponent / decodeURI rules: a lone
 * surrogate or a malformed escape fails D3140. */
#include "functions.h"

jv fn_base64encode(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf o = ASL_BUF_INIT;
  asl_base64_encode(s, n, &o);
  jv r = jn_str_new(c, o.data ? o.data : "", o.len);
  asl_buf_free(&o);
  return r;
}

/* Bytes as UTF-8 text, each invalid sequence replaced by U+FFFD (Buffer.toString). */
static jv utf8_text(jn_ctx *c, const unsigned char *b, size_t n)
{
  asl_buf o = ASL_BUF_INIT;
  size_t i = 0;
  while (i < n) {
    size_t start = i;
    unsigned char c0 = b[i];
    size_t need = c0 < 0x80 ? 0 : (c0 & 0xE0) == 0xC0 ? 1 : (c0 & 0xF0) == 0xE0 ? 2
                  : (c0 & 0xF8) == 0xF0 ? 3 : 99;
    bool ok = need != 99;
    if (ok && need) {
      for (size_t k = 1; ok && k <= need; k++)
        if (i + k >= n || (b[i + k] & 0xC0) != 0x80)
          ok = false;
      if (ok && need == 1 && c0 < 0xC2)
        ok = false;
    }
    if (ok) {
      asl_buf_add(&o, (const char *)b + start, need + 1);
      i += need + 1;
    } else {
      jn_utf8_put(&o, 0xFFFD);
      i++;
    }
  }
  jv r = jn_str_new(c, o.data ? o.data : "", o.len);
  asl_buf_free(&o);
  return r;
}

jv fn_base64decode(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf o = ASL_BUF_INIT;
  /* Buffer.from(s, 'base64'): either alphabet, other characters ignored */
  asl_base64_decode(s, n, ASL_BASE64_URL | ASL_BASE64_SKIP, &o);
  jv r = utf8_text(c, (const unsigned char *)(o.data ? o.data : ""), o.len);
  asl_buf_free(&o);
  return r;
}

static bool keep_component(unsigned char ch)
{
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         strchr("-_.!~*'()", ch);
}

static bool keep_uri(unsigned char ch)
{
  return keep_component(ch) || strchr(";,/?:@&=+$#", ch);
}

static jv encode(jn_ctx *c, jv *args, uint32_t nargs, bool component, const char *fname)
{
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf b = ASL_BUF_INIT;
  static const char hex[] = "0123456789ABCDEF";
  size_t i = 0;
  while (i < n) {
    unsigned char ch = (unsigned char)s[i];
    if (ch < 0x80 && ch && (component ? keep_component(ch) : keep_uri(ch))) {
      asl_buf_addc(&b, (char)ch);
      i++;
      continue;
    }
    size_t st = i;
    uint32_t cp = jn_utf8_next(s, n, &i);
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      asl_buf_free(&b);
      jn_fail_v(c, "D3140", JN_NOPOS, v);
      jn_err_fname(c, fname);
      return jv_err();
    }
    for (size_t k = st; k < i; k++) {
      unsigned char u = (unsigned char)s[k];
      char e[3] = {'%', hex[u >> 4], hex[u & 15]};
      asl_buf_add(&b, e, 3);
    }
  }
  jv r = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}

jv fn_encode_url_component(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return encode(c, args, nargs, true, "encodeUrlComponent");
}

jv fn_encode_url(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return encode(c, args, nargs, false, "encodeUrl");
}

static jv decode(jn_ctx *c, jv *args, uint32_t nargs, bool component, const char *fname)
{
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  asl_buf b = ASL_BUF_INIT;
  size_t i = 0;
  while (i < n) {
    if (s[i] != '%') {
      asl_buf_addc(&b, s[i++]);
      continue;
    }
    size_t start = i;
    if (i + 2 >= n)
      goto bad;
    int h = asl_hex_value(s[i + 1]), l = asl_hex_value(s[i + 2]);
    if (h < 0 || l < 0)
      goto bad;
    unsigned char b0 = (unsigned char)(h * 16 + l);
    i += 3;
    if (b0 < 0x80) {
      if (!component && strchr(";/?:@&=+$,#", b0) && b0)
        asl_buf_add(&b, s + start, 3); /* decodeURI keeps reserved characters escaped */
      else
        asl_buf_addc(&b, (char)b0);
      continue;
    }
    size_t need = (b0 & 0xE0) == 0xC0 ? 1 : (b0 & 0xF0) == 0xE0 ? 2 : (b0 & 0xF8) == 0xF0 ? 3 : 0;
    if (need == 0 || (need == 1 && b0 < 0xC2))
      goto bad;
    unsigned char seq[4] = {b0};
    for (size_t k = 1; k <= need; k++) {
      if (i + 2 >= n || s[i] != '%')
        goto bad;
      int hh = asl_hex_value(s[i + 1]), ll = asl_hex_value(s[i + 2]);
      if (hh < 0 || ll < 0)
        goto bad;
      seq[k] = (unsigned char)(hh * 16 + ll);
      if ((seq[k] & 0xC0) != 0x80)
        goto bad;
      i += 3;
    }
    size_t j = 0;
    uint32_t cp = jn_utf8_next((const char *)seq, need + 1, &j);
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || (need == 2 && cp < 0x800) ||
        (need == 3 && cp < 0x10000))
      goto bad;
    asl_buf_add(&b, (const char *)seq, need + 1);
  }
  {
    jv r = jn_str_new(c, b.data ? b.data : "", b.len);
    asl_buf_free(&b);
    return r;
  }
bad:
  asl_buf_free(&b);
  jn_fail_v(c, "D3140", JN_NOPOS, v);
  jn_err_fname(c, fname);
  return jv_err();
}

jv fn_decode_url_component(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return decode(c, args, nargs, true, "decodeUrlComponent");
}

jv fn_decode_url(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  return decode(c, args, nargs, false, "decodeUrl");
}
