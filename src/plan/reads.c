/* reads.c — what a worker's tasks of a stage read from the chunks of
 * earlier stages, chunk by chunk, as one bounding box per chunk: the same
 * boxes the fetch before the stage asks the chunks' owners for, so the
 * planner's byte counts are what the run moves. */
#include "array/region.h"
#include "plan/plan.h"
#include "util/grow.h"

#include <stdint.h>
#include <stdlib.h>

void plan_map_input_box(const node *out, int k, int64_t c, int64_t *start, int64_t *size)
{
    const node *x = out->inputs[k];
    int64_t ostart[TS_MAXDIM], osize[TS_MAXDIM], coords[TS_MAXDIM], loop[TS_MAXDIM] = {0};
    region_chunk_box(out, c, ostart, osize);
    for (int d = out->ndim - 1; d >= 0; d--) {
        coords[d] = c % out->chunks[d].n;
        c /= out->chunks[d].n;
    }
    for (int d = 0; d < out->ndim; d++)
        if (out->p.map.out_src[d] >= 0)
            loop[out->p.map.out_src[d]] = coords[d];
    int off = out->p.map.loop_ndim - x->ndim;
    for (int j = 0; j < x->ndim; j++) {
        int a = j + off;
        if (out->p.map.overlap) {
            /* map_overlap keeps every axis: output axis a is loop axis a. */
            int64_t depth = out->p.map.depth[a];
            if (out->p.map.padded) {
                start[j] = ostart[a];
                size[j] = osize[a] + 2 * depth;
            } else {
                int64_t lo = ostart[a] - depth, hi = ostart[a] + osize[a] + depth;
                lo = lo < 0 ? 0 : lo;
                hi = hi > x->shape[j] ? x->shape[j] : hi;
                start[j] = lo;
                size[j] = hi - lo;
            }
        } else if (x->chunks[j].n == 1) {
            start[j] = 0; /* broadcast, dropped, or one block */
            size[j] = x->shape[j];
        } else {
            start[j] = x->offsets[j][loop[a]];
            size[j] = x->chunks[j].sizes[loop[a]];
        }
    }
}

/* The chunks read so far, each with its bounding box: entry i is chunk
 * v[i].c of stage v[i].ls, its [lo, hi) at box + v[i].off (2 x ndim). */
typedef struct read_entry {
    int64_t ls, c, off;
} read_entry;

typedef struct reads_walk {
    const plan *p;
    ptrmap index; /* (stage, chunk) -> entry */
    read_entry *v;
    int64_t n, cap;
    int64_t *box, nbox, capbox;
    bool oom;
} reads_walk;

static const void *chunk_key(int64_t ls, int64_t c)
{
    return (const void *)(uintptr_t)(((uint64_t)ls << 40 | (uint64_t)c) + 1);
}

/* Room for one more entry of nd dims. */
static bool reserve(reads_walk *w, int nd)
{
    return grow_reserve(&w->v, &w->cap, w->n + 1, sizeof *w->v, 64) &&
           grow_reserve(&w->box, &w->capbox, w->nbox + 2 * nd, sizeof *w->box, 256);
}

/* Widens the boxes of every chunk of leaf x that [start, start + size)
 * touches by the part of the box inside the chunk. */
static void read_box(void *ud, const node *x, const int64_t *start, const int64_t *size)
{
    reads_walk *w = ud;
    int64_t ls;
    if (w->oom || !ptrmap_get(&w->p->stage_of, x, &ls))
        return;
    int nd = x->ndim;
    int64_t lo[TS_MAXDIM], hi[TS_MAXDIM], c[TS_MAXDIM];
    for (int d = 0; d < nd; d++) {
        if (size[d] <= 0)
            return;
        lo[d] = c[d] = node_chunk_of(x, d, start[d]);
        hi[d] = node_chunk_of(x, d, start[d] + size[d] - 1);
    }
    for (;;) {
        int64_t id = 0, at;
        for (int d = 0; d < nd; d++)
            id = id * x->chunks[d].n + c[d];
        if (!ptrmap_get(&w->index, chunk_key(ls, id), &at)) {
            if (!reserve(w, nd) || !ptrmap_put(&w->index, chunk_key(ls, id), w->n)) {
                w->oom = true;
                return;
            }
            at = w->n++;
            w->v[at] = (read_entry){.ls = ls, .c = id, .off = w->nbox};
            for (int d = 0; d < nd; d++) {
                w->box[w->nbox + d] = INT64_MAX;
                w->box[w->nbox + nd + d] = INT64_MIN;
            }
            w->nbox += 2 * nd;
        }
        int64_t *blo = w->box + w->v[at].off, *bhi = blo + nd;
        for (int d = 0; d < nd; d++) {
            int64_t a = start[d] > x->offsets[d][c[d]] ? start[d] : x->offsets[d][c[d]];
            int64_t z =
                start[d] + size[d] < x->offsets[d][c[d] + 1] ? start[d] + size[d] : x->offsets[d][c[d] + 1];
            blo[d] = a < blo[d] ? a : blo[d];
            bhi[d] = z > bhi[d] ? z : bhi[d];
        }
        int d = nd - 1;
        while (d >= 0 && c[d] == hi[d]) {
            c[d] = lo[d];
            d--;
        }
        if (d < 0)
            return;
        c[d]++;
    }
}

/* The expressions a task of st evaluates, each over its own box: the
 * stage's expression over the task's box; a scan's or reshape's input over
 * its chunk t; a map_blocks kernel's inputs over the blocks they give it. */
static int nroots(const plan_stage *st) { return st->out->op == NODE_MAP_BLOCKS ? st->out->ninputs : 1; }

static const node *task_root(const plan_stage *st, int k)
{
    const node *out = st->out;
    if (out->op == NODE_MAP_BLOCKS)
        return out->inputs[k];
    return out->op == NODE_SCAN || out->op == NODE_RESHAPE ? out->inputs[0] : st->expr;
}

static void task_box(const plan_stage *st, int k, int64_t t, int64_t *start, int64_t *size)
{
    const node *out = st->out;
    if (out->op == NODE_MAP_BLOCKS) {
        plan_map_input_box(out, k, t, start, size);
    } else if (out->op == NODE_SCAN || out->op == NODE_RESHAPE) {
        region_chunk_box(out->inputs[0], t, start, size);
    } else {
        int64_t coords[TS_MAXDIM];
        plan_task_coords(st, t, coords);
        for (int d = 0; d < st->expr->ndim; d++) {
            start[d] = st->expr->offsets[d][coords[d]];
            size[d] = st->expr->chunks[d].sizes[coords[d]];
        }
    }
}

ts_status plan_compile_reads(plan *p, int s, ts_err *err)
{
    plan_stage *st = &p->stages[s];
    for (int k = 0; k < NODE_MAXIN; k++) {
        region_prog_destroy(st->reads[k]);
        st->reads[k] = NULL;
    }
    ts_status rc = TS_OK;
    for (int k = 0; st->leaves.len > 0 && k < nroots(st) && rc == TS_OK; k++)
        rc = region_prog_create(task_root(st, k), &st->leaves, &st->reads[k], err);
    return rc;
}

ts_status plan_reads(const plan *p, int s, int w, plan_read_fn fn, void *ud, ts_err *err)
{
    const plan_stage *st = &p->stages[s];
    if (st->leaves.len == 0)
        return TS_OK;
    reads_walk rw = {.p = p};
    ptrmap_init(&rw.index);
    ts_status rc = TS_OK;
    for (int k = 0; k < nroots(st) && st->reads[k]; k++) {
        int64_t start[TS_MAXDIM], size[TS_MAXDIM];
        for (int64_t i = st->task_first[w]; i < st->task_first[w + 1] && !rw.oom; i++) {
            task_box(st, k, plan_task_at(st, i), start, size);
            region_leaf_boxes(st->reads[k], start, size, read_box, &rw);
        }
    }
    if (rc == TS_OK && rw.oom)
        rc = err_set(err, TS_ERR_MEMORY, "out of memory planning what tasks read");
    for (int64_t i = 0; rc == TS_OK && i < rw.n; i++) {
        const read_entry *r = &rw.v[i];
        fn(ud, (int)r->ls, r->c, rw.box + r->off, rw.box + r->off + p->stages[r->ls].out->ndim);
    }
    ptrmap_fini(&rw.index);
    free(rw.v);
    free(rw.box);
    return rc;
}

typedef struct fetch_count {
    const plan *p;
    int w;
    int64_t nbytes;
} fetch_count;

static void count_fetch(void *ud, int ls, int64_t c, const int64_t *lo, const int64_t *hi)
{
    fetch_count *f = ud;
    const plan_stage *lst = &f->p->stages[ls];
    if (plan_chunk_owner(lst, f->p->nworkers, c) == f->w)
        return;
    int64_t n = (int64_t)ts_dtype_size(lst->out->dtype);
    for (int d = 0; d < lst->out->ndim; d++)
        n *= hi[d] - lo[d];
    f->nbytes += n;
}

ts_status plan_fetch_nbytes(const plan *p, int s, int64_t *nbytes, ts_err *err)
{
    fetch_count f = {.p = p};
    ts_status rc = TS_OK;
    for (f.w = 0; f.w < p->nworkers && rc == TS_OK; f.w++)
        rc = plan_reads(p, s, f.w, count_fetch, &f, err);
    *nbytes = f.nbytes;
    return rc;
}
