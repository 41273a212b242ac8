/* startup: exec-to-first-presented-frame of the wallboard, many runs. Each run appends
 * `--state FILE` to the command, notes CLOCK_MONOTONIC just before fork/exec, and after the child
 * exited reads `.wallboard.first_frame_mono_us` (CLOCK_MONOTONIC of the first presented frame,
 * written by the host) and `.wallboard.first_frame_ms` (main() to that frame) from FILE:
 * exec to first frame = first_frame_mono_us - t0. Also times each run to its exit.
 * Prints JSON with n/p50/p90/min/max of all three. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "stats.h"

#define MAX_RUNS 1000
#define MAX_ARGS 256

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void print_stats(const char *name, double *v, int n, int comma)
{
    stats_sort(v, (size_t)n);
    printf("\"%s\":{\"n\":%d,\"p50\":%.2f,\"p90\":%.2f,\"min\":%.2f,\"max\":%.2f}%s", name, n,
           stats_pct(v, n, 0.5), stats_pct(v, n, 0.9), n ? v[0] : 0, n ? v[n - 1] : 0, comma ? "," : "");
}

int main(int argc, char **argv)
{
    int runs = 30, first = 1;
    const char *state = "/tmp/wb-startup.state.json";
    while (first < argc && argv[first][0] == '-' && argv[first][1] == '-') {
        if (!strcmp(argv[first], "--runs") && first + 1 < argc) {
            runs = atoi(argv[first + 1]);
            first += 2;
        } else if (!strcmp(argv[first], "--state") && first + 1 < argc) {
            state = argv[first + 1];
            first += 2;
        } else if (!strcmp(argv[first], "--")) {
            first++;
            break;
        } else {
            break;
        }
    }
    int nargs = argc - first;
    if (nargs < 1 || nargs > MAX_ARGS - 3 || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr,
                "usage: startup [--runs N] [--state FILE] -- WALLBOARD [ARGS...]\n"
                "  runs WALLBOARD ARGS... --state FILE N times (e.g. --headless --frames 1) and\n"
                "  reads the first presented frame's CLOCK_MONOTONIC time from FILE\n");
        return 2;
    }
    char *child_argv[MAX_ARGS];
    for (int i = 0; i < nargs; i++)
        child_argv[i] = argv[first + i];
    child_argv[nargs] = "--state";
    child_argv[nargs + 1] = (char *)state;
    child_argv[nargs + 2] = NULL;

    static double frame_ms[MAX_RUNS], main_ms[MAX_RUNS], exit_ms[MAX_RUNS];
    int nf = 0, nm = 0, ne = 0, failed = 0, no_frame = 0;
    for (int r = 0; r < runs; r++) {
        unlink(state);
        uint64_t t0 = mono_us();
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                dup2(devnull, 1);
                dup2(devnull, 2);
            }
            execv(child_argv[0], child_argv);
            _exit(127);
        }
        int status = 0, killed = 0;
        uint64_t deadline = t0 + 20u * 1000000u;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (mono_us() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                killed = 1;
                break;
            }
            usleep(200);
        }
        uint64_t t1 = mono_us();
        if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            continue;
        }
        exit_ms[ne++] = (double)(t1 - t0) / 1e3;
        json_t *root = json_load_file(state, 0, NULL);
        json_t *self = json_object_get(root, "wallboard");
        json_t *mono = json_object_get(self, "first_frame_mono_us");
        json_t *from_main = json_object_get(self, "first_frame_ms");
        if (json_is_integer(mono) && (uint64_t)json_integer_value(mono) >= t0) {
            frame_ms[nf++] = (double)((uint64_t)json_integer_value(mono) - t0) / 1e3;
            if (json_is_number(from_main))
                main_ms[nm++] = json_number_value(from_main);
        } else {
            no_frame++;
        }
        json_decref(root);
    }
    unlink(state);
    printf("{\"runs\":%d,\"failed\":%d,\"no_first_frame\":%d,", runs, failed, no_frame);
    print_stats("first_frame_ms", frame_ms, nf, 1);
    print_stats("main_to_first_frame_ms", main_ms, nm, 1);
    print_stats("exit_ms", exit_ms, ne, 0);
    printf("}\n");
    return nf == 0;
}
