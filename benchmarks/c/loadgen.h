/* loadgen.h — shared state of the echo load generator (loadgen.c, loadgen_worker.c).
 *
 * Owns: the options, the connection table and the per-thread worker record.
 * Threading: options, the period buffer and the run's deadlines are written by the main thread
 * before any worker starts and only read afterwards. Each connection belongs to exactly one
 * worker (connection i to worker i % threads) and is touched only by that worker's thread
 * until every worker has been joined. Idle connections belong to worker 0.
 */
#ifndef ECHO_LOADGEN_H
#define ECHO_LOADGEN_H
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>

#include "hist.h"

#define NS 1000000000ull
#define MAX_THREADS 64
#define NEVER UINT64_MAX

typedef unsigned long long ull;

typedef struct {                /* cs[0, conns) are active, cs[conns, conns+idle) idle */
    int fd, connected, out_armed, flood;
    uint32_t depth, credits;   /* credits: messages allowed but not yet issued */
    uint32_t phase;            /* where this connection's stream starts in the period buffer */
    uint64_t issued, sent, recvd;  /* stream byte offsets: recvd <= sent <= issued */
    uint64_t next_due;         /* --light-rate pacing */
    uint64_t *ts;              /* ring[depth]: when message m's last byte was written */
} conn_t;

enum { CONNECT, WARM, MEASURE, DRAIN };

typedef struct {
    int id, ep, phase;
    uint64_t pace_next, outstanding;
    uint64_t win_msgs, win_bytes, light_msgs, flood_msgs, total_msgs, total_bytes;
    uint64_t win_start, win_end;   /* when this worker actually entered/left MEASURE */
    struct rusage ru_start, ru_end; /* worker 0 only: the whole process's CPU at those moments */
    hist_t h_all, h_light;
    uint8_t *rbuf;                 /* STREAM_MAX_SPAN bytes (static: see loadgen.c) */
    pthread_t thread;
} worker_t;

extern struct opts {
    const char *host, *port;
    int conns, depth, flood, flood_depth, idle, threads, verbose;  /* threads <= MAX_THREADS */
    size_t size;
    double warmup, duration, max_seconds, light_rate;
    uint64_t seed;
} o;

extern conn_t *cs;
extern const uint8_t *pattern;          /* stream.h's period buffer */
extern uint64_t t_meas, t_end, t_hard;  /* planned start/end of the window, hard deadline */
extern uint64_t pace_interval;          /* --light-rate: ns between a light conn's messages */

uint64_t now_ns(void);
/* Prints the error on stderr and {"errors":1,...} on stdout, exits `code` (first caller wins). */
void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* "conn 3" or "idle conn 3", for messages (not thread-safe: use only on the way to fail). */
const char *conn_name(int i);
/* Names this worker's stuck connections on stderr and fails with exit status 2. */
void report_stuck(worker_t *w, const char *phase_name) __attribute__((noreturn));
/* Runs worker w's event loop from the warm-up until everything it issued came back. */
void *worker_run(void *w);
#endif
