/* loadgen.c — closed-loop, checksumming load generator for the echo benchmark.
 *
 * Owns: driving C connections against an echo server from one epoll loop and reporting one
 * JSON line on stdout. Progress (-v) and errors go to stderr only.
 *   loadgen --host 127.0.0.1 --port P [-c CONNS] [-d DEPTH] [-s SIZE] [--warmup SEC]
 *           [--duration SEC] [--max-seconds SEC] [--flood N] [--flood-depth D]
 *           [--light-rate MSGS_PER_SEC] [--idle N] [--seed N] [-v]
 * Rules:
 *   - Every connection sends its own deterministic stream (stream.h, keyed by --seed and the
 *     connection index) and checks every echoed byte against the same stream. A corrupt byte,
 *     an extra byte, EOF or a reset prints an error and exits 1.
 *   - Closed loop: a connection keeps DEPTH messages of SIZE bytes issued; each completed
 *     message (SIZE more bytes back) issues one more. Partial writes resume on EPOLLOUT, which
 *     is armed only while bytes are pending.
 *   - Latency of a message = from the moment write() accepted its LAST byte to the moment its
 *     last echoed byte was read (CLOCK_MONOTONIC), in a log-linear histogram (hist.h).
 *   - Phases: connect all, warm-up (not counted), measure (--duration; msgs and bytes count
 *     what completes/arrives inside the window), then drain: no new messages are issued and
 *     everything already in flight is still received and verified before exiting 0.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hist.h"
#include "stream.h"

#define BUF (64 * 1024)
#define NS 1000000000ull
#define NEVER UINT64_MAX

typedef unsigned long long ull;

typedef struct {                /* cs[0, conns) are active, cs[conns, conns+idle) idle */
    int fd, connected, out_armed, flood;
    uint32_t depth, credits;   /* credits: messages allowed but not yet issued */
    uint64_t key;
    uint64_t issued, sent, recvd;  /* stream byte offsets: recvd <= sent <= issued */
    uint64_t next_due;         /* --light-rate pacing */
    uint64_t *ts;              /* ring[depth]: when message m's last byte was written */
} conn_t;

enum { CONNECT, WARM, MEASURE, DRAIN };

static struct {
    const char *host, *port;
    int conns, depth, flood, flood_depth, idle, verbose;
    size_t size;
    double warmup, duration, max_seconds, light_rate;
    uint64_t seed;
} o = {.host = "127.0.0.1", .conns = 1, .depth = 1, .flood_depth = 64, .size = 64,
       .warmup = 1.0, .duration = 5.0, .max_seconds = -1, .seed = 1};

static conn_t *cs;
static int ep, phase = CONNECT, nconnected;
static uint64_t t_meas, t_end, t_hard, pace_interval, pace_next = NEVER, outstanding;
static uint64_t win_msgs, win_bytes, light_msgs, flood_msgs, total_msgs, total_bytes;
static double seconds;
static hist_t h_all, h_light;
static uint8_t rbuf[BUF], sbuf[BUF];

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void fail(int code, const char *fmt, ...) {
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
    exit(code);
}

static void ctl(int op, int i, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, op, cs[i].fd, &ev) < 0) fail(1, "epoll_ctl: %s", strerror(errno));
}

static int is_paced(const conn_t *c) { return pace_interval && !c->flood; }

/* Writes issued-but-unsent stream bytes; arms EPOLLOUT only while some remain. */
static void send_pending(int i) {
    conn_t *c = &cs[i];
    while (c->sent < c->issued) {
        size_t chunk = c->issued - c->sent < BUF ? (size_t)(c->issued - c->sent) : BUF;
        stream_fill(c->key, c->sent, sbuf, chunk);
        ssize_t n = write(c->fd, sbuf, chunk);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            fail(1, "conn %d write at offset %llu: %s", i, (ull)c->sent, strerror(errno));
        }
        uint64_t m = c->sent / o.size;
        c->sent += (uint64_t)n;
        if (c->sent / o.size > m) {
            uint64_t t = now_ns();
            for (; m < c->sent / o.size; m++) c->ts[m % c->depth] = t;
        }
        if ((size_t)n < chunk) break;  /* socket buffer full */
    }
    int want = c->sent < c->issued;
    if (want != c->out_armed) {
        c->out_armed = want;
        ctl(EPOLL_CTL_MOD, i, want ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

/* Turns credits into issued messages (all at once, or one per pacing interval). */
static void issue(int i, uint64_t now) {
    conn_t *c = &cs[i];
    if ((phase != WARM && phase != MEASURE) || !c->credits) return;
    uint32_t n = c->credits;
    if (is_paced(c)) {
        if (now < c->next_due) {
            if (c->next_due < pace_next) pace_next = c->next_due;
            return;
        }
        n = 1;  /* keep to the pacing grid; if late, allow at most one catch-up message */
        c->next_due = c->next_due + pace_interval > now ? c->next_due + pace_interval : now;
        if (c->credits > 1 && c->next_due < pace_next) pace_next = c->next_due;
    }
    c->credits -= n;
    c->issued += (uint64_t)n * o.size;
    outstanding += (uint64_t)n * o.size;
    send_pending(i);
}

static void on_readable(int i) {
    conn_t *c = &cs[i];
    ssize_t n = read(c->fd, rbuf, BUF);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0)
        fail(1, "conn %d read at offset %llu: %s", i, (ull)c->recvd, strerror(errno));
    if (n == 0)
        fail(1, "unexpected EOF on conn %d at offset %llu (%llu bytes in flight)", i, (ull)c->recvd,
             (ull)(c->sent - c->recvd));
    if (c->recvd + (uint64_t)n > c->sent)
        fail(1, "extra bytes on conn %d: received up to offset %llu but only %llu were sent", i,
             (ull)(c->recvd + (uint64_t)n), (ull)c->sent);
    size_t bad = stream_check(c->key, c->recvd, rbuf, (size_t)n);
    if (bad < (size_t)n)
        fail(1, "corrupt byte at conn %d offset %llu: got 0x%02x want 0x%02x", i,
             (ull)(c->recvd + bad), rbuf[bad], stream_byte(c->key, c->recvd + bad));
    uint64_t t = now_ns(), m = c->recvd / o.size;
    c->recvd += (uint64_t)n;
    outstanding -= (uint64_t)n;
    total_bytes += (uint64_t)n;
    if (phase == MEASURE) win_bytes += (uint64_t)n;
    for (; m < c->recvd / o.size; m++) {
        uint64_t lat = t - c->ts[m % c->depth];
        total_msgs++;
        c->credits++;
        if (phase != MEASURE) continue;
        win_msgs++;
        hist_record(&h_all, lat);
        if (c->flood) {
            flood_msgs++;
        } else if (o.flood) {
            light_msgs++;
            hist_record(&h_light, lat);
        }
    }
    issue(i, t);
}

static int is_idle(int i) { return i >= o.conns; }

/* "conn 3" or "idle conn 3", for messages. */
static const char *conn_name(int i) {
    static char name[32];
    snprintf(name, sizeof name, is_idle(i) ? "idle conn %d" : "conn %d", is_idle(i) ? i - o.conns : i);
    return name;
}

static void on_connected(int i) {
    conn_t *c = &cs[i];
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) fail(1, "%s connect to %s:%s: %s", conn_name(i), o.host, o.port, strerror(err));
    c->connected = 1;
    nconnected++;
    ctl(EPOLL_CTL_MOD, i, is_idle(i) ? EPOLLRDHUP : EPOLLIN);
}

/* Any event on a connected idle connection: the server closed or reset it. */
static void on_idle_event(int i, uint32_t events) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(cs[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
    fail(1, "%s was closed by the server (%s)", conn_name(i),
         err ? strerror(err) : events & EPOLLRDHUP ? "EOF" : "hang-up");
}

/* After the drain: every idle connection must still be open and silent. */
static void check_idle(void) {
    for (int i = o.conns; i < o.conns + o.idle; i++) {
        ssize_t n = recv(cs[i].fd, rbuf, 1, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n > 0) fail(1, "%s received bytes although it never sent any", conn_name(i));
        fail(1, "%s was closed by the server (%s)", conn_name(i), n == 0 ? "EOF" : strerror(errno));
    }
}

static void open_socket(int i, const struct addrinfo *ai) {
    conn_t *c = &cs[i];
    c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) fail(1, "socket (%s): %s", conn_name(i), strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
        fail(1, "%s connect to %s:%s: %s", conn_name(i), o.host, o.port, strerror(errno));
    ctl(EPOLL_CTL_ADD, i, EPOLLOUT);  /* writable = connect finished (check SO_ERROR) */
}

static void open_conns(void) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(o.host, o.port, &hints, &ai);
    if (rc) fail(1, "%s:%s: %s", o.host, o.port, gai_strerror(rc));
    size_t total_depth = 0;
    for (int i = 0; i < o.conns; i++) total_depth += i < o.flood ? (size_t)o.flood_depth : (size_t)o.depth;
    uint64_t *ring = calloc(total_depth, sizeof *ring);
    if (!(cs = calloc((size_t)o.conns + (size_t)o.idle, sizeof *cs)) || !ring) fail(1, "out of memory");
    for (int i = o.conns; i < o.conns + o.idle; i++) open_socket(i, ai);  /* idle ones first */
    for (int i = 0; i < o.conns; i++) {
        conn_t *c = &cs[i];
        c->flood = i < o.flood;
        c->depth = c->credits = (uint32_t)(c->flood ? o.flood_depth : o.depth);
        c->ts = ring;
        ring += c->depth;
        c->key = stream_key(o.seed, (uint64_t)i);
        open_socket(i, ai);
    }
    freeaddrinfo(ai);
}

static void report_stuck(void) {
    int shown = 0, stuck = 0;
    for (int i = 0; i < o.conns + o.idle; i++) {
        conn_t *c = &cs[i];
        if (c->connected && c->recvd == c->issued) continue;
        if (++stuck <= 20)
            fprintf(stderr, "loadgen:   %s: %s issued=%llu sent=%llu received=%llu\n", conn_name(i),
                    c->connected ? "connected" : "NOT connected", (ull)c->issued, (ull)c->sent, (ull)c->recvd);
        else shown = 1;
    }
    if (shown) fprintf(stderr, "loadgen:   ... %d stuck connections in all\n", stuck);
    static const char *names[] = {"connect", "warm-up", "measure", "drain"};
    fail(2, "timeout after %.1f s in %s phase: %d stuck connections (%llu bytes in flight)", o.max_seconds,
         names[phase], stuck, (ull)outstanding);
}

static void start(uint64_t now) {
    phase = o.warmup > 0 ? WARM : MEASURE;
    t_meas = now + (uint64_t)(o.warmup * 1e9);
    t_end = t_meas + (uint64_t)(o.duration * 1e9);
    if (o.verbose) fprintf(stderr, "loadgen: %d connections (+%d idle) up, warming up\n", o.conns, o.idle);
    for (int i = 0; i < o.conns; i++) {
        if (is_paced(&cs[i]))  /* stagger paced connections across one interval */
            cs[i].next_due = now + pace_interval * (uint64_t)(i - o.flood) / (uint64_t)(o.conns - o.flood);
        issue(i, now);
    }
}

static void tick(uint64_t now) {
    if (phase == WARM && now >= t_meas) {
        phase = MEASURE;
        t_meas = now;
        if (o.verbose) fprintf(stderr, "loadgen: measuring for %.1f s\n", o.duration);
    }
    if (phase == MEASURE && now >= t_end) {
        phase = DRAIN;
        seconds = (double)(now - t_meas) / 1e9;
        if (o.verbose) fprintf(stderr, "loadgen: draining %llu bytes in flight\n", (ull)outstanding);
    }
    if (pace_interval && (phase == WARM || phase == MEASURE) && now >= pace_next) {
        pace_next = NEVER;
        for (int i = o.flood; i < o.conns; i++) issue(i, now);
    }
    if (now >= t_hard) report_stuck();
}

static int timeout_ms(uint64_t now) {
    uint64_t d = t_hard;
    if (phase == WARM && t_meas < d) d = t_meas;
    if (phase == MEASURE && t_end < d) d = t_end;
    if ((phase == WARM || phase == MEASURE) && pace_next < d) d = pace_next;
    return d <= now ? 0 : (int)((d - now + 999999) / 1000000);
}

static void print_hist(const char *prefix, const hist_t *h) {
    printf("%s\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f", prefix,
           hist_quantile(h, 0.50) / 1e3, hist_quantile(h, 0.99) / 1e3, hist_quantile(h, 0.999) / 1e3,
           h->max / 1e3, h->total ? (double)h->sum / (double)h->total / 1e3 : 0.0);
}

static void print_result(void) {
    printf("{\"conns\":%d,\"depth\":%d,\"size\":%zu", o.conns, o.depth, o.size);
    if (o.idle) printf(",\"idle\":%d", o.idle);
    printf(",\"seconds\":%.3f,\"msgs\":%llu,\"bytes\":%llu,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f", seconds,
           (ull)win_msgs, (ull)win_bytes, win_msgs / seconds, win_bytes / seconds / 1e6);
    print_hist(",", &h_all);
    if (o.flood) {
        printf(",\"light\":{\"conns\":%d,\"msgs\":%llu,\"msgs_per_sec\":%.1f", o.conns - o.flood,
               (ull)light_msgs, light_msgs / seconds);
        print_hist(",", &h_light);
        printf("},\"flood\":{\"conns\":%d,\"depth\":%d,\"msgs\":%llu}", o.flood, o.flood_depth, (ull)flood_msgs);
    }
    printf(",\"total_msgs\":%llu,\"total_bytes\":%llu,\"errors\":0}\n", (ull)total_msgs, (ull)total_bytes);
    fflush(stdout);
}

static void usage(const char *why) {
    fprintf(stderr, "loadgen: %s\nusage: loadgen --host 127.0.0.1 --port P [-c CONNS] [-d DEPTH] [-s SIZE]\n"
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
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)o.conns + (rlim_t)o.idle + 16)
        fail(1, "RLIMIT_NOFILE %llu is too low for %d connections + %d idle", (ull)rl.rlim_cur, o.conns, o.idle);
    uint64_t now = now_ns();
    t_hard = now + (uint64_t)(o.max_seconds * 1e9);
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) fail(1, "epoll_create1: %s", strerror(errno));
    open_conns();

    struct epoll_event evs[512];
    for (;;) {
        now = now_ns();
        tick(now);
        if (phase == DRAIN && outstanding == 0) break;
        int n = epoll_wait(ep, evs, 512, timeout_ms(now));
        if (n < 0 && errno != EINTR) fail(1, "epoll_wait: %s", strerror(errno));
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            if (!cs[i].connected) {
                on_connected(i);
                if (nconnected == o.conns + o.idle) start(now_ns());
                continue;
            }
            if (is_idle(i)) on_idle_event(i, evs[k].events);  /* exits */
            if (evs[k].events & EPOLLOUT) send_pending(i);
            if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(i);
        }
    }
    check_idle();
    print_result();
    return 0;
}
