/* startup: exec-to-first-presented-frame of a command, many runs. With latency_shim.so preloaded
 * (LD_PRELOAD in this process's environment, inherited) the child writes the CLOCK_MONOTONIC ns
 * from BENCH_T0_NS (taken here just before fork) to its first SDL_RenderPresent returning.
 * Also times each run to its exit. Prints JSON with p50/p90/min/max of both. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double q)
{
    if (n == 0)
        return 0;
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    int runs = 30, first = 1;
    const char *out = "/tmp/wb-startup.txt";
    while (first < argc && argv[first][0] == '-' && argv[first][1] == '-') {
        if (!strcmp(argv[first], "--runs") && first + 1 < argc) {
            runs = atoi(argv[first + 1]);
            first += 2;
        } else if (!strcmp(argv[first], "--file") && first + 1 < argc) {
            out = argv[first + 1];
            first += 2;
        } else if (!strcmp(argv[first], "--")) {
            first++;
            break;
        } else {
            break;
        }
    }
    if (first >= argc || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: startup [--runs N] [--file TMP] -- COMMAND [ARGS...]\n"
                        "  set LD_PRELOAD=.../latency_shim.so to get the first-frame time\n");
        return 2;
    }
    setenv("BENCH_STARTUP_OUT", out, 1);
    static double frame_ms[MAX_RUNS], exit_ms[MAX_RUNS];
    int nf = 0, ne = 0, failed = 0;
    for (int r = 0; r < runs; r++) {
        unlink(out);
        char t0s[32];
        uint64_t t0 = mono_ns();
        snprintf(t0s, sizeof t0s, "%llu", (unsigned long long)t0);
        setenv("BENCH_T0_NS", t0s, 1);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                dup2(devnull, 1);
                dup2(devnull, 2);
            }
            execv(argv[first], argv + first);
            _exit(127);
        }
        int status = 0;
        uint64_t deadline = t0 + 20ull * 1000000000u;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (mono_ns() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                failed++;
                break;
            }
            usleep(200);
        }
        uint64_t t1 = mono_ns();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            continue;
        }
        exit_ms[ne++] = (double)(t1 - t0) / 1e6;
        FILE *f = fopen(out, "r");
        unsigned long long ns;
        if (f && fscanf(f, "%llu", &ns) == 1)
            frame_ms[nf++] = (double)ns / 1e6;
        if (f)
            fclose(f);
    }
    unlink(out);
    qsort(frame_ms, (size_t)nf, sizeof *frame_ms, cmp);
    qsort(exit_ms, (size_t)ne, sizeof *exit_ms, cmp);
    printf("{\"runs\":%d,\"failed\":%d,\"first_frame_ms\":{\"n\":%d,\"p50\":%.2f,\"p90\":%.2f,"
           "\"min\":%.2f,\"max\":%.2f},\"exit_ms\":{\"n\":%d,\"p50\":%.2f,\"p90\":%.2f,"
           "\"min\":%.2f,\"max\":%.2f}}\n",
           runs, failed, nf, pct(frame_ms, nf, 0.5), pct(frame_ms, nf, 0.9),
           nf ? frame_ms[0] : 0, nf ? frame_ms[nf - 1] : 0, ne, pct(exit_ms, ne, 0.5),
           pct(exit_ms, ne, 0.9), ne ? exit_ms[0] : 0, ne ? exit_ms[ne - 1] : 0);
    return failed == runs;
}
