/* exec_scan.c — cumulative sums and products along an axis. Each worker
 * scans its chunks; all workers then share every chunk's last slice along
 * the axis (small: the array's size over the chunk length on that axis),
 * and each chunk adds (or multiplies by) the running total of the chunks
 * before it, combined in chunk order — so the result is the same bits for
 * any number of workers. A worker holds the 8-byte working copies of all
 * its chunks until the totals are in; all come from the pool (exec_mem.c
 * plans them). */
#include "kernels/cast.h"
#include "run/eval.h"
#include "run/exec.h"
#include "run/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan_geom {
    int nd, axis;
    int64_t size[TS_MAXDIM];   /* the chunk's box */
    int64_t outer, len, inner; /* elements before, along and after the axis */
} scan_geom;

static void geom(const node *x, int64_t c, int axis, scan_geom *g)
{
    int64_t start[TS_MAXDIM];
    exec_chunk_box(x, c, start, g->size);
    g->nd = x->ndim;
    g->axis = axis;
    g->outer = g->inner = 1;
    for (int d = 0; d < x->ndim; d++) {
        if (d < axis)
            g->outer *= g->size[d];
        else if (d > axis)
            g->inner *= g->size[d];
    }
    g->len = g->size[axis];
}

/* In-place inclusive scan of buf (out dtype: double or int64). */
static void scan_chunk(void *buf, const scan_geom *g, bool prod, bool is_float)
{
    for (int64_t o = 0; o < g->outer; o++)
        for (int64_t k = 1; k < g->len; k++)
            for (int64_t i = 0; i < g->inner; i++) {
                int64_t at = (o * g->len + k) * g->inner + i, prev = at - g->inner;
                if (is_float) {
                    double *v = buf;
                    v[at] = prod ? v[prev] * v[at] : v[prev] + v[at];
                } else {
                    int64_t *v = buf;
                    v[at] = (int64_t)(prod ? (uint64_t)v[prev] * (uint64_t)v[at]
                                           : (uint64_t)v[prev] + (uint64_t)v[at]);
                }
            }
}

/* The last slice along the axis (outer x inner values, 8 bytes each). */
static void last_slice(const void *buf, const scan_geom *g, int64_t *dst)
{
    const int64_t *v = buf;
    for (int64_t o = 0; o < g->outer; o++)
        memcpy(dst + o * g->inner, v + (o * g->len + g->len - 1) * g->inner, (size_t)g->inner * 8);
}

ts_status exec_scan_stage(exec *e, int s, bool failed, bool *any_failed)
{
    const plan_stage *st = &e->plan->stages[s];
    const node *out = st->out;
    node *in = out->inputs[0];
    int axis = out->p.scan.axis;
    bool prod = out->p.scan.prod, is_float = out->dtype == TS_FLOAT32 || out->dtype == TS_FLOAT64;
    int64_t first = st->task_first[e->me], mine = st->task_first[e->me + 1] - first;
    int64_t nchunks = node_nchunks(out);
    ts_status rc = failed ? TS_ERR_RUNTIME : TS_OK;
    eval_prog *prog = NULL;
    if (rc == TS_OK)
        rc = eval_prog_create(in, &st->leaves, exec_chunk_lookup, e, &prog, e->err);
    eval_prog_use_pool(prog, e->mem);
    /* 1. Scan each chunk in 8-byte values (double or int64). */
    void **wide = calloc((size_t)(mine ? mine : 1), sizeof *wide);
    bytebuf totals;
    bytebuf_init(&totals);
    if (!wide)
        rc = err_set(e->err, TS_ERR_MEMORY, "out of memory for a scan");
    for (int64_t k = 0; rc == TS_OK && k < mine; k++) {
        if ((rc = exec_stop_check(e)) != TS_OK)
            break;
        int64_t t = plan_task_at(st, first + k), start[TS_MAXDIM];
        scan_geom g;
        geom(out, t, axis, &g);
        exec_chunk_box(out, t, start, g.size);
        int64_t n = exec_box_nelems(out->ndim, g.size);
        void *raw =
            mem_alloc(e->mem, n * (int64_t)ts_dtype_size(in->dtype), "a chunk of a scan's input", e->err);
        wide[k] = raw ? mem_alloc(e->mem, n * 8, "a scan's working copy of a chunk", e->err) : NULL;
        if (!raw || !wide[k]) {
            mem_free(e->mem, raw);
            rc = e->err->status;
            break;
        }
        double t0 = trace_now();
        rc = eval_box_into(prog, start, g.size, raw, e->err);
        if (rc == TS_OK) {
            cast_strip(in->dtype, raw, 1, is_float ? TS_FLOAT64 : TS_INT64, wide[k], n);
            scan_chunk(wide[k], &g, prod, is_float);
            bytebuf_put_i64(&totals, t);
            void *slot = bytebuf_extend(&totals, (size_t)(g.outer * g.inner) * 8);
            if (slot && g.len > 0)
                last_slice(wide[k], &g, slot);
            else if (slot)
                memset(slot, 0, (size_t)(g.outer * g.inner) * 8);
        }
        mem_free(e->mem, raw);
        exec_task_done(e, s, t, n, t0, trace_now());
    }
    eval_prog_destroy(prog);
    /* 2. Every worker gets every chunk's last slice. */
    int W = e->nworkers;
    void **send = malloc((size_t)W * sizeof *send);
    int64_t *len = malloc((size_t)W * sizeof *len), *in_off = malloc((size_t)(W + 1) * sizeof *in_off);
    unsigned char *recv = NULL;
    ts_status xs = TS_OK;
    if (!send || !len || !in_off)
        rc = rc != TS_OK ? rc : err_set(e->err, TS_ERR_MEMORY, "out of memory for a scan");
    for (int p = 0; send && len && p < W; p++) {
        send[p] = totals.data;
        len[p] = p == e->me ? 0 : (int64_t)totals.len;
    }
    if (send && len && in_off)
        xs = transport_exchange(e->comm, send, len, rc != TS_OK || totals.failed, &recv, in_off, any_failed,
                                e->sent_to, e->mem, e->err);
    rc = rc != TS_OK ? rc : xs;
    /* 3. Index every chunk's last slice, then apply the carries. */
    const unsigned char **last = calloc((size_t)nchunks, sizeof *last);
    if (!last && rc == TS_OK)
        rc = err_set(e->err, TS_ERR_MEMORY, "out of memory for a scan");
    for (int p = 0; rc == TS_OK && !*any_failed && p <= W; p++) {
        const unsigned char *at = p < W ? recv + in_off[p] : totals.data;
        const unsigned char *end = p < W ? recv + in_off[p + 1] : totals.data + totals.len;
        while (at && at < end) {
            int64_t t;
            memcpy(&t, at, 8);
            scan_geom g;
            geom(out, t, axis, &g);
            last[t] = at + 8;
            at += 8 + (size_t)(g.outer * g.inner) * 8;
        }
    }
    size_t esz = ts_dtype_size(out->dtype);
    for (int64_t k = 0; rc == TS_OK && !*any_failed && k < mine; k++) {
        int64_t t = plan_task_at(st, first + k), coords[TS_MAXDIM];
        scan_geom g;
        geom(out, t, axis, &g);
        /* Chunk coordinates of t; the chunks before it on the axis differ
         * only there. */
        for (int64_t rem = t, d = out->ndim - 1; d >= 0; d--) {
            coords[d] = rem % out->chunks[d].n;
            rem /= out->chunks[d].n;
        }
        int64_t stride = 1;
        for (int d = out->ndim - 1; d > axis; d--)
            stride *= out->chunks[d].n;
        for (int64_t q = 0; q < coords[axis]; q++) {
            const unsigned char *tot = last[t - (coords[axis] - q) * stride];
            for (int64_t o = 0; o < g.outer; o++)
                for (int64_t kk = 0; kk < g.len; kk++)
                    for (int64_t i = 0; i < g.inner; i++) {
                        int64_t at = (o * g.len + kk) * g.inner + i;
                        if (is_float) {
                            double c, *v = wide[k];
                            memcpy(&c, tot + (o * g.inner + i) * 8, 8);
                            v[at] = prod ? c * v[at] : c + v[at];
                        } else {
                            int64_t c, *v = wide[k];
                            memcpy(&c, tot + (o * g.inner + i) * 8, 8);
                            v[at] = (int64_t)(prod ? (uint64_t)c * (uint64_t)v[at]
                                                   : (uint64_t)c + (uint64_t)v[at]);
                        }
                    }
        }
        /* The final values, in the result dtype. */
        int64_t n = exec_box_nelems(out->ndim, g.size);
        void *final = mem_alloc(e->mem, n * (int64_t)esz, "a chunk of a cumulative scan", e->err);
        if (!final) {
            rc = e->err->status;
            break;
        }
        cast_strip(is_float ? TS_FLOAT64 : TS_INT64, wide[k], 1, out->dtype, final, n);
        e->chunks[s][t] = final;
        mem_free(e->mem, wide[k]);
        wide[k] = NULL;
    }
    for (int64_t k = 0; wide && k < mine; k++)
        mem_free(e->mem, wide[k]);
    free(wide);
    free(last);
    mem_free(e->mem, recv);
    free(send);
    free(len);
    free(in_off);
    bytebuf_fini(&totals);
    return rc;
}
