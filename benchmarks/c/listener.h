/* listener.h — the listening socket and process setup shared by the C reference servers
 * (echo_server.c: epoll LT/ET/poll; echo_uring.c: io_uring). Static functions, included by
 * each server's one translation unit; no state.
 *   listen_on: a non-blocking, close-on-exec TCP listener on HOST:PORT (SO_REUSEADDR, and
 *              SO_REUSEPORT when asked); exits with a message on failure.
 *   bound_port: the port a listener got (PORT 0 picks one).
 *   raise_nofile: the soft open-file limit up to the hard one (1000 connections and more).
 */
#ifndef BENCH_LISTENER_H
#define BENCH_LISTENER_H

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

static int listen_on(const char *host, const char *port, int backlog, int reuseport) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc) { fprintf(stderr, "%s: %s\n", host, gai_strerror(rc)); exit(1); }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) { perror("SO_REUSEPORT"); exit(1); }
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) { perror("bind"); exit(1); }
    if (listen(fd, backlog) < 0) { perror("listen"); exit(1); }
    freeaddrinfo(ai);
    return fd;
}

static int bound_port(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) { perror("getsockname"); exit(1); }
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void raise_nofile(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

#endif
