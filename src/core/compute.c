/* compute.c — ts_compute on the driver: check the results fit, broadcast
 * the DAG, let the workers run the plan, and assemble the gathered chunks
 * into local arrays. */
#include "core/ctx.h"
#include "core/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static ts_status check_results_fit(ts_ctx *ctx, int n, ts_array *const *arrays)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++)
        total += ts_array_nbytes(arrays[i]);
    /* Rank 0 holds them twice: as received, and assembled. */
    int64_t budget = ctx->cfg.memory_per_rank_nbytes, overhead = ctx->ses.overhead_nbytes;
    if (2 * total + overhead <= budget)
        return TS_OK;
    char need[32], have[32], twice[32];
    ts_format_nbytes(total, need, sizeof need);
    ts_format_nbytes(2 * total + overhead, twice, sizeof twice);
    ts_format_nbytes(budget, have, sizeof have);
    return err_set(&ctx->err, TS_ERR_MEMORY,
                   "compute() would bring %s of results to rank 0, which needs %s to receive and assemble "
                   "them, more than its memory budget of %s; "
                   "reduce the result first (for example x:mean{axis = 0} or x:sum()) and compute that, "
                   "store the array to a file instead of computing it, or raise --memory-per-rank",
                   need, twice, have);
}

/* Copies each worker's chunks of each target into the local results, in
 * the order the workers packed them (session.c: pack_results). */
static ts_status assemble(ts_ctx *ctx, const plan *p, int nresults, const session_result *res,
                          ts_local **results)
{
    int nranks = ctx->ses.nranks;
    int64_t *cursor = malloc((size_t)nranks * sizeof *cursor);
    if (!cursor)
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory assembling results");
    for (int r = 0; r < nranks; r++)
        cursor[r] = res->payload_off[r];
    /* Worker w of the workers' communicator is world rank w + 1, unless
     * the driver is the only rank. */
    int rank_of_worker0 = nranks > 1 ? 1 : 0;
    ts_status st = TS_OK;
    for (int i = 0; i < nresults && st == TS_OK; i++) {
        node *x = p->targets[i];
        int64_t s;
        ptrmap_get(&p->stage_of, x, &s);
        const plan_stage *stg = &p->stages[s];
        results[i] = local_create(x->dtype, x->ndim, x->shape);
        if (!results[i]) {
            st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory for a result");
            break;
        }
        int64_t nch = node_nchunks(x);
        for (int64_t c = 0; c < nch; c++) {
            int r = plan_chunk_owner(stg, p->nworkers, c) + rank_of_worker0;
            int64_t start[TS_MAXDIM], size[TS_MAXDIM];
            exec_chunk_box(x, c, start, size);
            int64_t nb = exec_box_nelems(x->ndim, size) * (int64_t)ts_dtype_size(x->dtype);
            if (cursor[r] + nb > res->payload_off[r + 1]) {
                st = err_set(&ctx->err, TS_ERR_RUNTIME,
                             "internal: rank %d sent fewer result bytes than planned", r);
                break;
            }
            local_put_box(results[i], start, size, res->payload + cursor[r]);
            cursor[r] += nb;
        }
    }
    free(cursor);
    return st;
}

ts_status core_dry_run(ts_ctx *ctx, const char *what, int n, ts_array *const *arrays, ts_local **results)
{
    char *text = core_describe(ctx, n, arrays, results == NULL);
    if (!text)
        return ctx->err.status;
    printf("tessera --dry-run: %s\n%s\n", what, text);
    fflush(stdout);
    free(text);
    if (ctx->cfg.graph_path) {
        /* tessera graph: every plan of the script, one digraph after another. */
        char *dot = ts_graph_dot(ctx, n, arrays, NULL);
        FILE *f = dot ? fopen(ctx->cfg.graph_path, "a") : NULL;
        bool ok = f && fputs(dot, f) >= 0;
        if (f)
            ok = fclose(f) == 0 && ok;
        free(dot);
        if (!ok)
            return err_set(&ctx->err, TS_ERR_IO, "cannot write the graph to %s", ctx->cfg.graph_path);
    }
    /* The script goes on with zeros where results would be. */
    for (int i = 0; results && i < n; i++) {
        results[i] = local_create(arrays[i]->dtype, arrays[i]->ndim, arrays[i]->shape);
        if (!results[i])
            return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
        memset(results[i]->data, 0, (size_t)results[i]->size * ts_dtype_size(arrays[i]->dtype));
    }
    return TS_OK;
}

ts_status core_run(ts_ctx *ctx, int ntargets, ts_array *const *targets, int nresults,
                   const store_list *stores, ts_local **results)
{
    double t0 = now_seconds();
    /* Once stopping, nothing new starts (the rest of the script's work is
     * for a resumed run). */
    if (session_stop_requested(&ctx->ses)) {
        ctx->stopped = true;
        return err_set(&ctx->err, TS_ERR_STOPPED, "stopped on request before this %s started",
                       stores->n ? "store" : "compute");
    }
    bytebuf job;
    bytebuf_init(&job);
    plan *p = NULL;
    session_result res = {0};
    ts_status st = core_resolve_delayed(ctx, ntargets, targets);
    if (st == TS_OK)
        st = session_job_build(&job, ntargets, targets, nresults, stores, &ctx->err);
    if (st == TS_OK)
        st = plan_create(ntargets, targets, ctx->ses.nworkers, &p, &ctx->err);
    core_spill *spills = NULL;
    int nspills = 0;
    if (st == TS_OK && !ctx->spill_off)
        st = core_spill_choose(ctx, p, nresults, &spills, &nspills);
    if (st == TS_OK && nspills > 0) {
        /* Rechunks too big for the ranks' memory: two computes through the
         * spill directory, each of which accounts for itself. */
        plan_destroy(p);
        bytebuf_fini(&job);
        st = core_spill_run(ctx, ntargets, targets, nresults, stores, results, spills, nspills);
        free(spills);
        return st;
    }
    if (st == TS_OK)
        st = core_memory_check(ctx, p, nresults, stores);
    if (st == TS_OK) {
        ctx->ses.compute_index++;
        ctx_observe_begin(ctx, p, stores, nresults);
        st = session_compute(&ctx->ses, &job, p, stores, ctx_now(ctx), &res, &ctx->err);
        ctx_observe_end(ctx, &res, st == TS_OK);
    }
    ctx->stats.chunks_resumed += res.stats.chunks_skipped;
    if (st == TS_ERR_STOPPED) {
        ctx->stopped = true;
        if (!stores->n)
            err_reset(&ctx->err, st,
                      "stopped on request before the compute finished (a compute keeps nothing "
                      "of an unfinished run)");
    }
    if (st == TS_OK && nresults > 0)
        st = assemble(ctx, p, nresults, &res, results);
    if (st == TS_OK) {
        ctx->stats.computes++;
        ctx->stats.tasks += res.stats.tasks;
        ctx->stats.elems_computed += res.stats.elems_computed;
        ctx->stats.bytes_moved += res.stats.bytes_sent;
        for (int r = 0; r < ctx->ses.nranks; r++)
            ctx->stats.bytes_results += res.trace_off[r] - res.payload_off[r];
    } else {
        for (int i = 0; i < nresults; i++) {
            ts_local_destroy(results[i]);
            results[i] = NULL;
        }
    }
    ctx->stats.compute_seconds += now_seconds() - t0;
    session_result_fini(&res);
    plan_destroy(p);
    bytebuf_fini(&job);
    return st;
}

ts_status ts_compute(ts_ctx *ctx, int n, ts_array *const *arrays, ts_local **results)
{
    ctx_begin(ctx);
    for (int i = 0; i < n; i++)
        results[i] = NULL;
    if (ctx->ses.rank != 0)
        return err_set(&ctx->err, TS_ERR_ARG, "compute is called on the driver (rank 0) only");
    if (n <= 0)
        return err_set(&ctx->err, TS_ERR_ARG, "compute needs at least one array");
    ts_status st = check_results_fit(ctx, n, arrays);
    if (st != TS_OK)
        return st;
    if (ctx->cfg.dry_run)
        return core_dry_run(ctx, "compute", n, arrays, results);
    store_list none = {0};
    return core_run(ctx, n, arrays, n, &none, results);
}
