/* parse_only: the machine's jansson limit on the benchmark's message shape. Parses pre-built
 * messages exactly as the wall's network thread does (json_loadb with JSON_REJECT_DUPLICATES |
 * JSON_DECODE_ANY, the object check, reading "seq") and frees them; one thread. Prints JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "msg.h"

#define DISTINCT 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double seconds = 2;
    size_t bytes = 100;
    unsigned keys = 12;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--seconds")) seconds = atof(v), i++;
        else if (!strcmp(a, "--bytes")) bytes = (size_t)atol(v), i++;
        else if (!strcmp(a, "--keys")) keys = (unsigned)atoi(v), i++;
        else {
            fprintf(stderr, "usage: parse_only [--seconds S] [--bytes B] [--keys K]\n");
            return 2;
        }
    }
    if (keys < 1) keys = 1;
    static char text[DISTINCT][BENCH_MSG_MAX];
    static size_t len[DISTINCT];
    uint64_t sent_us = 1764000000000000ull;
    for (unsigned i = 0; i < DISTINCT; i++) {
        uint64_t seq = 1000000 + i;
        len[i] = bench_msg(text[i], bytes, bench_key(seq, keys), bench_value(seq), seq,
                           sent_us + i * 10);
    }
    /* warm-up */
    for (unsigned i = 0; i < DISTINCT; i++) {
        json_error_t e;
        json_decref(json_loadb(text[i], len[i], JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e));
    }
    uint64_t n = 0, bad = 0;
    json_int_t check = 0;
    double t0 = now_s(), t;
    do {
        for (unsigned i = 0; i < DISTINCT; i++) {
            json_error_t e;
            json_t *m = json_loadb(text[i], len[i], JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
            if (!m || !json_is_object(m)) {
                bad++;
            } else {
                check += json_integer_value(json_object_get(m, "seq"));
            }
            json_decref(m);
        }
        n += DISTINCT;
        t = now_s();
    } while (t - t0 < seconds);
    double secs = t - t0;
    printf("{\"messages\":%llu,\"bytes\":%zu,\"seconds\":%.3f,\"rate\":%.0f,\"ns_per_message\":%.1f,"
           "\"invalid\":%llu,\"check\":%lld}\n",
           (unsigned long long)n, len[0], secs, (double)n / secs, secs * 1e9 / (double)n,
           (unsigned long long)bad, (long long)(check & 0xff));
    return bad ? 1 : 0;
}
