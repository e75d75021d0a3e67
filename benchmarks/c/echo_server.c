/* echo_server.c — the C epoll reference echo server for the echo benchmark.
 *
 * Owns: one single-threaded event loop that echoes every byte back on the same connection;
 * epoll (lt/et), or poll(2) as the classic baseline for the poll-vs-epoll comparison.
 *   echo_server [--host 127.0.0.1] [--port 0] [--mode lt|et|poll] [--backlog 1024] [--threads N]
 * Rules:
 *   - Non-blocking sockets; accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) until EAGAIN; TCP_NODELAY on
 *     accepted sockets; SO_REUSEADDR on the listener. Connection table indexed by fd.
 *   - lt: level-triggered EPOLLIN, exactly one read (64 KiB scratch) per event.
 *     et: EPOLLIN|EPOLLRDHUP|EPOLLET, read until EAGAIN.
 *     poll: lt's logic on poll(2): one read per ready fd per poll() call. One pollfd array
 *     holds the listener (slot 0), the signalfd (slot 1) and every connection; it is kept
 *     incrementally (each connection records its slot; a close moves the last slot into the
 *     freed one) and scanned back to front, so a close never hides an unhandled entry.
 *   - All modes share the accept/read/echo/write/close code; only the interest-set calls
 *     (watch/rewatch/unwatch) and the wait loop differ. Interest masks are epoll bits, which
 *     equal poll's for IN/OUT/ERR/HUP (checked at compile time).
 *   - Echo writes directly; a short write keeps the rest in a growable per-connection buffer,
 *     EPOLLOUT/POLLOUT is armed only while output is pending, and reading stops while more
 *     than 1 MiB is pending (resumes once the buffer has drained completely; lt and poll also
 *     drop EPOLLIN/POLLIN meanwhile).
 *   - Closes on EOF / ECONNRESET / EPIPE / EPOLLERR (POLLERR); SIGPIPE ignored.
 *   - --threads N (epoll modes, N > 1): N threads, each with its own epoll loop and its own
 *     SO_REUSEPORT listener on the same port (the kernel spreads connections); the loop state
 *     above is thread-local. The main thread only waits on the signalfd, then prints the
 *     counters summed over the threads and exits 0.
 *   - Prints exactly "listening on HOST:PORT\n" on stdout once ready. SIGTERM/SIGINT arrive
 *     through a signalfd in the epoll set (poll: in the pollfd array); the server then prints
 *     one JSON line of syscall counters to stderr and exits 0. Same keys in every mode: in
 *     poll mode "epoll_waits" counts poll() calls and "epoll_ctls" stays 0 (interest changes
 *     are writes to the array, not syscalls).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"

#define SCRATCH (64 * 1024)
#define PAUSE_AT (1024 * 1024)

_Static_assert(EPOLLIN == POLLIN && EPOLLOUT == POLLOUT && EPOLLERR == POLLERR && EPOLLHUP == POLLHUP,
               "poll mode uses epoll interest/event masks as poll masks");

typedef struct {
    int open, paused;      /* paused: reading stopped for back-pressure */
    int slot;              /* poll: index of this fd in pfds */
    uint32_t events;       /* currently registered interest mask (epoll bits) */
    uint8_t *out;          /* pending output is out[off, len) */
    size_t off, len, cap;
} conn_t;

static __thread struct {
    uint64_t epoll_waits, reads, writes, accepts, epoll_ctls, conns, bytes;
} st;  /* per thread (--threads): summed at exit */

static __thread int ep, lfd;   /* per thread (--threads): each has its own epoll and listener */
static int sfd, et_mode, poll_mode;
static __thread conn_t *tab;
static __thread size_t tab_n;
static struct pollfd *pfds;  /* poll: [0] listener, [1] signalfd, then one slot per connection */
static nfds_t npfd, pfd_cap;
static __thread uint8_t scratch[SCRATCH];

static void die(const char *what) { perror(what); exit(1); }

static void ctl(int op, int fd, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.fd = fd};
    st.epoll_ctls++;
    if (epoll_ctl(ep, op, fd, &ev) < 0) die("epoll_ctl");
}

/* Adds fd to the interest set; returns its pollfd slot (poll) or -1 (epoll). */
static int watch(int fd, uint32_t events) {
    if (!poll_mode) { ctl(EPOLL_CTL_ADD, fd, events); return -1; }
    if (npfd == pfd_cap) {
        pfd_cap = pfd_cap ? 2 * pfd_cap : 1024;
        if (!(pfds = realloc(pfds, pfd_cap * sizeof *pfds))) die("realloc");
    }
    /* revents 0: a slot appended during a scan is first looked at after the next poll() */
    pfds[npfd] = (struct pollfd){.fd = fd, .events = (short)events};
    return (int)npfd++;
}

static void rewatch(int fd, conn_t *c, uint32_t events) {
    c->events = events;
    if (poll_mode) pfds[c->slot].events = (short)events;
    else ctl(EPOLL_CTL_MOD, fd, events);
}

/* poll: swap-removes c's slot (the last slot, always a connection, moves into it).
 * epoll: nothing to do, close() removes the fd from the epoll set. */
static void unwatch(conn_t *c) {
    if (!poll_mode) return;
    pfds[c->slot] = pfds[--npfd];
    tab[pfds[c->slot].fd].slot = c->slot;
}

static uint32_t base_events(void) { return et_mode ? EPOLLIN | EPOLLRDHUP | EPOLLET : EPOLLIN; }

/* Re-registers fd if its wanted mask (pending output, paused reading) changed. */
static void update_events(int fd, conn_t *c) {
    uint32_t want = base_events();
    if (c->len > c->off) want |= EPOLLOUT;
    if (c->paused && !et_mode) want &= ~(uint32_t)EPOLLIN;  /* lt/poll would spin on unread input */
    if (want != c->events) rewatch(fd, c, want);
}

static void close_conn(int fd) {
    conn_t *c = &tab[fd];
    unwatch(c);
    free(c->out);
    memset(c, 0, sizeof *c);
    close(fd);
}

static void append(conn_t *c, const uint8_t *p, size_t n) {
    if (c->len + n > c->cap) {
        if (c->off) { memmove(c->out, c->out + c->off, c->len - c->off); c->len -= c->off; c->off = 0; }
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n) cap *= 2;
        if (cap != c->cap && !(c->out = realloc(c->out, cap))) die("realloc");
        c->cap = cap;
    }
    memcpy(c->out + c->len, p, n);
    c->len += n;
}

/* Writes pending output. Returns -1 if the connection was closed. */
static int flush_out(int fd, conn_t *c) {
    while (c->len > c->off) {
        st.writes++;
        ssize_t n = write(fd, c->out + c->off, c->len - c->off);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            close_conn(fd);
            return -1;
        }
        c->off += (size_t)n;
        if (c->off < c->len) break;  /* short write: the socket buffer is full */
    }
    if (c->off == c->len) c->off = c->len = 0;
    return 0;
}

/* Echoes n bytes read from fd. Returns -1 if the connection was closed. */
static int echo(int fd, conn_t *c, const uint8_t *p, size_t n) {
    st.bytes += n;
    if (c->len == c->off) {  /* nothing queued: write directly */
        st.writes++;
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno != EAGAIN && errno != EINTR) { close_conn(fd); return -1; }
            w = 0;
        }
        p += w;
        n -= (size_t)w;
    }
    if (n) append(c, p, n);
    if (c->len - c->off > PAUSE_AT) c->paused = 1;
    return 0;
}

/* Reads once (lt, poll) or until EAGAIN (et). Returns -1 if the connection was closed. */
static int on_readable(int fd, conn_t *c) {
    do {
        if (c->paused) return 0;
        st.reads++;
        ssize_t n = read(fd, scratch, SCRATCH);
        if (n == 0) { close_conn(fd); return -1; }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return 0;
            close_conn(fd);
            return -1;
        }
        if (echo(fd, c, scratch, (size_t)n) < 0) return -1;
    } while (et_mode);
    return 0;
}

static void on_accept(int lfd) {
    for (;;) {
        st.accepts++;
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN) perror("accept4");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if ((size_t)fd >= tab_n) {
            size_t n = tab_n ? tab_n : 1024;
            while (n <= (size_t)fd) n *= 2;
            if (!(tab = realloc(tab, n * sizeof *tab))) die("realloc");
            memset(tab + tab_n, 0, (n - tab_n) * sizeof *tab);
            tab_n = n;
        }
        st.conns++;
        tab[fd] = (conn_t){.open = 1, .events = base_events()};
        tab[fd].slot = watch(fd, tab[fd].events);
    }
}

/* ev: epoll event bits, or poll revents (the same bits for IN/OUT/ERR/HUP). */
static void on_conn_event(int fd, uint32_t ev) {
    conn_t *c = &tab[fd];
    if (ev & EPOLLERR) { close_conn(fd); return; }
    if ((ev & EPOLLOUT) && flush_out(fd, c) < 0) return;
    int readable = (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0;
    if (c->paused && c->len == c->off) {
        c->paused = 0;
        readable |= et_mode;  /* et: input that arrived while paused raises no new edge */
    }
    if (readable && on_readable(fd, c) < 0) return;
    update_events(fd, c);
}

static void stop(void) {
    fprintf(stderr,
            "{\"mode\":\"%s\",\"epoll_waits\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"writes\":%" PRIu64
            ",\"accepts\":%" PRIu64 ",\"epoll_ctls\":%" PRIu64 ",\"conns\":%" PRIu64 ",\"bytes\":%" PRIu64 "}\n",
            poll_mode ? "poll" : et_mode ? "et" : "lt", st.epoll_waits, st.reads, st.writes, st.accepts,
            st.epoll_ctls, st.conns, st.bytes);
    exit(0);
}

static void dispatch(int fd, uint32_t ev) {
    if (fd == lfd) on_accept(lfd);
    else if (fd == sfd) stop();
    else if ((size_t)fd < tab_n && tab[fd].open) on_conn_event(fd, ev);
}

static void run_epoll(void) {
    struct epoll_event evs[512];
    for (;;) {
        st.epoll_waits++;
        int n = epoll_wait(ep, evs, 512, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) dispatch(evs[i].data.fd, evs[i].events);
    }
}

static void run_poll(void) {
    for (;;) {
        st.epoll_waits++;
        int n = poll(pfds, npfd, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        /* Back to front: a close moves the last slot (already handled, or appended by accept
         * during this scan) into the slot just handled, so no ready entry is skipped. */
        for (nfds_t i = npfd; i-- > 0 && n > 0;) {
            uint32_t ev = (uint16_t)pfds[i].revents;
            if (!ev) continue;
            n--;
            if (ev & POLLNVAL) { fprintf(stderr, "echo_server: poll: fd %d not open\n", pfds[i].fd); exit(1); }
            dispatch(pfds[i].fd, ev);
        }
    }
}


/* --threads N: one epoll loop per thread, each on its own SO_REUSEPORT listener. ---------- */
#include <pthread.h>

#define MAX_THREADS 256
static __typeof__(st) *thread_st[MAX_THREADS];  /* each thread's counters, summed at exit */
static int thread_lfd[MAX_THREADS];

static void *loop_thread(void *arg) {
    int i = (int)(intptr_t)arg;
    thread_st[i] = &st;
    lfd = thread_lfd[i];
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
    watch(lfd, et_mode ? EPOLLIN | EPOLLET : EPOLLIN);
    run_epoll();
    return NULL;
}

/* The first listener picks the port (0: ephemeral); the others join it. Never returns. */
static void run_threads(const char *host, const char *port, int backlog, int n) {
    thread_lfd[0] = listen_on(host, port, backlog, 1);
    char bound[16];
    snprintf(bound, sizeof bound, "%d", bound_port(thread_lfd[0]));
    for (int i = 1; i < n; i++) thread_lfd[i] = listen_on(host, bound, backlog, 1);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, loop_thread, (void *)(intptr_t)i)) die("pthread_create");
        pthread_detach(t);
    }
    printf("listening on %s:%s\n", host, bound);
    fflush(stdout);
    struct pollfd p = {.fd = sfd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR) die("poll");
    for (int i = 0; i < n; i++) {  /* racy reads of live counters: fine for a summary */
        if (!thread_st[i]) continue;
        st.epoll_waits += thread_st[i]->epoll_waits; st.reads += thread_st[i]->reads;
        st.writes += thread_st[i]->writes; st.accepts += thread_st[i]->accepts;
        st.epoll_ctls += thread_st[i]->epoll_ctls; st.conns += thread_st[i]->conns;
        st.bytes += thread_st[i]->bytes;
    }
    stop();
}

static void usage(void) {
    fprintf(stderr, "usage: echo_server [--host 127.0.0.1] [--port 0] [--mode lt|et|poll] [--backlog 1024] [--threads N]\n");
    exit(1);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *port = "0";
    int backlog = 1024, threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = v;
        else if (!strcmp(a, "--backlog")) backlog = atoi(v);
        else if (!strcmp(a, "--threads") && (threads = atoi(v)) >= 1 && threads <= MAX_THREADS) {}
        else if (!strcmp(a, "--mode") && !strcmp(v, "lt")) { et_mode = 0; poll_mode = 0; }
        else if (!strcmp(a, "--mode") && !strcmp(v, "et")) { et_mode = 1; poll_mode = 0; }
        else if (!strcmp(a, "--mode") && !strcmp(v, "poll")) { et_mode = 0; poll_mode = 1; }
        else usage();
        i++;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    signal(SIGTERM, SIG_DFL);  /* an inherited SIG_IGN would discard them before the signalfd */
    signal(SIGINT, SIG_DFL);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die("sigprocmask");
    if ((sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) die("signalfd");

    if (threads > 1) {
        if (poll_mode) usage();
        run_threads(host, port, backlog, threads);
    }
    lfd = listen_on(host, port, backlog, 0);
    if (!poll_mode && (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
    watch(lfd, et_mode ? EPOLLIN | EPOLLET : EPOLLIN);  /* poll: slot 0 */
    watch(sfd, EPOLLIN);                                /* poll: slot 1 */
    printf("listening on %s:%d\n", host, bound_port(lfd));
    fflush(stdout);

    if (poll_mode) run_poll();
    else run_epoll();
}
