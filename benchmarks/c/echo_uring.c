/* echo_uring.c — the C io_uring reference echo server for the echo benchmark (row c-uring),
 * beside echo_server.c's epoll LT/ET: the completion model written the way liburing's own
 * examples write it, so the reactor's io_uring mode has an honest upper bound.
 *
 *   echo_uring [--host 127.0.0.1] [--port 0] [--mode uring] [--backlog 1024]
 *
 * Owns: one single-threaded ring (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN, falling back to
 * COOP_TASKRUN, then to no flags, on older kernels) that echoes every byte back on the same
 * connection. Rules:
 *   - One multishot accept on the listener (accepted sockets are non-blocking, close-on-exec,
 *     TCP_NODELAY like echo_server.c's); one multishot recv per connection into provided buffers
 *     (one shared buffer ring: BUF_COUNT x BUF_SIZE bytes, so an idle connection holds none).
 *   - Each received buffer is sent back as is (no copy); a connection has at most one send in
 *     flight (io_uring does not order two sends on one socket), the others wait in a per-connection
 *     FIFO of buffer ids. A buffer goes back to the ring when its bytes were all sent.
 *   - Back-pressure: above PAUSE_AT queued bytes a connection's recv is cancelled, and re-armed
 *     once its queue is empty. A recv that ends with -ENOBUFS (the ring ran dry) is re-armed at the
 *     end of the turn in which buffers came back.
 *   - One io_uring_submit_and_wait(1) per turn, then every ready CQE. Closes on EOF, ECONNRESET,
 *     EPIPE: the recv is cancelled if still armed, and close(2) runs once neither a send nor the
 *     recv is in flight (so a recycled fd number never sees a stale completion).
 *   - Prints exactly "listening on HOST:PORT\n" once ready. SIGTERM/SIGINT arrive through a
 *     signalfd polled by the ring; the server then prints one JSON line of syscall counters to
 *     stderr and exits 0: io_uring_enters (every enter, including SQ-full submits), accepts
 *     (setsockopt calls for TCP_NODELAY, one per connection), closes; the epoll keys are 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"

#define BUF_COUNT 4096
#define BUF_SIZE (16 * 1024)
#define BGID 0
#define PAUSE_AT (1024 * 1024)
#define RING_ENTRIES 4096

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_SIGNAL, OP_CANCEL };

typedef struct {
    int open, recv_armed, paused, sending;
    int head, tail;          /* FIFO of buffer ids waiting to be sent (next[] links them) */
    uint32_t sent;           /* bytes of the head buffer already sent */
    size_t queued;           /* bytes waiting in the FIFO */
} conn_t;

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static uint8_t *bufs;
static uint32_t buf_len[BUF_COUNT];
static int next_bid[BUF_COUNT];
static conn_t *tab;
static size_t tab_n;
static int *starved, nstarved;   /* connections whose recv ended with -ENOBUFS */
static int returned;             /* buffers handed back this turn */
static struct {
    uint64_t enters, accepts, closes, conns, bytes, recvs, sends;
} st;

static void die(const char *what, int err) {
    fprintf(stderr, "echo_uring: %s: %s\n", what, strerror(err));
    exit(1);
}

static inline uint64_t ud(int op, int fd) { return (uint64_t)op << 32 | (uint32_t)fd; }

static struct io_uring_sqe *sqe_get(void) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {  /* SQ full: submit what is queued, then there is room */
        st.enters++;
        io_uring_submit(&ring);
        sqe = io_uring_get_sqe(&ring);
        if (!sqe) die("io_uring_get_sqe", EBUSY);
    }
    return sqe;
}

static void arm_recv(int fd) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BGID;
    io_uring_sqe_set_data64(sqe, ud(OP_RECV, fd));
    tab[fd].recv_armed = 1;
}

static void return_buf(int bid) {
    io_uring_buf_ring_add(br, bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, (unsigned short)bid,
                          io_uring_buf_ring_mask(BUF_COUNT), 0);
    io_uring_buf_ring_advance(br, 1);
    returned++;
}

static void send_head(int fd) {
    conn_t *c = &tab[fd];
    int bid = c->head;
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_send(sqe, fd, bufs + (size_t)bid * BUF_SIZE + c->sent, buf_len[bid] - c->sent, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, ud(OP_SEND, fd));
    c->sending = 1;
}

/* Drops the connection's queued output (its buffers go back to the ring). */
static void drop_queue(conn_t *c) {
    for (int bid = c->head; bid >= 0; bid = next_bid[bid]) return_buf(bid);
    c->head = c->tail = -1;
    c->queued = 0;
}

/* close(2) only once no request of ours names the fd: a recv still armed would keep the socket
 * open (io_uring holds its own reference), and a recycled fd number must never receive a stale
 * completion meant for the old connection. */
static void maybe_close(int fd) {
    conn_t *c = &tab[fd];
    if (c->open || c->sending || c->recv_armed) return;
    drop_queue(c);
    memset(c, 0, sizeof *c);
    c->head = c->tail = -1;
    st.closes++;
    close(fd);
}

static void cancel_recv(int fd) {
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_cancel64(sqe, ud(OP_RECV, fd), 0);
    io_uring_sqe_set_data64(sqe, ud(OP_CANCEL, fd));
}

/* EOF or an error: no more input; close once the send in flight and the recv have ended. */
static void finish(int fd) {
    conn_t *c = &tab[fd];
    if (!c->open) return;
    c->open = 0;
    if (c->recv_armed && !c->paused) cancel_recv(fd);
    maybe_close(fd);
}

static void on_recv(int fd, int res, unsigned flags) {
    conn_t *c = &tab[fd];
    if (!(flags & IORING_CQE_F_MORE)) c->recv_armed = 0;
    if (res > 0) {
        int bid = (int)(flags >> IORING_CQE_BUFFER_SHIFT);
        if (!c->open) { return_buf(bid); maybe_close(fd); return; }
        st.recvs++;
        st.bytes += (uint64_t)res;
        buf_len[bid] = (uint32_t)res;
        next_bid[bid] = -1;
        if (c->tail >= 0) next_bid[c->tail] = bid;
        else c->head = bid;
        c->tail = bid;
        c->queued += (size_t)res;
        if (!c->sending) { c->sent = 0; send_head(fd); }
        if (c->queued > PAUSE_AT && c->recv_armed && !c->paused) {
            cancel_recv(fd);
            c->paused = 1;
        }
        if (!c->recv_armed && !c->paused) arm_recv(fd);  /* ended without an error (CQ overflow) */
        return;
    }
    if (!c->open) { maybe_close(fd); return; }
    if (res == -ENOBUFS) { starved[nstarved++] = fd; return; }
    if (res == -ECANCELED && c->paused) return;  /* our back-pressure cancel: re-armed once drained */
    finish(fd);  /* 0: EOF; ECONNRESET and others: the connection is done */
}

static void on_send(int fd, int res) {
    conn_t *c = &tab[fd];
    c->sending = 0;
    if (res < 0) {  /* EPIPE, ECONNRESET: drop what is queued */
        drop_queue(c);
        finish(fd);
        maybe_close(fd);
        return;
    }
    st.sends++;
    int bid = c->head;
    c->sent += (uint32_t)res;
    if (c->sent < buf_len[bid]) { send_head(fd); return; }  /* short send: the rest */
    c->queued -= buf_len[bid];
    c->head = next_bid[bid];
    if (c->head < 0) c->tail = -1;
    c->sent = 0;
    return_buf(bid);
    if (c->head >= 0) { send_head(fd); return; }
    if (!c->open) { maybe_close(fd); return; }
    if (c->paused) { c->paused = 0; if (!c->recv_armed) arm_recv(fd); }
}

static void on_accept(int fd) {
    if ((size_t)fd >= tab_n) { close(fd); return; }
    int one = 1;
    st.accepts++;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = &tab[fd];
    memset(c, 0, sizeof *c);
    c->head = c->tail = -1;
    c->open = 1;
    st.conns++;
    arm_recv(fd);
}

static void stop(void) {
    fprintf(stderr,
            "{\"mode\":\"uring\",\"io_uring_enters\":%" PRIu64 ",\"epoll_waits\":0,\"reads\":0,\"writes\":0"
            ",\"accepts\":%" PRIu64 ",\"epoll_ctls\":0,\"closes\":%" PRIu64 ",\"conns\":%" PRIu64 ",\"bytes\":%" PRIu64
            ",\"recvs\":%" PRIu64 ",\"sends\":%" PRIu64 "}\n",
            st.enters, st.accepts, st.closes, st.conns, st.bytes, st.recvs, st.sends);
    exit(0);
}


static void setup_ring(void) {
    struct io_uring_params p;
    const unsigned tries[] = {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_COOP_TASKRUN, 0};
    int rc = -EINVAL;
    for (size_t i = 0; i < sizeof tries / sizeof tries[0] && rc == -EINVAL; i++) {
        memset(&p, 0, sizeof p);
        p.flags = tries[i] | IORING_SETUP_CQSIZE;
        p.cq_entries = RING_ENTRIES * 4;
        rc = io_uring_queue_init_params(RING_ENTRIES, &ring, &p);
    }
    if (rc < 0) die("io_uring_queue_init", -rc);
    if (posix_memalign((void **)&br, 4096, BUF_COUNT * sizeof(struct io_uring_buf))) die("posix_memalign", ENOMEM);
    struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)br, .ring_entries = BUF_COUNT, .bgid = BGID};
    if ((rc = io_uring_register_buf_ring(&ring, &reg, 0)) < 0) die("io_uring_register_buf_ring", -rc);
    io_uring_buf_ring_init(br);
    if (!(bufs = malloc((size_t)BUF_COUNT * BUF_SIZE))) die("malloc", ENOMEM);
    for (int i = 0; i < BUF_COUNT; i++)
        io_uring_buf_ring_add(br, bufs + (size_t)i * BUF_SIZE, BUF_SIZE, (unsigned short)i, io_uring_buf_ring_mask(BUF_COUNT), i);
    io_uring_buf_ring_advance(br, BUF_COUNT);
}

static void usage(void) {
    fprintf(stderr, "usage: echo_uring [--host 127.0.0.1] [--port 0] [--mode uring] [--backlog 1024]\n");
    exit(1);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *port = "0";
    int backlog = 1024;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = v;
        else if (!strcmp(a, "--backlog")) backlog = atoi(v);
        else if (!strcmp(a, "--mode") && !strcmp(v, "uring")) {}
        else usage();
        i++;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    struct rlimit rl;
    tab_n = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20) ? rl.rlim_cur : (1u << 20);
    if (!(tab = calloc(tab_n, sizeof *tab)) || !(starved = calloc(tab_n, sizeof *starved))) die("calloc", ENOMEM);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die("sigprocmask", errno);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) die("signalfd", errno);

    int lfd = listen_on(host, port, backlog, 0);
    setup_ring();
    struct io_uring_sqe *sqe = sqe_get();
    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, ud(OP_ACCEPT, lfd));
    sqe = sqe_get();
    io_uring_prep_poll_multishot(sqe, sfd, POLLIN);
    io_uring_sqe_set_data64(sqe, ud(OP_SIGNAL, sfd));
    printf("listening on %s:%d\n", host, bound_port(lfd));
    fflush(stdout);

    for (;;) {
        st.enters++;
        int rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) die("io_uring_submit_and_wait", -rc);
        struct io_uring_cqe *cqe;
        unsigned head, n = 0;
        returned = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            n++;
            int op = (int)(cqe->user_data >> 32), fd = (int)(uint32_t)cqe->user_data;
            switch (op) {
            case OP_RECV: on_recv(fd, cqe->res, cqe->flags); break;
            case OP_SEND: on_send(fd, cqe->res); break;
            case OP_ACCEPT:
                if (cqe->res >= 0) on_accept(cqe->res);
                if (!(cqe->flags & IORING_CQE_F_MORE)) {  /* the multishot accept ended (EMFILE...): re-arm */
                    sqe = sqe_get();
                    io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    io_uring_sqe_set_data64(sqe, ud(OP_ACCEPT, lfd));
                }
                break;
            case OP_SIGNAL: stop(); break;
            default: break;  /* OP_CANCEL: nothing to do */
            }
        }
        io_uring_cq_advance(&ring, n);
        if (returned && nstarved) {  /* buffers came back: re-arm the recvs that ran dry */
            for (int i = 0; i < nstarved; i++)
                if (tab[starved[i]].open && !tab[starved[i]].recv_armed && !tab[starved[i]].paused) arm_recv(starved[i]);
            nstarved = 0;
        }
    }
}
