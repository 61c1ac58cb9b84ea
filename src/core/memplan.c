/* memplan.c — the memory side of a plan, on the driver before anything
 * runs: for every worker and stage, the chunks it still holds from earlier
 * stages, the stage's fixed buffers (a reduction's partials), the HDF5 and
 * MPI-IO buffers of its reads and writes, and one task's buffers must fit
 * in what the budget leaves for data (the budget minus the ranks' measured
 * overhead). If not, the compute is refused with the operation, its chunk
 * shape and bytes, the budget, and a chunk shape that would fit. Workers
 * then reserve the library buffers in their pool and throttle their tasks
 * to what is free (exec.c), from the same figures (run/exec_mem.c), and
 * the pool refuses any buffer beyond the budget, so check and run agree.
 *
 * Worked example: budget 256 MiB, overhead 60 MiB, so 196 MiB for data; a
 * stage of (4000, 4000) float64 chunks (122 MiB) on a worker holding
 * 100 MiB of kept chunks needs 222 MiB: refused, and halving the longest
 * axis gives (2000, 4000), 61 MiB, which fits beside the 100 MiB. */
#include "core/ctx.h"

#include <stdio.h>
#include <stdlib.h>

static void max_chunk_shape(const node *x, int64_t *shape)
{
    for (int d = 0; d < x->ndim; d++) {
        shape[d] = 0;
        for (int64_t c = 0; c < x->chunks[d].n; c++)
            shape[d] = x->chunks[d].sizes[c] > shape[d] ? x->chunks[d].sizes[c] : shape[d];
    }
}

int64_t core_task_nbytes(const plan *p, int s)
{
    exec_stage_mem m;
    exec_stage_mem_get(p, s, 0, NULL, 1, &m);
    return m.task_nbytes;
}

/* Whether a stage's chunks stay in memory: the driver gets them back or a
 * later stage reads them (as exec_init decides). */
static bool stage_kept(const plan *p, int s, int nresults)
{
    const node *out = p->stages[s].out;
    for (int i = 0; i < nresults; i++)
        if (p->targets[i] == out)
            return true;
    for (int t = 0; t < p->nstages; t++) {
        int64_t v;
        if (ptrmap_get(&p->stages[t].leaves, out, &v))
            return true;
    }
    return false;
}

/* Adds to n[w] the bytes of the result chunks worker w sends the driver. */
static void results_nbytes(const plan *p, int nresults, int64_t *n)
{
    for (int i = 0; i < nresults; i++) {
        int64_t s;
        if (!ptrmap_get(&p->stage_of, p->targets[i], &s))
            continue;
        const plan_stage *st = &p->stages[s];
        for (int64_t c = 0; c < node_nchunks(st->out); c++) {
            int64_t start[TS_MAXDIM], size[TS_MAXDIM];
            exec_chunk_box(st->out, c, start, size);
            n[plan_chunk_owner(st, p->nworkers, c)] +=
                exec_box_nelems(st->out->ndim, size) * (int64_t)ts_dtype_size(st->out->dtype);
        }
    }
}

/* Walks the stages as a worker runs them; calls visit(ud, stage, worker,
 * held, mem) where it would hold `held` bytes of earlier chunks and run
 * the stage with the needs in mem; last (stage -1) the packed copy of the
 * results it sends the driver, beside everything it keeps. */
typedef void (*stage_visit)(void *ud, int s, int w, int64_t held, const exec_stage_mem *mem);

static void walk(const plan *p, int nresults, const store_list *stores, int nthreads, stage_visit visit,
                 void *ud)
{
    int W = p->nworkers;
    int64_t *held = calloc((size_t)W, sizeof *held);
    for (int s = 0; held && s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        if (st->kind == STAGE_REDUCE && st->leader != s)
            continue;
        for (int w = 0; w < W; w++) {
            int64_t mine = st->task_first[w + 1] - st->task_first[w];
            if (mine > 0) {
                exec_stage_mem m;
                exec_stage_mem_get(p, s, w, stores, nthreads, &m);
                visit(ud, s, w, held[w], &m);
            }
            if (st->kind == STAGE_MAP && stage_kept(p, s, nresults))
                held[w] += mine * exec_max_chunk_nbytes(st->out);
            /* A reduction's outputs are held by their owners. */
            for (int m = 0; st->kind == STAGE_REDUCE && m < st->nmembers; m++) {
                const plan_stage *ms = &p->stages[st->members[m]];
                if (!stage_kept(p, st->members[m], nresults))
                    continue;
                for (int64_t o = 0; o < ms->nout; o++)
                    if (plan_chunk_owner(ms, W, o) == w)
                        held[w] += exec_max_chunk_nbytes(ms->out);
            }
        }
    }
    int64_t *results = nresults > 0 ? calloc((size_t)W, sizeof *results) : NULL;
    if (results)
        results_nbytes(p, nresults, results);
    for (int w = 0; held && results && w < W; w++) {
        exec_stage_mem m = {.task_nbytes = results[w], .max_tasks = 1};
        visit(ud, -1, w, held[w], &m);
    }
    free(results);
    free(held);
}

typedef struct peaks {
    int64_t limit; /* what the pool gives to data */
    int64_t *peak;
} peaks;

/* What the rank holds in the stage: as many tasks at once as the
 * workers' throttle will run with the room left. */
static void peak_visit(void *ud, int s, int w, int64_t held, const exec_stage_mem *m)
{
    peaks *x = ud;
    (void)s;
    int64_t base = held + m->fixed_nbytes + m->lib_nbytes;
    int64_t n = x->limit > 0 ? exec_stage_tasks_at_once(m, x->limit - base) : m->max_tasks;
    int64_t need = base + n * m->task_nbytes;
    x->peak[w] = need > x->peak[w] ? need : x->peak[w];
}

void core_plan_peak(const ts_ctx *ctx, const plan *p, int nresults, const store_list *stores, int64_t *peak)
{
    int64_t start = ctx->ses.overhead_nbytes - SESSION_RESERVE_NBYTES;
    peaks x = {.limit = ctx->cfg.memory_per_rank_nbytes - ctx->ses.overhead_nbytes, .peak = peak};
    for (int w = 0; w < p->nworkers; w++)
        peak[w] = 0;
    walk(p, nresults, stores, ctx->ses.nthreads, peak_visit, &x);
    for (int w = 0; w < p->nworkers; w++)
        peak[w] += start > 0 ? start : 0;
}

typedef struct held_at {
    int s;
    int64_t *held;
} held_at;

static void held_visit(void *ud, int s, int w, int64_t held, const exec_stage_mem *m)
{
    held_at *h = ud;
    (void)m;
    if (s == h->s)
        h->held[w] = held;
}

void core_plan_held(const plan *p, int nresults, int s, int64_t *held)
{
    for (int w = 0; w < p->nworkers; w++)
        held[w] = 0;
    /* What is held does not depend on stores or threads, only the visit's
     * buffers do, which this visit ignores. */
    walk(p, nresults, NULL, 1, held_visit, &(held_at){.s = s, .held = held});
}

typedef struct worst {
    int64_t limit;
    int s, w;
    int64_t held, task, fixed, lib, need;
} worst;

static void worst_visit(void *ud, int s, int w, int64_t held, const exec_stage_mem *m)
{
    worst *x = ud;
    if (s < 0)
        return; /* the results' copy: refused at run time if ever over (session.c) */
    int64_t need = held + m->fixed_nbytes + m->lib_nbytes + m->task_nbytes;
    if (need > x->limit && need - x->limit > x->need - x->limit)
        *x = (worst){.limit = x->limit,
                     .s = s,
                     .w = w,
                     .held = held,
                     .task = m->task_nbytes,
                     .fixed = m->fixed_nbytes,
                     .lib = m->lib_nbytes,
                     .need = need};
}

static void format_shape(int ndim, const int64_t *shape, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "(");
    for (int d = 0; d < ndim && n < len; d++)
        n += (size_t)snprintf(buf + n, len - n, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (n < len)
        snprintf(buf + n, len - n, ndim == 1 ? ",)" : ")");
}

/* " beside 100 MiB of earlier chunks it keeps and 3 MiB of reduction
 * partials, with 112 MiB of HDF5 and MPI-IO buffers", the parts that are
 * not zero. */
static void besides(const worst *x, char *buf, size_t len)
{
    char held[32], fixed[32], lib[32];
    ts_format_nbytes(x->held, held, sizeof held);
    ts_format_nbytes(x->fixed, fixed, sizeof fixed);
    ts_format_nbytes(x->lib, lib, sizeof lib);
    size_t n = 0;
    buf[0] = '\0';
    if (x->held > 0)
        n += (size_t)snprintf(buf + n, len - n, " beside %s of earlier chunks it keeps", held);
    if (x->fixed > 0 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s %s of reduction partials", n ? " and" : " beside", fixed);
    if (x->lib > 0 && n < len)
        snprintf(buf + n, len - n, ", with %s of HDF5 and MPI-IO buffers", lib);
}

ts_status core_memory_check(ts_ctx *ctx, const plan *p, int nresults, const store_list *stores)
{
    int64_t budget = ctx->cfg.memory_per_rank_nbytes, overhead = ctx->ses.overhead_nbytes;
    worst x = {.limit = budget - overhead, .need = budget - overhead};
    walk(p, nresults, stores, ctx->ses.nthreads, worst_visit, &x);
    if (x.need <= x.limit)
        return TS_OK;
    const plan_stage *st = &p->stages[x.s];
    int64_t shape[TS_MAXDIM], fit[TS_MAXDIM];
    max_chunk_shape(st->out, shape);
    int nd = st->out->ndim;
    for (int d = 0; d < nd; d++)
        fit[d] = shape[d];
    /* Halve the longest axis until a task fits in half of what is left
     * (the library's buffers scale with the chunks a store writes). */
    int64_t room = x.limit - x.held - x.fixed, task = x.task + x.lib;
    while (task > room / 2 && room > 0) {
        int longest = -1;
        for (int d = 0; d < nd; d++)
            if (fit[d] > 1 && (longest < 0 || fit[d] > fit[longest]))
                longest = d;
        if (longest < 0)
            break;
        int64_t before = fit[longest];
        fit[longest] = (fit[longest] + 1) / 2;
        task = task / before * fit[longest];
    }
    char b_budget[32], b_over[32], b_task[32], b_need[32], s_shape[160], s_fit[160], others[256];
    ts_format_nbytes(budget, b_budget, sizeof b_budget);
    ts_format_nbytes(overhead, b_over, sizeof b_over);
    ts_format_nbytes(x.task, b_task, sizeof b_task);
    ts_format_nbytes(x.need + overhead + (64ll << 20), b_need, sizeof b_need);
    format_shape(nd, shape, s_shape, sizeof s_shape);
    format_shape(nd, fit, s_fit, sizeof s_fit);
    besides(&x, others, sizeof others);
    bool fits = task <= room / 2 && room > 0;
    char advice[320];
    if (fits)
        snprintf(advice, sizeof advice,
                 "use chunks of at most %s (chunks= or :rechunk) or raise --memory-per-rank to %s", s_fit,
                 b_need);
    else
        snprintf(advice, sizeof advice, "raise --memory-per-rank to at least %s", b_need);
    return err_set(&ctx->err, TS_ERR_MEMORY,
                   "not enough memory per rank: %s with chunks of shape %s needs %s per task on rank %d%s, "
                   "over the memory budget of %s per rank (%s of it is MPI, HDF5, Lua and scratch); "
                   "nothing was run; %s",
                   node_label(st->out), s_shape, b_task, x.w + (ctx->ses.nranks > 1 ? 1 : 0), others,
                   b_budget, b_over, advice);
}
