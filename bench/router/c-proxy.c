/*
 * The user-space proxy ceiling for the router bench: the least an HTTP/1.1 reverse proxy can add
 * per request on this machine. WORKERS processes, each one epoll loop on its own SO_REUSEPORT
 * socket on 127.0.0.1:PORT. Each caller connection gets its own backend connection to
 * 127.0.0.1:BACKEND_PORT (opened when the caller connects, kept while it stays); both ends of a
 * pair live in the same epoll loop, so a request and its answer never change thread.
 *
 * Per direction it forwards bytes as they come, knowing only enough HTTP to find message ends:
 * a head up to the blank line, then Content-Length body bytes (no chunked, no close-delimited
 * bodies: anything else closes the pair). Like the Starling router it adds one header to every
 * answer head (x-starling-served-by: v1), written with the head and the body bytes at hand in one
 * writev. One read + one write(v) per message per direction when a message arrives in one piece;
 * no allocation per request. A write that would block waits for the socket (poll), which on
 * loopback with small messages does not happen. Exits by itself after SECONDS.
 *
 *   gcc -O2 -o c-proxy bench/router/c-proxy.c
 *   ./c-proxy PORT BACKEND_PORT [WORKERS=2] [SECONDS=600]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>

#include "../load/epoll-workers.h"

#define MAX_FD 65536
#define BUF 16384

static const char SERVED_BY[] = "x-starling-served-by: v1\r\n";

/* One end of a pair: bytes read from `fd` go to `peer`. */
struct side {
  int fd;
  int peer;
  int is_backend; /* answers come from the backend side: they get the served-by line */
  char in[BUF];
  size_t have; /* bytes in `in` not yet forwarded */
  size_t skip; /* body bytes of the current message still to forward as they come */
};

static struct side *sides[MAX_FD];
static int backend_port;

/* Writes all of iov; waits on the socket if it would block. Returns -1 on error. */
static int write_all(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return -1;
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      poll(&p, 1, 1000);
      continue;
    }
    while (n > 0 && (size_t)w >= iov->iov_len) {
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
  return 0;
}

/* Content-Length of a head (0 if absent), or -1 for what this proxy does not frame. */
static long body_length(const char *head, size_t len) {
  const char *p = memchr(head, '\n', len);
  const char *stop = head + len;
  long n = 0;
  while (p && ++p < stop) {
    const char *nl = memchr(p, '\n', stop - p);
    if (!nl) break;
    size_t l = (size_t)(nl - p);
    if (l > 15 && strncasecmp(p, "content-length:", 15) == 0) n = strtol(p + 15, NULL, 10);
    if (l > 18 && strncasecmp(p, "transfer-encoding:", 18) == 0) return -1;
    p = nl;
  }
  return n;
}

/* Forwards every whole head and the body bytes at hand; returns -1 to close the pair. */
static int forward(struct side *s) {
  size_t off = 0;
  for (;;) {
    if (s->skip > 0) {
      size_t n = s->skip < s->have - off ? s->skip : s->have - off;
      if (n == 0) break;
      struct iovec v = {s->in + off, n};
      if (write_all(s->peer, &v, 1) < 0) return -1;
      off += n;
      s->skip -= n;
      continue;
    }
    char *end = memmem(s->in + off, s->have - off, "\r\n\r\n", 4);
    if (!end) break;
    size_t head = (size_t)(end - (s->in + off)) + 4;
    long len = body_length(s->in + off, head);
    if (len < 0) return -1;
    size_t at_hand = s->have - off - head;
    size_t body = (size_t)len < at_hand ? (size_t)len : at_hand;
    struct iovec v[3];
    int n = 0;
    if (s->is_backend) { /* head without its blank line, our line, blank line + body */
      v[n++] = (struct iovec){s->in + off, head - 2};
      v[n++] = (struct iovec){(void *)SERVED_BY, sizeof SERVED_BY - 1};
      v[n++] = (struct iovec){s->in + off + head - 2, 2 + body};
    } else {
      v[n++] = (struct iovec){s->in + off, head + body};
    }
    if (write_all(s->peer, v, n) < 0) return -1;
    off += head + body;
    s->skip = (size_t)len - body;
  }
  if (off == 0 && s->have == BUF) return -1; /* a head larger than the buffer */
  memmove(s->in, s->in + off, s->have - off);
  s->have -= off;
  return 0;
}

static void drop_pair(int ep, int fd) {
  struct side *s = sides[fd];
  int fds[2] = {fd, s ? s->peer : -1};
  for (int i = 0; i < 2; i++) {
    if (fds[i] < 0 || !sides[fds[i]]) continue;
    epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
    close(fds[i]);
    free(sides[fds[i]]);
    sides[fds[i]] = NULL;
  }
}

static struct side *new_side(int ep, int fd, int peer, int is_backend) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct side *s = calloc(1, sizeof(struct side));
  s->fd = fd;
  s->peer = peer;
  s->is_backend = is_backend;
  sides[fd] = s;
  struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
  return s;
}

static void accept_all(int ep, int ls) {
  int cfd;
  while ((cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
    int bfd = socket(AF_INET, SOCK_STREAM, 0); /* blocking connect: loopback, once per caller */
    struct sockaddr_in a = loopback(backend_port);
    if (cfd >= MAX_FD || bfd < 0 || bfd >= MAX_FD ||
        connect(bfd, (struct sockaddr *)&a, sizeof a) < 0) {
      close(cfd);
      if (bfd >= 0) close(bfd);
      continue;
    }
    fcntl(bfd, F_SETFL, fcntl(bfd, F_GETFL) | O_NONBLOCK);
    new_side(ep, cfd, bfd, 0);
    new_side(ep, bfd, cfd, 1);
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
        accept_all(ep, ls);
        continue;
      }
      struct side *s = sides[fd];
      if (!s) continue;
      ssize_t r = read(fd, s->in + s->have, BUF - s->have);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        drop_pair(ep, fd);
        continue;
      }
      if (r > 0) {
        s->have += (size_t)r;
        if (forward(s) < 0) drop_pair(ep, fd);
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PORT BACKEND_PORT [WORKERS] [SECONDS]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  backend_port = atoi(argv[2]);
  int workers = argc > 3 ? atoi(argv[3]) : 2;
  int seconds = argc > 4 ? atoi(argv[4]) : 600;
  fprintf(stderr, "c-proxy on 127.0.0.1:%d -> 127.0.0.1:%d, %d workers, exits in %d s\n", port,
          backend_port, workers, seconds);
  run_workers(port, workers, seconds, loop);
  return 0;
}
