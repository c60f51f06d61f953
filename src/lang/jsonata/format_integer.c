/* $formatInteger and $parseInteger: XPath F&O format-integer pictures as jsonata-js reads them
 * (decimal digit patterns in any Unicode digit family, with grouping separators and ordinals;
 * letters a/A; roman numerals i/I; words w/W/Ww), and the integer components of date/time
 * pictures share the analysis and formatting here. */
#include "functions.h"

#include <math.h>

static const uint32_t decimal_groups[] = {
  0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
  0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
  0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
  0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static const char *const few[] = {"Zero",      "One",      "Two",      "Three",    "Four",
                                  "Five",      "Six",      "Seven",    "Eight",    "Nine",
                                  "Ten",       "Eleven",   "Twelve",   "Thirteen", "Fourteen",
                                  "Fifteen",   "Sixteen",  "Seventeen", "Eighteen", "Nineteen"};
static const char *const ordinals[] = {
  "Zeroth",     "First",      "Second",     "Third",       "Fourth",
  "Fifth",      "Sixth",      "Seventh",    "Eighth",      "Ninth",
  "Tenth",      "Eleventh",   "Twelfth",    "Thirteenth",  "Fourteenth",
  "Fifteenth",  "Sixteenth",  "Seventeenth", "Eighteenth", "Nineteenth"};
static const char *const decades[] = {"Twenty", "Thirty",  "Forty",  "Fifty",  "Sixty",
                                      "Seventy", "Eighty", "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

/* ------------------------------------------------------------------ words ---- */
static void words_lookup(double num, bool prev, bool ord, asl_buf *b)
{
  if (num <= 19) {
    if (prev)
      asl_buf_adds(b, " and ");
    asl_buf_adds(b, ord ? ordinals[(int)num] : few[(int)num]);
  } else if (num < 100) {
    int tens = (int)(num / 10);
    int rem = (int)fmod(num, 10);
    if (prev)
      asl_buf_adds(b, " and ");
    asl_buf_adds(b, decades[tens - 2]);
    if (rem > 0) {
      asl_buf_addc(b, '-');
      words_lookup(rem, false, ord, b);
    } else if (ord) {
      b->len--; /* Twenty -> Twentieth */
      asl_buf_adds(b, "ieth");
    }
  } else if (num < 1000) {
    int hundreds = (int)(num / 100);
    double rem = fmod(num, 100);
    if (prev)
      asl_buf_adds(b, ", ");
    asl_buf_adds(b, few[hundreds]);
    asl_buf_adds(b, " Hundred");
    if (rem > 0)
      words_lookup(rem, true, ord, b);
    else if (ord)
      asl_buf_adds(b, "th");
  } else {
    int mag = (int)floor(log10(num) / 3);
    if (mag > 4)
      mag = 4;
    double factor = pow(10, mag * 3);
    double mant = floor(num / factor);
    double rem = num - mant * factor;
    if (prev)
      asl_buf_adds(b, ", ");
    words_lookup(mant, false, false, b);
    asl_buf_addc(b, ' ');
    asl_buf_adds(b, magnitudes[mag - 1]);
    if (rem > 0)
      words_lookup(rem, true, ord, b);
    else if (ord)
      asl_buf_adds(b, "th");
  }
}

void jn_number_to_words(double value, bool ordinal, asl_buf *out)
{
  words_lookup(value, false, ordinal, out);
}

static double word_value(const char *w, size_t n, bool *ok)
{
  *ok = true;
  char low[32];
  if (n >= sizeof low) {
    *ok = false;
    return 0;
  }
  for (size_t i = 0; i < n; i++)
    low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
  low[n] = '\0';
  for (int i = 0; i < 20; i++) {
    char a[32], o[32];
    size_t k;
    for (k = 0; few[i][k]; k++)
      a[k] = (char)(few[i][k] | 32);
    a[k] = '\0';
    for (k = 0; ordinals[i][k]; k++)
      o[k] = (char)(ordinals[i][k] | 32);
    o[k] = '\0';
    if (strcmp(low, a) == 0 || strcmp(low, o) == 0)
      return i;
  }
  for (int i = 0; i < 9; i++) {
    char a[32];
    size_t k;
    for (k = 0; decades[i][k]; k++)
      a[k] = (char)(decades[i][k] | 32);
    a[k] = '\0';
    double v = i == 8 ? 100 : (i + 2) * 10;
    if (strcmp(low, a) == 0)
      return v;
    /* twentieth; hundredth */
    char ieth[40];
    snprintf(ieth, sizeof ieth, "%.*sieth", (int)(k - 1), a);
    if (strcmp(low, ieth) == 0)
      return v;
  }
  if (strcmp(low, "hundredth") == 0)
    return 100;
  for (int i = 0; i < 4; i++) {
    char a[32];
    size_t k;
    for (k = 0; magnitudes[i][k]; k++)
      a[k] = (char)(magnitudes[i][k] | 32);
    a[k] = '\0';
    double v = pow(10, (i + 1) * 3);
    char th[40];
    snprintf(th, sizeof th, "%sth", a);
    if (strcmp(low, a) == 0 || strcmp(low, th) == 0)
      return v;
  }
  *ok = false;
  return 0;
}

static bool is_ws(char ch)
{
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* wordsToNumber: the lower-cased text split on /,\s|\sand\s|[\s\\-]/, each part's value
 * folded into segments (an unknown part makes the whole NaN, as undefined does). */
static double words_to_number(const char *s, size_t n)
{
  double segs[64];
  int ns = 1;
  segs[0] = 0;
  size_t start = 0, i = 0;
  for (;;) {
    size_t sep = 0;
    if (i < n) {
      if (s[i] == ',' && i + 1 < n && is_ws(s[i + 1]))
        sep = 2;
      else if (is_ws(s[i]) && i + 4 < n && (s[i + 1] | 32) == 'a' && (s[i + 2] | 32) == 'n' &&
               (s[i + 3] | 32) == 'd' && is_ws(s[i + 4]))
        sep = 5;
      else if (is_ws(s[i]) || s[i] == '\\' || s[i] == '-')
        sep = 1;
    }
    if (i < n && !sep) {
      i++;
      continue;
    }
    bool ok;
    double value = word_value(s + start, i - start, &ok);
    if (ok && value < 100) {
      double top = segs[--ns];
      if (top >= 1000 && ns < 63) {
        segs[ns++] = top;
        top = 0;
      }
      segs[ns++] = top + value;
    } else {
      segs[ns - 1] *= ok ? value : NAN;
    }
    if (i >= n)
      break;
    i += sep;
    start = i;
  }
  double total = 0;
  for (int k = 0; k < ns; k++)
    total += segs[k];
  return total;
}

/* ------------------------------------------------------------------ roman, letters ---- */
static void to_roman(double value, asl_buf *b)
{
  static const struct {
    int v;
    const char *s;
  } rn[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
            {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
  for (size_t i = 0; i < sizeof rn / sizeof rn[0]; i++) {
    while (value >= rn[i].v) {
      asl_buf_adds(b, rn[i].s);
      value -= rn[i].v;
    }
  }
}

static double from_roman(const char *s, size_t n)
{
  double decimal = 0, max = 1;
  for (size_t i = n; i-- > 0;) {
    char ch = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    double v = ch == 'M' ? 1000 : ch == 'D' ? 500 : ch == 'C' ? 100 : ch == 'L' ? 50
             : ch == 'X' ? 10 : ch == 'V' ? 5 : ch == 'I' ? 1 : NAN;
    if (v < max) {
      decimal -= v;
    } else {
      max = v;
      decimal += v;
    }
  }
  return decimal;
}

static void to_letters(double value, char a, asl_buf *b)
{
  char tmp[64];
  int k = 0;
  while (value > 0 && k < 63) {
    tmp[k++] = (char)(fmod(value - 1, 26) + a);
    value = floor((value - 1) / 26);
  }
  while (k > 0)
    asl_buf_addc(b, tmp[--k]);
}

static double from_letters(const char *s, size_t n, char a)
{
  double d = 0;
  for (size_t i = 0; i < n; i++)
    d += ((unsigned char)s[n - i - 1] - a + 1) * pow(26, (double)i);
  return d;
}

/* ------------------------------------------------------------------ pictures ---- */
static int gcd(int a, int b)
{
  return b == 0 ? a : gcd(b, a % b);
}

bool jn_intfmt_analyse(jn_ctx *c, const char *pic, size_t len, jn_intfmt *f)
{
  memset(f, 0, sizeof *f);
  f->primary = IF_DECIMAL;
  f->tcase = IC_LOWER;
  size_t plen = len;
  for (size_t i = len; i-- > 0;) {
    if (pic[i] == ';') {
      plen = i;
      if (i + 1 < len && pic[i + 1] == 'o')
        f->ordinal = true;
      break;
    }
  }
  if (plen == 1 && (pic[0] == 'A' || pic[0] == 'a')) {
    f->primary = IF_LETTERS;
    f->tcase = pic[0] == 'A' ? IC_UPPER : IC_LOWER;
    return true;
  }
  if (plen == 1 && (pic[0] == 'I' || pic[0] == 'i')) {
    f->primary = IF_ROMAN;
    f->tcase = pic[0] == 'I' ? IC_UPPER : IC_LOWER;
    return true;
  }
  if (plen == 1 && pic[0] == 'W') {
    f->primary = IF_WORDS;
    f->tcase = IC_UPPER;
    return true;
  }
  if (plen == 2 && pic[0] == 'W' && pic[1] == 'w') {
    f->primary = IF_WORDS;
    f->tcase = IC_TITLE;
    return true;
  }
  if (plen == 1 && pic[0] == 'w') {
    f->primary = IF_WORDS;
    return true;
  }
  /* a decimal digit pattern, read from the right to place the grouping separators */
  uint32_t cps[256];
  size_t ncp = 0;
  for (size_t i = 0; i < plen && ncp < 256;)
    cps[ncp++] = jn_utf8_next(pic, plen, &i);
  bool have_zero = false;
  int sep_position = 0;
  for (size_t k = ncp; k-- > 0;) {
    uint32_t cp = cps[k];
    bool digit = false;
    for (size_t g = 0; g < sizeof decimal_groups / sizeof decimal_groups[0]; g++) {
      uint32_t grp = decimal_groups[g];
      if (cp >= grp && cp <= grp + 9) {
        digit = true;
        f->mandatory++;
        sep_position++;
        if (!have_zero) {
          f->zero_code = grp;
          have_zero = true;
        } else if (grp != f->zero_code) {
          jn_fail(c, "D3131", JN_NOPOS, NULL, NULL);
          return false;
        }
        break;
      }
    }
    if (digit)
      continue;
    if (cp == '#') {
      sep_position++;
      f->optional++;
    } else if (f->nseps < 32) {
      f->sep_pos[f->nseps] = sep_position;
      f->sep_char[f->nseps] = cp;
      f->nseps++;
    }
  }
  if (f->mandatory == 0) {
    f->primary = IF_SEQUENCE;
    f->token = pic;
    f->token_len = (uint32_t)plen;
    return true;
  }
  /* regular grouping: one character, at multiples of a common interval */
  if (f->nseps > 0) {
    bool same = true;
    for (int i = 1; i < f->nseps; i++)
      if (f->sep_char[i] != f->sep_char[0])
        same = false;
    int factor = f->sep_pos[0];
    for (int i = 1; i < f->nseps; i++)
      factor = gcd(factor, f->sep_pos[i]);
    bool regular = same && factor > 0;
    for (int idx = 1; regular && idx <= f->nseps; idx++) {
      bool found = false;
      for (int i = 0; i < f->nseps; i++)
        if (f->sep_pos[i] == idx * factor)
          found = true;
      if (!found)
        regular = false;
    }
    if (regular) {
      f->regular = true;
      f->sep_pos[0] = factor;
      f->nseps = 1;
    }
  }
  return true;
}

static void put_case(asl_buf *b, const char *s, size_t n, int tcase)
{
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (tcase == IC_UPPER && ch >= 'a' && ch <= 'z')
      ch = (char)(ch - 32);
    else if (tcase == IC_LOWER && ch >= 'A' && ch <= 'Z')
      ch = (char)(ch + 32);
    asl_buf_addc(b, ch);
  }
}

bool jn_intfmt_format(jn_ctx *c, double value, const jn_intfmt *f, asl_buf *out)
{
  bool negative = value < 0;
  value = fabs(value);
  asl_buf b = ASL_BUF_INIT;
  switch (f->primary) {
  case IF_LETTERS:
    to_letters(value, f->tcase == IC_UPPER ? 'A' : 'a', &b);
    break;
  case IF_ROMAN: {
    if (value > 1e6) {
      /* M repeated: a million of them at most */
      jn_fail_memory(c);
      asl_buf_free(&b);
      return false;
    }
    asl_buf r = ASL_BUF_INIT;
    to_roman(value, &r);
    put_case(&b, r.data ? r.data : "", r.len, f->tcase == IC_UPPER ? IC_UPPER : IC_LOWER);
    asl_buf_free(&r);
    break;
  }
  case IF_WORDS: {
    asl_buf w = ASL_BUF_INIT;
    jn_number_to_words(value, f->ordinal, &w);
    put_case(&b, w.data ? w.data : "", w.len, f->tcase == IC_TITLE ? -1 : f->tcase);
    asl_buf_free(&w);
    break;
  }
  case IF_DECIMAL: {
    char num[40];
    size_t nl = jn_num_to_js(value, num);
    /* the digits (code points) of the number, padded to the mandatory width */
    uint32_t cps[512];
    size_t n = 0;
    for (int pad = f->mandatory - (int)nl; pad > 0 && n < 400; pad--)
      cps[n++] = '0';
    for (size_t i = 0; i < nl && n < 400; i++)
      cps[n++] = (unsigned char)num[i];
    if (f->zero_code != 0x30)
      for (size_t i = 0; i < n; i++)
        if (cps[i] >= '0' && cps[i] <= '9')
          cps[i] = cps[i] - '0' + f->zero_code;
    /* grouping separators, inserted from the right */
    uint32_t grouped[1024];
    size_t g = 0;
    if (f->regular) {
      int every = f->sep_pos[0];
      for (size_t i = 0; i < n; i++) {
        size_t from_right = n - i;
        grouped[g++] = cps[i];
        if (from_right > 1 && (from_right - 1) % (size_t)every == 0 && g < 1000)
          grouped[g++] = f->sep_char[0];
      }
    } else {
      memcpy(grouped, cps, n * sizeof(uint32_t));
      g = n;
      for (int k = 0; k < f->nseps; k++) {
        /* groupingSeparators.reverse(): the leftmost separator first */
        int idx = f->nseps - 1 - k;
        long pos = (long)g - f->sep_pos[idx];
        if (pos < 0 || g >= 1000)
          continue;
        memmove(grouped + pos + 1, grouped + pos, (g - (size_t)pos) * sizeof(uint32_t));
        grouped[pos] = f->sep_char[idx];
        g++;
      }
    }
    for (size_t i = 0; i < g; i++)
      jn_utf8_put(&b, grouped[i]);
    if (f->ordinal) {
      char last = g ? (char)grouped[g - 1] : '\0';
      char before = g > 1 ? (char)grouped[g - 2] : '\0';
      const char *suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
      if (before == '1')
        suffix = "th";
      asl_buf_adds(&b, suffix);
    }
    break;
  }
  case IF_SEQUENCE: {
    asl_buf_free(&b);
    jv tok = jn_str_new(c, f->token, f->token_len);
    jn_fail_v(c, "D3130", JN_NOPOS, tok);
    return false;
  }
  }
  if (negative)
    asl_buf_addc(out, '-');
  asl_buf_add(out, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return true;
}

/* parseInt(): leading whitespace, a sign, decimal digits; NaN when none. */
static double parse_int(const char *s, size_t n)
{
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  bool neg = false;
  if (i < n && (s[i] == '-' || s[i] == '+'))
    neg = s[i++] == '-';
  size_t d = i;
  double v = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    v = v * 10 + (s[i++] - '0');
  if (i == d)
    return NAN;
  return neg ? -v : v;
}

bool jn_intfmt_parse(jn_ctx *c, const char *s, size_t n, const jn_intfmt *f, double *out)
{
  switch (f->primary) {
  case IF_LETTERS:
    *out = from_letters(s, n, f->tcase == IC_UPPER ? 'A' : 'a');
    return true;
  case IF_ROMAN:
    *out = from_roman(s, n);
    return true;
  case IF_WORDS:
    *out = words_to_number(s, n);
    return true;
  case IF_DECIMAL: {
    size_t len = n;
    if (f->ordinal && len >= 2)
      len -= 2;
    asl_buf digits = ASL_BUF_INIT;
    size_t i = 0;
    while (i < len) {
      size_t st = i;
      uint32_t cp = jn_utf8_next(s, len, &i);
      bool sep = false;
      if (f->regular)
        sep = cp == ',';
      else
        for (int k = 0; k < f->nseps; k++)
          if (cp == f->sep_char[k])
            sep = true;
      if (sep)
        continue;
      if (f->zero_code != 0x30 && cp >= f->zero_code && cp <= f->zero_code + 9)
        asl_buf_addc(&digits, (char)('0' + (cp - f->zero_code)));
      else
        asl_buf_add(&digits, s + st, i - st);
    }
    *out = parse_int(digits.data ? digits.data : "", digits.len);
    asl_buf_free(&digits);
    return true;
  }
  case IF_SEQUENCE: {
    jv tok = jn_str_new(c, f->token, f->token_len);
    jn_fail_v(c, "D3130", JN_NOPOS, tok);
    return false;
  }
  }
  return false;
}

/* ------------------------------------------------------------------ the functions ---- */
jv fn_format_integer(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv p = arg_at(args, nargs, 1);
  uint32_t pn;
  const char *pic = jv_strp(p, &pn);
  jn_intfmt f;
  if (!jn_intfmt_analyse(c, pic, pn, &f))
    return jv_err();
  asl_buf b = ASL_BUF_INIT;
  if (!jn_intfmt_format(c, floor(v.u.n), &f, &b)) {
    asl_buf_free(&b);
    return jv_err();
  }
  jv r = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
  return r;
}

jv fn_parse_integer(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv p = arg_at(args, nargs, 1);
  uint32_t pn, sn;
  const char *pic = jv_strp(p, &pn);
  const char *s = jv_strp(v, &sn);
  jn_intfmt f;
  if (!jn_intfmt_analyse(c, pic, pn, &f))
    return jv_err();
  double d;
  if (!jn_intfmt_parse(c, s, sn, &f, &d))
    return jv_err();
  return jv_num(d);
}
