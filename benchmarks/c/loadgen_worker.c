/* loadgen_worker.c — one load-generator thread: its connections' closed loop, from warm-up
 * to drain, on its own epoll set.
 *
 * Owns: issuing, sending, receiving, verifying and timing the messages of the connections
 * assigned to this worker, and its share of the counters and histograms (merged by the main
 * thread after the join). Threading: touches only its own worker_t and its own connections.
 * Cost rules (the client must not be the bottleneck):
 *   - No byte is generated or copied to send: write() goes straight from the shared period
 *     buffer (stream.h), up to STREAM_MAX_SPAN bytes per call, so a batch of issued messages is
 *     one write.
 *   - Received bytes are checked with one memcmp against the same buffer; reads take up to
 *     STREAM_MAX_SPAN bytes.
 *   - One clock read per read() and per write() that completes messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loadgen.h"
#include "stream.h"

static void ctl(worker_t *w, int op, int i, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)i};
    if (epoll_ctl(w->ep, op, cs[i].fd, &ev) < 0) fail(1, "epoll_ctl: %s", strerror(errno));
}

static int is_paced(const conn_t *c) { return pace_interval && !c->flood; }

/* Writes issued-but-unsent stream bytes; arms EPOLLOUT only while some remain. */
static void send_pending(worker_t *w, int i) {
    conn_t *c = &cs[i];
    while (c->sent < c->issued) {
        size_t chunk = c->issued - c->sent < STREAM_MAX_SPAN ? (size_t)(c->issued - c->sent) : STREAM_MAX_SPAN;
        ssize_t n = write(c->fd, pattern + stream_pos(c->phase, c->sent), chunk);
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
        ctl(w, EPOLL_CTL_MOD, i, want ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

/* Turns credits into issued messages (all at once, or one per pacing interval). */
static void issue(worker_t *w, int i, uint64_t now) {
    conn_t *c = &cs[i];
    if ((w->phase != WARM && w->phase != MEASURE) || !c->credits) return;
    uint32_t n = c->credits;
    if (is_paced(c)) {
        if (now < c->next_due) {
            if (c->next_due < w->pace_next) w->pace_next = c->next_due;
            return;
        }
        n = 1;  /* keep to the pacing grid; if late, allow at most one catch-up message */
        c->next_due = c->next_due + pace_interval > now ? c->next_due + pace_interval : now;
        if (c->credits > 1 && c->next_due < w->pace_next) w->pace_next = c->next_due;
    }
    c->credits -= n;
    c->issued += (uint64_t)n * o.size;
    w->outstanding += (uint64_t)n * o.size;
    send_pending(w, i);
}

static void on_readable(worker_t *w, int i) {
    conn_t *c = &cs[i];
    ssize_t n = read(c->fd, w->rbuf, STREAM_MAX_SPAN);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) fail(1, "conn %d read at offset %llu: %s", i, (ull)c->recvd, strerror(errno));
    if (n == 0)
        fail(1, "unexpected EOF on conn %d at offset %llu (%llu bytes in flight)", i, (ull)c->recvd,
             (ull)(c->sent - c->recvd));
    if (c->recvd + (uint64_t)n > c->sent)
        fail(1, "extra bytes on conn %d: received up to offset %llu but only %llu were sent", i,
             (ull)(c->recvd + (uint64_t)n), (ull)c->sent);
    const uint8_t *want = pattern + stream_pos(c->phase, c->recvd);
    size_t bad = stream_mismatch(want, w->rbuf, (size_t)n);
    if (bad < (size_t)n)
        fail(1, "corrupt byte at conn %d offset %llu: got 0x%02x want 0x%02x", i, (ull)(c->recvd + bad),
             w->rbuf[bad], want[bad]);
    uint64_t t = now_ns(), m = c->recvd / o.size;
    c->recvd += (uint64_t)n;
    w->outstanding -= (uint64_t)n;
    w->total_bytes += (uint64_t)n;
    if (w->phase == MEASURE) w->win_bytes += (uint64_t)n;
    for (; m < c->recvd / o.size; m++) {
        uint64_t lat = t - c->ts[m % c->depth];
        w->total_msgs++;
        c->credits++;
        if (w->phase != MEASURE) continue;
        w->win_msgs++;
        hist_record(&w->h_all, lat);
        if (c->flood) {
            w->flood_msgs++;
        } else if (o.flood) {
            w->light_msgs++;
            hist_record(&w->h_light, lat);
        }
    }
    issue(w, i, t);
}

/* Any event on a connected idle connection: the server closed or reset it. */
static void on_idle_event(int i, uint32_t events) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(cs[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
    fail(1, "%s was closed by the server (%s)", conn_name(i),
         err ? strerror(err) : events & EPOLLRDHUP ? "EOF" : "hang-up");
}

static void tick(worker_t *w, uint64_t now) {
    if (w->phase == WARM && now >= t_meas) {
        w->phase = MEASURE;
        w->win_start = now;
        if (w->id == 0) getrusage(RUSAGE_SELF, &w->ru_start);
        if (o.verbose && w->id == 0) fprintf(stderr, "loadgen: measuring for %.1f s\n", o.duration);
    }
    if (w->phase == MEASURE && now >= t_end) {
        w->phase = DRAIN;
        w->win_end = now;
        if (w->id == 0) getrusage(RUSAGE_SELF, &w->ru_end);
        if (o.verbose) fprintf(stderr, "loadgen: worker %d draining %llu bytes in flight\n", w->id, (ull)w->outstanding);
    }
    if (pace_interval && (w->phase == WARM || w->phase == MEASURE) && now >= w->pace_next) {
        w->pace_next = NEVER;
        for (int i = w->id; i < o.conns; i += o.threads)
            if (!cs[i].flood) issue(w, i, now);
    }
    if (now >= t_hard) report_stuck(w, w->phase == DRAIN ? "drain" : w->phase == MEASURE ? "measure" : "warm-up");
}

static int timeout_ms(const worker_t *w, uint64_t now) {
    uint64_t d = t_hard;
    if (w->phase == WARM && t_meas < d) d = t_meas;
    if (w->phase == MEASURE && t_end < d) d = t_end;
    if ((w->phase == WARM || w->phase == MEASURE) && w->pace_next < d) d = w->pace_next;
    return d <= now ? 0 : (int)((d - now + 999999) / 1000000);
}

void *worker_run(void *arg) {
    worker_t *w = arg;
    uint64_t now = now_ns();
    w->phase = o.warmup > 0 ? WARM : MEASURE;
    if (w->phase == MEASURE) {
        w->win_start = now;
        if (w->id == 0) getrusage(RUSAGE_SELF, &w->ru_start);
    }
    w->pace_next = NEVER;
    for (int i = w->id; i < o.conns; i += o.threads) issue(w, i, now);

    struct epoll_event evs[512];
    for (;;) {
        now = now_ns();
        tick(w, now);
        if (w->phase == DRAIN && w->outstanding == 0) break;
        int n = epoll_wait(w->ep, evs, 512, timeout_ms(w, now));
        if (n < 0 && errno != EINTR) fail(1, "epoll_wait: %s", strerror(errno));
        for (int k = 0; k < n; k++) {
            int i = (int)evs[k].data.u32;
            if (i >= o.conns) on_idle_event(i, evs[k].events);  /* exits */
            if (evs[k].events & EPOLLOUT) send_pending(w, i);
            if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(w, i);
        }
    }
    return NULL;
}
