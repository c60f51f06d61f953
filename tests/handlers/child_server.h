/* Starts a test server in a child process (before any loop runs) and reads the port it prints
 * as the first number on its stdout; the child ends when its stdin closes (child_server_stop),
 * or is killed after a grace period. And a port where nothing listens, for refused connections. */
#ifndef ASLRUN_TESTS_HANDLERS_CHILD_SERVER_H
#define ASLRUN_TESTS_HANDLERS_CHILD_SERVER_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

typedef struct child_server {
  pid_t pid;
  int stdin_fd;
  int port;
} child_server;

/* 0 on success; -1 after printing why. */
static inline int child_server_start(child_server *s, char *const argv[])
{
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) {
    perror("pipe");
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return -1;
  }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execvp(argv[0], argv);
    perror(argv[0]);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  s->pid = pid;
  s->stdin_fd = in[1];
  s->port = 0;
  FILE *f = fdopen(out[0], "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    char *p = line;
    while (*p && (*p < '0' || *p > '9'))
      p++;
    if (*p) {
      s->port = atoi(p);
      break;
    }
  }
  if (f)
    fclose(f);
  if (s->port <= 0) {
    fprintf(stderr, "%s did not say which port it listens on\n", argv[0]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
  }
  return 0;
}

static inline void child_server_stop(child_server *s)
{
  close(s->stdin_fd);
  for (int i = 0; i < 50; i++) {
    if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
      return;
    usleep(20000);
  }
  kill(s->pid, SIGKILL);
  waitpid(s->pid, NULL, 0);
}

/* A port nobody listens on: bound, noted, closed. */
static inline int child_server_closed_port(void)
{
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_tcp_t probe;
  uv_tcp_init(&loop, &probe);
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", 0, &a);
  uv_tcp_bind(&probe, (const struct sockaddr *)&a, 0);
  struct sockaddr_in bound;
  int blen = sizeof bound;
  uv_tcp_getsockname(&probe, (struct sockaddr *)&bound, &blen);
  uv_close((uv_handle_t *)&probe, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return ntohs(bound.sin_port);
}

#endif
