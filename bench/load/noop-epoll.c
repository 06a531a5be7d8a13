/*
 * The kernel + wrk ceiling: the least an HTTP/1.1 server can do per request on this machine.
 * WORKERS processes, each one epoll loop on its own SO_REUSEPORT socket on 127.0.0.1:PORT; per
 * connection it reads a request head (up to the blank line), skips Content-Length body bytes and
 * answers a fixed 200 with the bytes of ANSWER_FILE as an application/json body. Keep-alive and
 * pipelined requests are handled; anything it cannot parse closes the connection. No threads, no
 * allocation per request. Exits by itself after SECONDS.
 *
 *   gcc -O2 -o noop-epoll bench/load/noop-epoll.c
 *   ./noop-epoll PORT ANSWER_FILE [WORKERS=2] [SECONDS=600]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "epoll-workers.h"

#define MAX_FD 65536
#define BUF 16384

struct conn {
  char in[BUF];
  size_t have;     /* bytes in `in` */
  size_t skip;     /* body bytes still to skip */
};

static struct conn *conns[MAX_FD];
static char *reply;
static size_t reply_len;

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(conns[fd]);
  conns[fd] = NULL;
}

/* Content-Length of the head in c->in[0..end), or -1 if absent/bad. */
static long content_length(const char *head, size_t end) {
  const char *p = head;
  const char *stop = head + end;
  while (p < stop) {
    const char *nl = memchr(p, '\n', stop - p);
    if (!nl) break;
    if (nl - p > 15 && strncasecmp(p, "content-length:", 15) == 0) return strtol(p + 15, NULL, 10);
    p = nl + 1;
  }
  return 0;
}

/* Answers every complete request in the buffer; returns -1 to close the connection. */
static int serve(int fd, struct conn *c) {
  for (;;) {
    if (c->skip > 0) {
      size_t n = c->skip < c->have ? c->skip : c->have;
      memmove(c->in, c->in + n, c->have - n);
      c->have -= n;
      c->skip -= n;
      if (c->skip > 0) return 0;
    }
    char *end = memmem(c->in, c->have, "\r\n\r\n", 4);
    if (!end) return c->have == BUF ? -1 : 0;
    size_t head = (size_t)(end - c->in) + 4;
    long len = content_length(c->in, head);
    if (len < 0) return -1;
    if (write(fd, reply, reply_len) != (ssize_t)reply_len) return -1;
    memmove(c->in, c->in + head, c->have - head);
    c->have -= head;
    c->skip = (size_t)len;
  }
}

static void loop(int ls) {
  int ep = epoll_on(ls);
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int cfd;
        while ((cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          int one = 1;
          if (cfd >= MAX_FD) { close(cfd); continue; }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns[cfd] = calloc(1, sizeof(struct conn));
          struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = cfd};
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ce);
        }
        continue;
      }
      struct conn *c = conns[fd];
      if (!c) continue;
      ssize_t r = read(fd, c->in + c->have, BUF - c->have);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { drop(ep, fd); continue; }
      if (r > 0) {
        c->have += (size_t)r;
        if (serve(fd, c) < 0) drop(ep, fd);
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PORT ANSWER_FILE [WORKERS] [SECONDS]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int workers = argc > 3 ? atoi(argv[3]) : 2;
  int seconds = argc > 4 ? atoi(argv[4]) : 600;
  FILE *f = fopen(argv[2], "rb");
  if (!f) die(argv[2]);
  struct stat st;
  fstat(fileno(f), &st);
  char *body = malloc(st.st_size);
  if (fread(body, 1, st.st_size, f) != (size_t)st.st_size) die("read answer");
  fclose(f);
  reply = malloc(st.st_size + 256);
  int h = snprintf(reply, 256,
                   "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                   "Content-Type: application/json\r\nContent-Length: %ld\r\n\r\n",
                   (long)st.st_size);
  memcpy(reply + h, body, st.st_size);
  reply_len = h + st.st_size;
  fprintf(stderr, "noop-epoll on 127.0.0.1:%d, %d workers, %zu-byte answer, exits in %d s\n", port,
          workers, (size_t)st.st_size, seconds);
  run_workers(port, workers, seconds, loop);
  return 0;
}
