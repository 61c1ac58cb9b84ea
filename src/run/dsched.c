/* dsched.c — the driver's side of a delayed compute (see dsched.h). Every
 * decision depends only on what the workers reported, so a run is a
 * sequence of small messages: a batch of tasks out, a batch of records
 * back, never the data itself (results move between workers). */
#include "run/dsched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ready tasks: a max-heap on bottom level, then task order ---- */

static bool before(const dsched *d, int64_t a, int64_t b)
{
    return d->prio[a] > d->prio[b] || (d->prio[a] == d->prio[b] && a < b);
}

static void heap_push(dsched *d, int64_t t)
{
    int64_t i = d->nheap++;
    d->heap[i] = t;
    while (i > 0 && before(d, d->heap[i], d->heap[(i - 1) / 2])) {
        int64_t p = (i - 1) / 2, tmp = d->heap[p];
        d->heap[p] = d->heap[i];
        d->heap[i] = tmp;
        i = p;
    }
}

static int64_t heap_pop(dsched *d)
{
    int64_t top = d->heap[0];
    d->heap[0] = d->heap[--d->nheap];
    for (int64_t i = 0;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < d->nheap && before(d, d->heap[l], d->heap[m]))
            m = l;
        if (r < d->nheap && before(d, d->heap[r], d->heap[m]))
            m = r;
        if (m == i)
            break;
        int64_t tmp = d->heap[m];
        d->heap[m] = d->heap[i];
        d->heap[i] = tmp;
        i = m;
    }
    return top;
}

ts_status dsched_init(dsched *d, session *s, const dgraph *g, int64_t c, ts_err *err)
{
    *d = (dsched){.s = s, .g = g, .c = c, .nworkers = s->nworkers, .rank0 = s->nranks > 1 ? 1 : 0};
    err_clear(&d->err);
    size_t n = (size_t)(g->ntasks ? g->ntasks : 1), W = (size_t)d->nworkers, R = (size_t)s->nranks;
    d->cost = malloc(n * sizeof *d->cost);
    d->prio = malloc(n * sizeof *d->prio);
    d->nleft = malloc(n * sizeof *d->nleft);
    d->owner = malloc(n * sizeof *d->owner);
    d->res_nbytes = calloc(n, sizeof *d->res_nbytes);
    d->heap = malloc(n * sizeof *d->heap);
    d->result = calloc(n, sizeof *d->result);
    d->result_n = calloc(n, sizeof *d->result_n);
    d->inflight = calloc(W, sizeof *d->inflight);
    d->load = calloc(W, sizeof *d->load);
    d->run = calloc(W, sizeof *d->run);
    d->done_msgs = calloc(R, sizeof *d->done_msgs);
    d->result_msgs = calloc(R, sizeof *d->result_msgs);
    if (!d->cost || !d->prio || !d->nleft || !d->owner || !d->res_nbytes || !d->heap || !d->result ||
        !d->result_n || !d->inflight || !d->load || !d->run || !d->done_msgs || !d->result_msgs)
        return err_set(err, TS_ERR_MEMORY, "out of memory scheduling delayed tasks");
    for (size_t w = 0; w < W; w++)
        bytebuf_init(&d->run[w]);
    /* Unknown costs count as the mean of the known ones (1 s if none). */
    double known = 0;
    int64_t nknown = 0;
    for (int64_t t = 0; t < g->ntasks; t++)
        if (g->tasks[t].cost_s > 0) {
            known += g->tasks[t].cost_s;
            nknown++;
        }
    double fill = nknown ? known / (double)nknown : 1.0;
    if (nknown == g->ntasks && nknown > 0)
        d->avg_s = fill; /* every cost is known: size the queues from them */
    for (int64_t t = 0; t < g->ntasks; t++) {
        d->cost[t] = g->tasks[t].cost_s > 0 ? g->tasks[t].cost_s : fill;
        d->nleft[t] = g->tasks[t].ndeps;
        d->owner[t] = -1;
    }
    /* Bottom levels, readers first (tasks come in dependency order). */
    for (int64_t t = g->ntasks - 1; t >= 0; t--) {
        double longest = 0;
        for (int64_t k = g->cons_first[t]; k < g->cons_first[t + 1]; k++)
            longest = d->prio[g->cons[k]] > longest ? d->prio[g->cons[k]] : longest;
        d->prio[t] = d->cost[t] + longest;
    }
    for (int64_t t = 0; t < g->ntasks; t++)
        if (d->nleft[t] == 0)
            heap_push(d, t);
    for (int64_t t = 0; t < g->ntasks; t++)
        d->nresults_wanted += g->is_target[t];
    return TS_OK;
}

/* Tasks a worker's queue may hold: two, or as many as run in 2 ms. */
static int queue_limit(const dsched *d)
{
    if (d->avg_s <= 0)
        return DSCHED_MIN_QUEUE;
    double q = DSCHED_MIN_QUEUE + 0.002 / d->avg_s;
    return q > DSCHED_MAX_QUEUE ? DSCHED_MAX_QUEUE : (int)q;
}

/* The worker for t among those with room, or -1. */
static int pick_worker(const dsched *d, int64_t t, int limit)
{
    const dgraph *g = d->g;
    const dtask *task = &g->tasks[t];
    int best = -1;
    int64_t best_here = -1;
    for (int w = 0; w < d->nworkers; w++) {
        if (d->inflight[w] >= limit)
            continue;
        int64_t here = 0; /* bytes of t's inputs this worker holds (+1 each) */
        for (int a = 0; a < task->nargs; a++) {
            const darg *ar = &g->args[task->arg0 + a];
            if (ar->kind == TS_ARG_DELAYED && d->owner[ar->ref] == w + d->rank0)
                here += d->res_nbytes[ar->ref] + 1;
        }
        bool better =
            best < 0 || here > best_here ||
            (here == best_here && (d->load[w] < d->load[best] ||
                                   (d->load[w] == d->load[best] && d->inflight[w] < d->inflight[best])));
        if (better) {
            best = w;
            best_here = here;
        }
    }
    return best;
}

static void assign(dsched *d)
{
    const dgraph *g = d->g;
    int limit = queue_limit(d);
    while (d->nheap > 0) {
        int w = pick_worker(d, d->heap[0], limit);
        if (w < 0)
            return;
        int64_t t = heap_pop(d);
        bytebuf *b = &d->run[w];
        if (b->len == 0)
            bytebuf_put_i64(b, d->c);
        bytebuf_put_i64(b, t);
        const dtask *task = &g->tasks[t];
        for (int a = 0; a < task->nargs; a++)
            if (g->args[task->arg0 + a].kind == TS_ARG_DELAYED)
                bytebuf_put_i64(b, d->owner[g->args[task->arg0 + a].ref]);
        d->inflight[w]++;
        d->load[w] += d->cost[t];
        d->nassigned++;
    }
}

static void send_runs(dsched *d)
{
    for (int w = 0; w < d->nworkers; w++) {
        bytebuf *b = &d->run[w];
        if (b->len == 0)
            continue;
        if (b->failed)
            err_set(&d->err, TS_ERR_MEMORY, "out of memory handing out tasks"), d->failed = true;
        else
            dsends_post(&d->sends, d->s->world, w + d->rank0, DTAG_RUN, b->data, b->len, &d->err);
        bytebuf_init(b);
    }
}

static void fail(dsched *d, int rank, int64_t t, const char *msg)
{
    if (d->failed)
        return;
    d->failed = true;
    if (t < 0)
        err_set(&d->err, TS_ERR_RUNTIME, "rank %d: %s", rank, msg);
    else
        err_set(&d->err, TS_ERR_RUNTIME, "task '%s' (#%lld of %lld) failed on rank %d: %s",
                d->g->tasks[t].label, (long long)t, (long long)d->g->ntasks, rank, msg);
}

static void on_done(dsched *d, int rank, const unsigned char *p, int nbytes)
{
    const dgraph *g = d->g;
    int w = rank - d->rank0;
    size_t at = 8;
    while (at + 40 <= (size_t)nbytes) {
        int64_t rec[5];
        memcpy(rec, p + at, sizeof rec);
        at += sizeof rec;
        if (rec[4] < 0 || at + (size_t)rec[4] > (size_t)nbytes)
            break;
        char msg[TS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%.*s", (int)rec[4], (const char *)p + at);
        at += (size_t)rec[4];
        int64_t t = rec[0];
        if (t < 0 || t >= g->ntasks) {
            fail(d, rank, -1, msg);
            continue;
        }
        d->ndone++;
        if (w >= 0 && w < d->nworkers) {
            d->inflight[w]--;
            d->load[w] -= d->cost[t];
        }
        double secs = (double)rec[2] * 1e-9;
        d->busy_s += secs;
        d->nmeasured++;
        d->avg_s = d->nmeasured == 1 ? secs : 0.9 * d->avg_s + 0.1 * secs;
        if (rec[1] != TS_OK) {
            fail(d, rank, t, msg);
            continue;
        }
        d->owner[t] = rank;
        d->res_nbytes[t] = rec[3];
        for (int64_t k = g->cons_first[t]; k < g->cons_first[t + 1]; k++)
            if (--d->nleft[g->cons[k]] == 0)
                heap_push(d, g->cons[k]);
    }
}

static void on_result(dsched *d, unsigned char *p, int nbytes)
{
    int64_t t;
    memcpy(&t, p + 8, 8);
    if (t < 0 || t >= d->g->ntasks || !d->g->is_target[t] || d->result[t])
        return;
    size_t n = (size_t)nbytes - 16;
    d->result[t] = malloc(n ? n : 1);
    if (!d->result[t]) {
        err_set(&d->err, TS_ERR_MEMORY, "out of memory for a result");
        d->failed = true;
        return;
    }
    memcpy(d->result[t], p + 16, n);
    d->result_n[t] = (int64_t)n;
    d->nresults++;
}

/* Receives one probed DONE or RESULT message. */
static void receive(dsched *d, const MPI_Status *st)
{
    int nbytes = 0;
    unsigned char *p = dproto_recv(d->s->world, st, &nbytes);
    if (!p) {
        err_set(&d->err, TS_ERR_MEMORY, "out of memory receiving a report");
        d->failed = true;
        return;
    }
    int64_t c = -1;
    if (nbytes >= 8)
        memcpy(&c, p, 8);
    if (st->MPI_TAG == DTAG_DONE) {
        d->done_msgs[st->MPI_SOURCE]++;
        if (c == d->c)
            on_done(d, st->MPI_SOURCE, p, nbytes);
    } else {
        d->result_msgs[st->MPI_SOURCE]++;
        if (c == d->c && nbytes >= 16)
            on_result(d, p, nbytes);
    }
    free(p);
}

static bool receive_all(dsched *d)
{
    static const int tags[] = {DTAG_DONE, DTAG_RESULT};
    bool any = false;
    for (int k = 0; k < 2; k++)
        for (;;) {
            int flag = 0;
            MPI_Status st;
            MPI_Iprobe(MPI_ANY_SOURCE, tags[k], d->s->world, &flag, &st);
            if (!flag)
                break;
            receive(d, &st);
            any = true;
        }
    return any;
}

bool dsched_poll(dsched *d)
{
    bool progress = receive_all(d);
    if (!d->ended && !d->failed) {
        int64_t before = d->nassigned;
        assign(d);
        send_runs(d);
        progress = progress || d->nassigned != before;
    }
    if (!d->ended && (d->failed || d->ndone == d->g->ntasks)) {
        for (int w = 0; w < d->nworkers; w++) {
            int64_t *m = malloc(2 * sizeof *m);
            if (!m)
                continue;
            m[0] = d->c;
            m[1] = d->failed;
            dsends_post(&d->sends, d->s->world, w + d->rank0, DTAG_END, m, 2 * sizeof *m, &d->err);
        }
        d->ended = true;
        progress = true;
    }
    dsends_test(&d->sends);
    return progress;
}

bool dsched_finished(const dsched *d)
{
    return d->ended && d->sends.n == 0 && (d->failed || d->nresults == d->nresults_wanted);
}

void dsched_drain(dsched *d, int r, int64_t done_msgs, int64_t result_msgs)
{
    while (d->done_msgs[r] < done_msgs || d->result_msgs[r] < result_msgs) {
        MPI_Status st;
        int tag = d->done_msgs[r] < done_msgs ? DTAG_DONE : DTAG_RESULT;
        MPI_Probe(r, tag, d->s->world, &st);
        receive(d, &st);
    }
}

void dsched_fini(dsched *d)
{
    for (int64_t t = 0; d->result && t < d->g->ntasks; t++)
        free(d->result[t]);
    for (int w = 0; d->run && w < d->nworkers; w++)
        bytebuf_fini(&d->run[w]);
    dsends_fini(&d->sends);
    free(d->cost);
    free(d->prio);
    free(d->nleft);
    free(d->owner);
    free(d->res_nbytes);
    free(d->heap);
    free(d->result);
    free(d->result_n);
    free(d->inflight);
    free(d->load);
    free(d->run);
    free(d->done_msgs);
    free(d->result_msgs);
    *d = (dsched){0};
}
