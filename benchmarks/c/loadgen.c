/* loadgen.c — closed-loop, checksumming load generator for the echo benchmark.
 *
 * Owns: the command line, connecting, starting the worker threads, and reporting one JSON line
 * on stdout (merged over the workers). Progress (-v) and errors go to stderr only.
 *   loadgen --host 127.0.0.1 --port P [-c CONNS] [-d DEPTH] [-s SIZE] [-j THREADS]
 *           [--warmup SEC] [--duration SEC] [--max-seconds SEC] [--flood N] [--flood-depth D]
 *           [--light-rate MSGS_PER_SEC] [--idle N] [--seed N] [-v]
 * Rules:
 *   - Every connection sends its own deterministic stream (stream.h: a shared pseudo-random
 *     period keyed by --seed, at a per-connection phase) and checks every echoed byte against
 *     it. A corrupt byte, an extra byte, EOF or a reset prints an error and exits 1.
 *   - Closed loop: a connection keeps DEPTH messages of SIZE bytes issued; each completed
 *     message (SIZE more bytes back) issues one more. Partial writes resume on EPOLLOUT, which
 *     is armed only while bytes are pending.
 *   - Latency of a message = from the moment write() accepted its LAST byte to the moment its
 *     last echoed byte was read (CLOCK_MONOTONIC), in a log-linear histogram (hist.h).
 *   - Phases: connect all (main thread), warm-up (not counted), measure (--duration; msgs and
 *     bytes count what completes/arrives inside the window), then drain: no new messages are
 *     issued and everything already in flight is still received and verified before exit 0.
 *   - -j N (default 1) splits the connections over N threads (connection i on thread i % N),
 *     each with its own epoll set; the figures are merged. Use it when one client core cannot
 *     keep up and more cores are free.
 *   - The JSON reports the client's own CPU over the measured window ("cpu_pct": user+system
 *     time of all its threads / wall time, 100 = one core), so a caller can tell a saturated
 *     client from a saturated server.
 *   - --max-seconds (default warmup+duration+10) bounds the whole run: when exceeded, the
 *     stuck connections are named on stderr and the exit status is 2.
 *   - --flood N: connections 0..N-1 keep --flood-depth (default 64) messages in flight; the
 *     others are "light" and are also reported separately. --light-rate R paces every light
 *     connection to at most R new messages per second (still at most DEPTH in flight).
 *   - --idle N: N extra connections to the same server, opened before the -c ones, that connect
 *     and then stay silent: they never send, are not in the results (the JSON only gains
 *     "idle":N) and do not count toward -c. Warm-up starts only once they and the -c
 *     connections are all connected. Once connected, an idle connection is registered for
 *     EPOLLRDHUP only (EPOLLERR/EPOLLHUP are implicit), so it costs nothing per event while the
 *     server leaves it alone; any event on it means the server closed or reset it: error, exit
 *     1. After the drain, one non-blocking recv per idle connection must fail with EAGAIN
 *     (catches a close, or stray bytes, that epoll had no chance to report).
 *   - On failure stdout still gets one JSON line: {"errors":1,"exit":CODE,"error":"..."}.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"
#include "stream.h"

struct opts o = {.host = "127.0.0.1", .conns = 1, .depth = 1, .flood_depth = 64, .size = 64, .threads = 1,
                 .warmup = 1.0, .duration = 5.0, .max_seconds = -1, .seed = 1};
conn_t *cs;
const uint8_t *pattern;
uint64_t t_meas, t_end, t_hard, pace_interval;

static worker_t *ws;
/* The period buffer and the workers' read buffers are static (.bss), not malloc'd. With both
 * malloc'd (glibc mmaps 128 KiB and more; the block starts 16 bytes into a page) the kernel's
 * copy into the read buffer ran 5x slower on the test VM (perf: _copy_to_iter 35 samples per
 * 1000 messages against 6-7 static or explicitly mmap'd, same run), and the client cost twice
 * the C server per 16 KiB message. Untouched pages of .bss cost nothing. */
static uint8_t period_buf[STREAM_BUF_LEN];
static uint8_t read_bufs[MAX_THREADS][STREAM_MAX_SPAN];
static int nconnected;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

void fail(int code, const char *fmt, ...) {
    pthread_mutex_lock(&fail_lock);  /* never unlocked: the first failure is the one reported */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "loadgen: %s\n", msg);
    for (char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\') *p = '\'';
    printf("{\"errors\":1,\"exit\":%d,\"error\":\"%s\"}\n", code, msg);
    fflush(stdout);
    _exit(code);
}

static int is_idle(int i) { return i >= o.conns; }

const char *conn_name(int i) {
    static char name[32];
    snprintf(name, sizeof name, is_idle(i) ? "idle conn %d" : "conn %d", is_idle(i) ? i - o.conns : i);
    return name;
}

static void ctl(int ep, int op, int i, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, op, cs[i].fd, &ev) < 0) fail(1, "epoll_ctl: %s", strerror(errno));
}

static int owner(int i) { return is_idle(i) ? 0 : i % o.threads; }

void report_stuck(worker_t *w, const char *phase_name) {
    int shown = 0, stuck = 0;
    for (int i = 0; i < o.conns + o.idle; i++) {
        conn_t *c = &cs[i];
        if ((w && owner(i) != w->id) || (c->connected && c->recvd == c->issued)) continue;
        if (++stuck <= 20)
            fprintf(stderr, "loadgen:   %s: %s issued=%llu sent=%llu received=%llu\n", conn_name(i),
                    c->connected ? "connected" : "NOT connected", (ull)c->issued, (ull)c->sent, (ull)c->recvd);
        else shown = 1;
    }
    if (shown) fprintf(stderr, "loadgen:   ... %d stuck connections in all\n", stuck);
    fail(2, "timeout after %.1f s in %s phase: %d stuck connections (%llu bytes in flight)", o.max_seconds,
         phase_name, stuck, (ull)(w ? w->outstanding : 0));
}

static void open_socket(int ep, int i, const struct addrinfo *ai) {
    conn_t *c = &cs[i];
    c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) fail(1, "socket (%s): %s", conn_name(i), strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
        fail(1, "%s connect to %s:%s: %s", conn_name(i), o.host, o.port, strerror(errno));
    ctl(ep, EPOLL_CTL_ADD, i, EPOLLOUT);  /* writable = connect finished (check SO_ERROR) */
}

static void open_conns(int ep) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(o.host, o.port, &hints, &ai);
    if (rc) fail(1, "%s:%s: %s", o.host, o.port, gai_strerror(rc));
    size_t total_depth = 0;
    for (int i = 0; i < o.conns; i++) total_depth += i < o.flood ? (size_t)o.flood_depth : (size_t)o.depth;
    uint64_t *ring = calloc(total_depth, sizeof *ring);
    if (!(cs = calloc((size_t)o.conns + (size_t)o.idle, sizeof *cs)) || !ring) fail(1, "out of memory");
    for (int i = o.conns; i < o.conns + o.idle; i++) open_socket(ep, i, ai);  /* idle ones first */
    for (int i = 0; i < o.conns; i++) {
        conn_t *c = &cs[i];
        c->flood = i < o.flood;
        c->depth = c->credits = (uint32_t)(c->flood ? o.flood_depth : o.depth);
        c->ts = ring;
        ring += c->depth;
        c->phase = stream_phase(o.seed, (uint64_t)i);
        open_socket(ep, i, ai);
    }
    freeaddrinfo(ai);
}

static void on_connected(int ep, int i) {
    conn_t *c = &cs[i];
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) fail(1, "%s connect to %s:%s: %s", conn_name(i), o.host, o.port, strerror(err));
    c->connected = 1;
    nconnected++;
    if (owner(i) == 0) ctl(ep, EPOLL_CTL_MOD, i, is_idle(i) ? EPOLLRDHUP : EPOLLIN);
    else ctl(ep, EPOLL_CTL_DEL, i, 0);  /* moves to its worker's epoll set at start */
}

/* Connects every connection from the main thread on `ep` (worker 0's set); bounded by t_hard. */
static void connect_all(int ep) {
    struct epoll_event evs[512];
    while (nconnected < o.conns + o.idle) {
        uint64_t now = now_ns();
        if (now >= t_hard) report_stuck(NULL, "connect");
        int n = epoll_wait(ep, evs, 512, (int)((t_hard - now + 999999) / 1000000));
        if (n < 0 && errno != EINTR) fail(1, "epoll_wait: %s", strerror(errno));
        for (int k = 0; k < n; k++) on_connected(ep, (int)evs[k].data.u32);
    }
}

/* Sets the run's deadlines and the pacing grid, hands each worker its connections, runs them. */
static void run_workers(int ep0) {
    uint64_t now = now_ns();
    t_meas = now + (uint64_t)(o.warmup * 1e9);
    t_end = t_meas + (uint64_t)(o.duration * 1e9);
    if (o.verbose) fprintf(stderr, "loadgen: %d connections (+%d idle) up on %d thread(s), warming up\n", o.conns, o.idle, o.threads);
    for (int i = o.flood; pace_interval && i < o.conns; i++)  /* stagger paced conns over one interval */
        cs[i].next_due = now + pace_interval * (uint64_t)(i - o.flood) / (uint64_t)(o.conns - o.flood);
    for (int j = 0; j < o.threads; j++) {
        worker_t *w = &ws[j];
        w->id = j;
        w->ep = j == 0 ? ep0 : epoll_create1(EPOLL_CLOEXEC);
        if (w->ep < 0) fail(1, "epoll_create1: %s", strerror(errno));
        w->rbuf = read_bufs[j];
        for (int i = j; j > 0 && i < o.conns; i += o.threads) ctl(w->ep, EPOLL_CTL_ADD, i, EPOLLIN);
    }
    for (int j = 1; j < o.threads; j++)
        if ((errno = pthread_create(&ws[j].thread, NULL, worker_run, &ws[j]))) fail(1, "pthread_create: %s", strerror(errno));
    worker_run(&ws[0]);
    for (int j = 1; j < o.threads; j++) pthread_join(ws[j].thread, NULL);
}

/* After the drain: every idle connection must still be open and silent. */
static void check_idle(void) {
    uint8_t byte;
    for (int i = o.conns; i < o.conns + o.idle; i++) {
        ssize_t n = recv(cs[i].fd, &byte, 1, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n > 0) fail(1, "%s received bytes although it never sent any", conn_name(i));
        fail(1, "%s was closed by the server (%s)", conn_name(i), n == 0 ? "EOF" : strerror(errno));
    }
}

static void print_hist(const char *prefix, const hist_t *h) {
    printf("%s\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f", prefix,
           hist_quantile(h, 0.50) / 1e3, hist_quantile(h, 0.99) / 1e3, hist_quantile(h, 0.999) / 1e3,
           h->max / 1e3, h->total ? (double)h->sum / (double)h->total / 1e3 : 0.0);
}

static double tv_sec(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

/* Merges the workers' figures into worker 0's record and prints the JSON line. */
static void print_result(void) {
    worker_t *t = &ws[0];
    double rate = 0, brate = 0, lrate = 0;
    for (int j = 0; j < o.threads; j++) {
        worker_t *w = &ws[j];
        double s = w->win_end > w->win_start ? (double)(w->win_end - w->win_start) / 1e9 : 1e-9;
        rate += w->win_msgs / s;
        brate += w->win_bytes / s;
        lrate += w->light_msgs / s;
        if (j == 0) continue;
        t->win_msgs += w->win_msgs, t->win_bytes += w->win_bytes, t->light_msgs += w->light_msgs;
        t->flood_msgs += w->flood_msgs, t->total_msgs += w->total_msgs, t->total_bytes += w->total_bytes;
        hist_merge(&t->h_all, &w->h_all);
        hist_merge(&t->h_light, &w->h_light);
    }
    double seconds = (double)(t->win_end - t->win_start) / 1e9;
    double cpu = tv_sec(t->ru_end.ru_utime) + tv_sec(t->ru_end.ru_stime) - tv_sec(t->ru_start.ru_utime) -
                 tv_sec(t->ru_start.ru_stime);
    double usr = tv_sec(t->ru_end.ru_utime) - tv_sec(t->ru_start.ru_utime);
    printf("{\"conns\":%d,\"depth\":%d,\"size\":%zu,\"threads\":%d", o.conns, o.depth, o.size, o.threads);
    if (o.idle) printf(",\"idle\":%d", o.idle);
    printf(",\"seconds\":%.3f,\"msgs\":%llu,\"bytes\":%llu,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f", seconds,
           (ull)t->win_msgs, (ull)t->win_bytes, rate, brate / 1e6);
    printf(",\"cpu_pct\":%.1f,\"cpu_user_pct\":%.1f", 100 * cpu / seconds, 100 * usr / seconds);
    print_hist(",", &t->h_all);
    if (o.flood) {
        printf(",\"light\":{\"conns\":%d,\"msgs\":%llu,\"msgs_per_sec\":%.1f", o.conns - o.flood,
               (ull)t->light_msgs, lrate);
        print_hist(",", &t->h_light);
        printf("},\"flood\":{\"conns\":%d,\"depth\":%d,\"msgs\":%llu}", o.flood, o.flood_depth, (ull)t->flood_msgs);
    }
    printf(",\"total_msgs\":%llu,\"total_bytes\":%llu,\"errors\":0}\n", (ull)t->total_msgs, (ull)t->total_bytes);
    fflush(stdout);
}

static void usage(const char *why) {
    fprintf(stderr, "loadgen: %s\nusage: loadgen --host 127.0.0.1 --port P [-c CONNS] [-d DEPTH] [-s SIZE] [-j THREADS]\n"
            "  [--warmup SEC] [--duration SEC] [--max-seconds SEC] [--flood N] [--flood-depth D]\n"
            "  [--light-rate MSGS_PER_SEC] [--idle N] [--seed N] [-v]\n", why);
    printf("{\"errors\":1,\"exit\":1,\"error\":\"bad arguments\"}\n");
    exit(1);
}

static double num(const char *name, const char *v, double lo, double hi) {
    char *end;
    double x = v ? strtod(v, &end) : 0;
    if (!v || *end || end == v || !(x >= lo && x <= hi)) {
        char msg[128];
        snprintf(msg, sizeof msg, "bad value for %s (want %g..%g)", name, lo, hi);
        usage(msg);
    }
    return x;
}

static void parse_args(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-v")) { o.verbose = 1; continue; }
        if (!v) usage("missing value");
        i++;
        if (!strcmp(a, "--host")) o.host = v;
        else if (!strcmp(a, "--port") || !strcmp(a, "-p")) o.port = v;
        else if (!strcmp(a, "-c") || !strcmp(a, "--conns")) o.conns = (int)num(a, v, 1, 1e6);
        else if (!strcmp(a, "-d") || !strcmp(a, "--depth")) o.depth = (int)num(a, v, 1, 1e6);
        else if (!strcmp(a, "-s") || !strcmp(a, "--size")) o.size = (size_t)num(a, v, 1, 1 << 30);
        else if (!strcmp(a, "-j") || !strcmp(a, "--threads")) o.threads = (int)num(a, v, 1, MAX_THREADS);
        else if (!strcmp(a, "--warmup")) o.warmup = num(a, v, 0, 1e6);
        else if (!strcmp(a, "--duration")) o.duration = num(a, v, 0.001, 1e6);
        else if (!strcmp(a, "--max-seconds")) o.max_seconds = num(a, v, 0.001, 1e7);
        else if (!strcmp(a, "--flood")) o.flood = (int)num(a, v, 0, 1e6);
        else if (!strcmp(a, "--flood-depth")) o.flood_depth = (int)num(a, v, 1, 1e6);
        else if (!strcmp(a, "--light-rate")) o.light_rate = num(a, v, 0, 1e9);
        else if (!strcmp(a, "--idle")) o.idle = (int)num(a, v, 0, 1e6);
        else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 0);
        else usage("unknown option");
    }
    if (!o.port) usage("--port is required");
    if (o.flood >= o.conns) usage("--flood must be less than -c");
    if (o.threads > o.conns) o.threads = o.conns;
    if (o.max_seconds < 0) o.max_seconds = o.warmup + o.duration + 10;
    if (o.light_rate > 0) pace_interval = (uint64_t)(1e9 / o.light_rate);
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)o.conns + (rlim_t)o.idle + 16 + (rlim_t)o.threads)
        fail(1, "RLIMIT_NOFILE %llu is too low for %d connections + %d idle", (ull)rl.rlim_cur, o.conns, o.idle);
    t_hard = now_ns() + (uint64_t)(o.max_seconds * 1e9);
    pattern = stream_init(period_buf, o.seed);
    if (!(ws = calloc((size_t)o.threads, sizeof *ws))) fail(1, "out of memory");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) fail(1, "epoll_create1: %s", strerror(errno));
    open_conns(ep);
    connect_all(ep);
    run_workers(ep);
    check_idle();
    print_result();
    return 0;
}
