/* Intrinsic function calls: "States.Name(arg, ...)" parsed once into a call tree whose arguments
 * are literals ('text', numbers, true, false, null), paths ($..., $$...) or nested calls, with
 * every check that can be made at load (unknown function, arity, literal and nested-result kinds,
 * States.Format placeholders against arguments); and the evaluation of the tree.
 *
 * In string literals only \' \{ \} and \\ are escapes; any other backslash is rejected, as AWS
 * rejects \" (validation/test_illegal_escapes__*). */
#include "intrinsic.h"

#include <stdlib.h>
#include <string.h>

static const intr_def defs[] = {
#define ASL_INTRINSIC(name, min, max, kinds, result, fn) {name, min, max, kinds, result[0], fn},
#include "intrinsics.def"
#undef ASL_INTRINSIC
};

#define N_DEFS (sizeof defs / sizeof defs[0])
#define MAX_NESTING 32

typedef struct iparser {
  asl_arena *a;
  const char *s;
  size_t len;
  size_t pos;
  int depth;
  asl_error *err;
} iparser;

ASL_PRINTF(3, 4) static asl_status ifail(iparser *p, size_t at, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *what = asl_vstrfmt(fmt, ap);
  va_end(ap);
  asl_error_set(p->err, ASL_E_DEFINITION, NULL, "%s at character %zu of '%.*s'", what, at + 1,
                (int)p->len, p->s);
  asl_free(what);
  return ASL_E_DEFINITION;
}

static void skip_ws(iparser *p)
{
  while (p->pos < p->len &&
         (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
          p->s[p->pos] == '\r'))
    p->pos++;
}

static bool is_delim(char c)
{
  return c == ',' || c == ')' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 'text': the value with escapes resolved and, for States.Format templates, its pieces around
 * the {} placeholders. */
static asl_status parse_string(iparser *p, intr_arg *arg, fmt_piece **pieces, size_t *npieces,
                               bool *lone_brace)
{
  size_t start = p->pos;
  p->pos++;
  asl_buf val = ASL_BUF_INIT;
  asl_buf piece = ASL_BUF_INIT;
  ASL_VEC(fmt_piece) ps = {0};
  *lone_brace = false;
  asl_status st = ASL_OK;
  for (;;) {
    if (p->pos >= p->len) {
      st = ifail(p, start, "the string is not closed with '");
      goto out;
    }
    char c = p->s[p->pos];
    if (c == '\'') {
      p->pos++;
      break;
    }
    if (c == '\\') {
      char e = p->pos + 1 < p->len ? p->s[p->pos + 1] : '\0';
      if (e != '\'' && e != '{' && e != '}' && e != '\\') {
        st = ifail(p, p->pos,
                   "the escape '\\%c' is not allowed in an intrinsic string; only \\', \\{, \\} "
                   "and \\\\ are",
                   e ? e : ' ');
        goto out;
      }
      asl_buf_addc(&val, e);
      asl_buf_addc(&piece, e);
      p->pos += 2;
      continue;
    }
    if (c == '{' && p->pos + 1 < p->len && p->s[p->pos + 1] == '}') {
      fmt_piece fp = {asl_arena_strndup(p->a, piece.data ? piece.data : "", piece.len),
                      piece.len};
      ASL_VEC_PUSH(ps, fp);
      piece.len = 0;
      asl_buf_adds(&val, "{}");
      p->pos += 2;
      continue;
    }
    if (c == '{' || c == '}')
      *lone_brace = true;
    asl_buf_addc(&val, c);
    asl_buf_addc(&piece, c);
    p->pos++;
  }
  {
    fmt_piece fp = {asl_arena_strndup(p->a, piece.data ? piece.data : "", piece.len), piece.len};
    ASL_VEC_PUSH(ps, fp);
  }
  arg->kind = ARG_LITERAL;
  arg->lit = asl__arena_keep(p->a, asl_json_string(val.data ? val.data : "", val.len));
  *npieces = ps.len;
  *pieces = asl_arena_alloc(p->a, ps.len * sizeof **pieces);
  memcpy(*pieces, ps.items, ps.len * sizeof **pieces);
out:
  ASL_VEC_FREE(ps);
  asl_buf_free(&val);
  asl_buf_free(&piece);
  return st;
}

/* A path runs to the ',' or ')' that ends the argument, outside brackets and quotes. */
static asl_status parse_path(iparser *p, intr_arg *arg)
{
  size_t start = p->pos;
  int depth = 0;
  char quote = 0;
  while (p->pos < p->len) {
    char c = p->s[p->pos];
    if (quote) {
      if (c == '\\')
        p->pos++;
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '(') {
      depth++;
    } else if (c == ']' || c == ')') {
      if (depth == 0)
        break;
      depth--;
    } else if (c == ',' && depth == 0) {
      break;
    }
    p->pos++;
  }
  if (p->pos > p->len) /* a backslash as the last character stepped past the end */
    p->pos = p->len;
  size_t end = p->pos;
  while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t'))
    end--;
  asl_error perr = ASL_ERROR_INIT;
  if (asl_path_compile(p->a, p->s + start, end - start, &arg->path, &perr) != ASL_OK) {
    asl_error_set(p->err, ASL_E_DEFINITION, NULL, "%s, in '%.*s'", perr.cause, (int)p->len, p->s);
    asl_error_clear(&perr);
    return ASL_E_DEFINITION;
  }
  arg->kind = ARG_PATH;
  return ASL_OK;
}

static asl_status parse_number(iparser *p, intr_arg *arg)
{
  size_t start = p->pos;
  while (p->pos < p->len && !is_delim(p->s[p->pos]))
    p->pos++;
  asl_error e = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(p->s + start, p->pos - start, NULL, &e);
  asl_error_clear(&e);
  if (!v || !asl_json_is_number(v)) {
    asl_json_decref(v);
    return ifail(p, start, "'%.*s' is not a number", (int)(p->pos - start), p->s + start);
  }
  arg->kind = ARG_LITERAL;
  arg->lit = asl__arena_keep(p->a, v);
  return ASL_OK;
}

static asl_status parse_call(iparser *p, intr_call **out);

static asl_status parse_word(iparser *p, intr_arg *arg)
{
  size_t start = p->pos;
  while (p->pos < p->len && !is_delim(p->s[p->pos]))
    p->pos++;
  size_t n = p->pos - start;
  const char *w = p->s + start;
  if (n == 4 && memcmp(w, "true", 4) == 0)
    arg->lit = asl_json_bool(true);
  else if (n == 5 && memcmp(w, "false", 5) == 0)
    arg->lit = asl_json_bool(false);
  else if (n == 4 && memcmp(w, "null", 4) == 0)
    arg->lit = asl_json_null();
  else
    return ifail(p, start,
                 "'%.*s' is not an argument: write a 'string', a number, true, false, null, a "
                 "path ($.x) or an intrinsic call",
                 (int)n, w);
  arg->kind = ARG_LITERAL;
  return ASL_OK;
}

static const intr_def *find_def(const char *name, size_t n)
{
  for (size_t i = 0; i < N_DEFS; i++)
    if (strlen(defs[i].name) == n && memcmp(defs[i].name, name, n) == 0)
      return &defs[i];
  return NULL;
}

static bool kinds_compatible(char want, char have)
{
  return want == '*' || have == '*' || want == have || (want == 'i' && have == 'n') ||
         (want == 'n' && have == 'i');
}

/* The checks that need no input. */
static asl_status check_static(iparser *p, intr_call *c, size_t start, bool lone_brace)
{
  const intr_def *d = c->def;
  int n = (int)c->nargs;
  if (n < d->min_args || (d->max_args >= 0 && n > d->max_args)) {
    if (d->min_args == d->max_args)
      return ifail(p, start, "%s takes %d argument%s, not %d", d->name, d->min_args,
                   d->min_args == 1 ? "" : "s", n);
    if (d->max_args < 0)
      return ifail(p, start, "%s takes at least %d argument%s, not %d", d->name, d->min_args,
                   d->min_args == 1 ? "" : "s", n);
    return ifail(p, start, "%s takes %d to %d arguments, not %d", d->name, d->min_args,
                 d->max_args, n);
  }
  for (size_t i = 0; i < c->nargs; i++) {
    intr_arg *arg = &c->args[i];
    char want = asl__intr_kind(d, i);
    arg->kind_wanted = want;
    if (arg->kind == ARG_LITERAL && !asl__intr_fits(want, arg->lit)) {
      char *v = asl_json_dump(arg->lit, ASL_JSON_COMPACT, NULL);
      asl_status st = ifail(p, arg->pos, "argument %zu of %s must be %s, not %s", i + 1, d->name,
                            asl__intr_kind_name(want), v);
      asl_free(v);
      return st;
    }
    if (arg->kind == ARG_CALL && !kinds_compatible(want, arg->call->def->result))
      return ifail(p, arg->pos, "argument %zu of %s must be %s, but %s gives %s", i + 1, d->name,
                   asl__intr_kind_name(want), arg->call->def->name,
                   asl__intr_kind_name(arg->call->def->result));
  }
  if (d->fn == intr_format && c->args[0].kind == ARG_LITERAL) {
    if (lone_brace)
      return ifail(p, c->args[0].pos,
                   "the template of States.Format has a '{' or '}' that is not part of a {} "
                   "placeholder; write \\{ or \\} for a brace");
    if (c->npieces - 1 != c->nargs - 1)
      return ifail(p, c->args[0].pos,
                   "the template of States.Format has %zu {} placeholder%s but %zu argument%s "
                   "follow%s it",
                   c->npieces - 1, c->npieces - 1 == 1 ? "" : "s", c->nargs - 1,
                   c->nargs - 1 == 1 ? "" : "s", c->nargs - 1 == 1 ? "s" : "");
  }
  if (d->fn == intr_hash && c->args[1].kind == ARG_LITERAL) {
    const char *alg = asl_json_str(c->args[1].lit);
    if (strcmp(alg, "MD5") != 0 && strcmp(alg, "SHA-1") != 0 && strcmp(alg, "SHA-256") != 0 &&
        strcmp(alg, "SHA-384") != 0 && strcmp(alg, "SHA-512") != 0)
      return ifail(p, c->args[1].pos,
                   "'%s' is not a hash algorithm of States.Hash; use MD5, SHA-1, SHA-256, SHA-384 "
                   "or SHA-512",
                   alg);
  }
  if (d->fn == intr_json_merge && c->args[2].kind == ARG_LITERAL &&
      asl_json_bool_val(c->args[2].lit))
    return ifail(p, c->args[2].pos,
                 "States.JsonMerge only merges shallowly: its third argument must be false");
  return ASL_OK;
}

static asl_status parse_call(iparser *p, intr_call **out)
{
  size_t start = p->pos;
  if (++p->depth > MAX_NESTING)
    return ifail(p, start, "intrinsic calls are nested too deeply");
  size_t name_end = start + 7; /* after "States." */
  while (name_end < p->len && ((p->s[name_end] >= 'A' && p->s[name_end] <= 'Z') ||
                               (p->s[name_end] >= 'a' && p->s[name_end] <= 'z') ||
                               (p->s[name_end] >= '0' && p->s[name_end] <= '9')))
    name_end++;
  const intr_def *d = find_def(p->s + start, name_end - start);
  if (!d)
    return ifail(p, start,
                 "'%.*s' is not an intrinsic function; they are States.Format, StringToJson, "
                 "JsonToString, Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, "
                 "ArrayLength, ArrayUnique, Base64Encode, Base64Decode, Hash, JsonMerge, "
                 "MathRandom, MathAdd, StringSplit and UUID",
                 (int)(name_end - start), p->s + start);
  p->pos = name_end;
  skip_ws(p);
  if (p->pos >= p->len || p->s[p->pos] != '(')
    return ifail(p, p->pos, "'(' must follow %s", d->name);
  p->pos++;
  intr_call *c = asl_arena_alloc(p->a, sizeof *c);
  c->def = d;
  ASL_VEC(intr_arg) args = {0};
  bool lone_brace = false;
  asl_status st = ASL_OK;
  skip_ws(p);
  if (p->pos < p->len && p->s[p->pos] == ')') {
    p->pos++;
  } else {
    for (;;) {
      skip_ws(p);
      intr_arg arg;
      memset(&arg, 0, sizeof arg);
      arg.pos = p->pos;
      char ch = p->pos < p->len ? p->s[p->pos] : '\0';
      if (ch == '\'') {
        fmt_piece *pieces = NULL;
        size_t np = 0;
        bool lone = false;
        st = parse_string(p, &arg, &pieces, &np, &lone);
        if (st == ASL_OK && args.len == 0) {
          c->pieces = pieces;
          c->npieces = np;
          lone_brace = lone;
        }
      } else if (ch == '$') {
        st = parse_path(p, &arg);
        if (st == ASL_OK && arg.path->context)
          c->uses_context = true;
      } else if (p->len - p->pos > 7 && memcmp(p->s + p->pos, "States.", 7) == 0) {
        arg.kind = ARG_CALL;
        st = parse_call(p, &arg.call);
        if (st == ASL_OK && arg.call->uses_context)
          c->uses_context = true;
      } else if ((ch >= '0' && ch <= '9') || ch == '-') {
        st = parse_number(p, &arg);
      } else if (ch == ',' || ch == ')' || ch == '\0') {
        st = ifail(p, p->pos, "an argument is missing");
      } else {
        st = parse_word(p, &arg);
      }
      if (st != ASL_OK)
        goto out;
      ASL_VEC_PUSH(args, arg);
      skip_ws(p);
      if (p->pos < p->len && p->s[p->pos] == ',') {
        p->pos++;
        continue;
      }
      if (p->pos < p->len && p->s[p->pos] == ')') {
        p->pos++;
        break;
      }
      st = ifail(p, p->pos, "expected ',' or ')' after argument %zu of %s", args.len, d->name);
      goto out;
    }
  }
  c->nargs = args.len;
  c->args = asl_arena_alloc(p->a, (args.len ? args.len : 1) * sizeof *c->args);
  if (args.len)
    memcpy(c->args, args.items, args.len * sizeof *c->args);
  st = check_static(p, c, start, lone_brace);
  if (st == ASL_OK)
    *out = c;
out:
  ASL_VEC_FREE(args);
  p->depth--;
  return st;
}

asl_status asl__intr_compile(asl_arena *a, const char *text, size_t len, intr_call **out,
                             asl_error *err)
{
  *out = NULL;
  iparser p = {a, text, len, 0, 0, err};
  intr_call *c;
  asl_status st = parse_call(&p, &c);
  if (st != ASL_OK)
    return st;
  skip_ws(&p);
  if (p.pos < p.len)
    return ifail(&p, p.pos, "nothing may follow the closing ')' of %s", c->def->name);
  c->text = asl_arena_strndup(a, text, len);
  *out = c;
  return ASL_OK;
}

bool asl__intr_uses_context(const intr_call *c)
{
  return c->uses_context;
}

asl_json *asl__intr_eval(const intr_call *c, const asl_env *env, const char *field,
                         asl_error *err)
{
  asl_json *small[8];
  asl_json **argv = c->nargs <= 8 ? small : asl_alloc(c->nargs * sizeof *argv);
  size_t got = 0;
  asl_json *r = NULL;
  for (; got < c->nargs; got++) {
    const intr_arg *arg = &c->args[got];
    asl_json *v;
    if (arg->kind == ARG_LITERAL)
      v = asl_json_incref(arg->lit);
    else if (arg->kind == ARG_PATH)
      v = asl__path_value(arg->path, env, field, err);
    else
      v = asl__intr_eval(arg->call, env, field, err);
    if (!v)
      goto out;
    argv[got] = v;
    /* literals were checked at load */
    if (arg->kind != ARG_LITERAL && arg->kind_wanted != '*' &&
        !asl__intr_check_arg(c, got, v, err)) {
      got++;
      goto out;
    }
  }
  r = c->def->fn(c, argv, c->nargs, env, err);
out:
  for (size_t i = 0; i < got; i++)
    asl_json_decref(argv[i]);
  if (argv != small)
    asl_free(argv);
  return r;
}
