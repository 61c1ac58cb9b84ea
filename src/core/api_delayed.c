/* api_delayed.c — computing delayed tasks on the driver: the arrays the
 * tasks read are computed first (one ordinary compute), the graph is sent
 * to every rank once, and the scheduler hands out the tasks. Arrays made
 * with ts_array_from_delayed get their values here too, before the plan
 * that reads them is made (core_resolve_delayed). */
#include "array/delayed_serialize.h"
#include "core/ctx.h"
#include "core/local.h"
#include "run/session_delayed.h"
#include "run/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Computes the arrays tasks read; values[k] views locals[k]. */
static ts_status compute_arrays(ts_ctx *ctx, int64_t n, node *const *arrays, ts_local **locals,
                                ts_block *values)
{
    if (n == 0)
        return TS_OK;
    if (n > 1 << 20)
        return err_set(&ctx->err, TS_ERR_ARG, "delayed: too many distinct arrays as arguments (%lld)",
                       (long long)n);
    ts_status st = ts_compute(ctx, (int)n, arrays, locals);
    for (int64_t k = 0; st == TS_OK && k < n; k++) {
        ts_block *b = &values[k];
        *b = (ts_block){.dtype = locals[k]->dtype, .ndim = locals[k]->ndim, .data = locals[k]->data};
        memcpy(b->shape, locals[k]->shape, (size_t)b->ndim * sizeof b->shape[0]);
    }
    return st;
}

static void log_compute(ts_ctx *ctx, double t0, const session_delayed_result *res, bool ok)
{
    if (!ok || !ctx->log_ok)
        return;
    runlog_compute *c = runlog_add_compute(&ctx->log, "delayed", 0, 0);
    if (!c)
        return;
    c->t0 = t0;
    c->t1 = ctx_now(ctx);
    c->ntasks = res->tasks;
}

static ts_status run_delayed(ts_ctx *ctx, int n, ts_delayed *const *tasks, ts_bytes *results)
{
    delayed **order = NULL;
    node **arrays = NULL;
    int64_t norder = 0, narrays = 0;
    ts_status st = delayed_order(n, tasks, &order, &norder, &arrays, &narrays, &ctx->err);
    if (st != TS_OK)
        return st;
    ts_local **locals = calloc((size_t)(narrays ? narrays : 1), sizeof *locals);
    ts_block *values = calloc((size_t)(narrays ? narrays : 1), sizeof *values);
    if (!locals || !values)
        st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory for delayed tasks");
    if (st == TS_OK)
        st = compute_arrays(ctx, narrays, arrays, locals, values);
    bytebuf job;
    bytebuf_init(&job);
    if (st == TS_OK)
        st = delayed_serialize(norder, order, narrays, arrays, values, n, tasks, &job, &ctx->err);
    session_delayed_result res = {0};
    if (st == TS_OK) {
        double t0 = ctx_now(ctx), w0 = trace_now();
        ctx->ses.compute_index++;
        st = session_delayed(&ctx->ses, &job, t0, &res, &ctx->err);
        log_compute(ctx, t0, &res, st == TS_OK);
        ctx->stats.compute_seconds += trace_now() - w0;
    }
    for (int i = 0; st == TS_OK && i < n; i++) {
        results[i] =
            (ts_bytes){.data = res.data[i], .nbytes = (size_t)res.nbytes[i], .kernel = tasks[i]->kernel};
        res.data[i] = NULL;
    }
    if (st == TS_OK) {
        ctx->stats.computes++;
        ctx->stats.tasks += res.tasks;
    }
    session_delayed_result_fini(&res);
    bytebuf_fini(&job);
    for (int64_t k = 0; locals && k < narrays; k++)
        ts_local_destroy(locals[k]);
    free(locals);
    free(values);
    free(order);
    free(arrays);
    return st;
}

ts_status ts_compute_delayed(ts_ctx *ctx, int n, ts_delayed *const *tasks, ts_bytes *results)
{
    ctx_begin(ctx);
    for (int i = 0; i < n; i++)
        results[i] = (ts_bytes){0};
    if (ctx->ses.rank != 0)
        return err_set(&ctx->err, TS_ERR_ARG, "compute is called on the driver (rank 0) only");
    if (n <= 0)
        return err_set(&ctx->err, TS_ERR_ARG, "compute needs at least one delayed task");
    if (ctx->cfg.dry_run) {
        /* Nothing runs: the results are empty (a script sees nil). */
        printf("tessera --dry-run: delayed compute of %d result%s (tasks are not run)\n", n,
               n == 1 ? "" : "s");
        fflush(stdout);
        return TS_OK;
    }
    ts_status st = run_delayed(ctx, n, tasks, results);
    if (st != TS_OK)
        for (int i = 0; i < n; i++) {
            free(results[i].data);
            results[i] = (ts_bytes){0};
        }
    return st;
}

/* ---- arrays of delayed results ---- */

static bool collect_pending(node *x, ptrmap *seen, node ***v, int64_t *n, int64_t *cap)
{
    int64_t dummy;
    if (ptrmap_get(seen, x, &dummy))
        return true;
    if (!ptrmap_put(seen, x, 0))
        return false;
    if (x->op == NODE_DATA && x->delayed && !x->blob) {
        if (*n == *cap) {
            int64_t ncap = *cap ? 2 * *cap : 8;
            node **nv = realloc(*v, (size_t)ncap * sizeof *nv);
            if (!nv)
                return false;
            *v = nv;
            *cap = ncap;
        }
        (*v)[(*n)++] = x;
    }
    for (int i = 0; i < x->ninputs; i++)
        if (!collect_pending(x->inputs[i], seen, v, n, cap))
            return false;
    return true;
}

/* The values of one from_delayed array from its task's result bytes. */
static ts_status decode(ts_ctx *ctx, node *x, const ts_bytes *r)
{
    int64_t count = 1;
    for (int d = 0; d < x->ndim; d++)
        count *= x->shape[d];
    size_t nb = (size_t)count * ts_dtype_size(x->dtype);
    void *values = malloc(nb ? nb : 1);
    if (!values)
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory for a from_delayed array");
    const registry_entry *k = registry_find(&ctx->ses.kernels, x->delayed->kernel);
    ts_status st = TS_OK;
    if (k && k->k.decode) {
        ts_block into = {.dtype = x->dtype, .ndim = x->ndim, .data = values};
        memcpy(into.shape, x->shape, (size_t)x->ndim * sizeof into.shape[0]);
        char msg[TS_ERRMSG_MAX] = "";
        st = k->k.decode(k->k.rank_ud, r->data, r->nbytes, &into, msg, sizeof msg);
        if (st != TS_OK)
            err_set(&ctx->err, st, "%s",
                    msg[0] ? msg : "from_delayed: the result cannot be read as an array");
    } else if (r->nbytes != nb) {
        st = err_set(&ctx->err, TS_ERR_SHAPE,
                     "from_delayed: task '%s' returned %zu bytes, but the array needs %zu (%lld %s values)",
                     x->delayed->label, r->nbytes, nb, (long long)count, ts_dtype_name(x->dtype));
    } else {
        memcpy(values, r->data, nb);
    }
    if (st != TS_OK) {
        free(values);
        return st;
    }
    x->blob = values;
    x->blob_nbytes = (int64_t)nb;
    return TS_OK;
}

ts_status core_resolve_delayed(ts_ctx *ctx, int n, ts_array *const *targets)
{
    ptrmap seen;
    ptrmap_init(&seen);
    node **pending = NULL;
    int64_t npending = 0, cap = 0;
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = collect_pending(targets[i], &seen, &pending, &npending, &cap);
    ptrmap_fini(&seen);
    ts_status st = ok ? TS_OK : err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
    if (st == TS_OK && npending > 0) {
        delayed **tasks = malloc((size_t)npending * sizeof *tasks);
        ts_bytes *results = calloc((size_t)npending, sizeof *results);
        if (!tasks || !results)
            st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
        for (int64_t k = 0; st == TS_OK && k < npending; k++)
            tasks[k] = pending[k]->delayed;
        if (st == TS_OK)
            st = run_delayed(ctx, (int)npending, tasks, results);
        for (int64_t k = 0; st == TS_OK && k < npending; k++)
            st = decode(ctx, pending[k], &results[k]);
        for (int64_t k = 0; results && k < npending; k++)
            free(results[k].data);
        free(tasks);
        free(results);
    }
    free(pending);
    return st;
}
