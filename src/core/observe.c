/* observe.c — the driver following its computes: it names each stage for
 * the report, sums the workers' progress messages into the progress
 * display, merges their traces when a compute ends, and rewrites the HTML
 * report and metrics JSON (during long computes too, every few seconds).
 * Nothing here is needed for correctness; a failure to write a report is
 * reported once on stderr and does not stop the run. */
#include "core/ctx.h"
#include "diag/summary.h"
#include "run/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPORT_EVERY_S 3.0

double ctx_now(const ts_ctx *ctx) { return trace_now() - ctx->t_start; }

static void on_progress(void *ud, int rank, const exec_stats *so_far);
static void on_tick(void *ud);

void ctx_observe_init(ts_ctx *ctx)
{
    ctx->t_start = trace_now();
    ctx->cpu_start = (double)clock() / CLOCKS_PER_SEC;
    if (ctx->ses.rank != 0)
        return;
    ctx->log_ok = runlog_init(&ctx->log, ctx->cfg.script_path, TS_VERSION_STRING, ctx->ses.nranks,
                              ctx->ses.nworkers, ctx->cfg.memory_per_rank_nbytes, ctx->seed);
    ctx->latest = calloc((size_t)ctx->ses.nranks, sizeof *ctx->latest);
    progress_init(&ctx->prog, stderr, !ctx->cfg.quiet, ctx->cfg.progress_style, ctx->cfg.progress_interval_s);
    ctx->ses.observer = (session_observer){.progress = on_progress, .tick = on_tick, .ud = ctx};
}

void ctx_observe_fini(ts_ctx *ctx)
{
    if (ctx->log_ok)
        runlog_fini(&ctx->log);
    ctx->log_ok = false;
    free(ctx->latest);
    ctx->latest = NULL;
}

/* "mean, std of normal" for a pass, "normal" for a map stage; the report
 * and graphs colour operations by this label. */
void ctx_stage_label(const plan *p, const plan_stage *st, const store_list *stores, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    if (st->kind == STAGE_REDUCE) {
        for (int m = 0; m < st->nmembers && n < len; m++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", m ? ", " : "",
                                  node_label(p->stages[st->members[m]].out));
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, " of ");
    }
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s", node_label(st->expr));
    for (int i = 0; stores && i < stores->n && n < len; i++)
        if (p->targets[stores->v[i].target] == st->out)
            n += (size_t)snprintf(buf + n, len - n, " -> %s", stores->v[i].h5.dataset);
}

static void largest_chunk(const node *x, char *buf, size_t len)
{
    int64_t c[TS_MAXDIM];
    for (int d = 0; d < x->ndim; d++) {
        c[d] = 0;
        for (int64_t k = 0; k < x->chunks[d].n; k++)
            c[d] = x->chunks[d].sizes[k] > c[d] ? x->chunks[d].sizes[k] : c[d];
    }
    build_format_shape(x->ndim, c, buf, len);
}

void ctx_observe_begin(ts_ctx *ctx, const plan *p, const store_list *stores, int nresults)
{
    if (ctx->ses.rank != 0 || !ctx->log_ok)
        return;
    int nops = p->nstages;
    runlog_compute *c = runlog_add_compute(&ctx->log, stores->n ? "store" : "compute", 0, nops);
    if (!c)
        return;
    c->t0 = c->t1 = ctx_now(ctx);
    int64_t total = 0;
    for (int s = 0; s < nops; s++) {
        const plan_stage *st = &p->stages[s];
        runlog_op *op = &c->ops[s];
        ctx_stage_label(p, st, stores, op->label, sizeof op->label);
        snprintf(op->kind, sizeof op->kind, "%s", st->kind == STAGE_MAP ? "map" : "reduce");
        build_format_shape(st->expr->ndim, st->expr->shape, op->shape, sizeof op->shape);
        largest_chunk(st->expr, op->chunks, sizeof op->chunks);
        bool leads = st->kind == STAGE_MAP || st->leader == s;
        op->ntasks = leads ? st->ntasks : 0;
        for (int w = 0; w <= p->nworkers; w++)
            op->task_first[w] = leads ? st->task_first[w] : 0;
        op->placed = leads && st->order != NULL;
        op->color = runlog_color(op->label);
        total += op->ntasks;
    }
    int64_t *peak = calloc((size_t)p->nworkers, sizeof *peak);
    if (peak) {
        core_plan_peak(ctx, p, nresults, stores, peak);
        int rank0 = ctx->ses.nranks > 1 ? 1 : 0;
        for (int w = 0; w < p->nworkers; w++) {
            runlog_rank *rk = &ctx->log.ranks[w + rank0];
            rk->planned_peak_nbytes = peak[w] > rk->planned_peak_nbytes ? peak[w] : rk->planned_peak_nbytes;
        }
        free(peak);
    }
    memset(ctx->latest, 0, (size_t)ctx->ses.nranks * sizeof *ctx->latest);
    ctx->log.running = true;
    ctx->log.progress_total = total;
    ctx->log.progress_tasks = ctx->log.progress_elems = ctx->log.progress_bytes_stored = 0;
    char what[48];
    snprintf(what, sizeof what, "%s %d", c->what, ctx->log.ncomputes);
    progress_start(&ctx->prog, what, total, ctx_now(ctx));
}

static void write_file(ts_ctx *ctx, const char *path, char *text)
{
    if (!path || !text) {
        free(text);
        return;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f)
        ok = fclose(f) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok && !ctx->cfg.quiet)
        fprintf(stderr, "tessera: cannot write %s\n", path);
    free(text);
}

static void write_reports(ts_ctx *ctx)
{
    if (!ctx->log_ok)
        return;
    ctx->log.t_now = ctx_now(ctx);
    ctx->log.ranks[0].cpu_s = (double)clock() / CLOCKS_PER_SEC - ctx->cpu_start;
    if (ctx->cfg.report_path)
        write_file(ctx, ctx->cfg.report_path, report_html(&ctx->log));
    if (ctx->cfg.metrics_path)
        write_file(ctx, ctx->cfg.metrics_path, metrics_json(&ctx->log));
    ctx->last_report = ctx->log.t_now;
}

static void on_progress(void *ud, int rank, const exec_stats *so_far)
{
    ts_ctx *ctx = ud;
    if (rank < 0 || rank >= ctx->ses.nranks)
        return;
    ctx->latest[rank] = *so_far;
    int64_t tasks = 0, elems = 0, stored = 0, computed = 0;
    for (int r = 0; r < ctx->ses.nranks; r++) {
        tasks += ctx->latest[r].tasks;
        elems += ctx->latest[r].elems_computed;
        stored += ctx->latest[r].bytes_stored;
        computed += ctx->latest[r].bytes_computed;
    }
    ctx->log.progress_tasks = tasks;
    ctx->log.progress_elems = elems;
    ctx->log.progress_bytes_stored = stored;
    progress_update(&ctx->prog, tasks, computed, stored, ctx_now(ctx));
}

static void on_tick(void *ud)
{
    ts_ctx *ctx = ud;
    double now = ctx_now(ctx);
    progress_update(&ctx->prog, ctx->prog.tasks, ctx->prog.bytes_computed, ctx->prog.bytes_stored, now);
    if ((ctx->cfg.report_path || ctx->cfg.metrics_path) && now - ctx->last_report >= REPORT_EVERY_S)
        write_reports(ctx);
}

void ctx_observe_end(ts_ctx *ctx, const session_result *res, bool ok)
{
    if (ctx->ses.rank != 0 || !ctx->log_ok || ctx->log.ncomputes == 0)
        return;
    int ci = ctx->log.ncomputes - 1;
    runlog_compute *c = &ctx->log.computes[ci];
    c->t1 = ctx_now(ctx);
    int rank0 = ctx->ses.nranks > 1 ? 1 : 0;
    for (int r = 0; res->payload && r < ctx->ses.nranks; r++)
        if (res->trace_off[r] < res->payload_off[r + 1])
            trace_merge(res->payload + res->trace_off[r],
                        (size_t)(res->payload_off[r + 1] - res->trace_off[r]), ci, rank0, &ctx->log);
    for (int r = 0; ok && res->payload_off && r < ctx->ses.nranks; r++)
        c->bytes_results += res->trace_off[r] - res->payload_off[r];
    for (int o = 0; o < c->nops; o++)
        c->ntasks += c->ops[o].ntasks;
    c->bytes_computed = res->stats.bytes_computed;
    c->move_s = res->stats.move_s;
    ctx->log.running = false;
    if (ok) {
        ctx->prog.bytes_computed = res->stats.bytes_computed;
        ctx->prog.bytes_stored = res->stats.bytes_stored;
    }
    progress_finish(&ctx->prog, c->t1, ok);
    write_reports(ctx);
}

void ctx_observe_shutdown(ts_ctx *ctx, int exit_status)
{
    if (ctx->ses.rank != 0 || !ctx->log_ok)
        return;
    session_drain_progress(&ctx->ses);
    ctx->log.finished = true;
    ctx->log.exit_status = exit_status;
    ctx->log.running = false;
    write_reports(ctx);
}

char *ts_ctx_summary(ts_ctx *ctx)
{
    if (ctx->ses.rank != 0 || !ctx->log_ok)
        return NULL;
    ctx->log.ranks[0].cpu_s = (double)clock() / CLOCKS_PER_SEC - ctx->cpu_start;
    return summary_text(&ctx->log, ctx_now(ctx));
}
