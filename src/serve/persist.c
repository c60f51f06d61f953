/* The state directory: DIR/machines/NAME.json (one a state machine) and
 * DIR/executions/MACHINE:EXECUTION.json (one a finished execution, history included). Each file is
 * written atomically off the loop's thread (uv_fs: a temporary file, write, fsync, close, rename,
 * fsync of the folder) before the change it records is reported, so a crash at any moment leaves
 * either the old file or the new one, and never loses what a client was told. Writes of one file
 * are queued behind each other so that the last one asked for is the one that stays. Everything
 * is read back, synchronously, when the server starts. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct write_job write_job;

/* The writes of one path: the one under way first, the others after it. */
typedef struct path_queue {
  char *path;
  write_job *head, *tail;
  UT_hash_handle hh;
} path_queue;

struct write_job {
  asl_sfn_server *srv;
  path_queue *q;
  char *dir, *path, *tmp;
  char *data;
  size_t len, done;
  asl__persist_cb cb;
  void *cb_data;
  uv_fs_t req;
  uv_file fd;
  int stage;
  char *why; /* the failure, when one happened */
  write_job *next;
};

/* A file name for [name]: itself when short enough for every file system (names are at most 80
 * characters, but up to 4 bytes each in UTF-8), else a prefix and a 64-bit FNV-1a hash of it. The
 * record inside says what it is; the name only has to be unique. */
static char *file_name(const char *name)
{
  size_t n = strlen(name);
  if (n <= 200)
    return asl_strfmt("%s.json", name);
  uint64_t h = 14695981039346656037ull;
  for (const char *p = name; *p; p++) {
    h ^= (unsigned char)*p;
    h *= 1099511628211ull;
  }
  size_t cut = asl_utf8_floor(name, 100);
  return asl_strfmt("%.*s-%016llx.json", (int)cut, name, (unsigned long long)h);
}

char *asl__persist_machine_file(const char *name)
{
  return file_name(name);
}

char *asl__persist_execution_file(const char *sm_name, const char *exec_name)
{
  /* ':' is in no Step Functions name, so the pair is unambiguous */
  char *pair = asl_strfmt("%s:%s", sm_name, exec_name);
  char *f = file_name(pair);
  asl_free(pair);
  return f;
}

static void job_step(write_job *j);

static void job_done(write_job *j)
{
  asl_sfn_server *s = j->srv;
  path_queue *q = j->q;
  q->head = j->next;
  if (!q->head) {
    q->tail = NULL;
    path_queue *all = s->write_queues;
    HASH_DEL(all, q);
    s->write_queues = all;
    asl_free(q->path);
    asl_free(q);
  } else {
    job_step(q->head); /* the next write of the same file starts now */
  }
  s->saving--;
  j->cb(j->cb_data, j->why ? ASL_E_IO : ASL_OK, j->why);
  asl_free(j->why);
  asl_free(j->dir);
  asl_free(j->path);
  asl_free(j->tmp);
  asl_free(j->data);
  asl_free(j);
}

static void job_fail(write_job *j, const char *what, int rc)
{
  j->why = asl_strfmt("%s '%s': %s", what, j->stage < 5 ? j->tmp : j->path, uv_strerror(rc));
  if (j->fd >= 0) {
    uv_fs_t r;
    uv_fs_close(NULL, &r, j->fd, NULL);
    uv_fs_req_cleanup(&r);
    j->fd = -1;
  }
  if (j->stage < 5) {
    uv_fs_t r;
    uv_fs_unlink(NULL, &r, j->tmp, NULL);
    uv_fs_req_cleanup(&r);
  }
  job_done(j);
}

static void on_fs(uv_fs_t *req)
{
  write_job *j = req->data;
  ssize_t rc = req->result;
  uv_fs_req_cleanup(req);
  static const char *const what[] = {"cannot create",   "cannot write",  "cannot sync",
                                     "cannot close",    "cannot rename", "cannot open the folder",
                                     "cannot sync the folder", "cannot close the folder"};
  if (rc < 0) {
    job_fail(j, what[j->stage], (int)rc);
    return;
  }
  switch (j->stage) {
  case 0:
    j->fd = (uv_file)rc;
    j->stage = 1;
    break;
  case 1:
    j->done += (size_t)rc;
    if (j->done < j->len) {
      job_step(j); /* a short write: the rest */
      return;
    }
    j->stage = 2;
    break;
  case 3:
    j->fd = -1;
    j->stage = 4;
    break;
  case 5:
    j->fd = (uv_file)rc;
    j->stage = 6;
    break;
  case 7:
    job_done(j);
    return;
  default:
    j->stage++;
    break;
  }
  job_step(j);
}

static void job_step(write_job *j)
{
  uv_loop_t *loop = j->srv->loop;
  j->req.data = j;
  int rc = 0;
  switch (j->stage) {
  case 0:
    rc = uv_fs_open(loop, &j->req, j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, on_fs);
    break;
  case 1: {
    uv_buf_t b = uv_buf_init(j->data + j->done, (unsigned)(j->len - j->done));
    rc = uv_fs_write(loop, &j->req, j->fd, &b, 1, -1, on_fs);
    break;
  }
  case 2:
    rc = uv_fs_fsync(loop, &j->req, j->fd, on_fs);
    break;
  case 3:
    rc = uv_fs_close(loop, &j->req, j->fd, on_fs);
    break;
  case 4:
    rc = uv_fs_rename(loop, &j->req, j->tmp, j->path, on_fs);
    break;
  case 5:
    rc = uv_fs_open(loop, &j->req, j->dir, O_RDONLY | O_CLOEXEC, 0, on_fs);
    break;
  case 6:
    rc = uv_fs_fsync(loop, &j->req, j->fd, on_fs);
    break;
  case 7:
    j->stage = 7;
    rc = uv_fs_close(loop, &j->req, j->fd, on_fs);
    break;
  default:
    break;
  }
  if (rc < 0)
    job_fail(j, "cannot start writing", rc);
}

typedef struct now_ctx {
  uv_timer_t t;
  asl_sfn_server *srv;
  asl__persist_cb cb;
  void *data;
} now_ctx;

static void on_now_closed(uv_handle_t *h)
{
  asl_free(h->data);
}

static void on_now(uv_timer_t *t)
{
  now_ctx *c = t->data;
  c->srv->saving--;
  c->cb(c->data, ASL_OK, NULL);
  uv_close((uv_handle_t *)&c->t, on_now_closed);
}

char *asl__persist_path(asl_sfn_server *s, const char *dir, const char *file)
{
  return asl_strfmt("%s/%s/%s", s->state_dir, dir, file);
}

void asl__persist_write(asl_sfn_server *s, const char *dir, const char *file, asl_json *record,
                        asl_json *detail, asl__persist_cb cb, void *data)
{
  if (!s->state_dir) {
    /* memory only: answer from the loop, as a write would */
    asl_json_decref(record);
    asl_json_decref(detail);
    now_ctx *c = asl_calloc(1, sizeof *c);
    c->srv = s;
    s->saving++; /* asl_serve_free waits for it as for a write */
    c->cb = cb;
    c->data = data;
    uv_timer_init(s->loop, &c->t);
    c->t.data = c;
    uv_timer_start(&c->t, on_now, 0, 0);
    return;
  }
  write_job *j = asl_calloc(1, sizeof *j);
  j->srv = s;
  j->dir = asl_strfmt("%s/%s", s->state_dir, dir);
  j->path = asl_strfmt("%s/%s", j->dir, file);
  j->tmp = asl_strfmt("%s/.%s.tmp%llu", j->dir, file, (unsigned long long)++s->write_counter);
  asl_buf b = ASL_BUF_INIT;
  asl_json_dump_buf(record, ASL_JSON_COMPACT, &b);
  asl_buf_addc(&b, '\n');
  if (detail) {
    asl_json_dump_buf(detail, ASL_JSON_COMPACT, &b);
    asl_buf_addc(&b, '\n');
  }
  j->data = asl_buf_steal(&b, &j->len);
  asl_json_decref(record);
  asl_json_decref(detail);
  j->cb = cb;
  j->cb_data = data;
  j->fd = -1;
  s->saving++;
  path_queue *all = s->write_queues;
  path_queue *q = NULL;
  HASH_FIND_STR(all, j->path, q);
  if (q) {
    q->tail->next = j;
    q->tail = j;
    j->q = q;
    return;
  }
  q = asl_calloc(1, sizeof *q);
  q->path = asl_strdup(j->path);
  q->head = q->tail = j;
  j->q = q;
  HASH_ADD_KEYPTR(hh, all, q->path, strlen(q->path), q);
  s->write_queues = all;
  job_step(j);
}

void asl__persist_remove(asl_sfn_server *s, const char *dir, const char *file)
{
  if (!s->state_dir)
    return;
  char *path = asl_strfmt("%s/%s/%s", s->state_dir, dir, file);
  unlink(path);
  asl_free(path);
}

/* ---- reading back ---- */

static asl_status ensure_dir(const char *path, asl_error *err)
{
  if (mkdir(path, 0755) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      return ASL_OK;
    return asl_error_set(err, ASL_E_IO, NULL, "the state directory '%s' is not a folder", path);
  }
  return asl_error_set(err, ASL_E_IO, NULL, "cannot create the state directory '%s': %s", path,
                       strerror(errno));
}

asl_json *asl__persist_read(const char *path, int line, asl_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    asl_error_set(err, ASL_E_IO, NULL, "cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  asl_buf b = ASL_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    asl_buf_add(&b, chunk, n);
    if (line == 0 && memchr(chunk, '\n', n))
      break; /* the start reads summaries only: the bulk of the file is not needed */
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) {
    asl_buf_free(&b);
    asl_error_set(err, ASL_E_IO, NULL, "cannot read '%s'", path);
    return NULL;
  }
  /* one JSON document a line: the first says what the record is, the second holds the bulk */
  const char *text = b.data ? b.data : "";
  const char *nl = memchr(text, '\n', b.len);
  size_t from = 0;
  size_t to = nl ? (size_t)(nl - text) : b.len;
  if (line == 1) {
    from = nl ? to + 1 : b.len;
    const char *nl2 = memchr(text + from, '\n', b.len - from);
    to = nl2 ? (size_t)(nl2 - text) : b.len;
  }
  asl_error perr = ASL_ERROR_INIT;
  asl_json *v = asl_json_parse(text + from, to - from, NULL, &perr);
  asl_buf_free(&b);
  if (!v || !asl_json_is_object(v)) {
    asl_error_set(err, ASL_E_IO, NULL, "'%s' is damaged: %s", path,
                  perr.cause ? perr.cause : "not a JSON object");
    asl_error_clear(&perr);
    asl_json_decref(v);
    return NULL;
  }
  return v;
}

/* NAME.json; temporary files are ".NAME.json.tmpN" */
static bool is_record_name(const char *name)
{
  size_t n = strlen(name);
  return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Calls [fn] for each record file of [dir]; leftovers of interrupted writes are removed. */
static asl_status each_record(asl_sfn_server *s, const char *dir,
                              asl_status (*fn)(asl_sfn_server *, const char *, const asl_json *,
                                               asl_error *),
                              asl_error *err)
{
  DIR *d = opendir(dir);
  if (!d)
    return asl_error_set(err, ASL_E_IO, NULL, "cannot read the folder '%s': %s", dir,
                         strerror(errno));
  asl_status st = ASL_OK;
  struct dirent *de;
  while (st == ASL_OK && (de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    char *path = asl_strfmt("%s/%s", dir, de->d_name);
    if (de->d_name[0] == '.' && strstr(de->d_name, ".json.tmp")) {
      unlink(path); /* a write that a crash interrupted: its old file (if any) still stands */
    } else if (is_record_name(de->d_name)) {
      asl_json *rec = asl__persist_read(path, 0, err);
      st = rec ? fn(s, path, rec, err) : ASL_E_IO;
      asl_json_decref(rec);
    }
    asl_free(path);
  }
  closedir(d);
  return st;
}

static asl_status add_machine(asl_sfn_server *s, const char *path, const asl_json *rec,
                              asl_error *err)
{
  asl_error e = ASL_ERROR_INIT;
  srv_machine *m = asl__machine_from_record(s, rec, &e);
  if (!m) {
    asl_error_set(err, ASL_E_IO, NULL, "'%s': %s", path, e.cause);
    asl_error_clear(&e);
    return ASL_E_IO;
  }
  srv_machine *old = asl__machine_find(s, m->arn);
  if (old) {
    asl__machine_free(m);
    return asl_error_set(err, ASL_E_IO, NULL, "'%s': a second record of state machine %s", path,
                         old->arn);
  }
  HASH_ADD_KEYPTR(hh, s->machines, m->arn, strlen(m->arn), m);
  if (m->seq >= s->next_seq)
    s->next_seq = m->seq + 1;
  return ASL_OK;
}

static asl_status add_execution(asl_sfn_server *s, const char *path, const asl_json *rec,
                                asl_error *err)
{
  asl_error e = ASL_ERROR_INIT;
  srv_execution *x = asl__execution_from_record(s, rec, path, &e);
  if (!x) {
    asl_error_set(err, ASL_E_IO, NULL, "'%s': %s", path, e.cause);
    asl_error_clear(&e);
    return ASL_E_IO;
  }
  srv_execution *old = NULL;
  HASH_FIND_STR(s->executions, x->arn, old);
  if (old) {
    asl__execution_free(x);
    return asl_error_set(err, ASL_E_IO, NULL, "'%s': a second record of execution %s", path,
                         old->arn);
  }
  HASH_ADD_KEYPTR(hh, s->executions, x->arn, strlen(x->arn), x);
  if (x->seq >= s->next_seq)
    s->next_seq = x->seq + 1;
  return ASL_OK;
}

static int by_seq(const void *a, const void *b)
{
  const srv_execution *x = *(srv_execution *const *)a;
  const srv_execution *y = *(srv_execution *const *)b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The start-order list of the executions read back, built once they are all in (read in
 * directory order, inserting each in place would cost a walk each). */
static void link_executions(asl_sfn_server *s)
{
  size_t n = HASH_COUNT(s->executions);
  srv_execution **all = asl_calloc(n + 1, sizeof *all);
  size_t i = 0;
  for (srv_execution *x = s->executions; x; x = x->hh.next)
    all[i++] = x;
  qsort(all, n, sizeof *all, by_seq);
  for (i = 0; i < n; i++) {
    all[i]->older = i > 0 ? all[i - 1] : NULL;
    all[i]->newer = i + 1 < n ? all[i + 1] : NULL;
  }
  s->oldest = n ? all[0] : NULL;
  s->newest = n ? all[n - 1] : NULL;
  asl_free(all);
}

asl_status asl__persist_load(asl_sfn_server *s, asl_error *err)
{
  char *machines = asl_strfmt("%s/machines", s->state_dir);
  char *executions = asl_strfmt("%s/executions", s->state_dir);
  asl_status st = ensure_dir(s->state_dir, err);
  if (st == ASL_OK)
    st = ensure_dir(machines, err);
  if (st == ASL_OK)
    st = ensure_dir(executions, err);
  if (st == ASL_OK)
    st = each_record(s, machines, add_machine, err);
  if (st == ASL_OK)
    st = each_record(s, executions, add_execution, err);
  link_executions(s);
  asl_free(machines);
  asl_free(executions);
  return st;
}
