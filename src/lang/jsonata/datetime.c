/* $fromMillis, $toMillis and $now: XPath F&O format-dateTime pictures ([Y0001]-[M01]-[D01] ...)
 * as jsonata-js analyses, formats and parses them (a picture becomes a regex whose groups give
 * the components; missing components default to the evaluation's $now() on the left and to
 * zero on the right), and ISO 8601 timestamps. All dates are UTC, offsets applied as given. */
#include "functions.h"

#include <math.h>
#include <stdio.h>

#define DAY_MS 86400000.0

static const char *const day_names[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                        "Thursday", "Friday", "Saturday", "Sunday"};
static const char *const month_names[] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};

/* ------------------------------------------------------------------ calendar ---- */
static double days_from_civil(double y, double m, double d)
{
  y -= m <= 2;
  double era = floor(y / 400);
  double yoe = y - era * 400;
  double doy = floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  double doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

typedef struct civil {
  double y, m, d; /* month 1-12 */
  double h, mi, s, ms;
  double wday; /* 0 = Sunday */
  bool valid;
} civil;

static civil to_civil(double t)
{
  civil c = {0};
  if (!isfinite(t) || fabs(t) > 8.64e15) {
    c.valid = false;
    return c;
  }
  c.valid = true;
  double days = floor(t / DAY_MS);
  double rest = t - days * DAY_MS;
  double z = days + 719468;
  double era = floor(z / 146097);
  double doe = z - era * 146097;
  double yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365);
  double y = yoe + era * 400;
  double doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
  double mp = floor((5 * doy + 2) / 153);
  c.d = doy - floor((153 * mp + 2) / 5) + 1;
  c.m = mp < 10 ? mp + 3 : mp - 9;
  c.y = y + (c.m <= 2);
  c.h = floor(rest / 3600000);
  c.mi = floor(fmod(rest, 3600000) / 60000);
  c.s = floor(fmod(rest, 60000) / 1000);
  c.ms = fmod(rest, 1000);
  c.wday = fmod(days + 4, 7);
  if (c.wday < 0)
    c.wday += 7;
  return c;
}

/* MakeDay + MakeTime: months overflow into years, everything truncated. */
static double date_raw(double y, double m, double d, double h, double mi, double s, double ms)
{
  if (!isfinite(y) || !isfinite(m) || !isfinite(d) || !isfinite(h) || !isfinite(mi) ||
      !isfinite(s) || !isfinite(ms))
    return NAN;
  y = trunc(y);
  m = trunc(m);
  double ym = y + floor(m / 12);
  double mn = fmod(m, 12);
  if (mn < 0)
    mn += 12;
  double days = days_from_civil(ym, mn + 1, 1) + trunc(d) - 1;
  double time = trunc(h) * 3600000 + trunc(mi) * 60000 + trunc(s) * 1000 + trunc(ms);
  return days * DAY_MS + time;
}

/* Date.UTC: two-digit years are 19xx. */
static double date_utc(double y, double m, double d, double h, double mi, double s, double ms)
{
  if (isfinite(y) && trunc(y) >= 0 && trunc(y) <= 99)
    y = trunc(y) + 1900;
  return date_raw(y, m, d, h, mi, s, ms);
}

static double start_of_first_week(double year, double month)
{
  double jan1 = date_utc(year, month, 1, 0, 0, 0, 0);
  double dow = to_civil(jan1).wday;
  if (dow == 0)
    dow = 7;
  return dow > 4 ? jan1 + (8 - dow) * DAY_MS : jan1 - (dow - 1) * DAY_MS;
}

static double delta_weeks(double start, double end)
{
  return (end - start) / (DAY_MS * 7) + 1;
}

/* getDateTimeFragment for the numeric components; P gives 0 (am) or 1 (pm). */
static double fragment(double t, char comp)
{
  civil c = to_civil(t);
  if (!c.valid)
    return NAN;
  switch (comp) {
  case 'Y':
    return c.y;
  case 'M':
    return c.m;
  case 'D':
    return c.d;
  case 'd':
    return (date_utc(c.y, c.m - 1, c.d, 0, 0, 0, 0) - date_utc(c.y, 0, 1, 0, 0, 0, 0)) / DAY_MS + 1;
  case 'F':
    return c.wday == 0 ? 7 : c.wday;
  case 'W': {
    double start = start_of_first_week(c.y, 0);
    double today = date_utc(c.y, c.m - 1, c.d, 0, 0, 0, 0);
    double week = delta_weeks(start, today);
    if (week > 52) {
      if (today >= start_of_first_week(c.y + 1, 0))
        week = 1;
    } else if (week < 1) {
      week = delta_weeks(start_of_first_week(c.y - 1, 0), today);
    }
    return floor(week);
  }
  case 'w': {
    double start = start_of_first_week(c.y, c.m - 1);
    double today = date_utc(c.y, c.m - 1, c.d, 0, 0, 0, 0);
    double week = delta_weeks(start, today);
    if (week > 4) {
      double ny = c.m == 12 ? c.y + 1 : c.y, nm = c.m == 12 ? 0 : c.m;
      if (today >= start_of_first_week(ny, nm))
        week = 1;
    } else if (week < 1) {
      double py = c.m == 1 ? c.y - 1 : c.y, pm = c.m == 1 ? 11 : c.m - 2;
      week = delta_weeks(start_of_first_week(py, pm), today);
    }
    return floor(week);
  }
  case 'X': {
    double start = start_of_first_week(c.y, 0);
    double end = start_of_first_week(c.y + 1, 0);
    return t < start ? c.y - 1 : t >= end ? c.y + 1 : c.y;
  }
  case 'x': {
    double start = start_of_first_week(c.y, c.m - 1);
    double ny = c.m == 12 ? c.y + 1 : c.y, nm = c.m == 12 ? 0 : c.m;
    double end = start_of_first_week(ny, nm);
    if (t < start)
      return c.m == 1 ? 12 : c.m - 1;
    if (t >= end)
      return nm + 1;
    return c.m;
  }
  case 'H':
    return c.h;
  case 'h': {
    double h = fmod(c.h, 12);
    return h == 0 ? 12 : h;
  }
  case 'P':
    return c.h >= 12 ? 1 : 0;
  case 'm':
    return c.mi;
  case 's':
    return c.s;
  case 'f':
    return c.ms;
  default:
    return NAN;
  }
}

/* ------------------------------------------------------------------ pictures ---- */
typedef struct marker {
  bool literal;
  char *text; /* literal text */
  size_t len;
  char comp;
  bool has_width;
  double wmin, wmax; /* NaN when absent */
  char pres1[64];
  char pres2;
  int names; /* -1: not names; IC_* */
  bool has_ifmt;
  jn_intfmt ifmt;
  int n;
  int parse_width;
} marker;

typedef ASL_VEC(marker) markers;

static const char *default_pres(char comp)
{
  switch (comp) {
  case 'Y': case 'M': case 'D': case 'd': case 'W': case 'w': case 'X': case 'x':
  case 'H': case 'h': case 'f':
    return "1";
  case 'F': case 'P': case 'C': case 'E':
    return "n";
  case 'm': case 's':
    return "01";
  case 'Z': case 'z':
    return "01:01";
  default:
    return NULL;
  }
}

static double parse_width(const char *s, size_t n)
{
  if (n == 0 || (n == 1 && s[0] == '*'))
    return NAN;
  double v = 0;
  size_t i = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    v = v * 10 + (s[i++] - '0');
  return i == 0 ? NAN : v;
}

static void add_literal(jn_ctx *c, markers *parts, const char *s, size_t n)
{
  if (n == 0)
    return;
  /* a doubled ]] stands for ] */
  char *t = jn_alloc(c, n + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    t[k++] = s[i];
    if (s[i] == ']' && i + 1 < n && s[i + 1] == ']')
      i++;
  }
  t[k] = '\0';
  marker m = {0};
  m.literal = true;
  m.text = t;
  m.len = k;
  ASL_VEC_PUSH(*parts, m);
}

static bool analyse(jn_ctx *c, const char *pic, size_t n, markers *parts)
{
  size_t start = 0, pos = 0;
  while (pos < n) {
    if (pic[pos] != '[') {
      pos++;
      continue;
    }
    if (pos + 1 < n && pic[pos + 1] == '[') {
      add_literal(c, parts, pic + start, pos - start);
      add_literal(c, parts, "[", 1);
      pos += 2;
      start = pos;
      continue;
    }
    add_literal(c, parts, pic + start, pos - start);
    start = pos;
    const char *close = memchr(pic + start, ']', n - start);
    if (!close) {
      jn_fail(c, "D3135", JN_NOPOS, NULL, NULL);
      return false;
    }
    pos = (size_t)(close - pic);
    /* the marker, whitespace removed */
    char mk[128];
    size_t ml = 0;
    for (size_t i = start + 1; i < pos && ml < sizeof mk - 1; i++)
      if (!(pic[i] == ' ' || pic[i] == '\t' || pic[i] == '\n' || pic[i] == '\r'))
        mk[ml++] = pic[i];
    mk[ml] = '\0';
    marker m = {0};
    m.names = -1;
    m.comp = mk[0];
    m.wmin = m.wmax = NAN;
    m.n = -1;
    const char *comma = strrchr(mk, ',');
    size_t pres_end = ml;
    if (comma) {
      m.has_width = true;
      const char *wm = comma + 1;
      const char *dash = strchr(wm, '-');
      if (!dash) {
        m.wmin = parse_width(wm, strlen(wm));
      } else {
        m.wmin = parse_width(wm, (size_t)(dash - wm));
        m.wmax = parse_width(dash + 1, strlen(dash + 1));
      }
      pres_end = (size_t)(comma - mk);
    }
    size_t plen = pres_end > 0 ? pres_end - 1 : 0;
    const char *pres = mk + 1;
    if (plen >= sizeof m.pres1)
      plen = sizeof m.pres1 - 1;
    if (plen == 1) {
      memcpy(m.pres1, pres, 1);
    } else if (plen > 1) {
      char last = pres[plen - 1];
      if (strchr("atco", last)) {
        m.pres2 = last;
        memcpy(m.pres1, pres, plen - 1);
      } else {
        memcpy(m.pres1, pres, plen);
      }
    } else {
      const char *d = default_pres(m.comp);
      if (!d) {
        jv v = jn_str_new(c, mk, ml ? 1 : 0);
        jn_fail_v(c, "D3132", JN_NOPOS, v);
        return false;
      }
      snprintf(m.pres1, sizeof m.pres1, "%s", d);
    }
    if (m.comp && !strchr("YMDdFWwXxHhPmsfZzCE", m.comp) && plen == 0) {
      jv v = jn_str_new(c, mk, 1);
      jn_fail_v(c, "D3132", JN_NOPOS, v);
      return false;
    }
    if (m.pres1[0] == 'n') {
      m.names = IC_LOWER;
    } else if (m.pres1[0] == 'N') {
      m.names = m.pres1[1] == 'n' ? IC_TITLE : IC_UPPER;
    } else if (m.comp && strchr("YMDdFWwXxHhmsf", m.comp)) {
      /* in the region: the analysed format keeps pointing at it (its token) */
      char *ip = jn_alloc(c, 80);
      if (m.pres2)
        snprintf(ip, 80, "%s;%c", m.pres1, m.pres2);
      else
        snprintf(ip, 80, "%s", m.pres1);
      if (!jn_intfmt_analyse(c, ip, strlen(ip), &m.ifmt))
        return false;
      m.has_ifmt = true;
      if (!isnan(m.wmin) && m.ifmt.mandatory < m.wmin)
        m.ifmt.mandatory = (int)m.wmin;
      if (m.comp == 'Y') {
        m.n = -1;
        if (!isnan(m.wmax)) {
          m.n = (int)m.wmax;
          m.ifmt.mandatory = m.n;
        } else {
          int w = m.ifmt.mandatory + m.ifmt.optional;
          if (w >= 2)
            m.n = w;
        }
      }
      /* an integer right after another one: the earlier one's width must be exact to parse */
      if (parts->len > 0 && parts->items[parts->len - 1].has_ifmt)
        parts->items[parts->len - 1].parse_width = parts->items[parts->len - 1].ifmt.mandatory;
    }
    if (m.comp == 'Z' || m.comp == 'z') {
      size_t pl = strlen(m.pres1);
      char *zp = jn_alloc(c, pl + 1);
      memcpy(zp, m.pres1, pl + 1);
      if (!jn_intfmt_analyse(c, zp, pl, &m.ifmt))
        return false;
      m.has_ifmt = true;
    }
    ASL_VEC_PUSH(*parts, m);
    start = pos + 1;
    pos++;
  }
  add_literal(c, parts, pic + start, pos - start);
  return true;
}

/* ------------------------------------------------------------------ formatting ---- */
static void put_name(asl_buf *b, const char *name, int names, double wmax)
{
  size_t n = strlen(name);
  if (!isnan(wmax) && wmax < (double)n)
    n = (size_t)wmax;
  for (size_t i = 0; i < n; i++) {
    char ch = name[i];
    if (names == IC_UPPER && ch >= 'a' && ch <= 'z')
      ch = (char)(ch - 32);
    else if (names == IC_LOWER && ch >= 'A' && ch <= 'Z')
      ch = (char)(ch + 32);
    asl_buf_addc(b, ch);
  }
}

static bool format_component(jn_ctx *c, double t, const marker *m, double off_h, double off_m,
                             asl_buf *b)
{
  char comp = m->comp;
  if (comp && strchr("YMDdFWwXxHhms", comp)) {
    double v = fragment(t, comp);
    if (comp == 'Y' && m->n != -1)
      v = fmod(v, pow(10, m->n));
    if (m->names >= 0) {
      if (comp == 'M' || comp == 'x') {
        put_name(b, v >= 1 && v <= 12 ? month_names[(int)v - 1] : "undefined", m->names, m->wmax);
      } else if (comp == 'F') {
        put_name(b, v >= 1 && v <= 7 ? day_names[(int)v] : "undefined", m->names, m->wmax);
      } else {
        char s[2] = {comp, 0};
        jn_fail_v(c, "D3133", JN_NOPOS, jn_str_new(c, s, 1));
        return false;
      }
      return true;
    }
    return jn_intfmt_format(c, v, &m->ifmt, b);
  }
  if (comp == 'f')
    return jn_intfmt_format(c, fragment(t, 'f'), &m->ifmt, b);
  if (comp == 'Z' || comp == 'z') {
    double offset = off_h * 100 + off_m;
    asl_buf v = ASL_BUF_INIT;
    if (m->ifmt.regular) {
      if (!jn_intfmt_format(c, offset, &m->ifmt, &v)) {
        asl_buf_free(&v);
        return false;
      }
    } else {
      int digits = m->ifmt.mandatory;
      if (digits == 1 || digits == 2) {
        if (!jn_intfmt_format(c, off_h, &m->ifmt, &v)) {
          asl_buf_free(&v);
          return false;
        }
        if (off_m != 0 && isfinite(off_m))
          asl_buf_printf(&v, ":%02d", (int)fabs(off_m));
        else if (off_m != 0)
          asl_buf_adds(&v, ":NaN"); /* a timezone that is not a number, as jsonata-js */
      } else if (digits == 3 || digits == 4) {
        if (!jn_intfmt_format(c, offset, &m->ifmt, &v)) {
          asl_buf_free(&v);
          return false;
        }
      } else {
        asl_buf_free(&v);
        jn_fail_v(c, "D3134", JN_NOPOS, jv_num(digits));
        return false;
      }
    }
    if (offset == 0 && m->pres2 == 't') {
      asl_buf_addc(b, 'Z');
    } else {
      if (comp == 'z')
        asl_buf_adds(b, "GMT");
      if (offset >= 0)
        asl_buf_addc(b, '+');
      asl_buf_add(b, v.data ? v.data : "", v.len);
    }
    asl_buf_free(&v);
    return true;
  }
  if (comp == 'P') {
    const char *s = fragment(t, 'P') == 1 ? "pm" : "am";
    put_name(b, s, m->names == IC_UPPER ? IC_UPPER : IC_LOWER, NAN);
    return true;
  }
  if (comp == 'C' || comp == 'E') {
    asl_buf_adds(b, "ISO");
    return true;
  }
  return true;
}

/* parseInt of a timezone text such as "+0530" */
static double parse_int_text(const char *s, size_t n)
{
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  size_t d = i;
  double v = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9')
    v = v * 10 + (s[i++] - '0');
  if (i == d)
    return NAN;
  return neg ? -v : v;
}

static jv format_datetime(jn_ctx *c, double millis, const char *pic, size_t plen, jv tz)
{
  double off_h = 0, off_m = 0;
  if (!IS_UNDEF(tz)) {
    uint32_t tl;
    const char *ts = jv_strp(tz, &tl);
    double offset = parse_int_text(ts, tl);
    off_h = floor(offset / 100);
    off_m = fmod(offset, 100);
  }
  static const char iso[] = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
  if (!pic) {
    pic = iso;
    plen = sizeof iso - 1;
  }
  markers parts = {0};
  jv result = jv_err();
  if (!analyse(c, pic, plen, &parts))
    goto done;
  double t = millis + (60 * off_h + off_m) * 60 * 1000;
  asl_buf b = ASL_BUF_INIT;
  for (size_t i = 0; i < parts.len; i++) {
    const marker *m = &parts.items[i];
    if (m->literal) {
      asl_buf_add(&b, m->text, m->len);
    } else if (!format_component(c, t, m, off_h, off_m, &b)) {
      asl_buf_free(&b);
      goto done;
    }
  }
  result = jn_str_new(c, b.data ? b.data : "", b.len);
  asl_buf_free(&b);
done:
  ASL_VEC_FREE(parts);
  return result;
}

/* ------------------------------------------------------------------ parsing ---- */
static void regex_escape(asl_buf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (strchr(".*+?^${}()|[]\\", s[i]) && s[i])
      asl_buf_addc(b, '\\');
    asl_buf_addc(b, s[i]);
  }
}

static void words_regex(asl_buf *b)
{
  static const char *const words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twenty", "twentieth", "thirty",
    "thirtieth", "forty", "fortieth", "fifty", "fiftieth", "sixty", "sixtieth", "seventy",
    "seventieth", "eighty", "eightieth", "ninety", "ninetieth", "hundred", "hundreieth",
    "hundredth", "thousand", "thousandth", "million", "millionth", "billion", "billionth",
    "trillion", "trillionth", "and"};
  asl_buf_adds(b, "(?:");
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    asl_buf_adds(b, words[i]);
    asl_buf_addc(b, '|');
  }
  asl_buf_adds(b, "[\\-, ])+");
}

static bool part_regex(jn_ctx *c, const marker *m, asl_buf *b)
{
  if (m->literal) {
    regex_escape(b, m->text, m->len);
    return true;
  }
  if (m->comp == 'Z' || m->comp == 'z') {
    if (m->comp == 'z')
      asl_buf_adds(b, "GMT");
    asl_buf_adds(b, "[-+][0-9]+");
    if (m->ifmt.regular) {
      jn_utf8_put(b, m->ifmt.sep_char[0]);
      asl_buf_adds(b, "[0-9]+");
    }
    return true;
  }
  if (m->has_ifmt && m->names < 0) {
    const jn_intfmt *f = &m->ifmt;
    switch (f->primary) {
    case IF_LETTERS:
      asl_buf_adds(b, f->tcase == IC_UPPER ? "[A-Z]+" : "[a-z]+");
      return true;
    case IF_ROMAN:
      asl_buf_adds(b, f->tcase == IC_UPPER ? "[MDCLXVI]+" : "[mdclxvi]+");
      return true;
    case IF_WORDS:
      words_regex(b);
      return true;
    case IF_DECIMAL:
      asl_buf_adds(b, "[0-9]");
      if (m->parse_width)
        asl_buf_printf(b, "{%d}", m->parse_width);
      else
        asl_buf_addc(b, '+');
      if (f->ordinal)
        asl_buf_adds(b, "(?:th|st|nd|rd)");
      return true;
    case IF_SEQUENCE:
      jn_fail_v(c, "D3130", JN_NOPOS, jn_str_new(c, f->token, f->token_len));
      return false;
    }
  }
  if (m->comp != 'M' && m->comp != 'x' && m->comp != 'F' && m->comp != 'P') {
    char s[2] = {m->comp, 0};
    jn_fail_v(c, "D3133", JN_NOPOS, jn_str_new(c, s, 1));
    return false;
  }
  asl_buf_adds(b, "[a-zA-Z]+");
  return true;
}

/* The value of one captured component; NaN for a name that is no name. */
static double part_value(jn_ctx *c, const marker *m, const char *s, size_t n, bool *ok)
{
  *ok = true;
  if (m->comp == 'Z' || m->comp == 'z') {
    if (m->comp == 'z' && n >= 3) {
      s += 3;
      n -= 3;
    }
    double hours = 0, minutes = 0;
    if (m->ifmt.regular) {
      char sep[8] = {0};
      asl_buf sb = ASL_BUF_INIT;
      jn_utf8_put(&sb, m->ifmt.sep_char[0]);
      memcpy(sep, sb.data, sb.len < 7 ? sb.len : 7);
      asl_buf_free(&sb);
      const char *p = strstr(s, sep);
      size_t at = p && (size_t)(p - s) < n ? (size_t)(p - s) : n;
      hours = parse_int_text(s, at);
      minutes = at < n ? parse_int_text(s + at + strlen(sep), n - at - strlen(sep)) : NAN;
    } else if (n - 1 <= 2) {
      hours = parse_int_text(s, n);
    } else {
      hours = parse_int_text(s, 3);
      minutes = parse_int_text(s + 3, n - 3);
    }
    return hours * 60 + minutes;
  }
  if (m->comp == 'f') {
    /* fractional seconds: the digits are a fraction of a second */
    double v = 0, scale = 1;
    for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
      v = v * 10 + (s[i] - '0');
      scale *= 10;
    }
    return v / scale * 1000;
  }
  if (m->has_ifmt && m->names < 0) {
    double v;
    if (!jn_intfmt_parse(c, s, n, &m->ifmt, &v)) {
      *ok = false;
      return NAN;
    }
    return v;
  }
  /* names */
  if (m->comp == 'P') {
    if (n == 2 && (memcmp(s, "am", 2) == 0 || memcmp(s, "AM", 2) == 0))
      return 0;
    if (n == 2 && (memcmp(s, "pm", 2) == 0 || memcmp(s, "PM", 2) == 0))
      return 1;
    return NAN;
  }
  bool month = m->comp == 'M' || m->comp == 'x';
  int count = month ? 12 : 7;
  for (int i = 0; i < count; i++) {
    const char *name = month ? month_names[i] : day_names[i + 1];
    size_t l = strlen(name);
    if (!isnan(m->wmax) && m->wmax < (double)l)
      l = (size_t)m->wmax;
    if (l == n && memcmp(name, s, n) == 0)
      return month ? i + 1 : i + 1;
  }
  return NAN;
}

static jv parse_datetime(jn_ctx *c, const char *ts, size_t tlen, const char *pic, size_t plen)
{
  markers parts = {0};
  asl_buf rx = ASL_BUF_INIT;
  jv result = jv_err();
  int *caps = NULL;
  if (!analyse(c, pic, plen, &parts))
    goto done;
  asl_buf_addc(&rx, '^');
  for (size_t i = 0; i < parts.len; i++) {
    asl_buf_addc(&rx, '(');
    if (!part_regex(c, &parts.items[i], &rx))
      goto done;
    asl_buf_addc(&rx, ')');
  }
  asl_buf_addc(&rx, '$');
  if (!c->eval_arena)
    c->eval_arena = asl_arena_new();
  const char *msg = NULL;
  jn_regex *re = jn_regex_compile(c->eval_arena, rx.data, rx.len, RE_ICASE, &msg);
  if (!re) {
    result = jv_undef();
    goto done;
  }
  caps = asl_alloc((size_t)(2 * (jn_regex_ngroups(re) + 1)) * sizeof(int));
  int r = jn_regex_exec(c, re, ts, tlen, 0, caps);
  if (r < 0)
    goto done;
  if (r == 0) {
    result = jv_undef();
    goto done;
  }
  /* components by letter; NaN-free presence */
  double comp[128];
  bool has[128] = {0};
  for (size_t i = 0; i < parts.len; i++) {
    const marker *m = &parts.items[i];
    if (m->literal || m->comp < 0)
      continue;
    int g = (int)i + 1;
    if (caps[2 * g] < 0)
      continue;
    bool ok;
    double v = part_value(c, m, ts + caps[2 * g], (size_t)(caps[2 * g + 1] - caps[2 * g]), &ok);
    if (!ok)
      goto done;
    /* a name that is no name reads as undefined */
    bool is_name = !(m->has_ifmt && m->names < 0) && m->comp != 'Z' && m->comp != 'z' &&
                   m->comp != 'f';
    if (is_name && isnan(v)) {
      has[(unsigned char)m->comp] = false;
      continue;
    }
    comp[(unsigned char)m->comp] = v;
    has[(unsigned char)m->comp] = true;
  }
  bool any = false;
  for (int i = 0; i < 128; i++)
    any = any || has[i];
  if (!any) {
    result = jv_undef();
    goto done;
  }
  int mask = 0;
  const char *dparts = "YXMxWwdD";
  for (const char *p = dparts; *p; p++)
    mask = (mask << 1) | (has[(unsigned char)*p] ? 1 : 0);
#define IS_TYPE(type) (!(~(type)&mask) && ((type)&mask))
  bool date_a = IS_TYPE(161);
  bool date_b = !date_a && IS_TYPE(130);
  bool date_c = IS_TYPE(84);
  bool date_d = !date_c && IS_TYPE(72);
  mask = 0;
  for (const char *p = "PHhmsf"; *p; p++)
    mask = (mask << 1) | (has[(unsigned char)*p] ? 1 : 0);
  bool time_a = IS_TYPE(23);
  bool time_b = !time_a && IS_TYPE(47);
#undef IS_TYPE
  const char *dc = date_b ? "YD" : date_c ? "XxwF" : date_d ? "XWF" : "YMD";
  const char *tc = time_b ? "Phmsf" : "Hmsf";
  char comps[16];
  snprintf(comps, sizeof comps, "%s%s", dc, tc);
  double now = (double)jn_now_ms(c);
  bool start_specified = false, end_specified = false;
  for (const char *p = comps; *p; p++) {
    unsigned char k = (unsigned char)*p;
    if (!has[k]) {
      if (start_specified) {
        comp[k] = strchr("MDd", *p) ? 1 : 0;
        end_specified = true;
      } else {
        comp[k] = fragment(now, *p);
      }
      has[k] = true;
    } else {
      start_specified = true;
      if (end_specified) {
        jn_fail(c, "D3136", JN_NOPOS, NULL, NULL);
        goto done;
      }
    }
  }
  double M = has['M'] && comp['M'] > 0 ? comp['M'] - 1 : 0;
  double D = has['D'] ? comp['D'] : 1;
  if (date_b) {
    double first_jan = date_utc(comp['Y'], 0, 1, 0, 0, 0, 0);
    civil d = to_civil(first_jan + (comp['d'] - 1) * DAY_MS);
    M = d.m - 1;
    D = d.d;
  }
  if (date_c || date_d) {
    jn_fail(c, "D3136", JN_NOPOS, NULL, NULL);
    goto done;
  }
  double H = has['H'] ? comp['H'] : 0;
  if (time_b) {
    H = comp['h'] == 12 ? 0 : comp['h'];
    if (comp['P'] == 1)
      H += 12;
  }
  double millis = date_utc(comp['Y'], M, D, H, has['m'] ? comp['m'] : 0, has['s'] ? comp['s'] : 0,
                           has['f'] ? comp['f'] : 0);
  double zone = has['Z'] ? comp['Z'] : has['z'] ? comp['z'] : 0;
  if (zone != 0 && !isnan(zone))
    millis -= zone * 60 * 1000;
  result = jv_num(millis);
done:
  asl_free(caps);
  asl_buf_free(&rx);
  ASL_VEC_FREE(parts);
  return result;
}

/* ------------------------------------------------------------------ ISO 8601 ---- */
static int digits_at(const char *s, size_t n, size_t i, int count)
{
  int v = 0;
  for (int k = 0; k < count; k++) {
    if (i + (size_t)k >= n || s[i + (size_t)k] < '0' || s[i + (size_t)k] > '9')
      return -1;
    v = v * 10 + (s[i + (size_t)k] - '0');
  }
  return v;
}

/* The shape jsonata-js checks before it calls Date.parse:
 * ^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
 * then Date.parse's reading of it (NaN when the parts do not make a date). */
static bool iso_parse(const char *s, size_t n, double *out)
{
  if (digits_at(s, n, 0, 4) < 0)
    return false;
  double year = digits_at(s, n, 0, 4);
  size_t i = 4;
  int fields[2] = {1, 1};
  int nf = 0, extra = 0;
  while (i < n && s[i] == '-') {
    int v = digits_at(s, n, i + 1, 2);
    if (v < 0)
      return false;
    if (nf < 2)
      fields[nf] = v;
    nf++;
    if ((nf == 1 && s[i + 1] > '1') || (nf >= 2 && s[i + 1] > '3'))
      extra++;
    i += 3;
  }
  double h = 0, mi = 0, sec = 0, ms = 0;
  int ntimes = 0;
  while (i < n && s[i] == 'T') {
    int hh = digits_at(s, n, i + 1, 2), mm = digits_at(s, n, i + 4, 2), ss = digits_at(s, n, i + 7, 2);
    if (hh < 0 || mm < 0 || ss < 0 || s[i + 3] != ':' || s[i + 6] != ':' || s[i + 1] > '2' ||
        s[i + 4] > '5' || s[i + 7] > '5')
      return false;
    h = hh, mi = mm, sec = ss;
    ntimes++;
    i += 9;
  }
  if (i < n && s[i] == '.') {
    size_t d = ++i;
    double scale = 100;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (scale >= 1)
        ms += (s[i] - '0') * scale;
      scale /= 10;
      i++;
    }
    if (i == d)
      return false;
  }
  double zone = 0;
  bool has_zone = false;
  if (i < n && s[i] == 'Z') {
    has_zone = true;
    i++;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    int zh = digits_at(s, n, i + 1, 2);
    if (zh < 0 || s[i + 1] > '2')
      return false;
    size_t j = i + 3;
    if (j < n && s[j] == ':')
      j++;
    int zm = digits_at(s, n, j, 2);
    if (zm < 0 || s[j] > '5')
      return false;
    zone = sign * (zh * 60 + zm);
    has_zone = true;
    i = j + 2;
  }
  if (i != n)
    return false;
  /* the shape fits: now Date.parse */
  (void)has_zone;
  if (nf > 2 || ntimes > 1 || extra > 0 || (ntimes == 1 && nf < 2) ||
      fields[0] < 1 || fields[0] > 12 || fields[1] < 1 || fields[1] > 31 || h > 24 || mi > 59 ||
      sec > 59 || (h == 24 && (mi || sec || ms))) {
    *out = NAN;
    return true;
  }
  *out = date_raw(year, fields[0] - 1, fields[1], h, mi, sec, ms) - zone * 60000;
  return true;
}

/* ------------------------------------------------------------------ functions ---- */
jv fn_to_millis(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  uint32_t n;
  const char *s = jv_strp(v, &n);
  jv pic = arg_at(args, nargs, 1);
  if (IS_UNDEF(pic)) {
    double t;
    if (!iso_parse(s, n, &t))
      return jn_fail_v(c, "D3110", JN_NOPOS, v);
    return jv_num(t);
  }
  uint32_t pn;
  const char *ps = jv_strp(pic, &pn);
  return parse_datetime(c, s, n, ps, pn);
}

jv fn_from_millis(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv v = arg_at(args, nargs, 0);
  if (IS_UNDEF(v))
    return v;
  jv pic = arg_at(args, nargs, 1);
  uint32_t pn = 0;
  const char *ps = IS_UNDEF(pic) ? NULL : jv_strp(pic, &pn);
  return format_datetime(c, v.u.n, ps, pn, arg_at(args, nargs, 2));
}

jv fn_now(jn_ctx *c, jv *args, uint32_t nargs, jv input)
{
  (void)input;
  jv pic = arg_at(args, nargs, 0);
  uint32_t pn = 0;
  const char *ps = IS_UNDEF(pic) ? NULL : jv_strp(pic, &pn);
  return format_datetime(c, (double)jn_now_ms(c), ps, pn, arg_at(args, nargs, 1));
}
