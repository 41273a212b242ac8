/* msg.h: the benchmark's message shape, shared by loadgen (sends it) and parse_only (parses it):
 * {"key":"kN","value":V,"seq":S,"sent_us":T,"pad":"xx.."} padded to a fixed size (~100 bytes). */
#ifndef BENCH_MSG_H
#define BENCH_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BENCH_MSG_MAX 4096

/* Decimal digits of v into p (no NUL); returns the count. */
static inline size_t bench_u64(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static inline size_t bench_put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

/* Writes one message of about `target` bytes into out (room for BENCH_MSG_MAX); the "pad" member
 * makes it exactly `target` when the fixed part is shorter. Returns its length. */
static inline size_t bench_msg(char *out, size_t target, unsigned key, uint64_t value,
                               uint64_t seq, uint64_t sent_us)
{
    char *p = out;
    p += bench_put(p, "{\"key\":\"k");
    p += bench_u64(p, key);
    p += bench_put(p, "\",\"value\":");
    p += bench_u64(p, value);
    p += bench_put(p, ",\"seq\":");
    p += bench_u64(p, seq);
    p += bench_put(p, ",\"sent_us\":");
    p += bench_u64(p, sent_us);
    size_t fixed = (size_t)(p - out) + sizeof ",\"pad\":\"\"}" - 1;
    if (target > BENCH_MSG_MAX)
        target = BENCH_MSG_MAX;
    if (target > fixed) {
        p += bench_put(p, ",\"pad\":\"");
        memset(p, 'x', target - fixed);
        p += target - fixed;
        *p++ = '"';
    }
    *p++ = '}';
    return (size_t)(p - out);
}

/* The value sent with sequence number `seq` (1-based): distinct per message, so the last value
 * of a key identifies the last message of that key. */
static inline uint64_t bench_value(uint64_t seq)
{
    return seq;
}

/* Key (1..keys) of the message with sequence number `seq`: round robin. */
static inline unsigned bench_key(uint64_t seq, unsigned keys)
{
    return (unsigned)((seq - 1) % keys) + 1;
}

#endif
