/* hist.h — fixed-size log-linear latency histogram (HDR-like), values in nanoseconds.
 *
 * Owns: recording and percentile queries. Rules: no allocation (the struct is a plain array),
 * values below 256 ns are exact, above that each power of two is split into 128 buckets
 * (relative error < 0.8%); values above 2^40 ns are clamped. Percentiles report the upper
 * edge of the bucket, capped at the exact maximum seen.
 */
#ifndef ECHO_HIST_H
#define ECHO_HIST_H
#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 8
#define HIST_HALF (1u << (HIST_SUB_BITS - 1))
#define HIST_MAX_BITS 40
#define HIST_BUCKETS ((HIST_MAX_BITS - HIST_SUB_BITS + 2) * HIST_HALF)

typedef struct {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total, max, sum;
} hist_t;

static inline void hist_reset(hist_t *h) { memset(h, 0, sizeof *h); }

static inline unsigned hist_index(uint64_t v) {
    if (v >= (1ull << HIST_MAX_BITS)) v = (1ull << HIST_MAX_BITS) - 1;
    if (v < (1u << HIST_SUB_BITS)) return (unsigned)v;
    unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - (HIST_SUB_BITS - 1);
    return shift * HIST_HALF + (unsigned)(v >> shift);
}

/* Highest value that maps to bucket idx. */
static inline uint64_t hist_upper(unsigned idx) {
    if (idx < (1u << HIST_SUB_BITS)) return idx;
    unsigned shift = idx / HIST_HALF - 1;
    uint64_t top = idx % HIST_HALF + HIST_HALF;
    return ((top + 1) << shift) - 1;
}

static inline void hist_record(hist_t *h, uint64_t v) {
    h->counts[hist_index(v)]++;
    h->total++;
    h->sum += v;
    if (v > h->max) h->max = v;
}

/* Adds every value recorded in `from` to `into` (merging per-thread histograms). */
static inline void hist_merge(hist_t *into, const hist_t *from) {
    for (unsigned i = 0; i < HIST_BUCKETS; i++) into->counts[i] += from->counts[i];
    into->total += from->total;
    into->sum += from->sum;
    if (from->max > into->max) into->max = from->max;
}

/* Value at quantile q in [0,1]; 0 when empty. */
static inline uint64_t hist_quantile(const hist_t *h, double q) {
    if (!h->total) return 0;
    uint64_t want = (uint64_t)(q * (double)h->total + 0.999999);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            uint64_t u = hist_upper(i);
            return u < h->max ? u : h->max;
        }
    }
    return h->max;
}
#endif
