/* RFC 3339 timestamps as Step Functions reads them in Wait and Choice states (Java's ISO offset
 * date-time): 2016-03-14T01:59:00Z, an optional fraction of 1 to 9 digits, Z or +hh:mm. A space
 * for T, a missing offset or an impossible date or time are rejected (wait/test_wait_timestamp_
 * path__NO_T, __NO_Z, __INVALID_DATE, __INVALID_TIME; validation/test_wait_timestamp_invalid__*).
 * Also the formatting of the context object's timestamps. */
#include "aslrun/lang.h"

#include <stdio.h>

static bool digits(const char *s, size_t n, int *out)
{
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static bool is_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool asl_timestamp_parse(const char *s, size_t len, asl_timestamp *out)
{
  int year, mon, day, hour, min, sec;
  if (len < 20 || !digits(s, 4, &year) || s[4] != '-' || !digits(s + 5, 2, &mon) ||
      s[7] != '-' || !digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s + 11, 2, &hour) || s[13] != ':' || !digits(s + 14, 2, &min) || s[16] != ':' ||
      !digits(s + 17, 2, &sec))
    return false;
  if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 || min > 59 ||
      sec > 59)
    return false;
  size_t i = 19;
  int32_t nanos = 0;
  if (s[i] == '.') {
    size_t n = 0;
    i++;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
      if (++n > 9)
        return false;
      nanos = nanos * 10 + (s[i] - '0');
      i++;
    }
    if (n == 0)
      return false;
    for (; n < 9; n++)
      nanos *= 10;
  }
  int offset = 0;
  if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < len && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
        !digits(s + i + 4, 2, &om) || oh > 18 || om > 59 || (oh == 18 && om > 0))
      return false;
    offset = (oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != len)
    return false;
  int64_t days = days_from_civil(year, mon, day);
  out->seconds = days * 86400 + hour * 3600 + min * 60 + sec - offset;
  out->nanos = nanos;
  return true;
}

int asl_timestamp_cmp(asl_timestamp a, asl_timestamp b)
{
  if (a.seconds != b.seconds)
    return a.seconds < b.seconds ? -1 : 1;
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos;
}

size_t asl_timestamp_format_ms(int64_t ms, char buf[32])
{
  int64_t secs = ms / 1000;
  int64_t milli = ms % 1000;
  if (milli < 0) {
    milli += 1000;
    secs--;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  int64_t y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  int n = snprintf(buf, 32, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
                   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)milli);
  return n < 0 ? 0 : (size_t)n;
}
