/* runlog.c — the driver's log of a run: growable arrays, owned here. */
#include "diag/runlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool runlog_init(runlog *log, const char *script, const char *version, int nranks, int nworkers,
                 int64_t budget_nbytes, uint64_t seed)
{
    memset(log, 0, sizeof *log);
    snprintf(log->script, sizeof log->script, "%s", script ? script : "");
    snprintf(log->version, sizeof log->version, "%s", version);
    log->nranks = nranks;
    log->nworkers = nworkers;
    log->budget_nbytes = budget_nbytes;
    log->seed = seed;
    log->moved = calloc((size_t)nranks * (size_t)nranks, sizeof *log->moved);
    log->ranks = calloc((size_t)nranks, sizeof *log->ranks);
    if (!log->moved || !log->ranks) {
        runlog_fini(log);
        return false;
    }
    return true;
}

void runlog_fini(runlog *log)
{
    for (int c = 0; c < log->ncomputes; c++) {
        for (int o = 0; o < log->computes[c].nops; o++)
            free(log->computes[c].ops[o].task_first);
        free(log->computes[c].ops);
    }
    free(log->computes);
    free(log->seg);
    free(log->mem);
    free(log->moved);
    free(log->ranks);
    memset(log, 0, sizeof *log);
}

runlog_compute *runlog_add_compute(runlog *log, const char *what, int line, int nops)
{
    runlog_compute *nc = realloc(log->computes, (size_t)(log->ncomputes + 1) * sizeof *nc);
    if (!nc)
        return NULL;
    log->computes = nc;
    runlog_compute *c = &nc[log->ncomputes];
    memset(c, 0, sizeof *c);
    snprintf(c->what, sizeof c->what, "%s", what);
    c->line = line;
    c->ops = calloc((size_t)(nops ? nops : 1), sizeof *c->ops);
    if (!c->ops)
        return NULL;
    for (int o = 0; o < nops; o++) {
        c->ops[o].task_first = calloc((size_t)log->nworkers + 1, sizeof *c->ops[o].task_first);
        if (!c->ops[o].task_first) {
            for (int k = 0; k < o; k++)
                free(c->ops[k].task_first);
            free(c->ops);
            return NULL;
        }
    }
    c->nops = nops;
    log->ncomputes++;
    return c;
}

/* Appends n elements of size esz to *arr of length *len. */
static bool append(void **arr, int64_t *len, const void *src, int64_t n, size_t esz)
{
    if (n <= 0)
        return true;
    void *na = realloc(*arr, (size_t)(*len + n) * esz);
    if (!na)
        return false;
    memcpy((char *)na + (size_t)*len * esz, src, (size_t)n * esz);
    *arr = na;
    *len += n;
    return true;
}

bool runlog_add_segments(runlog *log, const runlog_segment *seg, int64_t n)
{
    return append((void **)&log->seg, &log->nseg, seg, n, sizeof *seg);
}

bool runlog_add_mem(runlog *log, const runlog_mem *mem, int64_t n)
{
    return append((void **)&log->mem, &log->nmem, mem, n, sizeof *mem);
}

double runlog_compute_end(const runlog *log, int c)
{
    const runlog_compute *k = &log->computes[c];
    if (log->running && c == log->ncomputes - 1)
        return k->t1 > log->t_now ? k->t1 : log->t_now;
    return k->t1;
}

void runlog_sum(const runlog *log, runlog_totals *t)
{
    *t = (runlog_totals){0};
    for (int c = 0; c < log->ncomputes; c++) {
        const runlog_compute *k = &log->computes[c];
        t->tasks += k->ntasks;
        t->elems += k->elems;
        t->bytes_moved += k->bytes_moved;
        t->move_s += k->move_s;
        t->bytes_results += k->bytes_results;
        t->bytes_stored += k->bytes_stored;
        t->bytes_read += k->bytes_read;
        t->bytes_computed += k->bytes_computed;
        t->compute_s += runlog_compute_end(log, c) - k->t0;
    }
    for (int r = 0; r < log->nranks; r++)
        t->busy_s += log->ranks[r].busy_s;
}
