/* clinic_queues.h: the parts of the clinic_queues plugin shared by its files (private header).
 * It must never be installed or included by the host: the plugin ABI is wallboard/plugin.h. */
#ifndef CLINIC_QUEUES_H
#define CLINIC_QUEUES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <wallboard/plugin.h>

#include "wbkit.h"

/* Bounds on what one instance keeps (see README.md). */
#define CQ_MAX_CLINICS 256
#define CQ_ID_SIZE 96      /* bytes with the NUL: longer ids are invalid */
#define CQ_NAME_SIZE 256   /* bytes with the NUL: longer names are invalid */
#define CQ_COUNTY_SIZE 64
#define CQ_MAX_TOP 10
#define CQ_MAX_COUNT WBKIT_EXACT_MAX /* beyond this a double no longer holds every integer */

/* The totals of a /clinics message, as indexes into cq_model.totals and .anim. */
enum cq_total {
    CQ_CLINICS,
    CQ_WAITING,
    CQ_SCANS,
    CQ_PRESCRIPTIONS,
    CQ_FLAGGED,
    CQ_TOTALS
};

typedef struct cq_clinic {
    char id[CQ_ID_SIZE];
    char name[CQ_NAME_SIZE];      /* Chinese name */
    char romanized[CQ_NAME_SIZE]; /* "" when the feed has none */
    char county[CQ_COUNTY_SIZE];  /* "" when the feed has none: the short name */
    double waiting, scans_pending, prescriptions, flagged;
    uint64_t touched;             /* when it was last set, in cq_model.clock ticks */
    wbkit_anim bar;               /* its waiting count, counting up on its bar */
} cq_clinic;

/* A one-point-per-period series of total waiting: closed periods in the ring, the running
 * period's latest value last. period_ms 0: one point per accepted message. */
typedef struct cq_series {
    wbkit_ring ring;
    int points;        /* the most points drawn; 0 = no sparkline */
    int period_ms;
    int has_open;
    uint64_t open_period; /* now_ms / period_ms of the running period */
    double open_value;
    double *scratch;   /* points slots: ring + running period, oldest first */
} cq_series;

typedef struct cq_model {
    cq_clinic *clinics;  /* CQ_MAX_CLINICS slots, `count` used, unordered */
    cq_clinic *spare;    /* as many slots, to build a snapshot without allocating */
    int count;
    uint64_t clock;      /* counts clinic writes: the oldest-touched is evicted */
    uint64_t evicted;    /* clinics dropped to stay within CQ_MAX_CLINICS */
    int has_totals;
    double totals[CQ_TOTALS];
    wbkit_anim anim[CQ_TOTALS];
    int ranked[CQ_MAX_CLINICS]; /* slots by waiting, largest first; `count` of them */
    int animate_ms;
} cq_model;

/* ---- cq_model.c --------------------------------------------------------------------------- */

/* Both slot arrays; 0, or -1 when out of memory (cq_model_free may still be called). */
int cq_model_init(cq_model *m, int animate_ms);
void cq_model_free(cq_model *m);

/* One /clinics message. Validates the whole message before changing anything, so a rejected
 * one leaves the model as it was. Returns WB_MSG_IGNORED, WB_MSG_CHANGED or WB_MSG_INVALID. */
int cq_model_apply(cq_model *m, const json_t *message, uint64_t now_ms);

/* Moves every count-up to now_ms. Returns 1 if a total or one of the first `visible` ranked
 * clinics moved (what is on screen), else 0. */
int cq_model_tick(cq_model *m, uint64_t now_ms, int visible);

/* ---- cq_series.c -------------------------------------------------------------------------- */

int cq_series_init(cq_series *s, int points, int period_ms);
void cq_series_free(cq_series *s);
void cq_series_add(cq_series *s, double value, uint64_t now_ms);
/* Closes the periods that have ended by now_ms, holding the last value through them. */
void cq_series_roll(cq_series *s, uint64_t now_ms);
/* The points to draw, oldest first, borrowed until the next call; *count of them. */
const double *cq_series_values(cq_series *s, int *count);

/* ---- cq_draw.c ---------------------------------------------------------------------------- */

/* What the tile needs to draw itself; owned by clinic_queues.c. */
typedef struct cq_view {
    const wb_host_services *svc;
    wb_host *host;
    const wbkit_title *title;
    cq_model *model;
    cq_series *series;
    int top;                  /* option: the most ranked rows */
    int has_thresholds, has_flagged_thresholds;
    wb_thresholds thresholds, flagged_thresholds;
} cq_view;

/* What the last render showed, for report(). */
typedef struct cq_drawn {
    int rows;       /* ranked rows drawn; -1 before the first render */
    int overflow;   /* some text or LED was shrunk or cut */
} cq_drawn;

void cq_draw(const cq_view *v, wb_rect rect, cq_drawn *out);

/* The level of a value against optional thresholds. */
wb_level cq_level(const cq_view *v, double value, int has, const wb_thresholds *t);

#endif /* CLINIC_QUEUES_H */
