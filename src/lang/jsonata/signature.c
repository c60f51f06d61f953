/* Function signatures ("<s-nn?:s>"): parsed into parameters, each a class of value symbols with
 * a regex quantifier, and argument lists validated the way jsonata-js does it: the symbols of
 * the arguments matched against the parameters with a regex's backtracking, the context value
 * substituted for a missing '-' parameter, single values wrapped for array parameters, and on a
 * mismatch T0410 naming the first argument that fails (found by matching growing prefixes). */
#include "internal.h"

enum {
  SYM_S = 1 << 0,
  SYM_N = 1 << 1,
  SYM_B = 1 << 2,
  SYM_L = 1 << 3,
  SYM_O = 1 << 4,
  SYM_A = 1 << 5,
  SYM_F = 1 << 6,
  SYM_M = 1 << 7,
};

static uint16_t sym_bit(char ch)
{
  switch (ch) {
  case 's': return SYM_S;
  case 'n': return SYM_N;
  case 'b': return SYM_B;
  case 'l': return SYM_L;
  case 'o': return SYM_O;
  case 'a': return SYM_A;
  case 'f': return SYM_F;
  case 'm': return SYM_M;
  default: return 0;
  }
}

static char symbol_of(jv v)
{
  switch ((jv_type)v.t) {
  case JV_FUNC: return 'f';
  case JV_STR:
  case JV_JSTR: return 's';
  case JV_NUM: return 'n';
  case JV_BOOL: return 'b';
  case JV_NULL: return 'l';
  case JV_ARR:
  case JV_JARR: return 'a';
  case JV_OBJ:
  case JV_JOBJ: return 'o';
  case JV_UNDEF:
  case JV_ERR: return 'm';
  }
  return 'm';
}

static size_t closing(const char *s, size_t len, size_t start, char open, char close)
{
  int depth = 1;
  size_t p = start;
  while (p + 1 < len) {
    p++;
    if (s[p] == close) {
      if (--depth == 0)
        break;
    } else if (s[p] == open) {
      depth++;
    }
  }
  return p;
}

static void add_quant(jn_sig_param *p, char q)
{
  size_t l = strlen(p->quant);
  if (l + 1 < sizeof p->quant) {
    p->quant[l] = q;
    p->quant[l + 1] = '\0';
  }
}

bool jn_sig_parse(const char *s, size_t len, jn_sig *out, const char **code, size_t *offset)
{
  memset(out, 0, sizeof *out);
  jn_sig_param *prev = NULL;
  for (size_t pos = 1; pos < len; pos++) {
    char ch = s[pos];
    if (ch == ':')
      break;
    jn_sig_param *p = out->n < sizeof out->p / sizeof out->p[0] ? &out->p[out->n] : NULL;
    switch (ch) {
    case 's':
    case 'n':
    case 'b':
    case 'l':
    case 'o':
    case 'a':
    case 'f':
    case 'j':
    case 'x':
      if (!p) {
        *code = "S0401";
        *offset = pos;
        return false;
      }
      memset(p, 0, sizeof *p);
      p->type = ch;
      if (ch == 'a' || ch == 'x')
        p->allow = SYM_A | SYM_S | SYM_N | SYM_B | SYM_L | SYM_F | SYM_O | SYM_M;
      else if (ch == 'j')
        p->allow = SYM_A | SYM_S | SYM_N | SYM_B | SYM_L | SYM_O | SYM_M;
      else if (ch == 'f')
        p->allow = SYM_F;
      else
        p->allow = sym_bit(ch) | SYM_M;
      out->n++;
      prev = p;
      break;
    case '-':
      if (prev) {
        prev->context = true;
        prev->ctx_allow = prev->allow;
        add_quant(prev, '?');
      }
      break;
    case '?':
    case '+':
      if (prev)
        add_quant(prev, ch);
      break;
    case '(': {
      size_t end = closing(s, len, pos, '(', ')');
      if (!p) {
        *code = "S0401";
        *offset = pos;
        return false;
      }
      memset(p, 0, sizeof *p);
      p->type = '(';
      for (size_t k = pos + 1; k < end; k++) {
        if (s[k] == '<') {
          *code = "S0402";
          *offset = pos;
          return false;
        }
        p->allow |= sym_bit(s[k]);
      }
      p->allow |= SYM_M;
      out->n++;
      prev = p;
      pos = end;
      break;
    }
    case '<': {
      if (!prev || (prev->type != 'a' && prev->type != 'f')) {
        *code = "S0401";
        *offset = pos;
        return false;
      }
      size_t end = closing(s, len, pos, '<', '>');
      size_t sl = end - pos - 1;
      if (sl >= sizeof prev->subtype)
        sl = sizeof prev->subtype - 1;
      memcpy(prev->subtype, s + pos + 1, sl);
      prev->subtype[sl] = '\0';
      pos = end;
      break;
    }
    default:
      break;
    }
  }
  return true;
}

/* ------------------------------------------------------------------ matching ---- */
typedef struct matcher {
  const jn_sig *sig;
  const char *syms;
  size_t len;
  size_t np;   /* parameters in play */
  bool anchor; /* must consume everything */
  size_t glen[16];
  size_t end;
} matcher;

static void quant_range(const char *q, size_t *min, size_t *max, bool *lazy)
{
  *min = 1;
  *max = 1;
  *lazy = false;
  bool quantified = false;
  for (const char *p = q; *p; p++) {
    if (*p == '?' && quantified) {
      *lazy = true;
    } else if (*p == '?') {
      *min = 0;
      quantified = true;
    } else if (*p == '+') {
      *max = SIZE_MAX;
      quantified = true;
    }
  }
}

static bool match_from(matcher *M, size_t k, size_t pos)
{
  if (k == M->np) {
    if (M->anchor && pos != M->len)
      return false;
    M->end = pos;
    return true;
  }
  const jn_sig_param *p = &M->sig->p[k];
  size_t min, max;
  bool lazy;
  quant_range(p->quant, &min, &max, &lazy);
  size_t avail = 0;
  while (pos + avail < M->len && avail < max && (p->allow & sym_bit(M->syms[pos + avail])))
    avail++;
  if (avail < min)
    return false;
  if (lazy) {
    for (size_t n = min; n <= avail; n++) {
      M->glen[k] = n;
      if (match_from(M, k + 1, pos + n))
        return true;
    }
  } else {
    for (size_t n = avail + 1; n-- > min;) {
      M->glen[k] = n;
      if (match_from(M, k + 1, pos + n))
        return true;
    }
  }
  return false;
}

static const char *array_type_name(char subtype)
{
  switch (subtype) {
  case 'a': return "\"arrays\"";
  case 'b': return "\"booleans\"";
  case 'f': return "\"functions\"";
  case 'n': return "\"numbers\"";
  case 'o': return "\"objects\"";
  case 's': return "\"strings\"";
  default: return NULL;
  }
}

bool jn_sig_validate(jn_ctx *c, const jn_sig *sig, const jv *args, uint32_t nargs, jv ctxv,
                     jv *out, uint32_t *nout)
{
  char stack_syms[32];
  char *syms = nargs < sizeof stack_syms ? stack_syms : jn_alloc(c, nargs + 1);
  for (uint32_t i = 0; i < nargs; i++)
    syms[i] = symbol_of(args[i]);
  syms[nargs] = '\0';
  matcher M = {sig, syms, nargs, sig->n, true, {0}, 0};
  if (sig->n <= 16 && match_from(&M, 0, 0)) {
    uint32_t arg_index = 0, k = 0;
    for (uint32_t pi = 0; pi < sig->n; pi++) {
      const jn_sig_param *p = &sig->p[pi];
      jv arg = arg_index < nargs ? args[arg_index] : jv_undef();
      size_t mlen = M.glen[pi];
      if (mlen == 0) {
        if (p->context) {
          char ct = symbol_of(ctxv);
          if (p->ctx_allow & sym_bit(ct)) {
            out[k++] = ctxv;
          } else {
            jn_fail_arg(c, "T0411", (int)arg_index + 1, ctxv);
            return false;
          }
        } else {
          out[k++] = arg;
          arg_index++;
        }
        continue;
      }
      /* the symbols this parameter matched, possibly several (a '+') */
      size_t gstart = 0;
      for (uint32_t q = 0; q < pi; q++)
        gstart += M.glen[q];
      for (size_t s = 0; s < mlen; s++) {
        char single = syms[gstart + s];
        if (p->type == 'a') {
          if (single == 'm') {
            arg = jv_undef();
          } else {
            arg = arg_index < nargs ? args[arg_index] : jv_undef();
            bool ok = true;
            if (p->subtype[0]) {
              if (single != 'a' && (mlen != strlen(p->subtype) ||
                                    memcmp(syms + gstart, p->subtype, mlen) != 0)) {
                ok = false;
              } else if (single == 'a') {
                uint32_t n = jv_arr_len(arg);
                if (n > 0) {
                  char it = symbol_of(jv_arr_at(arg, 0));
                  if (it != p->subtype[0]) {
                    ok = false;
                  } else {
                    for (uint32_t i = 1; i < n && ok; i++)
                      if (symbol_of(jv_arr_at(arg, i)) != it)
                        ok = false;
                  }
                }
              }
            }
            if (!ok) {
              jn_fail_arg(c, "T0412", (int)arg_index + 1, arg);
              const char *tn = array_type_name(p->subtype[0]);
              if (tn)
                jn_err_type(c, tn);
              return false;
            }
            if (single != 'a') {
              jarr *w = jn_arr_new(c, 1);
              w->items[w->len++] = arg;
              arg = jv_arr(w);
            }
          }
          out[k++] = arg;
          arg_index++;
        } else {
          out[k++] = arg_index < nargs ? args[arg_index] : jv_undef();
          arg_index++;
        }
      }
    }
    *nout = k;
    return true;
  }
  /* find the first argument that does not fit: match growing prefixes */
  size_t good_to = 0;
  for (uint32_t i = 0; i < sig->n && i < 16; i++) {
    matcher P = {sig, syms, nargs, i + 1, false, {0}, 0};
    if (!match_from(&P, 0, 0))
      break;
    good_to = P.end;
  }
  jn_fail_arg(c, "T0410", (int)good_to + 1, good_to < nargs ? args[good_to] : jv_undef());
  return false;
}
