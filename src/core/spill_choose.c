/* spill_choose.c — which rechunks go through the spill directory, decided
 * on the driver from the memory plan's numbers: a rechunk of a materialised
 * or stored array is staged when reading it in memory would pass what the
 * budget leaves a rank for data, and reading a staged copy would not.
 * Invariant: a plan that fits in memory is never staged (no file is
 * written that the budget did not call for).
 *
 * In memory, a worker running the rechunk's stage holds the chunks kept
 * from earlier stages (its share of a materialised source among them),
 * one task's buffers, and either the source chunks it receives for the
 * stage (materialised) or the storage chunks one read touches (stored:
 * HDF5 holds them all until the read ends). Staged, it holds the same less
 * its share of the source (the staged copy is read without HDF5's chunk
 * cache, so a read holds only its own box).
 * Staging itself must fit: a stage that keeps its results until it ends
 * (a reduction or scan) holds a worker's share of the source. */
#include "core/ctx.h"
#include "plan/spill.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_result(const plan *p, int nresults, const node *x)
{
    for (int i = 0; i < nresults; i++)
        if (p->targets[i] == x)
            return true;
    return false;
}

/* Fills sp (need, after, chunk) for candidate c; false when it does not
 * call for staging. held and own are scratch of p->nworkers entries. The
 * receive estimate walks the source's chunk grid per worker, so it is
 * made only where the bound (everything a worker does not own) would not
 * already fit, and no further than the first worker it does not fit. */
static bool judge(ts_ctx *ctx, const plan *p, int nresults, const spill_candidate *c, int64_t *held,
                  int64_t *own, core_spill *sp)
{
    const plan_stage *st = &p->stages[c->stage];
    int64_t src_chunk[TS_MAXDIM];
    spill_max_chunk(c->source, src_chunk);
    int64_t stored_read = 0;
    h5_meta meta = {0};
    if (c->source_stage < 0) {
        /* A stored source: what one read touches of its storage chunks. */
        ts_err probe;
        err_clear(&probe);
        if (h5_describe(c->source->path, c->source->dataset, &meta, &probe) != TS_OK || !meta.chunked ||
            meta.ndim != c->source->ndim)
            return false; /* contiguous data is read in place; errors surface when the plan runs */
        stored_read = spill_touched_nbytes(c->rechunk, meta.chunk);
    }
    *sp = (core_spill){.source = c->source, .rechunk = c->rechunk};
    sp->whole_chunks = c->source_stage < 0 && spill_whole_chunks(c->source, meta.chunk);
    sp->limit_nbytes = ctx->cfg.memory_per_rank_nbytes - ctx->ses.overhead_nbytes;
    spill_intermediate_chunks(c->rechunk, src_chunk, sp->chunk);
    int64_t task = core_task_nbytes(p, c->stage), total = ts_array_nbytes(c->source);
    core_plan_held(p, nresults, c->stage, held);
    spill_source_held(p, c, own);
    /* Staging a reduction's or scan's result holds a worker's share of it
     * until its stage ends (exec stores those afterwards); map and
     * map_blocks stages write each batch of chunks as it is made. */
    const plan_stage *ls = c->source_stage >= 0 ? &p->stages[c->source_stage] : NULL;
    bool holds_all = ls && (ls->kind == STAGE_REDUCE || ls->out->op == NODE_SCAN);
    for (int w = 0; holds_all && w < p->nworkers; w++)
        if (own[w] + core_task_nbytes(p, c->source_stage) > sp->limit_nbytes)
            return false; /* staging cannot hold it either: the memory check refuses the plan */
    bool keeps_source = is_result(p, nresults, c->source);
    for (int w = 0; w < p->nworkers; w++) {
        if (st->task_first[w + 1] == st->task_first[w])
            continue;
        int64_t staged = held[w] - (keeps_source ? 0 : own[w]) + task;
        sp->after_nbytes = staged > sp->after_nbytes ? staged : sp->after_nbytes;
    }
    if (sp->after_nbytes > sp->limit_nbytes)
        return false; /* staging would not fit either */
    for (int w = 0; w < p->nworkers && sp->need_nbytes <= sp->limit_nbytes; w++) {
        if (st->task_first[w + 1] == st->task_first[w])
            continue;
        int64_t extra = stored_read;
        if (c->source_stage >= 0)
            extra = held[w] + task + total - own[w] <= sp->limit_nbytes ? 0 : spill_fetch_nbytes(p, c, w);
        int64_t in = held[w] + task + extra;
        sp->need_nbytes = in > sp->need_nbytes ? in : sp->need_nbytes;
    }
    return sp->need_nbytes > sp->limit_nbytes;
}

ts_status core_spill_choose(ts_ctx *ctx, const plan *p, int nresults, core_spill **out, int *n)
{
    *out = NULL;
    *n = 0;
    spill_candidate *cands = NULL;
    int ncands = 0;
    ts_status st = spill_candidates(p, &cands, &ncands, &ctx->err);
    if (st != TS_OK || ncands == 0)
        return st;
    int64_t *held = malloc(2 * (size_t)p->nworkers * sizeof *held);
    core_spill *sp = calloc((size_t)ncands, sizeof *sp);
    if (!held || !sp) {
        free(held);
        free(sp);
        free(cands);
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory planning");
    }
    int chosen = 0;
    for (int i = 0; i < ncands; i++) {
        /* A source read by several rechunks is staged once. */
        bool dup = false;
        for (int j = 0; j < chosen; j++)
            dup = dup || sp[j].source == cands[i].source;
        if (!dup && judge(ctx, p, nresults, &cands[i], held, held + p->nworkers, &sp[chosen]))
            chosen++;
    }
    free(held);
    free(cands);
    if (chosen == 0) {
        free(sp);
        return TS_OK;
    }
    *out = sp;
    *n = chosen;
    return TS_OK;
}

void core_spill_name(ts_ctx *ctx, core_spill *sp, int n)
{
    char host[HOST_NAME_MAX + 1] = "host";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "host");
    host[HOST_NAME_MAX] = '\0';
    const char *dir = ctx->cfg.spill_dir && *ctx->cfg.spill_dir ? ctx->cfg.spill_dir : ".";
    size_t dl = strlen(dir);
    for (int i = 0; i < n; i++)
        snprintf(sp[i].path, sizeof sp[i].path, "%s%stessera-spill-%s-%ld-%lld.h5", dir,
                 dl && dir[dl - 1] == '/' ? "" : "/", host, (long)getpid(),
                 (long long)(ctx->spill_files + i + 1));
}

void core_spill_line(const core_spill *sp, char *buf, size_t len)
{
    char shape[128], chunk[128], nb[32], need[32], limit[32];
    build_format_shape(sp->source->ndim, sp->source->shape, shape, sizeof shape);
    build_format_shape(sp->source->ndim, sp->chunk, chunk, sizeof chunk);
    ts_format_nbytes(ts_array_nbytes(sp->source), nb, sizeof nb);
    ts_format_nbytes(sp->need_nbytes, need, sizeof need);
    ts_format_nbytes(sp->limit_nbytes, limit, sizeof limit);
    snprintf(buf, len,
             "rechunk of %s %s staged through %s, %s in chunks of %s (in memory a rank would need %s, over "
             "the %s its budget leaves for data)",
             node_label(sp->source), shape, sp->path, nb, chunk, need, limit);
}
