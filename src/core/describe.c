/* describe.c — a dry run: the plan of a compute as text, with estimates of
 * what would move and how much memory each worker would hold, from the
 * same plan the workers would derive. Nothing is sent or computed. */
#include "core/ctx.h"
#include "util/bytebuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Bytes of one output chunk's partials (up to three 8-byte fields). */
static int64_t partial_nbytes(const plan_stage *st)
{
    return exec_max_chunk_nbytes(st->out) / (int64_t)ts_dtype_size(st->out->dtype) * 24;
}

/* Workers other than the owner that hold tasks of output chunk o: each
 * sends the owner its completed subtrees (about one partial each). */
static int64_t reduce_moved(const plan_stage *st, int nworkers)
{
    int64_t moved = 0;
    for (int64_t o = 0; o < st->nout; o++) {
        int first = plan_task_worker(st, nworkers, o * st->nred);
        int last = plan_task_worker(st, nworkers, o * st->nred + st->nred - 1);
        moved += (int64_t)(last - first) * partial_nbytes(st);
    }
    return moved;
}

static void fmt(int64_t nbytes, char *buf) { ts_format_nbytes(nbytes, buf, 32); }

/* The plan of arrays as text; staging (may be "") follows its first line.
 * stored: the arrays go to files, not to rank 0. */
static char *describe_text(ts_ctx *ctx, int n, ts_array *const *arrays, const char *staging, bool stored)
{
    plan *p = NULL;
    if (plan_create(n, arrays, ctx->ses.nworkers, &p, &ctx->err) != TS_OK)
        return NULL;
    int W = p->nworkers, rank0 = ctx->ses.nranks > 1 ? 1 : 0;
    bytebuf b;
    bytebuf_init(&b);
    int64_t moved = 0, results = 0, tasks = 0;
    int64_t *peak = calloc((size_t)W, sizeof *peak);
    if (peak)
        core_plan_peak(ctx, p, n, NULL, peak);
    bytebuf_printf(&b, "plan of %d array%s on %d worker%s (nothing is computed):\n%s", n, n == 1 ? "" : "s",
                   W, W == 1 ? "" : "s", staging);
    for (int s = 0; s < p->nstages && peak; s++) {
        const plan_stage *st = &p->stages[s];
        char shape[128], chunk[32], label[160] = "";
        build_format_shape(st->expr->ndim, st->expr->shape, shape, sizeof shape);
        fmt(exec_max_chunk_nbytes(st->expr), chunk);
        if (st->kind == STAGE_REDUCE && st->leader != s) {
            bytebuf_printf(&b, "  stage %d: %s, in the same pass as stage %d\n", s, node_label(st->out),
                           st->leader);
            continue;
        }
        size_t len = 0;
        for (int m = 0; st->kind == STAGE_REDUCE && m < st->nmembers; m++)
            len += (size_t)snprintf(label + len, sizeof label - len, "%s%s", m ? ", " : "",
                                    node_label(p->stages[st->members[m]].out));
        snprintf(label + len, sizeof label - len, "%s%s", st->kind == STAGE_REDUCE ? " of " : "",
                 node_label(st->expr));
        bytebuf_printf(
            &b,
            "  stage %d: %s %s: %lld task%s over %s in chunks of up to %s, fused into one pass per chunk\n",
            s, st->kind == STAGE_MAP ? "map" : "reduce", label, (long long)st->ntasks,
            st->ntasks == 1 ? "" : "s", shape, chunk);
        tasks += st->ntasks;
        bytebuf_printf(&b, "    partition:");
        for (int w = 0; w < W; w++) {
            int64_t a = st->task_first[w], z = st->task_first[w + 1];
            bytebuf_printf(&b, " rank %d: %lld%s", w + rank0, (long long)(z - a), w + 1 < W ? "," : "\n");
        }
        int64_t stage_moved = st->kind == STAGE_REDUCE ? reduce_moved(st, W) : 0, fetched = 0;
        moved += stage_moved;
        if (stage_moved) {
            char mv[32];
            fmt(stage_moved, mv);
            bytebuf_printf(&b, "    moves about %s of partial results between workers\n", mv);
        }
        if (plan_fetch_nbytes(p, s, &fetched, &ctx->err) != TS_OK) {
            free(peak);
            plan_destroy(p);
            bytebuf_fini(&b);
            return NULL;
        }
        moved += fetched;
        if (fetched) {
            char mv[32];
            fmt(fetched, mv);
            bytebuf_printf(
                &b, "    fetches %s of earlier stages' chunks from the workers that computed them\n", mv);
        }
    }
    for (int i = 0; i < n; i++)
        results += ts_array_nbytes(arrays[i]);
    char mv[32], res[32], budget[32];
    fmt(moved, mv);
    fmt(results, res);
    fmt(ctx->cfg.memory_per_rank_nbytes, budget);
    bytebuf_printf(&b, "  %lld tasks; about %s moved between workers; %s %s\n", (long long)tasks, mv, res,
                   stored ? "written to files by the workers, nothing to rank 0" : "of results to rank 0");
    bytebuf_printf(&b, "  planned peak memory (estimate):");
    for (int w = 0; peak && w < W; w++) {
        char pk[32];
        fmt(peak[w], pk);
        bytebuf_printf(&b, " rank %d: %s%s", w + rank0, pk, w + 1 < W ? "," : "");
    }
    bytebuf_printf(&b, " (budget %s per rank)", budget);
    bytebuf_put(&b, "", 1);
    free(peak);
    plan_destroy(p);
    if (b.failed) {
        bytebuf_fini(&b);
        err_set(&ctx->err, TS_ERR_MEMORY, "out of memory describing a plan");
        return NULL;
    }
    return (char *)b.data;
}

/* The plan as it would run: rechunks too big for the ranks' memory are
 * staged through the spill directory first (spill_choose.c), and the plan
 * described is the one that reads the staged copies. */
char *ts_describe(ts_ctx *ctx, int n, ts_array *const *arrays)
{
    return core_describe(ctx, n, arrays, false);
}

char *core_describe(ts_ctx *ctx, int n, ts_array *const *arrays, bool stored)
{
    ctx_begin(ctx);
    plan *p = NULL;
    if (plan_create(n, arrays, ctx->ses.nworkers, &p, &ctx->err) != TS_OK)
        return NULL;
    core_spill *sp = NULL;
    int nsp = 0;
    ts_status st = core_spill_choose(ctx, p, n, &sp, &nsp);
    plan_destroy(p);
    if (st != TS_OK)
        return NULL;
    if (nsp == 0)
        return describe_text(ctx, n, arrays, "", stored);
    core_spill_name(ctx, sp, nsp);
    ts_array **staged = NULL;
    bytebuf lines;
    bytebuf_init(&lines);
    for (int i = 0; i < nsp; i++) {
        char line[5000];
        core_spill_line(&sp[i], line, sizeof line);
        bytebuf_printf(&lines, "  %s; first the workers store it there, then:\n", line);
    }
    bytebuf_put(&lines, "", 1);
    char *text = NULL;
    if (lines.failed)
        err_set(&ctx->err, TS_ERR_MEMORY, "out of memory describing a plan");
    else if (core_spill_rewrite(ctx, n, arrays, sp, nsp, &staged) == TS_OK)
        text = describe_text(ctx, n, staged, (const char *)lines.data, stored);
    for (int i = 0; staged && i < n; i++)
        ts_array_release(staged[i]);
    free(staged);
    free(sp);
    bytebuf_fini(&lines);
    return text;
}
