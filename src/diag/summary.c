/* summary.c — a few lines a batch user reads at the end of a job log:
 * what was done, how much moved where, and how busy each rank was. */
#include "diag/summary.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tessera.h"
#include "util/bytebuf.h"

/* " (12.5% of wall)" in buf. */
static const char *fmt_share(char *buf, size_t cap, double fraction)
{
    snprintf(buf, cap, " (%.1f%% of wall)", 100 * fraction);
    return buf;
}

char *summary_text(const runlog *log, double wall_s)
{
    runlog_totals t;
    runlog_sum(log, &t);
    int64_t tasks = t.tasks, moved = t.bytes_moved, computed = t.bytes_computed;
    double compute_s = t.compute_s;
    char m[32], s[32], r[32], res[32], budget[32], gen[32], rate[32], share[32];
    ts_format_nbytes(computed, gen, sizeof gen);
    ts_format_nbytes(moved, m, sizeof m);
    ts_format_nbytes(t.bytes_stored, s, sizeof s);
    ts_format_nbytes(t.bytes_read, r, sizeof r);
    ts_format_nbytes(t.bytes_results, res, sizeof res);
    ts_format_nbytes(log->budget_nbytes, budget, sizeof budget);
    bytebuf b;
    bytebuf_init(&b);
    ts_format_nbytes(compute_s > 0 ? (int64_t)((double)computed / compute_s) : 0, rate, sizeof rate);
    bytebuf_printf(
        &b,
        "tessera: done in %.2f s (%.2f s in %d compute%s): %lld tasks, %.3g elements, %s generated (%s/s)\n",
        wall_s, compute_s, log->ncomputes, log->ncomputes == 1 ? "" : "s", (long long)tasks, (double)t.elems,
        gen, rate);
    /* How fast the moves went, beside MPI's own bandwidth a user can measure. */
    char speed[64] = "";
    if (moved > 0 && t.move_s > 0) {
        char bw[32];
        ts_format_nbytes((int64_t)((double)moved / t.move_s), bw, sizeof bw);
        snprintf(speed, sizeof speed, " (in %.2f s, %s/s)", t.move_s, bw);
    }
    bytebuf_printf(&b, "tessera: %s read, %s stored, %s moved between workers%s, %s of results to rank 0\n",
                   r, s, m, speed, res);
    /* Who sent what to whom, one line per sending rank (the report has the
     * whole matrix; here up to 64 ranks). */
    for (int i = 0; moved > 0 && log->nranks <= 64 && i < log->nranks; i++) {
        int sent = 0;
        for (int j = 0; j < log->nranks; j++) {
            int64_t v = log->moved[i * log->nranks + j];
            if (v <= 0)
                continue;
            char nb[32];
            ts_format_nbytes(v, nb, sizeof nb);
            if (sent++)
                bytebuf_printf(&b, ", %s to rank %d", nb, j);
            else
                bytebuf_printf(&b, "tessera:   rank %d sent %s to rank %d", i, nb, j);
        }
        if (sent)
            bytebuf_printf(&b, "\n");
    }
    for (int k = 0; k < log->nranks; k++) {
        const runlog_rank *rk = &log->ranks[k];
        char peak[32], plan[48] = "no plan estimate";
        ts_format_nbytes(rk->peak_rss_nbytes, peak, sizeof peak);
        if (rk->planned_peak_nbytes > 0) {
            char est[32];
            ts_format_nbytes(rk->planned_peak_nbytes, est, sizeof est);
            snprintf(plan, sizeof plan, "planned %s", est);
        }
        bool worker = log->nranks == 1 || k > 0;
        if (worker)
            bytebuf_printf(&b,
                           "tessera:   rank %d: %lld tasks, busy %3.0f%% of compute time, peak memory %s "
                           "(%s, budget %s)\n",
                           k, (long long)rk->tasks, compute_s > 0 ? 100 * rk->busy_s / compute_s : 0.0, peak,
                           plan, budget);
        else
            /* A share of a blink of wall (a dry run) says nothing. */
            bytebuf_printf(&b, "tessera:   rank 0: schedules; %.2f s CPU%s\n", rk->cpu_s,
                           wall_s >= 0.1 ? fmt_share(share, sizeof share, rk->cpu_s / wall_s) : "");
    }
    bytebuf_put(&b, "", 1);
    if (b.failed) {
        bytebuf_fini(&b);
        return NULL;
    }
    return (char *)b.data;
}
