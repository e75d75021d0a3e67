/* keyed_stream.h — counter-based per-connection byte streams for the connection holder.
 *
 * Owns: the byte at offset `off` of connection stream `key`, computed from (key, word index)
 * alone, so a sender and a checker need no shared state, only an offset. connhold.c uses it:
 * it holds tens of thousands of mostly idle connections, each sending a few bytes, where
 * stream.h's period buffer (built for the echo load generator's throughput) brings nothing.
 * Rules: header-only, no allocation; little-endian byte order within each 64-bit word.
 */
#ifndef ECHO_KEYED_STREAM_H
#define ECHO_KEYED_STREAM_H
#include "stream.h" /* splitmix64 */

/* Key of connection `idx` for run seed `seed`. */
static inline uint64_t stream_key(uint64_t seed, uint64_t idx) {
    return splitmix64(splitmix64(seed) ^ (idx * 0xD6E8FEB86659FD93ull));
}

static inline uint64_t stream_word(uint64_t key, uint64_t i) {
    return splitmix64(key + i * 0x9E3779B97F4A7C15ull);
}

static inline uint8_t stream_byte(uint64_t key, uint64_t off) {
    return (uint8_t)(stream_word(key, off >> 3) >> (8 * (off & 7)));
}

/* Writes stream bytes [off, off+n) into buf. */
static inline void stream_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t n) {
    size_t i = 0;
    while (i < n && ((off + i) & 7)) { buf[i] = stream_byte(key, off + i); i++; }
    for (; i + 8 <= n; i += 8) {
        uint64_t w = stream_word(key, (off + i) >> 3);
        memcpy(buf + i, &w, 8);
    }
    for (; i < n; i++) buf[i] = stream_byte(key, off + i);
}

/* Compares buf with stream bytes [off, off+n); returns the index of the first mismatch, or n. */
static inline size_t stream_check(uint64_t key, uint64_t off, const uint8_t *buf, size_t n) {
    size_t i = 0;
    while (i < n && ((off + i) & 7)) {
        if (buf[i] != stream_byte(key, off + i)) return i;
        i++;
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t w = stream_word(key, (off + i) >> 3), got;
        memcpy(&got, buf + i, 8);
        if (got != w) break;  /* the byte loop below pinpoints it */
    }
    for (; i < n; i++)
        if (buf[i] != stream_byte(key, off + i)) return i;
    return n;
}
#endif
