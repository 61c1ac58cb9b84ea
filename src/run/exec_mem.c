/* exec_mem.c — what a stage needs in memory on a worker besides the chunks
 * it keeps from earlier stages: the one definition the driver's plan check
 * (core/memplan.c) and the workers' throttle and reservation (exec.c,
 * exec_reduce.c) both use, so the check and the run cannot disagree.
 *
 * Worked example: the seed's 75 batches stored in (50, 90000) float64
 * chunks, 1 thread. A task holds its chunk (36 MB) and stages nothing (the
 * stack writes straight into it, eval_box.c); the store adds no HDF5
 * buffer (unfiltered). With gzip the writer adds 3 x 36 MB of filter
 * buffers and MPI-IO's 4 MiB: lib_nbytes 112 MB, reserved in the pool for
 * the stage, so the throttle runs one chunk at a time when the budget is
 * 256 MiB. Reading it back for a mean, a task stages its (50, 90000) box
 * (36 MB) and a partial of 2 x 8 bytes. */
#include "io/h5.h"
#include "kernels/reduce.h"
#include "run/eval.h"
#include "run/exec.h"

#include <string.h>

/* HDF5 bytes of every file region an expression reads itself (not
 * through materialised leaves), views' and concatenations' inputs too. */
static int64_t readers_nbytes(const node *x, const ptrmap *leaves, ptrmap *seen)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v) || ptrmap_get(leaves, x, &v))
        return 0;
    ptrmap_put(seen, x, 1);
    if (x->op == NODE_HDF5)
        return x->p.hdf5.lib_nbytes;
    int64_t n = 0;
    for (int i = 0; i < x->ninputs; i++)
        n += readers_nbytes(x->inputs[i], leaves, seen);
    return n;
}

/* What HDF5 and MPI-IO hold while stage s runs: each thread's readers
 * (their caches and a read's buffers), and a write of every store of s. */
static int64_t lib_nbytes(const plan *p, int s, const store_list *stores, int nthreads)
{
    const plan_stage *st = &p->stages[s];
    ptrmap seen;
    ptrmap_init(&seen);
    int64_t n = (int64_t)nthreads * readers_nbytes(st->expr, &st->leaves, &seen);
    ptrmap_fini(&seen);
    for (int i = 0; stores && i < stores->n; i++) {
        int64_t t;
        if (!ptrmap_get(&p->stage_of, p->targets[stores->v[i].target], &t))
            continue;
        for (int m = 0; m < (st->kind == STAGE_REDUCE ? st->nmembers : 1); m++)
            if (t == (st->kind == STAGE_REDUCE ? st->members[m] : s))
                n += h5_write_lib_nbytes(&stores->v[i].h5);
    }
    return n;
}

/* Largest chunk shape of x. */
static void max_chunk(const node *x, int64_t *size)
{
    for (int d = 0; d < x->ndim; d++) {
        size[d] = 0;
        for (int64_t c = 0; c < x->chunks[d].n; c++)
            size[d] = x->chunks[d].sizes[c] > size[d] ? x->chunks[d].sizes[c] : size[d];
    }
}

static int64_t staging_nbytes(const node *root, const ptrmap *leaves, bool strips)
{
    int64_t size[TS_MAXDIM];
    max_chunk(root, size);
    return eval_staging_nbytes(root, leaves, size, strips);
}

/* Maximal canonical subtrees of [lo, hi) inside [a, b): the partials a
 * worker running tasks [a, b) of an output sends or keeps (exec_reduce.c). */
static int64_t cover_count(int64_t lo, int64_t hi, int64_t a, int64_t b)
{
    if (hi <= a || lo >= b)
        return 0;
    if (a <= lo && hi <= b)
        return 1;
    int64_t mid = plan_tree_split(lo, hi);
    return cover_count(lo, mid, a, b) + cover_count(mid, hi, a, b);
}

/* Subtrees worker v makes for output o (its tasks there). */
static int64_t made_on(const plan_stage *st, int v, int64_t o)
{
    int64_t a = st->task_first[v] - o * st->nred, b = st->task_first[v + 1] - o * st->nred;
    return cover_count(0, st->nred, a < 0 ? 0 : a, b > st->nred ? st->nred : b);
}

/* Partials of a reduction pass held at once on worker w, in units of one
 * output chunk's partial: the window computed ahead (2 per thread), one
 * per level of the combine tree, the subtrees w makes (kept or packed to
 * send, then in the exchange's buffers) and those it receives for the
 * outputs it owns (the exchange's block and their unpacked copies). */
static int64_t partials_held(const plan *p, const plan_stage *st, int w, int nthreads)
{
    int W = p->nworkers;
    int64_t t0 = st->task_first[w], t1 = st->task_first[w + 1], made = 0, recv = 0, depth = 0;
    for (int64_t n = 1; n < st->nred; n *= 2)
        depth++;
    if (t1 > t0) {
        int64_t o0 = t0 / st->nred, o1 = (t1 - 1) / st->nred;
        made = o1 - o0 + 1 - 2 + made_on(st, w, o0) + (o1 > o0 ? made_on(st, w, o1) : 1);
    }
    /* Only a worker's first and last outputs can be shared: the middle
     * task of the others is its own, so it owns them. */
    for (int v = 0; v < W; v++) {
        if (v == w || st->task_first[v + 1] <= st->task_first[v])
            continue;
        int64_t ends[2] = {st->task_first[v] / st->nred, (st->task_first[v + 1] - 1) / st->nred};
        for (int k = 0; k < 2 && (k == 0 || ends[1] != ends[0]); k++)
            if (plan_chunk_owner(st, W, ends[k]) == w)
                recv += made_on(st, v, ends[k]);
    }
    return 2 * (int64_t)nthreads + depth + 2 * made + 3 * recv;
}

/* Outputs of st that worker w owns: those whose middle task it runs. */
static int64_t owned_outputs(const plan_stage *st, int w)
{
    int64_t m = (st->nred - 1) / 2, t0 = st->task_first[w], t1 = st->task_first[w + 1];
    if (t1 <= t0)
        return 0;
    int64_t lo = t0 - m <= 0 ? 0 : (t0 - m + st->nred - 1) / st->nred;
    int64_t hi = t1 - m <= 0 ? 0 : (t1 - m + st->nred - 1) / st->nred;
    return hi > lo ? hi - lo : 0;
}

/* A map_blocks block: every input's box (its chunk, with the halo for
 * map_overlap) and its staging, the kernel's output (with the halo) and,
 * for map_overlap, the trimmed chunk. */
static int64_t block_nbytes(const plan_stage *st)
{
    const node *out = st->out;
    bool ov = out->p.map.overlap;
    int64_t n = 0, size[TS_MAXDIM], grown = (int64_t)ts_dtype_size(out->dtype);
    for (int k = 0; k < out->ninputs; k++) {
        const node *x = out->inputs[k];
        max_chunk(x, size);
        for (int j = 0; ov && j < x->ndim; j++)
            size[j] += 2 * out->p.map.depth[j + out->p.map.loop_ndim - x->ndim];
        n += eval_staging_nbytes(x, &st->leaves, size, false);
        int64_t b = (int64_t)ts_dtype_size(x->dtype);
        for (int j = 0; j < x->ndim; j++)
            b *= size[j];
        n += b;
    }
    max_chunk(out, size);
    for (int d = 0; d < out->ndim; d++)
        grown *= size[d] + (ov ? 2 * out->p.map.depth[d] : 0);
    return n + grown + (ov ? exec_max_chunk_nbytes(out) : 0);
}

static void reduce_mem(const plan *p, int s, int w, int nthreads, exec_stage_mem *out)
{
    const plan_stage *st = &p->stages[s];
    reduce_set set;
    memset(&set, 0, sizeof set);
    int64_t finals = 0;
    for (int m = 0; m < st->nmembers; m++) {
        const node *o = p->stages[st->members[m]].out;
        reduce_set_add(&set, o->p.reduce.op, st->expr->dtype);
        finals += exec_max_chunk_nbytes(o);
    }
    int64_t nout = exec_max_chunk_nbytes(st->out) / (int64_t)ts_dtype_size(st->out->dtype);
    int64_t partial = nout * set.nfields * (int64_t)sizeof(reduce_field);
    out->task_nbytes = staging_nbytes(st->expr, &st->leaves, true) + partial;
    out->fixed_nbytes = partial * partials_held(p, st, w, nthreads) + finals * owned_outputs(st, w);
    out->max_tasks = nthreads; /* one task a thread; the window's partials are in fixed_nbytes */
}

void exec_stage_mem_get(const plan *p, int s, int w, const store_list *stores, int nthreads,
                        exec_stage_mem *out)
{
    const plan_stage *st = &p->stages[s];
    nthreads = nthreads > 0 ? nthreads : 1;
    *out = (exec_stage_mem){.lib_nbytes = lib_nbytes(p, s, stores, nthreads),
                            .max_tasks = 2 * (int64_t)nthreads};
    if (st->kind == STAGE_REDUCE) {
        reduce_mem(p, s, w, nthreads, out);
        return;
    }
    int64_t chunk = exec_max_chunk_nbytes(st->out);
    if (st->out->op == NODE_SCAN) {
        /* A task reads its input chunk; the 8-byte working copies of all
         * the worker's chunks wait for the totals, and each becomes its
         * final chunk in turn. */
        const node *in = st->out->inputs[0];
        int64_t nelems = chunk / (int64_t)ts_dtype_size(st->out->dtype);
        out->task_nbytes =
            nelems * (int64_t)ts_dtype_size(in->dtype) + staging_nbytes(in, &st->leaves, false);
        out->fixed_nbytes = (st->task_first[w + 1] - st->task_first[w]) * nelems * 8 + chunk;
        out->max_tasks = 1;
    } else if (st->out->op == NODE_MAP_BLOCKS) {
        out->task_nbytes = block_nbytes(st);
    } else {
        const node *root = st->out->op == NODE_RESHAPE ? st->out->inputs[0] : st->expr;
        out->task_nbytes = chunk + staging_nbytes(root, &st->leaves, false);
    }
}

int64_t exec_stage_tasks_at_once(const exec_stage_mem *m, int64_t room)
{
    int64_t n = m->task_nbytes > 0 ? room / m->task_nbytes : m->max_tasks;
    return n < 1 ? 1 : n < m->max_tasks ? n : m->max_tasks;
}
