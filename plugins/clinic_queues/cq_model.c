/* cq_model.c: the clinic_queues state: /clinics messages validated, then applied; the ranking.
 * It must never change the state for a message it rejects, nor keep more than CQ_MAX_CLINICS. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinic_queues.h"

static const char *const total_keys[CQ_TOTALS] = {
    [CQ_CLINICS] = "clinics",
    [CQ_WAITING] = "waiting",
    [CQ_SCANS] = "scans_pending",
    [CQ_PRESCRIPTIONS] = "prescriptions",
    [CQ_FLAGGED] = "flagged",
};

int cq_model_init(cq_model *m, int animate_ms)
{
    *m = (cq_model){.animate_ms = animate_ms};
    m->clinics = calloc(CQ_MAX_CLINICS, sizeof *m->clinics);
    m->spare = calloc(CQ_MAX_CLINICS, sizeof *m->spare);
    for (int i = 0; i < CQ_TOTALS; i++) wbkit_anim_init(&m->anim[i], animate_ms);
    return m->clinics && m->spare ? 0 : -1;
}

void cq_model_free(cq_model *m)
{
    free(m->clinics);
    free(m->spare);
    m->clinics = m->spare = NULL;
    m->count = 0;
}

/* ---- validation --------------------------------------------------------------------------- */

/* A count: a whole number 0..CQ_MAX_COUNT. A real such as 12.0 is accepted (some JSON writers
 * print every number with a point); 12.5, a negative or a huge number is not a count. */
static int read_count(const json_t *object, const char *key, double *out)
{
    const json_t *v = json_object_get(object, key);
    if (!json_is_number(v)) return -1;
    double d = json_number_value(v);
    if (!isfinite(d) || d < 0 || d > CQ_MAX_COUNT || d != floor(d)) return -1;
    *out = d;
    return 0;
}

/* A string into buf. Absent (or null) is "" unless required; a required one must not be
 * empty. One that does not fit buf is invalid rather than cut: an id cut short could name
 * another clinic. */
static int read_text(const json_t *object, const char *key, int required, char *buf, size_t size)
{
    const json_t *v = json_object_get(object, key);
    if (!v || json_is_null(v)) {
        buf[0] = '\0';
        return required ? -1 : 0;
    }
    if (!json_is_string(v)) return -1;
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len >= size || memchr(s, '\0', len) || (required && len == 0)) return -1;
    memcpy(buf, s, len + 1);
    return 0;
}

static int parse_clinic(const json_t *j, cq_clinic *out)
{
    if (!json_is_object(j)) return -1;
    *out = (cq_clinic){0};
    if (read_text(j, "id", 1, out->id, sizeof out->id) != 0) return -1;
    if (read_text(j, "name", 1, out->name, sizeof out->name) != 0) return -1;
    if (read_text(j, "romanized", 0, out->romanized, sizeof out->romanized) != 0) return -1;
    if (read_text(j, "county", 0, out->county, sizeof out->county) != 0) return -1;
    if (read_count(j, "waiting", &out->waiting) != 0) return -1;
    if (read_count(j, "scans_pending", &out->scans_pending) != 0) return -1;
    if (read_count(j, "prescriptions", &out->prescriptions) != 0) return -1;
    if (read_count(j, "flagged", &out->flagged) != 0) return -1;
    return 0;
}

static int parse_totals(const json_t *j, double out[CQ_TOTALS])
{
    if (!json_is_object(j)) return -1;
    for (int i = 0; i < CQ_TOTALS; i++)
        if (read_count(j, total_keys[i], &out[i]) != 0) return -1;
    return 0;
}

/* ---- applying ----------------------------------------------------------------------------- */

static cq_clinic *find(cq_clinic *table, int count, const char *id)
{
    for (int i = 0; i < count; i++)
        if (strcmp(table[i].id, id) == 0) return &table[i];
    return NULL;
}

/* The slot for a clinic not in the table: a free one, or the oldest-touched one (evicted). */
static cq_clinic *new_slot(cq_model *m, cq_clinic *table, int *count)
{
    if (*count < CQ_MAX_CLINICS) return &table[(*count)++];
    cq_clinic *oldest = &table[0];
    for (int i = 1; i < *count; i++)
        if (table[i].touched < oldest->touched) oldest = &table[i];
    m->evicted++;
    return oldest;
}

/* Puts `in` into table, keeping the bar's count-up of the same clinic in table or, failing
 * that, in `before` (the table a snapshot replaces), so a bar moves on from where it was. */
static void put_clinic(cq_model *m, cq_clinic *table, int *count, const cq_clinic *in,
                       const cq_clinic *before, uint64_t now_ms)
{
    cq_clinic *slot = find(table, *count, in->id);
    wbkit_anim bar;
    if (slot) {
        bar = slot->bar;
    } else {
        slot = new_slot(m, table, count);
        if (before) bar = before->bar;
        else wbkit_anim_init(&bar, m->animate_ms);
    }
    *slot = *in;
    slot->bar = bar;
    slot->touched = ++m->clock;
    wbkit_anim_set(&slot->bar, slot->waiting, now_ms);
}

static void set_totals(cq_model *m, const double totals[CQ_TOTALS], uint64_t now_ms)
{
    for (int i = 0; i < CQ_TOTALS; i++) {
        m->totals[i] = totals[i];
        /* a repeated total leaves a running count-up alone (wbkit_anim_set) */
        wbkit_anim_set(&m->anim[i], totals[i], now_ms);
    }
    m->has_totals = 1;
}

static int by_waiting(const void *a, const void *b)
{
    const cq_clinic *x = *(const cq_clinic *const *)a, *y = *(const cq_clinic *const *)b;
    if (x->waiting != y->waiting) return x->waiting > y->waiting ? -1 : 1;
    return strcmp(x->id, y->id); /* a steady order for equal queues */
}

static void rank(cq_model *m)
{
    const cq_clinic *order[CQ_MAX_CLINICS];
    for (int i = 0; i < m->count; i++) order[i] = &m->clinics[i];
    qsort(order, (size_t)m->count, sizeof order[0], by_waiting);
    for (int i = 0; i < m->count; i++) m->ranked[i] = (int)(order[i] - m->clinics);
}

static int apply_snapshot(cq_model *m, const json_t *message, uint64_t now_ms)
{
    const json_t *list = json_object_get(message, "clinics");
    double totals[CQ_TOTALS];
    cq_clinic c;
    size_t i;
    const json_t *item;
    if (!json_is_array(list) || parse_totals(json_object_get(message, "totals"), totals) != 0)
        return WB_MSG_INVALID;
    json_array_foreach(list, i, item)
        if (parse_clinic(item, &c) != 0) return WB_MSG_INVALID;

    /* All valid: build the new table in the spare slots. Clinics absent from the snapshot
     * are gone; a snapshot of more than CQ_MAX_CLINICS keeps its last ones. */
    int count = 0;
    json_array_foreach(list, i, item) {
        parse_clinic(item, &c);
        put_clinic(m, m->spare, &count, &c, find(m->clinics, m->count, c.id), now_ms);
    }
    cq_clinic *old = m->clinics;
    m->clinics = m->spare;
    m->spare = old;
    m->count = count;
    set_totals(m, totals, now_ms);
    rank(m);
    return WB_MSG_CHANGED;
}

static int apply_update(cq_model *m, const json_t *message, uint64_t now_ms)
{
    double totals[CQ_TOTALS];
    cq_clinic c;
    if (parse_clinic(json_object_get(message, "clinic"), &c) != 0 ||
        parse_totals(json_object_get(message, "totals"), totals) != 0)
        return WB_MSG_INVALID;
    put_clinic(m, m->clinics, &m->count, &c, NULL, now_ms);
    set_totals(m, totals, now_ms);
    rank(m);
    return WB_MSG_CHANGED;
}

int cq_model_apply(cq_model *m, const json_t *message, uint64_t now_ms)
{
    const char *type = json_string_value(json_object_get(message, "type"));
    if (!type) return WB_MSG_IGNORED;
    if (strcmp(type, "clinics.snapshot") == 0) return apply_snapshot(m, message, now_ms);
    if (strcmp(type, "clinic.update") == 0) return apply_update(m, message, now_ms);
    return WB_MSG_IGNORED; /* another feed's message, or a type of a later schema */
}

int cq_model_tick(cq_model *m, uint64_t now_ms, int visible)
{
    int moved = 0;
    for (int i = 0; i < CQ_TOTALS; i++) moved |= wbkit_anim_tick(&m->anim[i], now_ms);
    /* every bar moves on, so one that enters the ranking later shows the right value; only
     * those on screen ask for frames */
    for (int i = 0; i < m->count; i++) {
        int bar_moved = wbkit_anim_tick(&m->clinics[m->ranked[i]].bar, now_ms);
        if (i < visible) moved |= bar_moved;
    }
    return moved;
}
