/* test_feeds_units.c: unit tests of wallboard-feeds' socket-free parts: queue, envelope, calendar, fields, models.
 * It must never depend on timing: models are stepped with explicit times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fields.h"
#include "sim.h"
#include "source.h"
#include "wire.h"

static wire_msg *msg_of(const char *json)
{
    char err[128];
    json_t *j = json_loads(json, 0, NULL);
    wire_msg *m = wire_msg_build(j, err, sizeof err);
    json_decref(j);
    assert_non_null(m);
    return m;
}

static int payload_is(wire_msg *m, const char *json)
{
    return m->len == strlen(json) && memcmp(wire_msg_payload(m), json, m->len) == 0;
}

static void test_outq_drops_oldest_event_never_the_snapshot(void **state)
{
    (void)state;
    char err[128];
    outq q;
    assert_int_equal(outq_init(&q, 4, err, sizeof err), 0);
    wire_msg *s1 = msg_of("{\"s\":1}"), *s2 = msg_of("{\"s\":2}");
    wire_msg *e[5];
    for (int i = 0; i < 5; i++) {
        char t[16];
        snprintf(t, sizeof t, "{\"e\":%d}", i);
        e[i] = msg_of(t);
    }
    assert_int_equal(outq_push(&q, s1), 0);
    assert_int_equal(outq_push(&q, s2), 0);
    outq_pin(&q);
    assert_int_equal(outq_push(&q, e[0]), 0);
    assert_int_equal(outq_push(&q, e[1]), 0);
    /* Full: e0 goes, then e1; the two snapshot messages stay first. */
    assert_int_equal(outq_push(&q, e[2]), 1);
    assert_int_equal(outq_push(&q, e[3]), 1);
    assert_int_equal(q.count, 4);
    assert_int_equal(q.dropped, 2);
    const char *want[] = { "{\"s\":1}", "{\"s\":2}", "{\"e\":2}", "{\"e\":3}" };
    for (int i = 0; i < 4; i++) {
        wire_msg *m = outq_pop(&q);
        assert_true(payload_is(m, want[i]));
        wire_msg_unref(m);
    }
    assert_null(outq_pop(&q));
    assert_int_equal(q.pinned, 0);
    /* Everything pinned and full: the new message is the one dropped. */
    outq_push(&q, s1);
    outq_push(&q, s2);
    outq_push(&q, s1);
    outq_push(&q, s2);
    outq_pin(&q);
    assert_int_equal(outq_push(&q, e[4]), 1);
    assert_int_equal(q.count, 4);
    outq_free(&q);
    wire_msg_unref(s1);
    wire_msg_unref(s2);
    for (int i = 0; i < 5; i++) wire_msg_unref(e[i]);
}

static void test_envelope_leads_and_money_prints_in_fen(void **state)
{
    (void)state;
    char err[128];
    json_t *body = json_pack("{s:s, s:o, s:i, s:i}", "type", "trade", "price", fen_json(123456),
                             "seq", 99, "ts", 98);
    json_t *msg = wire_envelope(body, 7, 1700000000000, err, sizeof err);
    wire_msg *m = wire_msg_build(msg, err, sizeof err);
    /* The body's own seq/ts never leak through: the envelope's win, in front. */
    assert_true(payload_is(m, "{\"type\":\"trade\",\"v\":1,\"seq\":7,\"ts\":1700000000000,"
                              "\"price\":1234.56}"));
    wire_msg_unref(m);
    json_decref(msg);
    json_decref(body);
    json_t *untyped = json_pack("{s:i}", "x", 1);
    assert_null(wire_envelope(untyped, 1, 1, err, sizeof err));
    json_decref(untyped);
    assert_true(wire_is_snapshot_type("snapshot"));
    assert_true(wire_is_snapshot_type("clinics.snapshot"));
    assert_false(wire_is_snapshot_type(".snapshot"));
    assert_false(wire_is_snapshot_type("clinic.update"));
}

static void test_calendar_and_clock(void **state)
{
    (void)state;
    int32_t d;
    char out[11];
    assert_int_equal(sim_parse_date("2026-11-25", &d), 0);
    sim_format_date(d + 6, 0, out);
    assert_string_equal(out, "2026-12-01");
    sim_format_date(d + 37, 1, out);
    assert_string_equal(out, "20270101");
    assert_int_equal(sim_parse_date("2024-02-29", &d), 0);
    assert_int_equal(sim_parse_date("2026-02-29", &d), -1);
    assert_int_equal(sim_parse_date("2026-1-05", &d), -1);
    assert_int_equal(sim_parse_date("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    int64_t ms;
    assert_int_equal(sim_parse_clock("08:10", &ms), 0);
    assert_int_equal(ms, 8 * SIM_HOUR_MS + 10 * SIM_MINUTE_MS);
    assert_int_equal(sim_parse_clock("23:60", &ms), -1);
    assert_int_equal(sim_parse_clock("8:10", &ms), -1);

    /* sim_due_us is the least server time at which the simulated clock has reached it. */
    unsigned scales[] = { 1, 7, 60, 3600 };
    for (size_t i = 0; i < 4; i++) {
        sim_clock c = { 0, 8 * SIM_HOUR_MS, scales[i] };
        for (int64_t t = c.start_ms; t < c.start_ms + 5000; t += 137) {
            int64_t us = sim_due_us(&c, t);
            assert_true(sim_now_ms(&c, us) >= t);
            assert_true(us == 0 || sim_now_ms(&c, us - 1) < t);
        }
    }
    sim_clock stopped = { 0, 0, 0 };
    assert_true(sim_due_us(&stopped, 1) == INT64_MAX);
    assert_int_equal(sim_due_us(&stopped, 0), 0);
}

static void test_profile_interpolates_and_wraps(void **state)
{
    (void)state;
    const sim_point p[] = { { 6 * 60, 100 }, { 12 * 60, 700 }, { 22 * 60, 100 } };
    assert_int_equal(sim_profile(p, 3, 6 * SIM_HOUR_MS), 100);
    assert_int_equal(sim_profile(p, 3, 9 * SIM_HOUR_MS), 400);
    assert_int_equal(sim_profile(p, 3, 12 * SIM_HOUR_MS + SIM_DAY_MS), 700);
    /* From 22:00 to 06:00 across midnight it stays at 100. */
    assert_int_equal(sim_profile(p, 3, 2 * SIM_HOUR_MS), 100);
    assert_int_equal(sim_profile(p, 3, 23 * SIM_HOUR_MS), 100);
}

static void test_fields_name_what_is_wrong(void **state)
{
    (void)state;
    char err[128];
    json_t *o = json_pack("{s:i, s:f, s:s, s:i}", "n", 3, "r", 3.0, "s", "", "neg", -1);
    int64_t v;
    const char *s;
    assert_int_equal(field_count(o, "clinic", "n", &v, err, sizeof err), 0);
    assert_int_equal(v, 3);
    assert_int_equal(field_count(o, "clinic", "r", &v, err, sizeof err), -1);
    assert_string_equal(err, "clinic.r: expected an integer >= 0");
    assert_int_equal(field_count(o, "clinic", "neg", &v, err, sizeof err), -1);
    assert_int_equal(field_count(o, NULL, "missing", &v, err, sizeof err), -1);
    assert_string_equal(err, "\"missing\": expected an integer >= 0");
    assert_int_equal(field_string(o, "x", "s", 1, &s, err, sizeof err), -1);
    assert_int_equal(field_string(o, "x", "s", 0, &s, err, sizeof err), 0);
    assert_int_equal(field_fen(o, "t", "r", &v, err, sizeof err), 0);
    assert_int_equal(v, 300);
    json_decref(o);
}

/* Serialized snapshot of a model, for comparisons. */
static char *snapshot_text(const feed_source *src, void *model)
{
    char err[128];
    json_t *s = src->snapshot(model, err, sizeof err);
    assert_non_null(s);
    char *text = json_dumps(s, WIRE_JSON_FLAGS);
    json_decref(s);
    return text;
}

/* For every built-in source: two models from the same args step the same events; an empty
 * model fed the snapshot and then those events ends in the same state; a bad message changes
 * nothing. */
static void test_models_replay_what_they_generate(void **state)
{
    (void)state;
    char err[256];
    size_t count;
    const feed_source *const *sources = feed_sources(&count);
    feed_source_args live = { .seed = 42, .rate = 50, .start_day = 20000,
                              .start_ms = 8 * SIM_HOUR_MS, .time_scale = 600 };
    feed_source_args empty = { .empty = 1 };
    for (size_t i = 0; i < count; i++) {
        const feed_source *src = sources[i];
        void *a = src->create(&live, err, sizeof err), *b = src->create(&live, err, sizeof err);
        void *r = src->create(&empty, err, sizeof err);
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(r);
        json_t *opening = src->snapshot(a, err, sizeof err);
        size_t k;
        json_t *body;
        json_array_foreach(opening, k, body) assert_int_equal(src->apply(r, body, err, sizeof err), 0);
        json_decref(opening);
        int events = 0;
        for (int64_t now = 0; now <= 10000000; now += 250000) {
            json_t *ea, *eb;
            int ra, rb;
            while ((ra = src->step(a, now, &ea, err, sizeof err)) == 1) {
                rb = src->step(b, now, &eb, err, sizeof err);
                assert_int_equal(rb, 1);
                assert_true(json_equal(ea, eb));
                assert_int_equal(src->apply(a, ea, err, sizeof err), 0);
                assert_int_equal(src->apply(b, eb, err, sizeof err), 0);
                assert_int_equal(src->apply(r, ea, err, sizeof err), 0);
                json_decref(ea);
                json_decref(eb);
                events++;
            }
            assert_int_equal(ra, 0);
            assert_true(src->next_due_us(a) > now);
        }
        assert_true(events > 100);
        char *sa = snapshot_text(src, a), *sr = snapshot_text(src, r);
        assert_string_equal(sa, sr);
        /* All or nothing: a message of another type is refused and leaves the state alone. */
        json_t *junk = json_pack("{s:s, s:i}", "type", "nonsense", "seq", 1);
        assert_int_equal(src->apply(r, junk, err, sizeof err), -1);
        assert_non_null(strstr(err, src->path));
        json_decref(junk);
        char *again = snapshot_text(src, r);
        assert_string_equal(again, sr);
        free(sa);
        free(sr);
        free(again);
        src->destroy(a);
        src->destroy(b);
        src->destroy(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outq_drops_oldest_event_never_the_snapshot),
        cmocka_unit_test(test_envelope_leads_and_money_prints_in_fen),
        cmocka_unit_test(test_calendar_and_clock),
        cmocka_unit_test(test_profile_interpolates_and_wraps),
        cmocka_unit_test(test_fields_name_what_is_wrong),
        cmocka_unit_test(test_models_replay_what_they_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
