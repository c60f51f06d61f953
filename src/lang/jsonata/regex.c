/* A regular expression engine for JSONata's /regex/flags, with JavaScript's syntax and
 * semantics (non-unicode mode, flags i and m): alternation, greedy and lazy quantifiers with
 * JavaScript's rule that an iteration past the minimum may not match the empty string, capturing
 * and non-capturing groups, lookahead, classes with ranges and \d \w \s, anchors, word
 * boundaries and backreferences. Patterns compile to a small program that a backtracking machine
 * with an explicit stack runs over UTF-8 text a code point at a time; a step budget stops
 * catastrophic backtracking. */
#include "regex_impl.h"

#include <stdlib.h>

/* ------------------------------------------------------------------ characters ---- */
uint32_t jn_re_fold(uint32_t c)
{
  if (c >= 'A' && c <= 'Z')
    return c + 32;
  if (c < 0x80)
    return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
    return c + 32;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
    return c + 32;
  if (c >= 0x410 && c <= 0x42F)
    return c + 32;
  if (c >= 0x400 && c <= 0x40F)
    return c + 80;
  if (c >= 0x100 && c <= 0x17F && (c & 1) == 0 && c != 0x130 && c != 0x138)
    return c + 1;
  return c;
}

uint32_t jn_re_unfold(uint32_t c)
{
  if (c >= 'a' && c <= 'z')
    return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
    return c - 32;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)
    return c - 32;
  if (c >= 0x430 && c <= 0x44F)
    return c - 32;
  if (c >= 0x450 && c <= 0x45F)
    return c - 80;
  if (c >= 0x101 && c <= 0x17F && (c & 1) == 1 && c != 0x131 && c != 0x149)
    return c - 1;
  return c;
}

bool jn_re_is_word(uint32_t c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool jn_re_is_line_term(uint32_t c)
{
  return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

const uint32_t jn_re_space_ranges[] = {0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680,
                                        0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F,
                                        0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF};
const uint32_t jn_re_digit_ranges[] = {'0', '9'};
const uint32_t jn_re_word_ranges[] = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};

bool jn_re_in_ranges(const uint32_t *r, uint32_t n, uint32_t c)
{
  for (uint32_t i = 0; i < n; i++)
    if (c >= r[2 * i] && c <= r[2 * i + 1])
      return true;
  return false;
}

bool jn_re_class_has(const jn_regex *re, const cls *k, uint32_t c)
{
  bool in = jn_re_in_ranges(k->r, k->n, c);
  if (!in && (re->flags & RE_ICASE)) {
    uint32_t f = jn_re_fold(c), u = jn_re_unfold(c);
    in = (f != c && jn_re_in_ranges(k->r, k->n, f)) || (u != c && jn_re_in_ranges(k->r, k->n, u));
    if (!in) {
      /* a class range of upper case letters matched by a lower case one through its jn_re_fold */
      in = jn_re_in_ranges(k->r, k->n, jn_re_unfold(f));
    }
  }
  return in != k->neg;
}

/* ------------------------------------------------------------------ matching ---- */
typedef struct bt {
  int kind; /* 0: branch (pc, pos), 1: restore register (reg, val) */
  int pc;
  int reg;
  long val;
} bt;

typedef struct vm {
  jn_ctx *c;
  const jn_regex *re;
  const char *s;
  size_t len;
  long *regs; /* captures 0 .. 2*(ngroups+1), then loop registers */
  int ncap;
  ASL_VEC(bt) stack;
  bool out_of_steps;
} vm;

static uint32_t prev_cp(const char *s, size_t pos, size_t *start)
{
  size_t i = pos;
  do {
    i--;
  } while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
  *start = i;
  size_t j = i;
  return jn_utf8_next(s, pos, &j);
}

static bool word_at(const vm *M, size_t pos)
{
  if (pos >= M->len)
    return false;
  size_t i = pos;
  return jn_re_is_word(jn_utf8_next(M->s, M->len, &i));
}

static bool word_before(const vm *M, size_t pos)
{
  if (pos == 0)
    return false;
  size_t st;
  return jn_re_is_word(prev_cp(M->s, pos, &st));
}

static void set_reg(vm *M, int reg, long val)
{
  bt e = {1, 0, reg, M->regs[reg]};
  ASL_VEC_PUSH(M->stack, e);
  M->regs[reg] = val;
}

static bool run(vm *M, int pc, size_t pos, size_t *end);

/* Runs the sub-program of a lookahead at [pos]: atomic, as JavaScript's are. */
static bool run_look(vm *M, int pc, size_t pos)
{
  size_t base = M->stack.len;
  size_t e;
  bool ok = run(M, pc, pos, &e);
  if (ok) {
    /* keep its captures: drop only its branch points */
    size_t w = base;
    for (size_t i = base; i < M->stack.len; i++)
      if (M->stack.items[i].kind == 1)
        M->stack.items[w++] = M->stack.items[i];
    M->stack.len = w;
  }
  return ok;
}

static bool run(vm *M, int pc, size_t pos, size_t *end)
{
  size_t base = M->stack.len;
  const rinst *prog = M->re->prog;
  jn_ctx *c = M->c;
  for (;;) {
    if (++c->steps > STEP_BUDGET || ((c->steps & 0xFFFF) == 0 && !jn_check_time(c))) {
      M->out_of_steps = true;
      M->stack.len = base;
      return false;
    }
    const rinst *in = &prog[pc];
    bool ok = true;
    switch ((rop)in->op) {
    case RO_CHAR: {
      if (pos >= M->len) {
        ok = false;
        break;
      }
      size_t i = pos;
      uint32_t ch = jn_utf8_next(M->s, M->len, &i);
      if (ch == in->cp || ((M->re->flags & RE_ICASE) && jn_re_fold(ch) == jn_re_fold(in->cp))) {
        pos = i;
        pc++;
      } else {
        ok = false;
      }
      break;
    }
    case RO_ANY: {
      if (pos >= M->len) {
        ok = false;
        break;
      }
      size_t i = pos;
      uint32_t ch = jn_utf8_next(M->s, M->len, &i);
      if (jn_re_is_line_term(ch)) {
        ok = false;
      } else {
        pos = i;
        pc++;
      }
      break;
    }
    case RO_CLASS: {
      if (pos >= M->len) {
        ok = false;
        break;
      }
      size_t i = pos;
      uint32_t ch = jn_utf8_next(M->s, M->len, &i);
      if (jn_re_class_has(M->re, &M->re->classes[in->x], ch)) {
        pos = i;
        pc++;
      } else {
        ok = false;
      }
      break;
    }
    case RO_SPLIT: {
      bt e = {0, in->y, 0, (long)pos};
      ASL_VEC_PUSH(M->stack, e);
      pc = in->x;
      break;
    }
    case RO_JMP:
      pc = in->x;
      break;
    case RO_SAVE:
      set_reg(M, in->x, (long)pos);
      pc++;
      break;
    case RO_RESET:
      for (int g = in->x; g <= in->y; g++) {
        if (M->regs[2 * g] != -1)
          set_reg(M, 2 * g, -1);
        if (M->regs[2 * g + 1] != -1)
          set_reg(M, 2 * g + 1, -1);
      }
      pc++;
      break;
    case RO_MARK:
      set_reg(M, M->ncap + in->x, (long)pos);
      pc++;
      break;
    case RO_CHECK:
      if (M->regs[M->ncap + in->x] == (long)pos)
        ok = false;
      else
        pc++;
      break;
    case RO_BOL:
      if (pos == 0) {
        pc++;
      } else if (M->re->flags & RE_MULTILINE) {
        size_t st;
        if (jn_re_is_line_term(prev_cp(M->s, pos, &st)))
          pc++;
        else
          ok = false;
      } else {
        ok = false;
      }
      break;
    case RO_EOL:
      if (pos == M->len) {
        pc++;
      } else if (M->re->flags & RE_MULTILINE) {
        size_t i = pos;
        if (jn_re_is_line_term(jn_utf8_next(M->s, M->len, &i)))
          pc++;
        else
          ok = false;
      } else {
        ok = false;
      }
      break;
    case RO_WORDB:
    case RO_NWORDB: {
      bool b = word_before(M, pos) != word_at(M, pos);
      if (b == (in->op == RO_WORDB))
        pc++;
      else
        ok = false;
      break;
    }
    case RO_BACKREF: {
      long s0 = M->regs[2 * in->x], s1 = M->regs[2 * in->x + 1];
      if (s0 < 0 || s1 < 0) {
        pc++; /* an unset group matches the empty string */
        break;
      }
      size_t l = (size_t)(s1 - s0);
      if (pos + l > M->len) {
        ok = false;
        break;
      }
      bool eq;
      if (M->re->flags & RE_ICASE) {
        size_t i = (size_t)s0, j = pos;
        eq = true;
        while (i < (size_t)s1 && eq) {
          if (j >= M->len) {
            eq = false;
            break;
          }
          uint32_t a = jn_utf8_next(M->s, M->len, &i);
          uint32_t b = jn_utf8_next(M->s, M->len, &j);
          eq = jn_re_fold(a) == jn_re_fold(b);
        }
        if (eq)
          l = j - pos;
      } else {
        eq = memcmp(M->s + s0, M->s + pos, l) == 0;
      }
      if (eq) {
        pos += l;
        pc++;
      } else {
        ok = false;
      }
      break;
    }
    case RO_LOOK: {
      bool m = run_look(M, in->x, pos);
      if (M->out_of_steps) {
        M->stack.len = base;
        return false;
      }
      if (m != (bool)in->neg)
        pc = in->y;
      else
        ok = false;
      break;
    }
    case RO_MATCH:
      *end = pos;
      return true;
    }
    if (ok)
      continue;
    /* backtrack: undo register changes down to the last branch point */
    for (;;) {
      if (M->stack.len <= base)
        return false;
      bt e = M->stack.items[--M->stack.len];
      if (e.kind == 1) {
        M->regs[e.reg] = e.val;
        continue;
      }
      pc = e.pc;
      pos = (size_t)e.val;
      break;
    }
  }
}

int jn_regex_exec(jn_ctx *c, const jn_regex *re, const char *s, size_t len, size_t from,
                  int *caps)
{
  vm M = {0};
  M.c = c;
  M.re = re;
  M.s = s;
  M.len = len;
  M.ncap = 2 * (re->ngroups + 1);
  size_t nregs = (size_t)M.ncap + (size_t)re->nloops;
  long stack_regs[64];
  M.regs = nregs <= 64 ? stack_regs : asl_alloc(nregs * sizeof(long));
  int result = 0;
  for (size_t start = from; start <= len;) {
    for (size_t i = 0; i < nregs; i++)
      M.regs[i] = -1;
    size_t end;
    M.stack.len = 0;
    if (run(&M, 0, start, &end)) {
      caps[0] = (int)start;
      caps[1] = (int)end;
      for (int g = 1; g <= re->ngroups; g++) {
        caps[2 * g] = (int)M.regs[2 * g];
        caps[2 * g + 1] = (int)M.regs[2 * g + 1];
        if (caps[2 * g] < 0 || caps[2 * g + 1] < 0)
          caps[2 * g] = caps[2 * g + 1] = -1;
      }
      result = 1;
      break;
    }
    if (M.out_of_steps) {
      if (!c->failed)
        jn_fail_limit(c, "U1001", "Regular expression evaluation took too many steps");
      result = -1;
      break;
    }
    if (start >= len)
      break;
    jn_utf8_next(s, len, &start);
  }
  ASL_VEC_FREE(M.stack);
  if (M.regs != stack_regs)
    asl_free(M.regs);
  return result;
}
