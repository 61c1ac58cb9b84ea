/* metrics_json.c — the report's figures as one JSON document for
 * benchmarks and scripts. Always valid JSON: strings escaped and made valid
 * UTF-8, non-finite numbers written as null. Times are seconds since the
 * run started, with microsecond resolution.
 *
 * Schema ("schema": "tessera-metrics/1"):
 *   run:      {script, version, nranks, nworkers, budget_nbytes, seed,
 *              t_now, finished, exit_status, running,
 *              progress: null | {tasks, total, elems, bytes_stored}}
 *   totals:   {computes, tasks, elems, bytes_moved, move_s, bytes_results,
 *              bytes_stored, bytes_read, bytes_computed (sums over computes),
 *              busy_s (sum over ranks), compute_s (sum of compute t1 - t0),
 *              wall_s (= run.t_now)}
 *   computes: [{what, line (null if unknown), t0, t1, running, ntasks,
 *               elems, bytes_moved, move_s (wall seconds the slowest worker
 *               spent moving them), bytes_results, bytes_stored, bytes_read,
 *               bytes_computed,
 *               ops: [{label, kind, shape, chunks, ntasks, busy_s, elems,
 *                      color ("#rrggbb"),
 *                      partition: [{rank, first, end}] (tasks
 *                      [first, end) ran on that world rank; [] if unknown),
 *                      placed (true: the tasks went to the workers that
 *                      read them, and end - first only counts a rank's)}]}]
 *              t1 of the compute still running is run.t_now.
 *              The HTML report numbers computes from 1: computes[i] is its
 *              "compute i+1".
 *   ranks:    [{rank, busy_s, tasks, peak_rss_nbytes,
 *               planned_peak_nbytes (null: no estimate), cpu_s (rank 0
 *               only, null elsewhere)}]
 *   moved:    nranks arrays of nranks: moved[i][j] bytes rank i sent to j
 *   memory:   columns {rank: [], t: [], rss_nbytes: []}, one entry a sample
 *   segments: columns {rank, thread, compute, op, first_task, ntasks,
 *              elems, t0, t1}, each a list with one entry per segment
 *              (compute indexes computes, op that compute's ops).
 * Columns rather than one object per segment keep ~80,000 segments compact. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "diag/report_html_internal.h"

static void json_str(bytebuf *b, const char *s, size_t maxlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strnlen(s, maxlen);
    report_put(b, "\"");
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            bytebuf_put(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            report_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t len = report_utf8_len(p + i, n - i);
            if (len == 0) {
                report_put(b, "\\ufffd");
                i++;
            } else {
                bytebuf_put(b, p + i, len);
                i += len;
            }
        }
    }
    report_put(b, "\"");
}

/* Seconds with six decimals, digits by hand: printf("%f") dominated the
 * time of ~80,000 segments. */
static void json_seconds(bytebuf *b, double v)
{
    if (!isfinite(v)) {
        report_put(b, "null");
        return;
    }
    if (fabs(v) >= 9e12) {
        report_printf(b, "%.17g", v);
        return;
    }
    int64_t us = llround(v * 1e6);
    if (us < 0) {
        report_put(b, "-");
        us = -us;
    }
    report_put_i64(b, us / 1000000);
    char frac[8];
    int64_t f = us % 1000000;
    for (int i = 6; i >= 1; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    frac[0] = '.';
    bytebuf_put(b, frac, 7);
}

static void key(bytebuf *b, const char *name, bool comma)
{
    report_printf(b, "%s\"%s\":", comma ? "," : "", name);
}

static void key_i64(bytebuf *b, const char *name, int64_t v)
{
    key(b, name, true);
    report_put_i64(b, v);
}

static void key_bool(bytebuf *b, const char *name, bool v)
{
    key(b, name, true);
    report_put(b, v ? "true" : "false");
}

static void key_seconds(bytebuf *b, const char *name, double v)
{
    key(b, name, true);
    json_seconds(b, v);
}

static void run_info(bytebuf *b, const runlog *log)
{
    report_put(b, "\"run\":{");
    key(b, "script", false);
    json_str(b, log->script, sizeof log->script);
    key(b, "version", true);
    json_str(b, log->version, sizeof log->version);
    key_i64(b, "nranks", log->nranks);
    key_i64(b, "nworkers", log->nworkers);
    key_i64(b, "budget_nbytes", log->budget_nbytes);
    key(b, "seed", true);
    report_printf(b, "%llu", (unsigned long long)log->seed);
    key_seconds(b, "t_now", log->t_now);
    key_bool(b, "finished", log->finished);
    key_i64(b, "exit_status", log->exit_status);
    key_bool(b, "running", log->running);
    key(b, "progress", true);
    if (log->running) {
        report_put(b, "{\"tasks\":");
        report_put_i64(b, log->progress_tasks);
        key_i64(b, "total", log->progress_total);
        key_i64(b, "elems", log->progress_elems);
        key_i64(b, "bytes_stored", log->progress_bytes_stored);
        report_put(b, "}");
    } else {
        report_put(b, "null");
    }
    report_put(b, "}");
}

static void totals(bytebuf *b, const runlog *log)
{
    runlog_totals t;
    runlog_sum(log, &t);
    report_put(b, ",\"totals\":{\"computes\":");
    report_put_i64(b, log->ncomputes);
    key_i64(b, "tasks", t.tasks);
    key_i64(b, "elems", t.elems);
    key_i64(b, "bytes_moved", t.bytes_moved);
    key_seconds(b, "move_s", t.move_s);
    key_i64(b, "bytes_results", t.bytes_results);
    key_i64(b, "bytes_stored", t.bytes_stored);
    key_i64(b, "bytes_read", t.bytes_read);
    key_i64(b, "bytes_computed", t.bytes_computed);
    key_seconds(b, "busy_s", t.busy_s);
    key_seconds(b, "compute_s", t.compute_s);
    key_seconds(b, "wall_s", log->t_now);
    report_put(b, "}");
}

static void op_json(bytebuf *b, const runlog *log, const runlog_op *op)
{
    report_put(b, "{\"label\":");
    json_str(b, op->label, sizeof op->label);
    key(b, "kind", true);
    json_str(b, op->kind, sizeof op->kind);
    key(b, "shape", true);
    json_str(b, op->shape, sizeof op->shape);
    key(b, "chunks", true);
    json_str(b, op->chunks, sizeof op->chunks);
    key_i64(b, "ntasks", op->ntasks);
    key_seconds(b, "busy_s", op->busy_s);
    key_i64(b, "elems", op->elems);
    report_printf(b, ",\"color\":\"%s\",\"partition\":[", runlog_palette(op->color));
    for (int w = 0; op->task_first && w < log->nworkers; w++) {
        report_printf(b, "%s{\"rank\":%d,\"first\":", w ? "," : "", report_worker_rank(log, w));
        report_put_i64(b, op->task_first[w]);
        key_i64(b, "end", op->task_first[w + 1]);
        report_put(b, "}");
    }
    report_put(b, "]");
    key_bool(b, "placed", op->placed);
    report_put(b, "}");
}

static void computes(bytebuf *b, const runlog *log)
{
    report_put(b, ",\"computes\":[");
    for (int c = 0; c < log->ncomputes; c++) {
        const runlog_compute *k = &log->computes[c];
        report_put(b, c ? ",{\"what\":" : "{\"what\":");
        json_str(b, k->what, sizeof k->what);
        key(b, "line", true);
        if (k->line > 0)
            report_put_i64(b, k->line);
        else
            report_put(b, "null");
        key_seconds(b, "t0", k->t0);
        key_seconds(b, "t1", runlog_compute_end(log, c));
        key_bool(b, "running", log->running && c == log->ncomputes - 1);
        key_i64(b, "ntasks", k->ntasks);
        key_i64(b, "elems", k->elems);
        key_i64(b, "bytes_moved", k->bytes_moved);
        key_seconds(b, "move_s", k->move_s);
        key_i64(b, "bytes_results", k->bytes_results);
        key_i64(b, "bytes_stored", k->bytes_stored);
        key_i64(b, "bytes_read", k->bytes_read);
        key_i64(b, "bytes_computed", k->bytes_computed);
        report_put(b, ",\"ops\":[");
        for (int o = 0; o < k->nops; o++) {
            if (o)
                report_put(b, ",");
            op_json(b, log, &k->ops[o]);
        }
        report_put(b, "]}");
    }
    report_put(b, "]");
}

static void ranks(bytebuf *b, const runlog *log)
{
    report_put(b, ",\"ranks\":[");
    for (int r = 0; r < log->nranks; r++) {
        const runlog_rank *k = &log->ranks[r];
        report_printf(b, "%s{\"rank\":%d", r ? "," : "", r);
        key_seconds(b, "busy_s", k->busy_s);
        key_i64(b, "tasks", k->tasks);
        key_i64(b, "peak_rss_nbytes", k->peak_rss_nbytes);
        key(b, "planned_peak_nbytes", true);
        if (k->planned_peak_nbytes > 0)
            report_put_i64(b, k->planned_peak_nbytes);
        else
            report_put(b, "null");
        key(b, "cpu_s", true);
        if (r == 0)
            json_seconds(b, k->cpu_s);
        else
            report_put(b, "null");
        report_put(b, "}");
    }
    report_put(b, "],\"moved\":[");
    for (int i = 0; i < log->nranks; i++) {
        report_put(b, i ? ",[" : "[");
        for (int j = 0; j < log->nranks; j++) {
            if (j)
                report_put(b, ",");
            report_put_i64(b, log->moved[i * log->nranks + j]);
        }
        report_put(b, "]");
    }
    report_put(b, "]");
}

/* One column of a table of n rows: the int64 or seconds field at offset in
 * each record of the given size. */
static void column(bytebuf *b, const char *name, const void *rows, int64_t n, size_t size, size_t offset,
                   bool seconds, bool comma)
{
    key(b, name, comma);
    report_put(b, "[");
    const char *p = rows;
    for (int64_t i = 0; i < n; i++, p += size) {
        if (i)
            report_put(b, ",");
        if (seconds) {
            double v;
            memcpy(&v, p + offset, sizeof v);
            json_seconds(b, v);
        } else {
            int64_t v;
            memcpy(&v, p + offset, sizeof v);
            report_put_i64(b, v);
        }
    }
    report_put(b, "]");
}

static void column_i32(bytebuf *b, const char *name, const void *rows, int64_t n, size_t size, size_t offset,
                       bool comma)
{
    key(b, name, comma);
    report_put(b, "[");
    const char *p = rows;
    for (int64_t i = 0; i < n; i++, p += size) {
        int32_t v;
        memcpy(&v, p + offset, sizeof v);
        if (i)
            report_put(b, ",");
        report_put_i64(b, v);
    }
    report_put(b, "]");
}

static void samples(bytebuf *b, const runlog *log)
{
    size_t ms = sizeof(runlog_mem), ss = sizeof(runlog_segment);
    report_put(b, ",\"memory\":{");
    column_i32(b, "rank", log->mem, log->nmem, ms, offsetof(runlog_mem, rank), false);
    column(b, "t", log->mem, log->nmem, ms, offsetof(runlog_mem, t), true, true);
    column(b, "rss_nbytes", log->mem, log->nmem, ms, offsetof(runlog_mem, rss_nbytes), false, true);
    report_put(b, "},\"segments\":{");
    column_i32(b, "rank", log->seg, log->nseg, ss, offsetof(runlog_segment, rank), false);
    column_i32(b, "thread", log->seg, log->nseg, ss, offsetof(runlog_segment, thread), true);
    column_i32(b, "compute", log->seg, log->nseg, ss, offsetof(runlog_segment, compute), true);
    column_i32(b, "op", log->seg, log->nseg, ss, offsetof(runlog_segment, op), true);
    column(b, "first_task", log->seg, log->nseg, ss, offsetof(runlog_segment, first_task), false, true);
    column(b, "ntasks", log->seg, log->nseg, ss, offsetof(runlog_segment, ntasks), false, true);
    column(b, "elems", log->seg, log->nseg, ss, offsetof(runlog_segment, elems), false, true);
    column(b, "t0", log->seg, log->nseg, ss, offsetof(runlog_segment, t0), true, true);
    column(b, "t1", log->seg, log->nseg, ss, offsetof(runlog_segment, t1), true, true);
    report_put(b, "}");
}

char *metrics_json(const runlog *log)
{
    if (!log || log->nranks <= 0 || !log->ranks || !log->moved)
        return NULL;
    bytebuf b;
    bytebuf_init(&b);
    report_put(&b, "{\"schema\":\"tessera-metrics/1\",");
    run_info(&b, log);
    totals(&b, log);
    computes(&b, log);
    ranks(&b, log);
    samples(&b, log);
    report_put(&b, "}\n");
    bytebuf_put(&b, "", 1);
    if (b.failed) {
        bytebuf_fini(&b);
        return NULL;
    }
    return (char *)b.data;
}
