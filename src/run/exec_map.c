/* exec_map.c — map_blocks and map_overlap stages: for each output block
 * this worker owns, evaluate every input over the box the block reads
 * (its block of the aligned inputs, grown by the halo for map_overlap),
 * call the registered kernel, and store the block as soon as it is made
 * (kept, trimmed back to the output chunk for map_overlap, when a later
 * stage reads it), so a stopped or killed run keeps every block it stored
 * and a resumed one does not run them again. Inputs computed by earlier
 * stages arrive through the stage's peer-to-peer fetch, which asks for
 * exactly these boxes (plan_map_input_box), halos included. */
#include "run/eval.h"
#include "run/exec.h"
#include "run/pool.h"
#include "run/registry.h"
#include "util/box.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the output chunk out of the kernel's grown block. */
static void trim(const node *out, int64_t c, const ts_block *grown, void *dst)
{
    int64_t start[TS_MAXDIM], size[TS_MAXDIM], lo[TS_MAXDIM];
    exec_chunk_box(out, c, start, size);
    for (int d = 0; d < out->ndim; d++) {
        int64_t depth = out->p.map.depth[d];
        int64_t glo = out->p.map.padded ? start[d] - depth : (start[d] - depth < 0 ? 0 : start[d] - depth);
        lo[d] = start[d] - glo;
    }
    box_take(dst, out->ndim, grown->shape, lo, size, grown->data, ts_dtype_size(out->dtype));
}

static void fill_block(ts_block *b, const node *x, const int64_t *start, const int64_t *size, void *data,
                       const int64_t *index)
{
    memset(b, 0, sizeof *b);
    b->dtype = x->dtype;
    b->ndim = x->ndim;
    b->data = data;
    for (int d = 0; d < x->ndim; d++) {
        b->shape[d] = size[d];
        b->start[d] = start[d];
    }
    for (int d = 0; index && d < TS_MAXDIM; d++)
        b->index[d] = index[d];
}

/* What one thread of the rank's pool needs to run blocks: its own
 * programs, input buffers and error (eval programs are not shared). */
typedef struct map_task {
    exec *e;
    const plan_stage *st;
    const registry_entry *kernel;
    int thread;
    ts_err err;
    eval_prog *prog[NODE_MAXIN];
    void *inbuf[NODE_MAXIN]; /* the block's inputs, from the pool while it runs */
} map_task;

static void free_inputs(map_task *m)
{
    for (int k = 0; k < NODE_MAXIN; k++) {
        mem_free(m->e->mem, m->inbuf[k]);
        m->inbuf[k] = NULL;
    }
}

/* Runs block c with its inputs from the pool, given back after. */
static ts_status run_block_inputs(map_task *m, int64_t c, void **chunk);

/* Runs block c; on success *chunk is the output chunk (from e->mem). */
static ts_status run_block(map_task *m, int64_t c, void **chunk)
{
    ts_status rc = run_block_inputs(m, c, chunk);
    free_inputs(m);
    return rc;
}

static ts_status run_block_inputs(map_task *m, int64_t c, void **chunk)
{
    exec *e = m->e;
    const node *out = m->st->out;
    ts_block in[NODE_MAXIN], ob;
    int64_t ostart[TS_MAXDIM], osize[TS_MAXDIM], coords[TS_MAXDIM];
    exec_chunk_box(out, c, ostart, osize);
    for (int64_t rem = c, d = out->ndim - 1; d >= 0; d--) {
        coords[d] = rem % out->chunks[d].n;
        rem /= out->chunks[d].n;
    }
    int64_t grown[TS_MAXDIM];
    for (int k = 0; k < out->ninputs; k++) {
        const node *x = out->inputs[k];
        int64_t start[TS_MAXDIM], size[TS_MAXDIM];
        plan_map_input_box(out, k, c, start, size);
        char what[96];
        snprintf(what, sizeof what, "an input block of %s", node_label(out));
        m->inbuf[k] = mem_alloc(e->mem, exec_box_nelems(x->ndim, size) * (int64_t)ts_dtype_size(x->dtype),
                                what, &m->err);
        ts_status rc =
            m->inbuf[k] ? eval_box_into(m->prog[k], start, size, m->inbuf[k], &m->err) : m->err.status;
        if (rc != TS_OK)
            return rc;
        if (out->p.map.padded) /* the padded input's box starts depth before the block */
            for (int d = 0; d < x->ndim; d++)
                start[d] -= out->p.map.depth[d];
        fill_block(&in[k], x, start, size, m->inbuf[k], coords);
        if (k == 0)
            memcpy(grown, size, sizeof grown);
    }
    const int64_t *oshape = out->p.map.overlap ? grown : osize;
    int64_t on = exec_box_nelems(out->ndim, oshape);
    size_t esz = ts_dtype_size(out->dtype);
    char what[96];
    snprintf(what, sizeof what, "a block of %s", node_label(out));
    void *obuf = mem_alloc(e->mem, on * (int64_t)esz, what, &m->err);
    if (!obuf)
        return m->err.status;
    fill_block(&ob, out, ostart, oshape, obuf, coords);
    if (out->p.map.overlap)
        for (int d = 0; d < out->ndim; d++)
            ob.start[d] = in[0].start[d];
    char msg[TS_ERRMSG_MAX] = "";
    ts_block_call call = {.rank_ud = m->kernel->k.rank_ud,
                          .ud = out->blob,
                          .ud_nbytes = (size_t)out->blob_nbytes,
                          .nin = out->ninputs,
                          .in = in,
                          .out = &ob,
                          .keep_start = out->p.map.overlap ? ostart : NULL,
                          .keep_shape = out->p.map.overlap ? osize : NULL,
                          .thread = m->thread,
                          .errmsg = msg,
                          .errlen = sizeof msg};
    ts_status rc = m->kernel->k.block(&call);
    if (rc != TS_OK) {
        mem_free(e->mem, obuf);
        char where[256];
        size_t k = (size_t)snprintf(where, sizeof where, "block (");
        for (int d = 0; d < out->ndim && k < sizeof where; d++)
            k += (size_t)snprintf(where + k, sizeof where - k, "%s%lld", d ? ", " : "", (long long)coords[d]);
        if (k < sizeof where)
            snprintf(where + k, sizeof where - k, "%s)", out->ndim == 1 ? "," : "");
        return err_set(&m->err, rc, "%s %s: %s", node_label(out), where, msg[0] ? msg : "the kernel failed");
    }
    if (!out->p.map.overlap) {
        *chunk = obuf;
        return TS_OK;
    }
    void *trimmed = mem_alloc(e->mem, exec_box_nelems(out->ndim, osize) * (int64_t)esz, what, &m->err);
    if (trimmed)
        trim(out, c, &ob, trimmed);
    mem_free(e->mem, obuf);
    if (!trimmed)
        return m->err.status;
    *chunk = trimmed;
    return TS_OK;
}

/* A batch of blocks on the pool: job j is the block at position first + j
 * of the stage's order. */
typedef struct map_batch {
    map_task *tasks; /* one per thread */
    int64_t first;
    void **chunks;
    ts_status *status;
    bool *skip; /* decided on the MPI thread: exec_store_skip counts */
    double *t0, *t1;
} map_batch;

static void block_job(void *ud, int thread, int64_t j)
{
    map_batch *b = ud;
    b->t0[j] = trace_now();
    b->chunks[j] = NULL;
    b->status[j] = TS_OK;
    if (b->skip[j])
        return; /* stored by the run this one resumes */
    b->status[j] =
        run_block(&b->tasks[thread], plan_task_at(b->tasks[thread].st, b->first + j), &b->chunks[j]);
    b->t1[j] = trace_now();
}

/* Runs one batch of blocks on the pool and collects them in task order:
 * the first failure in task order is returned (its message in e->err). */
static ts_status run_batch(exec *e, int s, map_batch *b, int64_t first, int64_t n)
{
    const plan_stage *st = &e->plan->stages[s];
    const node *out = st->out;
    int nthreads = pool_nthreads(e->pool);
    b->first = first;
    for (int64_t j = 0; j < n; j++)
        b->skip[j] = exec_store_skip(e, s, plan_task_at(st, first + j));
    pool_run(e->pool, n, block_job, b);
    ts_status rc = TS_OK;
    for (int64_t j = 0; j < n; j++) {
        if (b->status[j] != TS_OK) {
            if (rc == TS_OK) {
                rc = b->status[j];
                for (int i = 0; i < nthreads; i++)
                    if (b->tasks[i].err.status != TS_OK) {
                        *e->err = b->tasks[i].err;
                        break;
                    }
            }
            continue;
        }
        if (!b->chunks[j])
            continue; /* skipped: already stored */
        int64_t t = plan_task_at(st, first + j), start[TS_MAXDIM], size[TS_MAXDIM];
        exec_chunk_box(out, t, start, size);
        exec_task_done(e, s, t, exec_box_nelems(out->ndim, size), b->t0[j], b->t1[j]);
    }
    return rc;
}

/* Runs this worker's blocks, up to two per thread at a time (kernels run on
 * every thread of the rank's pool, each with its own interpreter for Lua
 * functions), then stores or keeps each batch in task order; the first
 * failure in task order is the stage's. With collective (compressed)
 * stores every worker goes through the same number of rounds, the
 * largest share, writing nothing where it has no block or has failed. */
ts_status exec_map_blocks_stage(exec *e, int s, bool failed)
{
    const plan_stage *st = &e->plan->stages[s];
    const node *out = st->out;
    int nthreads = pool_nthreads(e->pool);
    int64_t batch = 2 * (int64_t)nthreads;
    map_batch b = {.tasks = calloc((size_t)nthreads, sizeof *b.tasks),
                   .chunks = calloc((size_t)batch, sizeof *b.chunks),
                   .status = calloc((size_t)batch, sizeof *b.status),
                   .skip = calloc((size_t)batch, sizeof *b.skip),
                   .t0 = calloc((size_t)batch, sizeof *b.t0),
                   .t1 = calloc((size_t)batch, sizeof *b.t1)};
    ts_status rc = failed ? TS_ERR_RUNTIME : TS_OK;
    if (rc == TS_OK && (!b.tasks || !b.chunks || !b.status || !b.skip || !b.t0 || !b.t1))
        rc = err_set(e->err, TS_ERR_MEMORY, "out of memory starting a stage");
    const registry_entry *kernel = e->kernels ? registry_find(e->kernels, out->kernel) : NULL;
    if (rc == TS_OK && (!kernel || !kernel->k.block))
        rc = err_set(e->err, TS_ERR_RUNTIME,
                     "%s: no block kernel named '%s' is registered on this rank (register it on every "
                     "rank before ts_ctx_serve)",
                     node_label(out), out->kernel);
    for (int i = 0; rc == TS_OK && i < nthreads; i++) {
        b.tasks[i] = (map_task){.e = e, .st = st, .kernel = kernel, .thread = i};
        err_clear(&b.tasks[i].err);
        for (int k = 0; k < out->ninputs && rc == TS_OK; k++) {
            rc = eval_prog_create(out->inputs[k], &st->leaves, exec_chunk_lookup, e, &b.tasks[i].prog[k],
                                  e->err);
            eval_prog_use_pool(b.tasks[i].prog[k], e->mem);
        }
    }
    bool collective = exec_store_collective(e, s);
    int64_t first = st->task_first[e->me], mine = st->task_first[e->me + 1] - first, rounds = mine;
    for (int w = 0; collective && w < e->nworkers; w++)
        if (st->task_first[w + 1] - st->task_first[w] > rounds)
            rounds = st->task_first[w + 1] - st->task_first[w];
    exec_stage_mem need;
    exec_stage_mem_get(e->plan, s, e->me, e->stores, nthreads, &need);
    for (int64_t r0 = 0, step = batch; r0 < rounds; r0 += step) {
        /* As many blocks at once as the budget has room for (at least one);
         * every round stays one collective write, whatever the step. */
        step = e->mem && e->mem->limit_nbytes > 0 ? exec_stage_tasks_at_once(&need, mem_pool_room(e->mem))
                                                  : batch;
        int64_t n = r0 < mine ? (mine - r0 < step ? mine - r0 : step) : 0;
        if (rc == TS_OK && n > 0)
            rc = exec_stop_check(e);
        if (rc == TS_OK && n > 0)
            rc = run_batch(e, s, &b, first + r0, n);
        rc = exec_store_batch(e, s, first + r0, rounds - r0 < step ? rounds - r0 : step, n, b.chunks, rc);
        if (rc != TS_OK && !collective)
            break;
    }
    for (int i = 0; b.tasks && i < nthreads; i++)
        for (int k = 0; k < out->ninputs; k++) {
            if (b.tasks[i].prog[k])
                e->stats.bytes_read += eval_prog_bytes_read(b.tasks[i].prog[k]);
            eval_prog_destroy(b.tasks[i].prog[k]);
        }
    free(b.tasks);
    free(b.chunks);
    free(b.status);
    free(b.skip);
    free(b.t0);
    free(b.t1);
    return rc;
}
