/* crash.h: the crash journal: which plugin was in which callback when a fatal signal came,
 * written by an async-signal-safe handler, and read at the next start to disable that plugin. */
#ifndef WB_CRASH_H
#define WB_CRASH_H

#include <stddef.h>
#include <stdint.h>

/* Where the wall was when the signal came. CRASH_HOST: outside every plugin callback (or on
 * another thread): journalled, but it disables nothing. */
typedef enum crash_callback {
    CRASH_HOST = 0,
    CRASH_LOAD,          /* dlopen (the plugin's constructors) and its entry function */
    CRASH_CREATE,
    CRASH_DESTROY,
    CRASH_ON_MESSAGE,
    CRASH_ON_FEED_STATE,
    CRASH_RENDER,
    CRASH_TICK,
    CRASH_REPORT,
    CRASH_UNLOAD,        /* dlclose (the plugin's destructors) */
    CRASH_SAVE,          /* hot reload, on the old code */
    CRASH_RESTORE,       /* hot reload, on the new code */
    CRASH_CALLBACK_COUNT
} crash_callback;

/* Names are copied into the journal at most this long (with the NUL); a longer plugin name
 * would not match at the next start, so plugin names are compared on the same copy. */
#define CRASH_NAME_MAX 128
#define CRASH_LINE_MAX (3 * CRASH_NAME_MAX + 96)

/* One line of the journal:
 *   time=1764064800 signal=11 callback=on_message plugin=crash_on_message tile=boom
 * Names have every byte <= 0x20 and 0x7f replaced by '_' so a line always splits on spaces. */
typedef struct crash_entry {
    int64_t time;                 /* epoch seconds */
    int signal;
    crash_callback callback;
    char plugin[CRASH_NAME_MAX];  /* "-" for CRASH_HOST */
    char tile[CRASH_NAME_MAX];
} crash_entry;

/* "on_message", "host", ... */
const char *crash_callback_name(crash_callback cb);
/* "SIGSEGV" for the five fatal signals handled, else NULL. */
const char *crash_signal_name(int sig);
/* `name` as the journal writes it (see crash_entry), into out. */
void crash_sanitize(const char *name, char *out, size_t size);

/* Formats one journal line (with its '\n'); async-signal-safe (no stdio, no locale), so the
 * handler and the tests share it. Returns its length. `size` must be CRASH_LINE_MAX or more. */
size_t crash_format_line(char *buf, size_t size, int64_t time, int sig, crash_callback cb,
                         const char *plugin, const char *tile);
/* Parses one line (without its '\n'). 0, or -1 with the reason in err. */
int crash_parse_line(const char *line, crash_entry *out, char *err, size_t err_size);

/* The state folder: $XDG_STATE_HOME/wallboard, or ~/.local/state/wallboard when it is unset or
 * not absolute (as the XDG spec says). 0, or -1 with err (no HOME). */
int crash_state_dir(char *out, size_t size, char *err, size_t err_size);

/* Creates the state folder (0700, parents too) and opens its `crashes` file (O_APPEND, 0600)
 * for the handler; a file over 1 MiB is first cut to its last 256 KiB of whole lines. 0, or -1
 * with err: the wall then runs without a journal. */
int crash_journal_open(char *err, size_t err_size);
/* The journal's path, or NULL when none is open. */
const char *crash_journal_path(void);
/* Empties the journal (--reset-crashes). 0, or -1 with err. */
int crash_journal_reset(char *err, size_t err_size);
/* Reads the journal's last MiB into a malloc'ed array (free it). A malformed line is logged
 * with its number and skipped. 0, or -1 with err. */
int crash_journal_read(crash_entry **entries, size_t *count, char *err, size_t err_size);
void crash_journal_close(void);

/* The table the handler reads: one slot per tile, names copied now so that the handler only
 * indexes it. Call before any plugin code runs; 0 or -1 (out of memory: crashes are then
 * journalled as host crashes). */
int crash_slots_prepare(size_t count);
void crash_slot_set(size_t slot, const char *plugin, const char *tile);
void crash_slots_free(void);

/* Marks that tile `slot` is in `cb` until crash_leave(returned value). */
int crash_enter(size_t slot, crash_callback cb);
void crash_leave(int previous);
/* The slot whose callback is running, or -1 (services use it to blame a bad handle). */
long crash_current_slot(void);

/* Installs the handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT on an alternate stack
 * (a stack overflow is caught too). Install it after anything else that sets one (ASan does at
 * start): the last one installed is the one that runs. 0, or -1 with err. */
int crash_install_handlers(char *err, size_t err_size);

#endif
