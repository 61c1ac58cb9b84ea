/* exec.c — the stage loop and elementwise (map) stages; the fetch of
 * materialised chunks other workers own is in exec_fetch.c. */
#include "run/exec.h"
#include "array/region.h"
#include "run/eval.h"
#include "run/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char exec_requested_mark;
#define REQUESTED EXEC_REQUESTED

ts_status exec_init(exec *e, const plan *p, const store_list *stores, int nresults, MPI_Comm comm,
                    ts_err *err)
{
    *e = (exec){.comm = comm, .plan = p, .stores = stores, .nresults = nresults, .err = err};
    MPI_Comm_rank(comm, &e->me);
    MPI_Comm_size(comm, &e->nworkers);
    e->chunks = calloc((size_t)(p->nstages ? p->nstages : 1), sizeof *e->chunks);
    e->sent_to = calloc((size_t)e->nworkers, sizeof *e->sent_to);
    if (!e->chunks || !e->sent_to)
        return err_set(err, TS_ERR_MEMORY, "out of memory starting a plan");
    for (int s = 0; s < p->nstages; s++) {
        e->chunks[s] = calloc((size_t)node_nchunks(p->stages[s].out), sizeof(void *));
        if (!e->chunks[s])
            return err_set(err, TS_ERR_MEMORY, "out of memory starting a plan");
    }
    /* A stage's chunks are kept when a later stage reads them or the
     * driver gets them back; a stage only stored frees each chunk once
     * it is written. */
    e->keep = calloc((size_t)(p->nstages ? p->nstages : 1), sizeof *e->keep);
    if (!e->keep)
        return err_set(err, TS_ERR_MEMORY, "out of memory starting a plan");
    for (int s = 0; s < p->nstages; s++) {
        const node *out = p->stages[s].out;
        bool stored = false;
        for (int i = 0; stores && i < stores->n; i++)
            stored = stored || p->targets[stores->v[i].target] == out;
        e->keep[s] = !stored;
        for (int i = 0; i < nresults; i++)
            e->keep[s] = e->keep[s] || p->targets[i] == out;
        for (int t = 0; t < p->nstages; t++) {
            int64_t v;
            e->keep[s] = e->keep[s] || ptrmap_get(&p->stages[t].leaves, out, &v);
        }
    }
    return TS_OK;
}

void exec_fini(exec *e)
{
    if (!e->chunks)
        return;
    for (int s = 0; s < e->plan->nstages; s++) {
        if (!e->chunks[s])
            continue;
        int64_t n = node_nchunks(e->plan->stages[s].out);
        for (int64_t c = 0; c < n; c++)
            if (e->chunks[s][c] != REQUESTED)
                mem_free(e->mem, e->chunks[s][c]);
        free(e->chunks[s]);
    }
    free(e->chunks);
    free(e->keep);
    free(e->sent_to);
    free(e->fetched);
    e->chunks = NULL;
    e->keep = NULL;
    e->sent_to = NULL;
}

void exec_task_done(exec *e, int s, int64_t t, int64_t elems, double t0, double t1)
{
    e->stats.tasks++;
    e->stats.elems_computed += elems;
    e->stats.bytes_computed += elems * (int64_t)ts_dtype_size(e->plan->stages[s].expr->dtype);
    if (e->trace)
        trace_task(e->trace, s, t, elems, t0, t1);
    /* Ten reports a second from each of up to 64 workers; beyond that
     * fewer each, so rank 0 reads a bounded number of messages. */
    double every = 0.1 * (e->nworkers > 64 ? e->nworkers / 64.0 : 1.0);
    if (e->last_progress == 0)
        e->last_progress = t0;
    if (t1 - e->last_progress >= every) {
        e->last_progress = t1;
        if (e->trace)
            trace_memory(e->trace);
        if (e->progress)
            e->progress(e->progress_ud, &e->stats);
    }
}

int64_t exec_max_chunk_nbytes(const node *x)
{
    int64_t n = (int64_t)ts_dtype_size(x->dtype);
    for (int d = 0; d < x->ndim; d++) {
        int64_t m = 0;
        for (int64_t c = 0; c < x->chunks[d].n; c++)
            m = x->chunks[d].sizes[c] > m ? x->chunks[d].sizes[c] : m;
        n *= m;
    }
    return n;
}

void exec_chunk_box(const node *x, int64_t chunk, int64_t *start, int64_t *size)
{
    region_chunk_box(x, chunk, start, size);
}

int64_t exec_box_nelems(int ndim, const int64_t *size)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= size[d];
    return n;
}

void exec_task_box(const plan_stage *st, int64_t t, int64_t *start, int64_t *size)
{
    int64_t coords[TS_MAXDIM];
    plan_task_coords(st, t, coords);
    for (int d = 0; d < st->expr->ndim; d++) {
        start[d] = st->expr->offsets[d][coords[d]];
        size[d] = st->expr->chunks[d].sizes[coords[d]];
    }
}

const void *exec_chunk(const exec *e, int stage, int64_t c)
{
    void *p = e->chunks[stage][c];
    return p == REQUESTED ? NULL : p;
}

const void *exec_chunk_lookup(void *ud, const node *leaf, int64_t chunk)
{
    const exec *e = ud;
    int64_t s;
    if (!ptrmap_get(&e->plan->stage_of, leaf, &s))
        return NULL;
    return exec_chunk(e, (int)s, chunk);
}

/* ---- map stages ---- */

/* A batch of map tasks run on the pool: thread i evaluates with progs[i]
 * into bufs[j] (the task at position first + j of the stage's order). */
typedef struct map_batch {
    exec *e;
    const plan_stage *st;
    node *root;   /* what is evaluated: the stage, or a reshape's input */
    bool reshape; /* chunk t of the output is chunk t of root */
    eval_prog **progs;
    ts_err *errs;
    int64_t first;
    void **bufs;
    bool *skip; /* decided on the MPI thread: exec_store_skip counts */
    ts_status *status;
    double *t0, *t1;
} map_batch;

static void map_job(void *ud, int thread, int64_t j)
{
    map_batch *b = ud;
    const plan_stage *st = b->st;
    int64_t t = plan_task_at(st, b->first + j);
    b->bufs[j] = NULL;
    if (b->skip[j])
        return; /* stored by the run this one resumes */
    int64_t start[TS_MAXDIM], size[TS_MAXDIM];
    exec_chunk_box(st->out, t, start, size);
    int64_t n = exec_box_nelems(st->out->ndim, size);
    size_t esz = ts_dtype_size(st->out->dtype);
    char what[96];
    snprintf(what, sizeof what, "a chunk of %s", node_label(st->out));
    b->bufs[j] = mem_alloc(b->e->mem, n * (int64_t)esz, what, &b->errs[thread]);
    if (!b->bufs[j]) {
        b->status[j] = b->errs[thread].status;
        return;
    }
    b->t0[j] = trace_now();
    if (b->reshape)
        exec_chunk_box(b->root, t, start, size);
    b->status[j] = eval_box_into(b->progs[thread], start, size, b->bufs[j], &b->errs[thread]);
    b->t1[j] = trace_now();
    if (b->status[j] != TS_OK) {
        mem_free(b->e->mem, b->bufs[j]);
        b->bufs[j] = NULL;
    }
}

/* Computes chunks [first, first + n) on the pool; returns the first
 * failure in task order (its message in e->err). */
static ts_status map_batch_run(map_batch *b, int s, int64_t first, int64_t n)
{
    b->first = first;
    for (int64_t j = 0; j < n; j++) {
        b->status[j] = TS_OK;
        b->skip[j] = exec_store_skip(b->e, s, plan_task_at(b->st, first + j));
    }
    pool_run(b->e->pool, n, map_job, b);
    ts_status rc = TS_OK;
    for (int64_t j = 0; j < n; j++) {
        if (b->status[j] != TS_OK && rc == TS_OK) {
            rc = b->status[j];
            for (int i = 0; i < pool_nthreads(b->e->pool); i++)
                if (b->errs[i].status != TS_OK) {
                    *b->e->err = b->errs[i];
                    break;
                }
        }
        if (b->status[j] == TS_OK && b->bufs[j]) {
            int64_t start[TS_MAXDIM], size[TS_MAXDIM];
            int64_t t = plan_task_at(b->st, first + j);
            exec_chunk_box(b->st->out, t, start, size);
            exec_task_done(b->e, s, t, exec_box_nelems(b->st->out->ndim, size), b->t0[j], b->t1[j]);
        }
    }
    return rc;
}

static void map_batch_fini(map_batch *b, int nthreads)
{
    for (int i = 0; b->progs && i < nthreads; i++) {
        if (b->progs[i])
            b->e->stats.bytes_read += eval_prog_bytes_read(b->progs[i]);
        eval_prog_destroy(b->progs[i]);
    }
    free(b->progs);
    free(b->errs);
    free(b->bufs);
    free(b->status);
    free(b->skip);
    free(b->t0);
    free(b->t1);
}

static ts_status map_batch_init(map_batch *b, exec *e, const plan_stage *st, int64_t cap)
{
    int nthreads = pool_nthreads(e->pool);
    b->e = e;
    b->st = st;
    b->reshape = st->out->op == NODE_RESHAPE;
    b->root = b->reshape ? st->out->inputs[0] : st->expr;
    b->progs = calloc((size_t)nthreads, sizeof *b->progs);
    b->errs = calloc((size_t)nthreads, sizeof *b->errs);
    b->bufs = calloc((size_t)cap, sizeof *b->bufs);
    b->status = calloc((size_t)cap, sizeof *b->status);
    b->skip = calloc((size_t)cap, sizeof *b->skip);
    b->t0 = calloc((size_t)cap, sizeof *b->t0);
    b->t1 = calloc((size_t)cap, sizeof *b->t1);
    if (!b->progs || !b->errs || !b->bufs || !b->status || !b->skip || !b->t0 || !b->t1)
        return err_set(e->err, TS_ERR_MEMORY, "out of memory starting a stage");
    for (int i = 0; i < nthreads; i++) {
        err_clear(&b->errs[i]);
        ts_status rc = eval_prog_create(b->root, &st->leaves, exec_chunk_lookup, e, &b->progs[i], e->err);
        if (rc != TS_OK)
            return rc;
        eval_prog_use_pool(b->progs[i], e->mem);
    }
    return TS_OK;
}

/* Computes this worker's chunks of a map stage, a batch of one or two
 * chunks per thread at a time, then stores or keeps them in task order.
 * With collective stores, every worker goes through the same number of
 * rounds (the largest share), writing nothing in rounds where it has no
 * chunk or has failed. */
static ts_status exec_map_stage(exec *e, int s, bool failed)
{
    const plan_stage *st = &e->plan->stages[s];
    int64_t batch = 2 * (int64_t)pool_nthreads(e->pool);
    map_batch b = {0};
    ts_status rc = failed ? TS_ERR_RUNTIME : map_batch_init(&b, e, st, batch);
    bool collective = exec_store_collective(e, s);
    int64_t first = st->task_first[e->me], mine = st->task_first[e->me + 1] - first, rounds = mine;
    for (int w = 0; collective && w < e->nworkers; w++)
        rounds = st->task_first[w + 1] - st->task_first[w] > rounds
                     ? st->task_first[w + 1] - st->task_first[w]
                     : rounds;
    exec_stage_mem need;
    exec_stage_mem_get(e->plan, s, e->me, e->stores, pool_nthreads(e->pool), &need);
    for (int64_t r0 = 0, step = batch; r0 < rounds; r0 += step) {
        /* Throttle: only as many chunks at once as the budget has room for
         * (the plan made sure there is room for one). */
        step = batch;
        if (e->mem && e->mem->limit_nbytes > 0)
            step = exec_stage_tasks_at_once(&need, mem_pool_room(e->mem));
        int64_t n = r0 < mine ? (mine - r0 < step ? mine - r0 : step) : 0;
        if (rc == TS_OK && n > 0)
            rc = exec_stop_check(e);
        if (rc == TS_OK && n > 0)
            rc = map_batch_run(&b, s, first + r0, n);
        rc = exec_store_batch(e, s, first + r0, rounds - r0 < step ? rounds - r0 : step, n, b.bufs, rc);
        if (rc != TS_OK && !collective)
            break;
    }
    map_batch_fini(&b, pool_nthreads(e->pool));
    return rc;
}

/* All workers learn whether any of them failed (before collective file
 * writes, which a failed worker could not join otherwise). */
static bool agree_failed(exec *e, bool failed)
{
    int mine = failed, any = 0;
    MPI_Request req;
    if (MPI_Iallreduce(&mine, &any, 1, MPI_INT, MPI_MAX, e->comm, &req) != MPI_SUCCESS)
        return true;
    return transport_wait(&req, 50, "agreeing on failures", e->err) != TS_OK || any;
}

ts_status exec_run(exec *e, bool failed, bool *peer_failed)
{
    const plan *p = e->plan;
    ts_status st = failed ? (e->err->status != TS_OK ? e->err->status : TS_ERR_RUNTIME) : TS_OK;
    bool any_failed = false;
    *peer_failed = false;
    if (e->stores && e->stores->n > 0) {
        ts_status ws = exec_store_open(e, st != TS_OK);
        if (ws != TS_OK) /* every worker got the same failure */
            return st != TS_OK ? st : ws;
    }
    for (int s = 0; s < p->nstages && !any_failed; s++) {
        const plan_stage *ps = &p->stages[s];
        if (ps->kind == STAGE_REDUCE && ps->leader != s)
            continue; /* computed in its leader's pass */
        bool stage_failed = st != TS_OK;
        if (ps->leaves.len > 0) {
            ts_status fs = exec_fetch_leaves(e, s, stage_failed, &any_failed);
            if (st == TS_OK)
                st = fs;
            if (any_failed)
                break;
        }
        /* HDF5's and MPI-IO's buffers for the stage's reads and writes
         * are kept out of what task buffers may take. */
        exec_stage_mem need;
        exec_stage_mem_get(p, s, e->me, e->stores, pool_nthreads(e->pool), &need);
        mem_pool_reserve(e->mem, need.lib_nbytes);
        bool collective = false;
        for (int m = 0; m < ps->nmembers; m++)
            collective = collective || exec_store_collective(e, ps->members[m]);
        if (collective && agree_failed(e, st != TS_OK)) {
            any_failed = true;
            break;
        }
        if (ps->kind == STAGE_MAP && ps->out->op == NODE_MAP_BLOCKS) {
            ts_status ms = exec_map_blocks_stage(e, s, st != TS_OK); /* stores as it goes */
            if (st == TS_OK)
                st = ms;
        } else if (ps->kind == STAGE_MAP && ps->out->op == NODE_SCAN) {
            ts_status ss = exec_scan_stage(e, s, st != TS_OK, &any_failed);
            if (st == TS_OK)
                st = ss;
            if (!any_failed) {
                ts_status ws = exec_store_owned(e, s, st != TS_OK);
                if (st == TS_OK)
                    st = ws;
            }
        } else if (ps->kind == STAGE_MAP) {
            ts_status ms = exec_map_stage(e, s, st != TS_OK);
            if (st == TS_OK)
                st = ms;
        } else {
            ts_status rs = exec_reduce_stage(e, s, st != TS_OK, &any_failed);
            if (st == TS_OK)
                st = rs;
            for (int m = 0; m < ps->nmembers && !any_failed; m++) {
                ts_status ws = exec_store_owned(e, ps->members[m], st != TS_OK);
                if (st == TS_OK)
                    st = ws;
            }
        }
        mem_pool_reserve(e->mem, 0);
        exec_fetch_drop(e);
    }
    mem_pool_reserve(e->mem, 0);
    if (any_failed && st == TS_OK) {
        *peer_failed = true;
        st = TS_ERR_RUNTIME;
    }
    e->stats.bytes_sent = 0;
    for (int w = 0; w < e->nworkers; w++)
        e->stats.bytes_sent += e->sent_to[w];
    if (e->trace) {
        memcpy(e->trace->sent_to, e->sent_to, (size_t)e->nworkers * sizeof *e->sent_to);
        e->trace->bytes_stored = e->stats.bytes_stored;
        e->trace->bytes_read = e->stats.bytes_read;
    }
    if (e->writer) {
        ts_err ferr;
        err_clear(&ferr);
        bool own_ok = st == TS_OK;
        ts_status fs = h5_writer_finish(e->writer, st, &ferr);
        e->writer = NULL;
        if (st == TS_OK && fs != TS_OK)
            st = err_set(e->err, fs, "%s", ferr.msg);
        /* TS_ERR_RUNTIME here means another rank did not finish (h5.h):
         * the driver then shows that rank's own error, not this echo. */
        if (own_ok && fs == TS_ERR_RUNTIME)
            *peer_failed = true;
    }
    return st;
}
