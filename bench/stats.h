/* stats.h: sorting samples and reading a percentile from them, shared by the bench tools that
 * time many runs (frame_bench, startup). Header-only: the tools are single files. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdlib.h>

static inline int stats_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v ascending, as stats_pct needs. */
static inline void stats_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, stats_cmp);
}

/* The q-quantile (0..1) of n sorted samples, nearest rank; 0 if there are none. */
static inline double stats_pct(const double *v, int n, double q)
{
    if (n == 0)
        return 0;
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

#endif
