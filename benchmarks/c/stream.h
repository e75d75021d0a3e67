/* stream.h — deterministic per-connection byte streams for the echo load generator.
 *
 * Owns: the expected bytes of every connection, as one shared precomputed period buffer.
 * Every connection sends the same pseudo-random pattern of STREAM_PERIOD bytes, repeated, but
 * starting at its own phase: byte `off` of connection i is pattern[(phase_i + off) % PERIOD].
 * Sending is a write() straight from the buffer and checking is one memcmp() against it, so
 * the client spends its time in the kernel, not in generating or checking bytes.
 * Why this still catches what it must:
 *   - PERIOD is prime (2^17 - 1), so a lost, duplicated or inserted run of k bytes shifts the
 *     expected stream against a random pattern and the next compared bytes mismatch (2^-8 per
 *     byte), unless k is a multiple of PERIOD. Losing whole messages of S < PERIOD bytes hides
 *     only if PERIOD * S bytes (>= 8 MiB) vanish at once, far more than is ever in flight.
 *   - Phases of connections 0..PERIOD-1 are distinct (a stride coprime with the prime PERIOD),
 *     so bytes echoed on the wrong connection mismatch too.
 *   - The buffer and one read buffer (384 KiB) stay in a core's L2 cache: the kernel's copies
 *     from and to them, and the memcmp, do not miss.
 * Rules: the buffer is built once (stream_init), read-only afterwards (shared by the client's
 * threads), and holds PERIOD + STREAM_MAX_SPAN bytes so that any span of up to
 * STREAM_MAX_SPAN bytes starting anywhere in the period is contiguous.
 */
#ifndef ECHO_STREAM_H
#define ECHO_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define STREAM_PERIOD 131071u           /* prime, 2^17 - 1 */
#define STREAM_MAX_SPAN (128u * 1024u)  /* longest single read or write of the client */

static inline uint64_t splitmix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Fills the period buffer for run seed `seed`: PERIOD + MAX_SPAN bytes, the tail repeating
 * the head; `p` must hold STREAM_BUF_LEN bytes. Returns p. */
#define STREAM_BUF_LEN ((size_t)STREAM_PERIOD + STREAM_MAX_SPAN + 8)
static inline uint8_t *stream_init(uint8_t *p, uint64_t seed) {
    size_t len = (size_t)STREAM_PERIOD + STREAM_MAX_SPAN;
    for (size_t i = 0; i < STREAM_PERIOD; i += 8) {
        uint64_t w = splitmix64(seed + i * 0x9E3779B97F4A7C15ull);
        memcpy(p + i, &w, 8);  /* may spill up to 7 bytes past PERIOD: overwritten below */
    }
    for (size_t i = STREAM_PERIOD; i < len; i++) p[i] = p[i - STREAM_PERIOD];
    return p;
}

/* Phase of connection `idx` (distinct for idx < PERIOD). */
static inline uint32_t stream_phase(uint64_t seed, uint64_t idx) {
    return (uint32_t)((splitmix64(seed ^ 0x5DEECE66Dull) + idx * 0x9E3779B9ull) % STREAM_PERIOD);
}

/* Where stream offset `off` of a connection with phase `phase` starts in the buffer; the
 * next STREAM_MAX_SPAN bytes from there are that connection's next bytes. */
static inline size_t stream_pos(uint32_t phase, uint64_t off) {
    return (size_t)((phase + off) % STREAM_PERIOD);
}

/* Index of the first byte of buf[0, n) that differs from `want`, or n when they are equal. */
static inline size_t stream_mismatch(const uint8_t *want, const uint8_t *buf, size_t n) {
    if (memcmp(want, buf, n) == 0) return n;
    size_t i = 0;
    while (i < n && buf[i] == want[i]) i++;
    return i;
}
#endif
