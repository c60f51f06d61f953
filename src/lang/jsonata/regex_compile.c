/* The regular expression compiler: parses a JavaScript pattern (non-unicode mode) into a tree and
 * compiles it to the program regex.c runs. */
#include "regex_impl.h"

#include <stdlib.h>


/* ------------------------------------------------------------------ parser ---- */
typedef enum rkind {
  RK_EMPTY,
  RK_CHAR,
  RK_ANY,
  RK_CLASS,
  RK_CAT,
  RK_ALT,
  RK_GROUP,
  RK_REPEAT,
  RK_BOL,
  RK_EOL,
  RK_WORDB,
  RK_NWORDB,
  RK_BACKREF,
  RK_LOOK,
} rkind;

typedef struct rnode rnode;
struct rnode {
  rkind kind;
  uint32_t cp;
  int cls;
  int group; /* capture index, -1 none */
  int min, max; /* max -1: unbounded */
  bool greedy;
  bool neg, behind;
  rnode **kids;
  uint32_t nkids;
  int first_group, last_group; /* captures inside, for resetting per iteration */
};

typedef struct rparser {
  asl_arena *a;
  const char *s;
  size_t len;
  size_t i;
  int flags;
  int ngroups;
  int total_groups; /* counted ahead, for telling backreferences from octal escapes */
  const char *err;
  ASL_VEC(cls) classes;
  int depth;
} rparser;

static rnode *rnew(rparser *P, rkind k)
{
  rnode *n = asl_arena_alloc(P->a, sizeof *n);
  n->kind = k;
  n->group = -1;
  n->first_group = -1;
  n->last_group = -1;
  return n;
}

static void radd(rparser *P, rnode *parent, rnode *kid)
{
  rnode **k = asl_arena_alloc(P->a, (parent->nkids + 1) * sizeof *k);
  if (parent->nkids)
    memcpy(k, parent->kids, parent->nkids * sizeof *k);
  k[parent->nkids++] = kid;
  parent->kids = k;
}

static bool more(const rparser *P)
{
  return P->i < P->len;
}

static uint32_t next_cp(rparser *P)
{
  return jn_utf8_next(P->s, P->len, &P->i);
}

static bool parse_hex(rparser *P, int n, uint32_t *out)
{
  if (P->i + (size_t)n > P->len)
    return false;
  uint32_t v = 0;
  for (int k = 0; k < n; k++) {
    int d = asl_hex_value(P->s[P->i + (size_t)k]);
    if (d < 0)
      return false;
    v = v * 16 + (uint32_t)d;
  }
  P->i += (size_t)n;
  *out = v;
  return true;
}

typedef struct rset {
  ASL_VEC(uint32_t) r;
} rset;

static void set_add(rset *s, uint32_t lo, uint32_t hi)
{
  ASL_VEC_PUSH(s->r, lo);
  ASL_VEC_PUSH(s->r, hi);
}

static void set_add_ranges(rset *s, const uint32_t *r, size_t pairs, bool negate)
{
  if (!negate) {
    for (size_t i = 0; i < pairs; i++)
      set_add(s, r[2 * i], r[2 * i + 1]);
    return;
  }
  uint32_t lo = 0;
  for (size_t i = 0; i < pairs; i++) {
    if (r[2 * i] > lo)
      set_add(s, lo, r[2 * i] - 1);
    lo = r[2 * i + 1] + 1;
  }
  if (lo <= 0x10FFFF)
    set_add(s, lo, 0x10FFFF);
}

static int add_class(rparser *P, rset *s, bool neg)
{
  cls k;
  k.n = (uint32_t)(s->r.len / 2);
  k.r = asl_arena_alloc(P->a, (s->r.len ? s->r.len : 1) * sizeof(uint32_t));
  if (s->r.len)
    memcpy(k.r, s->r.items, s->r.len * sizeof(uint32_t));
  k.neg = neg;
  ASL_VEC_FREE(s->r);
  ASL_VEC_PUSH(P->classes, k);
  return (int)P->classes.len - 1;
}

/* An escape in a class or outside: a code point (*cp), or a class escape (*set filled), or
 * (outside classes) a word boundary / backreference handled by the caller. Returns false on a
 * syntax error. */
static bool parse_escape_cp(rparser *P, uint32_t *cp, rset *set, bool *is_set, bool in_class)
{
  *is_set = false;
  if (!more(P)) {
    P->err = "\\ at end of pattern";
    return false;
  }
  char ch = P->s[P->i];
  switch (ch) {
  case 'd':
  case 'D':
    P->i++;
    set_add_ranges(set, jn_re_digit_ranges, 1, ch == 'D');
    *is_set = true;
    return true;
  case 'w':
  case 'W':
    P->i++;
    set_add_ranges(set, jn_re_word_ranges, 4, ch == 'W');
    *is_set = true;
    return true;
  case 's':
  case 'S':
    P->i++;
    set_add_ranges(set, jn_re_space_ranges, sizeof jn_re_space_ranges / sizeof jn_re_space_ranges[0] / 2, ch == 'S');
    *is_set = true;
    return true;
  case 'n': P->i++; *cp = '\n'; return true;
  case 'r': P->i++; *cp = '\r'; return true;
  case 't': P->i++; *cp = '\t'; return true;
  case 'f': P->i++; *cp = '\f'; return true;
  case 'v': P->i++; *cp = '\v'; return true;
  case 'b':
    if (in_class) {
      P->i++;
      *cp = '\b';
      return true;
    }
    break;
  case '0':
    if (P->i + 1 >= P->len || P->s[P->i + 1] < '0' || P->s[P->i + 1] > '9') {
      P->i++;
      *cp = 0;
      return true;
    }
    break;
  case 'x': {
    P->i++;
    size_t save = P->i;
    if (!parse_hex(P, 2, cp)) {
      P->i = save;
      *cp = 'x';
    }
    return true;
  }
  case 'u': {
    P->i++;
    size_t save = P->i;
    if (!parse_hex(P, 4, cp)) {
      P->i = save;
      *cp = 'u';
      return true;
    }
    /* a surrogate pair written as two escapes */
    if (*cp >= 0xD800 && *cp <= 0xDBFF && P->i + 6 <= P->len && P->s[P->i] == '\\' &&
        P->s[P->i + 1] == 'u') {
      size_t s2 = P->i;
      P->i += 2;
      uint32_t lo;
      if (parse_hex(P, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
      else
        P->i = s2;
    }
    return true;
  }
  case 'c':
    if (P->i + 1 < P->len && ((P->s[P->i + 1] | 32) >= 'a' && (P->s[P->i + 1] | 32) <= 'z')) {
      *cp = (uint32_t)(P->s[P->i + 1] % 32);
      P->i += 2;
      return true;
    }
    *cp = '\\';
    return true;
  default:
    break;
  }
  if (ch >= '0' && ch <= '7' && in_class) {
    /* legacy octal escape */
    uint32_t v = 0;
    int k = 0;
    while (k < 3 && more(P) && P->s[P->i] >= '0' && P->s[P->i] <= '7' && v * 8 + (uint32_t)(P->s[P->i] - '0') <= 0377) {
      v = v * 8 + (uint32_t)(P->s[P->i] - '0');
      P->i++;
      k++;
    }
    *cp = v;
    return true;
  }
  *cp = next_cp(P); /* an identity escape */
  return true;
}

static rnode *parse_class(rparser *P)
{
  /* at the char after '[' */
  bool neg = false;
  if (more(P) && P->s[P->i] == '^') {
    neg = true;
    P->i++;
  }
  rset set = {0};
  bool first = true;
  for (;;) {
    if (!more(P)) {
      ASL_VEC_FREE(set.r);
      P->err = "missing terminating ] for character class";
      return NULL;
    }
    if (P->s[P->i] == ']' && !(first && false)) {
      P->i++;
      break;
    }
    first = false;
    uint32_t lo;
    bool lo_set = false;
    if (P->s[P->i] == '\\') {
      P->i++;
      if (!parse_escape_cp(P, &lo, &set, &lo_set, true)) {
        ASL_VEC_FREE(set.r);
        return NULL;
      }
    } else {
      lo = next_cp(P);
    }
    if (!lo_set && P->i + 1 < P->len && P->s[P->i] == '-' && P->s[P->i + 1] != ']') {
      size_t save = P->i;
      P->i++;
      uint32_t hi;
      bool hi_set = false;
      if (P->s[P->i] == '\\') {
        P->i++;
        if (!parse_escape_cp(P, &hi, &set, &hi_set, true)) {
          ASL_VEC_FREE(set.r);
          return NULL;
        }
      } else {
        hi = next_cp(P);
      }
      if (hi_set) {
        /* [a-\d]: the '-' is a literal (Annex B) */
        set_add(&set, lo, lo);
        set_add(&set, '-', '-');
        (void)save;
        continue;
      }
      if (hi < lo) {
        ASL_VEC_FREE(set.r);
        P->err = "range out of order in character class";
        return NULL;
      }
      set_add(&set, lo, hi);
      continue;
    }
    if (!lo_set)
      set_add(&set, lo, lo);
  }
  rnode *n = rnew(P, RK_CLASS);
  n->cls = add_class(P, &set, neg);
  return n;
}

static rnode *parse_alt(rparser *P);

static bool parse_quant(rparser *P, int *min, int *max)
{
  /* {n}, {n,}, {n,m}; false (nothing consumed) when not a valid quantifier */
  size_t i = P->i + 1;
  long a = 0, b = -1;
  size_t d = i;
  while (i < P->len && P->s[i] >= '0' && P->s[i] <= '9') {
    if (a < 100000)
      a = a * 10 + (P->s[i] - '0');
    i++;
  }
  if (i == d)
    return false;
  if (i < P->len && P->s[i] == ',') {
    i++;
    size_t d2 = i;
    long v = 0;
    while (i < P->len && P->s[i] >= '0' && P->s[i] <= '9') {
      if (v < 100000)
        v = v * 10 + (P->s[i] - '0');
      i++;
    }
    b = i == d2 ? -1 : v;
  } else {
    b = a;
  }
  if (i >= P->len || P->s[i] != '}')
    return false;
  P->i = i + 1;
  *min = (int)a;
  *max = (int)b;
  return true;
}

static rnode *parse_atom(rparser *P)
{
  char ch = P->s[P->i];
  switch (ch) {
  case '^':
    P->i++;
    return rnew(P, RK_BOL);
  case '$':
    P->i++;
    return rnew(P, RK_EOL);
  case '.':
    P->i++;
    return rnew(P, RK_ANY);
  case '[':
    P->i++;
    return parse_class(P);
  case '(': {
    P->i++;
    rnode *g = rnew(P, RK_GROUP);
    if (P->i + 1 < P->len && P->s[P->i] == '?') {
      char k = P->s[P->i + 1];
      if (k == ':') {
        P->i += 2;
      } else if (k == '=' || k == '!') {
        P->i += 2;
        g->kind = RK_LOOK;
        g->neg = k == '!';
      } else if (k == '<' && P->i + 2 < P->len && (P->s[P->i + 2] == '=' || P->s[P->i + 2] == '!')) {
        P->err = "lookbehind is not supported";
        return NULL;
      } else if (k == '<') {
        /* a named group: capturing, the name is not kept */
        const char *end = memchr(P->s + P->i, '>', P->len - P->i);
        if (!end) {
          P->err = "invalid group name";
          return NULL;
        }
        P->i = (size_t)(end - P->s) + 1;
        g->group = ++P->ngroups;
      } else {
        P->err = "invalid group";
        return NULL;
      }
    } else {
      g->group = ++P->ngroups;
    }
    if (P->ngroups > MAX_GROUPS) {
      P->err = "too many capturing groups";
      return NULL;
    }
    int first = P->ngroups + (g->group > 0 ? 0 : 1);
    rnode *inner = parse_alt(P);
    if (!inner)
      return NULL;
    if (!more(P) || P->s[P->i] != ')') {
      P->err = "missing )";
      return NULL;
    }
    P->i++;
    radd(P, g, inner);
    g->first_group = g->group > 0 ? g->group : first;
    g->last_group = P->ngroups;
    return g;
  }
  case ')':
    P->err = "unmatched )";
    return NULL;
  case '*':
  case '+':
  case '?':
    P->err = "nothing to repeat";
    return NULL;
  case '{': {
    int mn, mx;
    size_t save = P->i;
    if (parse_quant(P, &mn, &mx)) {
      P->i = save;
      P->err = "nothing to repeat";
      return NULL;
    }
    P->i++;
    rnode *n = rnew(P, RK_CHAR);
    n->cp = '{';
    return n;
  }
  case '\\': {
    P->i++;
    if (!more(P)) {
      P->err = "\\ at end of pattern";
      return NULL;
    }
    char e = P->s[P->i];
    if (e == 'b' || e == 'B') {
      P->i++;
      return rnew(P, e == 'b' ? RK_WORDB : RK_NWORDB);
    }
    if (e >= '1' && e <= '9') {
      size_t save = P->i;
      int v = 0;
      while (more(P) && P->s[P->i] >= '0' && P->s[P->i] <= '9' && v < 1000) {
        v = v * 10 + (P->s[P->i] - '0');
        P->i++;
      }
      if (v <= P->total_groups) {
        rnode *n = rnew(P, RK_BACKREF);
        n->group = v;
        return n;
      }
      P->i = save;
      if (e >= '8') {
        P->i++;
        rnode *n = rnew(P, RK_CHAR);
        n->cp = (uint32_t)e;
        return n;
      }
      uint32_t o = 0;
      int k = 0;
      while (k < 3 && more(P) && P->s[P->i] >= '0' && P->s[P->i] <= '7' &&
             o * 8 + (uint32_t)(P->s[P->i] - '0') <= 0377) {
        o = o * 8 + (uint32_t)(P->s[P->i] - '0');
        P->i++;
        k++;
      }
      rnode *n = rnew(P, RK_CHAR);
      n->cp = o;
      return n;
    }
    if (e == 'k' && P->i + 1 < P->len && P->s[P->i + 1] == '<') {
      P->err = "named backreferences are not supported";
      return NULL;
    }
    uint32_t cp;
    rset set = {0};
    bool is_set;
    if (!parse_escape_cp(P, &cp, &set, &is_set, false)) {
      ASL_VEC_FREE(set.r);
      return NULL;
    }
    if (is_set) {
      rnode *n = rnew(P, RK_CLASS);
      n->cls = add_class(P, &set, false);
      return n;
    }
    ASL_VEC_FREE(set.r);
    rnode *n = rnew(P, RK_CHAR);
    n->cp = cp;
    return n;
  }
  default: {
    rnode *n = rnew(P, RK_CHAR);
    n->cp = next_cp(P);
    return n;
  }
  }
}

static rnode *parse_term(rparser *P)
{
  rnode *atom = parse_atom(P);
  if (!atom)
    return NULL;
  for (;;) {
    if (!more(P))
      return atom;
    char q = P->s[P->i];
    int mn, mx;
    if (q == '*') {
      mn = 0, mx = -1;
      P->i++;
    } else if (q == '+') {
      mn = 1, mx = -1;
      P->i++;
    } else if (q == '?') {
      mn = 0, mx = 1;
      P->i++;
    } else if (q == '{' && parse_quant(P, &mn, &mx)) {
      if (mx >= 0 && mx < mn) {
        P->err = "numbers out of order in {} quantifier";
        return NULL;
      }
    } else {
      return atom;
    }
    if (atom->kind == RK_BOL || atom->kind == RK_EOL || atom->kind == RK_WORDB ||
        atom->kind == RK_NWORDB) {
      P->err = "nothing to repeat";
      return NULL;
    }
    rnode *r = rnew(P, RK_REPEAT);
    r->min = mn;
    r->max = mx;
    r->greedy = true;
    if (more(P) && P->s[P->i] == '?') {
      r->greedy = false;
      P->i++;
    }
    r->first_group = atom->first_group;
    r->last_group = atom->last_group;
    radd(P, r, atom);
    atom = r;
    /* a quantifier cannot be quantified again (a** is JavaScript's "Nothing to repeat") */
    if (more(P) && (P->s[P->i] == '*' || P->s[P->i] == '+' || P->s[P->i] == '?' ||
                    (P->s[P->i] == '{' && parse_quant(P, &mn, &mx)))) {
      P->err = "nothing to repeat";
      return NULL;
    }
  }
}

static rnode *parse_alt(rparser *P)
{
  if (++P->depth > 200) {
    P->err = "pattern nested too deeply";
    return NULL;
  }
  rnode *alt = rnew(P, RK_ALT);
  rnode *cat = rnew(P, RK_CAT);
  for (;;) {
    if (!more(P) || P->s[P->i] == ')') {
      radd(P, alt, cat);
      break;
    }
    if (P->s[P->i] == '|') {
      P->i++;
      radd(P, alt, cat);
      cat = rnew(P, RK_CAT);
      continue;
    }
    rnode *t = parse_term(P);
    if (!t)
      return NULL;
    radd(P, cat, t);
  }
  P->depth--;
  return alt;
}

static int count_groups(const char *s, size_t len)
{
  int n = 0;
  bool in_class = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\') {
      i++;
      continue;
    }
    if (in_class) {
      if (s[i] == ']')
        in_class = false;
      continue;
    }
    if (s[i] == '[')
      in_class = true;
    else if (s[i] == '(' &&
             (i + 1 >= len || s[i + 1] != '?' ||
              (i + 2 < len && s[i + 2] == '<' && i + 3 < len && s[i + 3] != '=' && s[i + 3] != '!')))
      n++;
  }
  return n;
}

/* ------------------------------------------------------------------ compiler ---- */
typedef struct rcomp {
  ASL_VEC(rinst) p;
  int nloops;
  bool too_big;
} rcomp;

static int emit(rcomp *C, rop op, int32_t x, int32_t y, uint32_t cp)
{
  if (C->p.len >= MAX_PROGRAM) {
    C->too_big = true;
    return (int)C->p.len;
  }
  rinst in = {(uint8_t)op, 0, x, y, cp};
  ASL_VEC_PUSH(C->p, in);
  return (int)C->p.len - 1;
}

static void compile(rcomp *C, const rnode *n);

static void compile_repeat(rcomp *C, const rnode *n)
{
  const rnode *body = n->kids[0];
  bool reset = n->first_group > 0 && n->last_group >= n->first_group;
  for (int k = 0; k < n->min && !C->too_big; k++) {
    if (reset)
      emit(C, RO_RESET, n->first_group, n->last_group, 0);
    compile(C, body);
  }
  if (n->max == n->min)
    return;
  if (n->max < 0) {
    /* L1: SPLIT L2, L3; L2: MARK; body; CHECK; JMP L1; L3: */
    int reg = C->nloops++;
    int l1 = emit(C, RO_SPLIT, 0, 0, 0);
    int l2 = (int)C->p.len;
    emit(C, RO_MARK, reg, 0, 0);
    if (reset)
      emit(C, RO_RESET, n->first_group, n->last_group, 0);
    compile(C, body);
    emit(C, RO_CHECK, reg, 0, 0);
    emit(C, RO_JMP, l1, 0, 0);
    int l3 = (int)C->p.len;
    if (C->too_big)
      return;
    C->p.items[l1].x = n->greedy ? l2 : l3;
    C->p.items[l1].y = n->greedy ? l3 : l2;
    return;
  }
  /* max - min optional copies, nested: each may only be tried after the one before */
  int count = n->max - n->min;
  int *splits = asl_alloc((size_t)(count ? count : 1) * sizeof(int));
  for (int k = 0; k < count && !C->too_big; k++) {
    int reg = C->nloops++;
    splits[k] = emit(C, RO_SPLIT, 0, 0, 0);
    emit(C, RO_MARK, reg, 0, 0);
    if (reset)
      emit(C, RO_RESET, n->first_group, n->last_group, 0);
    compile(C, body);
    emit(C, RO_CHECK, reg, 0, 0);
  }
  int end = (int)C->p.len;
  if (!C->too_big) {
    for (int k = 0; k < count; k++) {
      int body_start = splits[k] + 1;
      C->p.items[splits[k]].x = n->greedy ? body_start : end;
      C->p.items[splits[k]].y = n->greedy ? end : body_start;
    }
  }
  asl_free(splits);
}

static void compile(rcomp *C, const rnode *n)
{
  if (C->too_big)
    return;
  switch (n->kind) {
  case RK_EMPTY:
    break;
  case RK_CHAR:
    emit(C, RO_CHAR, 0, 0, n->cp);
    break;
  case RK_ANY:
    emit(C, RO_ANY, 0, 0, 0);
    break;
  case RK_CLASS:
    emit(C, RO_CLASS, n->cls, 0, 0);
    break;
  case RK_CAT:
    for (uint32_t i = 0; i < n->nkids; i++)
      compile(C, n->kids[i]);
    break;
  case RK_ALT: {
    if (n->nkids == 1) {
      compile(C, n->kids[0]);
      break;
    }
    int *jumps = asl_alloc(n->nkids * sizeof(int));
    for (uint32_t i = 0; i < n->nkids; i++) {
      if (i + 1 < n->nkids) {
        int sp = emit(C, RO_SPLIT, 0, 0, 0);
        if (!C->too_big)
          C->p.items[sp].x = sp + 1;
        compile(C, n->kids[i]);
        jumps[i] = emit(C, RO_JMP, 0, 0, 0);
        if (!C->too_big)
          C->p.items[sp].y = (int)C->p.len;
      } else {
        compile(C, n->kids[i]);
      }
    }
    if (!C->too_big)
      for (uint32_t i = 0; i + 1 < n->nkids; i++)
        C->p.items[jumps[i]].x = (int)C->p.len;
    asl_free(jumps);
    break;
  }
  case RK_GROUP:
    if (n->group > 0)
      emit(C, RO_SAVE, 2 * n->group, 0, 0);
    compile(C, n->kids[0]);
    if (n->group > 0)
      emit(C, RO_SAVE, 2 * n->group + 1, 0, 0);
    break;
  case RK_LOOK: {
    int look = emit(C, RO_LOOK, 0, 0, 0);
    if (!C->too_big)
      C->p.items[look].neg = n->neg;
    compile(C, n->kids[0]);
    emit(C, RO_MATCH, 0, 0, 0);
    if (!C->too_big) {
      C->p.items[look].x = look + 1;
      C->p.items[look].y = (int)C->p.len;
    }
    break;
  }
  case RK_REPEAT:
    compile_repeat(C, n);
    break;
  case RK_BOL:
    emit(C, RO_BOL, 0, 0, 0);
    break;
  case RK_EOL:
    emit(C, RO_EOL, 0, 0, 0);
    break;
  case RK_WORDB:
    emit(C, RO_WORDB, 0, 0, 0);
    break;
  case RK_NWORDB:
    emit(C, RO_NWORDB, 0, 0, 0);
    break;
  case RK_BACKREF:
    emit(C, RO_BACKREF, n->group, 0, 0);
    break;
  }
}

jn_regex *jn_regex_compile(asl_arena *a, const char *pat, size_t len, int flags, const char **msg)
{
  rparser P = {0};
  P.a = a;
  P.s = pat;
  P.len = len;
  P.flags = flags;
  P.total_groups = count_groups(pat, len);
  rnode *root = parse_alt(&P);
  if (root && more(&P)) {
    P.err = "unmatched )";
    root = NULL;
  }
  if (!root) {
    ASL_VEC_FREE(P.classes);
    *msg = P.err ? P.err : "invalid pattern";
    return NULL;
  }
  rcomp C = {0};
  compile(&C, root);
  emit(&C, RO_MATCH, 0, 0, 0);
  if (C.too_big) {
    ASL_VEC_FREE(C.p);
    ASL_VEC_FREE(P.classes);
    *msg = "pattern too large";
    return NULL;
  }
  jn_regex *re = asl_arena_alloc(a, sizeof *re);
  re->n = (uint32_t)C.p.len;
  re->prog = asl_arena_alloc(a, re->n * sizeof(rinst));
  memcpy(re->prog, C.p.items, re->n * sizeof(rinst));
  re->nclasses = (uint32_t)P.classes.len;
  re->classes = asl_arena_alloc(a, (re->nclasses ? re->nclasses : 1) * sizeof(cls));
  if (re->nclasses)
    memcpy(re->classes, P.classes.items, re->nclasses * sizeof(cls));
  re->ngroups = P.ngroups;
  re->nloops = C.nloops;
  re->flags = flags;
  ASL_VEC_FREE(C.p);
  ASL_VEC_FREE(P.classes);
  return re;
}

int jn_regex_ngroups(const jn_regex *re)
{
  return re->ngroups;
}
