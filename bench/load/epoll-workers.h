/*
 * What bench/load/noop-epoll.c and bench/router/c-proxy.c share: WORKERS forked processes, each
 * with its own SO_REUSEPORT listening socket on 127.0.0.1:PORT (the kernel spreads connections)
 * and one epoll loop; the parent waits for them, passes SIGTERM/SIGINT on, and everything exits
 * by itself after SECONDS. Included, not linked: each tool stays one `gcc -O2 file.c`.
 */
#ifndef EPOLL_WORKERS_H
#define EPOLL_WORKERS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t worker_pids[64];
static int worker_count;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int listener(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  if (s < 0) die("socket");
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) die("SO_REUSEPORT");
  struct sockaddr_in a = loopback(port);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(s, 1024) < 0) die("listen");
  return s;
}

/* An epoll instance watching the listening socket `ls` (its events carry data.fd = ls). */
static int epoll_on(int ls) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) < 0) die("epoll");
  return ep;
}

static void stop_workers(int sig) {
  for (int i = 0; i < worker_count; i++) kill(worker_pids[i], SIGTERM);
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Forks the workers, each running loop(its listening socket); returns when they have all ended. */
static void run_workers(int port, int workers, int seconds, void (*loop)(int)) {
  if (workers < 1 || workers > 64) workers = 2;
  signal(SIGPIPE, SIG_IGN);
  for (int w = 0; w < workers; w++) {
    int ls = listener(port);
    pid_t p = fork();
    if (p < 0) die("fork");
    if (p == 0) {
      alarm(seconds);
      loop(ls);
      exit(0);
    }
    worker_pids[worker_count++] = p;
    close(ls);
  }
  alarm(seconds + 1);
  signal(SIGTERM, stop_workers); /* whoever stops the parent stops the workers with it */
  signal(SIGINT, stop_workers);
  while (wait(NULL) > 0) {}
}

#endif
