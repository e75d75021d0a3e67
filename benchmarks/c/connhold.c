/* connhold.c — opens many TCP connections, holds them, and echoes on every one on request.
 *
 * Owns: the client side of the idle-memory and the 50,000-connection benchmarks
 * (benchmarks/commands/idle-memory.ts, connections.ts). One process, one epoll loop.
 *   connhold --ports P1[,P2...] [--host 127.0.0.1] -n N [--first I] [--srcs K] [--window W]
 *            [--echo BYTES] [--partial BYTES] [--seed S] [--timeout SEC]
 * Protocol (one JSON line on stdout per step, errors on stderr):
 *   1. connect: N connections, at most W connects in flight (default 512), connection i (global
 *      index I+i) to port P[(I+i) % nports] from source address 127.0.0.(2 + (I+i) % K) (K
 *      defaults to 1: no bind), bound with IP_BIND_ADDRESS_NO_PORT so the kernel picks the source
 *      port per 4-tuple at connect time and the ephemeral range is not shared across sources.
 *      -> {"step":"connect","connected":N,"ms":T,"fd_limit":L}
 *   2. if --echo B > 0: one echo round at once (as on the "echo" command below).
 *      if --partial B > 0: write B bytes on every connection and read nothing: a client that
 *      dies mid-frame (the caller then kill -9s us). -> {"step":"partial","bytes":...}
 *   3. hold: every connection is watched for EPOLLRDHUP only; any event on one means the server
 *      closed or reset it, which is an error (reported, the run goes on). Commands on stdin:
 *        "echo B\n": every connection sends B more bytes of its own deterministic stream
 *                    (stream.h, keyed by --seed and the global index) and checks every byte
 *                    that comes back. -> {"step":"echo","bytes":B*N,"ms":T,"errors":E}
 *        "quit\n" or EOF: close everything. -> {"step":"quit","errors":E}, exit 0 (1 if E > 0)
 *   --timeout SEC (default 120) bounds each step; a step that times out reports its stuck
 *   connections on stderr and exits 2.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "keyed_stream.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define BUF (64 * 1024)
#define STDIN_TAG UINT32_MAX

typedef unsigned long long ull;

typedef struct {
    int fd, open, out_armed;
    uint64_t key, sent, recvd, target; /* stream offsets: recvd <= sent <= target */
} conn_t;

static struct {
    const char *host;
    int ports[64], nports, n, first, srcs, window;
    size_t echo, partial;
    uint64_t seed;
    double timeout;
} o = {.host = "127.0.0.1", .srcs = 1, .window = 512, .seed = 1, .timeout = 120};

static conn_t *cs;
static int ep, errors;
static uint8_t rbuf[BUF], sbuf[BUF];

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "connhold: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    printf("{\"step\":\"fail\",\"exit\":%d}\n", code);
    fflush(stdout);
    exit(code);
}

static void error_on(int i, const char *what, int err) {
    errors++;
    if (errors <= 10) fprintf(stderr, "connhold: conn %d: %s: %s\n", o.first + i, what, err ? strerror(err) : "");
}

static void ctl(int op, int fd, uint32_t tag, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.u32 = tag};
    if (epoll_ctl(ep, op, fd, &ev) < 0) die(1, "epoll_ctl: %s", strerror(errno));
}

static void close_conn(int i) {
    if (cs[i].fd < 0) return;
    close(cs[i].fd); /* also leaves the epoll set */
    cs[i].fd = -1;
    cs[i].open = 0;
}

/* ---- step 1: connect ---------------------------------------------------------------------- */

static int start_connect(int i) {
    int g = o.first + i;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die(1, "socket (conn %d): %s", g, strerror(errno));
    if (o.srcs > 1) {
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
        src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(2 + g % o.srcs));
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) die(1, "bind 127.0.0.%d: %s", 2 + g % o.srcs, strerror(errno));
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.ports[g % o.nports])};
    if (inet_pton(AF_INET, o.host, &dst.sin_addr) != 1) die(1, "bad --host %s (IPv4 only)", o.host);
    cs[i].fd = fd;
    cs[i].key = stream_key(o.seed, (uint64_t)g);
    if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS) {
        error_on(i, "connect", errno);
        close_conn(i);
        return 0;
    }
    ctl(EPOLL_CTL_ADD, fd, (uint32_t)i, EPOLLOUT);
    return 1;
}

static void step_connect(void) {
    double t0 = now_ms(), deadline = t0 + o.timeout * 1e3;
    int next = 0, inflight = 0, done = 0;
    struct epoll_event evs[1024];
    while (done < o.n) {
        while (next < o.n && inflight < o.window) {
            if (start_connect(next++)) inflight++;
            else done++;
        }
        int k = epoll_wait(ep, evs, 1024, 100);
        if (k < 0 && errno != EINTR) die(1, "epoll_wait: %s", strerror(errno));
        for (int e = 0; e < k; e++) {
            int i = (int)evs[e].data.u32, err = 0;
            socklen_t len = sizeof err;
            getsockopt(cs[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
            inflight--;
            done++;
            if (err) {
                error_on(i, "connect", err);
                close_conn(i);
                continue;
            }
            cs[i].open = 1;
            ctl(EPOLL_CTL_MOD, cs[i].fd, (uint32_t)i, EPOLLRDHUP);
        }
        if (now_ms() > deadline) die(2, "connect step timed out: %d of %d done", done, o.n);
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("{\"step\":\"connect\",\"connected\":%d,\"ms\":%.1f,\"fd_limit\":%llu,\"errors\":%d}\n", o.n - errors,
           now_ms() - t0, (ull)rl.rlim_cur, errors);
    fflush(stdout);
}

/* ---- echo rounds ---------------------------------------------------------------------------- */

static void send_some(int i) {
    conn_t *c = &cs[i];
    while (c->sent < c->target) {
        size_t chunk = c->target - c->sent < BUF ? (size_t)(c->target - c->sent) : BUF;
        stream_fill(c->key, c->sent, sbuf, chunk);
        ssize_t n = write(c->fd, sbuf, chunk);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            error_on(i, "write", errno);
            close_conn(i);
            return;
        }
        c->sent += (uint64_t)n;
        if ((size_t)n < chunk) break;
    }
    int want = c->sent < c->target;
    if (want != c->out_armed) {
        c->out_armed = want;
        ctl(EPOLL_CTL_MOD, c->fd, (uint32_t)i, EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0));
    }
}

/* Reads and verifies; returns 1 when this connection has everything back. */
static int recv_some(int i) {
    conn_t *c = &cs[i];
    while (c->recvd < c->sent) {
        ssize_t n = read(c->fd, rbuf, sizeof rbuf);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return 0;
            error_on(i, "read", errno);
            close_conn(i);
            return 1;
        }
        if (n == 0) {
            error_on(i, "EOF before the echo came back", 0);
            close_conn(i);
            return 1;
        }
        if (c->recvd + (uint64_t)n > c->sent) {
            error_on(i, "more bytes back than sent", 0);
            close_conn(i);
            return 1;
        }
        size_t bad = stream_check(c->key, c->recvd, rbuf, (size_t)n);
        if (bad != (size_t)n) {
            fprintf(stderr, "connhold: conn %d: corrupt byte at stream offset %llu\n", o.first + i, (ull)(c->recvd + bad));
            errors++;
            close_conn(i);
            return 1;
        }
        c->recvd += (uint64_t)n;
    }
    return c->recvd == c->target;
}

static void step_echo(size_t bytes) {
    double t0 = now_ms(), deadline = t0 + o.timeout * 1e3;
    int pending = 0, before = errors;
    for (int i = 0; i < o.n; i++) {
        if (!cs[i].open) continue;
        cs[i].target += bytes;
        ctl(EPOLL_CTL_MOD, cs[i].fd, (uint32_t)i, EPOLLIN | EPOLLRDHUP);
        cs[i].out_armed = 0;
        pending++;
        send_some(i);
        if (!cs[i].open) pending--;
    }
    struct epoll_event evs[1024];
    while (pending > 0) {
        int k = epoll_wait(ep, evs, 1024, 100);
        if (k < 0 && errno != EINTR) die(1, "epoll_wait: %s", strerror(errno));
        for (int e = 0; e < k; e++) {
            uint32_t tag = evs[e].data.u32;
            int i = (int)tag;
            if (!cs[i].open || cs[i].recvd == cs[i].target) continue;
            if (evs[e].events & EPOLLOUT) send_some(i);
            if (cs[i].open && recv_some(i)) {
                pending--;
                if (cs[i].open) ctl(EPOLL_CTL_MOD, cs[i].fd, (uint32_t)i, EPOLLRDHUP);
            } else if (!cs[i].open) {
                pending--;
            }
        }
        if (now_ms() > deadline) {
            for (int i = 0, shown = 0; i < o.n && shown < 5; i++)
                if (cs[i].open && cs[i].recvd < cs[i].target)
                    fprintf(stderr, "connhold: stuck conn %d: sent %llu recvd %llu target %llu\n", o.first + i,
                            (ull)cs[i].sent, (ull)cs[i].recvd, (ull)cs[i].target), shown++;
            die(2, "echo step timed out with %d connections unfinished", pending);
        }
    }
    int open = 0;
    for (int i = 0; i < o.n; i++) open += cs[i].open;
    printf("{\"step\":\"echo\",\"connections\":%d,\"bytes\":%llu,\"ms\":%.1f,\"errors\":%d}\n", open,
           (ull)bytes * (ull)open, now_ms() - t0, errors - before);
    fflush(stdout);
}

static void step_partial(size_t bytes) {
    uint64_t total = 0;
    for (int i = 0; i < o.n; i++) {
        if (!cs[i].open) continue;
        stream_fill(cs[i].key, 0, sbuf, bytes < BUF ? bytes : BUF);
        ssize_t n = write(cs[i].fd, sbuf, bytes < BUF ? bytes : BUF);
        if (n > 0) total += (uint64_t)n;
    }
    printf("{\"step\":\"partial\",\"bytes\":%llu}\n", (ull)total);
    fflush(stdout);
}

/* ---- hold ------------------------------------------------------------------------------------ */

static void hold(void) {
    ctl(EPOLL_CTL_ADD, 0, STDIN_TAG, EPOLLIN);
    char line[256];
    size_t have = 0;
    struct epoll_event evs[1024];
    for (;;) {
        int k = epoll_wait(ep, evs, 1024, -1);
        if (k < 0 && errno != EINTR) die(1, "epoll_wait: %s", strerror(errno));
        for (int e = 0; e < k; e++) {
            uint32_t tag = evs[e].data.u32;
            if (tag != STDIN_TAG) {
                error_on((int)tag, "closed by the server while idle", 0);
                close_conn((int)tag);
                continue;
            }
            ssize_t n = read(0, line + have, sizeof line - 1 - have);
            if (n <= 0) return; /* EOF: quit */
            have += (size_t)n;
            line[have] = 0;
            char *nl;
            while ((nl = strchr(line, '\n')) != NULL) {
                *nl = 0;
                if (strncmp(line, "echo", 4) == 0) {
                    ctl(EPOLL_CTL_DEL, 0, STDIN_TAG, 0); /* one command at a time */
                    step_echo((size_t)strtoull(line + 4, NULL, 10));
                    ctl(EPOLL_CTL_ADD, 0, STDIN_TAG, EPOLLIN);
                } else if (strcmp(line, "quit") == 0) return;
                size_t used = (size_t)(nl + 1 - line);
                memmove(line, nl + 1, have - used + 1);
                have -= used;
            }
            if (have == sizeof line - 1) have = 0; /* an overlong line: drop it */
        }
    }
}

static void parse_args(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die(1, "option %s needs a value", a);
        i++;
        if (!strcmp(a, "--ports")) {
            for (char *s = (char *)v; *s && o.nports < 64; s++) {
                o.ports[o.nports++] = (int)strtol(s, &s, 10);
                if (*s != ',') break;
            }
        } else if (!strcmp(a, "--host")) o.host = v;
        else if (!strcmp(a, "-n")) o.n = atoi(v);
        else if (!strcmp(a, "--first")) o.first = atoi(v);
        else if (!strcmp(a, "--srcs")) o.srcs = atoi(v);
        else if (!strcmp(a, "--window")) o.window = atoi(v);
        else if (!strcmp(a, "--echo")) o.echo = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(a, "--partial")) o.partial = (size_t)strtoull(v, NULL, 10);
        else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--timeout")) o.timeout = atof(v);
        else die(1, "unknown option %s", a);
    }
    if (o.nports < 1 || o.n < 1 || o.srcs < 1 || o.srcs > 250 || o.window < 1 || o.timeout <= 0)
        die(1, "usage: connhold --ports P1[,P2...] -n N [--first I] [--srcs K<=250] [--window W] [--echo B] "
               "[--partial B] [--seed S] [--timeout SEC] [--host IPv4]");
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* soft up to hard: no privilege needed */
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if ((ull)o.n + 16 > (ull)rl.rlim_cur)
        die(1, "RLIMIT_NOFILE %llu is too low for %d connections: split them over several processes",
            (ull)rl.rlim_cur, o.n);
    cs = calloc((size_t)o.n, sizeof *cs);
    if (!cs) die(1, "out of memory");
    for (int i = 0; i < o.n; i++) cs[i].fd = -1;
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die(1, "epoll_create1: %s", strerror(errno));
    step_connect();
    if (o.echo) step_echo(o.echo);
    if (o.partial) step_partial(o.partial);
    hold();
    for (int i = 0; i < o.n; i++) close_conn(i);
    printf("{\"step\":\"quit\",\"errors\":%d}\n", errors);
    fflush(stdout);
    return errors ? 1 : 0;
}
