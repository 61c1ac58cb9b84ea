/* place.c — producers go with their consumers. Stages are placed from the
 * last to the first, so a stage's consumers (later stages) have their
 * final partitions when it is placed; every rank runs the same
 * deterministic steps on the same DAG, so all derive the same owners and
 * nothing about placement is ever sent. A stage nobody reads, or whose
 * contiguous blocks already suit its readers best, keeps its blocks. */
#include "plan/plan.h"

#include <stdlib.h>

/* Expressions of at most this many nodes, with no materialised input, are
 * cheap enough to recompute where they are read. */
#define RECOMPUTE_MAX_NODES 16

/* Stages whose every task makes one output chunk and whose executor runs
 * any set of tasks: maps (scans too: every worker gets every chunk's
 * carry) and reductions with one task per output chunk (several tasks
 * combine along the canonical tree in contiguous runs). */
static bool placeable(const plan_stage *st, int s)
{
    if (st->kind == STAGE_REDUCE)
        return st->leader == s && st->nred == 1;
    return true;
}

/* The two workers that read most of one chunk (w < 0: none). */
typedef struct readers {
    int32_t w1, w2;
    int64_t b1, b2;
} readers;

/* Whether worker w reading b bytes beats worker cw reading cb: more bytes,
 * then the chunk's block owner `home`, then the lower index. */
static bool beats(int w, int64_t b, int cw, int64_t cb, int home)
{
    if (cw < 0 || b != cb)
        return cw < 0 || b > cb;
    if ((w == home) != (cw == home))
        return w == home;
    return w < cw;
}

typedef struct need_walk {
    const plan *p;
    int s; /* the stage being placed (its group's leader) */
    int64_t *need;
} need_walk;

static void add_need(void *ud, int ls, int64_t c, const int64_t *lo, const int64_t *hi)
{
    need_walk *nw = ud;
    const plan_stage *l = &nw->p->stages[ls];
    if (l->kind == STAGE_REDUCE ? l->leader != nw->s : ls != nw->s)
        return;
    int64_t n = (int64_t)ts_dtype_size(l->out->dtype);
    for (int d = 0; d < l->out->ndim; d++)
        n *= hi[d] - lo[d];
    nw->need[c] += n;
}

/* Whether a later stage reads stage s (or a member of its group). */
static bool is_read(const plan *p, int s, int u)
{
    const plan_stage *st = &p->stages[s], *us = &p->stages[u];
    if (us->kind == STAGE_REDUCE && us->leader != u)
        return false; /* its leader's pass reads for it */
    int64_t v;
    for (int m = 0; m < st->nmembers; m++)
        if (ptrmap_get(&us->leaves, p->stages[st->members[m]].out, &v))
            return true;
    return false;
}

/* A task and what placing it with its best reader saves (the bytes that
 * reader reads beyond the second best): most first, then by task. */
typedef struct gain {
    int64_t saves, t;
} gain;

static int by_gain(const void *a, const void *b)
{
    const gain *x = a, *y = b;
    if (x->saves != y->saves)
        return x->saves < y->saves ? 1 : -1;
    return (x->t > y->t) - (x->t < y->t);
}

/* Owners of stage s's tasks from what each worker's tasks of later stages
 * read of them: the best reader while it has fewer than
 * ceil(tasks / workers), else the second; the rest (and chunks nobody
 * reads) go home to their block owner while it has room, else to the
 * least loaded worker. */
static ts_status choose(plan *p, int s, int32_t *owner, readers *r, int64_t *need, int64_t *load, ts_err *err)
{
    plan_stage *st = &p->stages[s];
    int W = p->nworkers;
    int64_t n = st->ntasks;
    for (int64_t t = 0; t < n; t++)
        r[t] = (readers){.w1 = -1, .w2 = -1};
    for (int w = 0; w < W; w++) {
        for (int64_t t = 0; t < n; t++)
            need[t] = 0;
        need_walk nw = {.p = p, .s = s, .need = need};
        for (int u = s + 1; u < p->nstages; u++) {
            ts_status rc = is_read(p, s, u) ? plan_reads(p, u, w, add_need, &nw, err) : TS_OK;
            if (rc != TS_OK)
                return rc;
        }
        for (int64_t t = 0; t < n; t++) {
            int home = plan_task_worker(st, W, t);
            if (need[t] == 0)
                continue;
            if (beats(w, need[t], r[t].w1, r[t].b1, home)) {
                r[t].w2 = r[t].w1;
                r[t].b2 = r[t].b1;
                r[t].w1 = w;
                r[t].b1 = need[t];
            } else if (beats(w, need[t], r[t].w2, r[t].b2, home)) {
                r[t].w2 = w;
                r[t].b2 = need[t];
            }
        }
    }
    int64_t cap = (n + W - 1) / W, nread = 0;
    gain *order = malloc((size_t)n * sizeof *order);
    if (!order)
        return err_set(err, TS_ERR_MEMORY, "out of memory placing tasks");
    for (int64_t t = 0; t < n; t++) {
        owner[t] = -1;
        if (r[t].w1 >= 0)
            order[nread++] = (gain){.saves = r[t].b1 - r[t].b2, .t = t};
    }
    qsort(order, (size_t)nread, sizeof *order, by_gain);
    for (int w = 0; w < W; w++)
        load[w] = 0;
    for (int64_t i = 0; i < nread; i++) {
        int64_t t = order[i].t;
        int w = load[r[t].w1] < cap ? r[t].w1 : (r[t].w2 >= 0 && load[r[t].w2] < cap ? r[t].w2 : -1);
        if (w >= 0) {
            owner[t] = w;
            load[w]++;
        }
    }
    free(order);
    for (int64_t t = 0; t < n; t++) {
        if (owner[t] >= 0)
            continue;
        int w = plan_task_worker(st, W, t);
        for (int k = 0; load[w] >= cap && k < W; k++)
            w = load[k] < load[w] ? k : w;
        owner[t] = w;
        load[w]++;
    }
    return TS_OK;
}

/* Gives stage s (and the members of its group) the owners: its task
 * order lists each worker's tasks, ascending. */
static ts_status apply(plan *p, int s, const int32_t *owner, const int64_t *load, ts_err *err)
{
    plan_stage *lead = &p->stages[s];
    int W = p->nworkers;
    int64_t n = lead->ntasks;
    for (int m = 0; m < lead->nmembers; m++) {
        plan_stage *st = &p->stages[lead->members[m]];
        st->owner = malloc((size_t)(n ? n : 1) * sizeof *st->owner);
        st->order = malloc((size_t)(n ? n : 1) * sizeof *st->order);
        if (!st->owner || !st->order)
            return err_set(err, TS_ERR_MEMORY, "out of memory placing tasks");
        st->task_first[0] = 0;
        for (int w = 0; w < W; w++)
            st->task_first[w + 1] = st->task_first[w] + load[w];
        int64_t *next = malloc((size_t)W * sizeof *next);
        if (!next)
            return err_set(err, TS_ERR_MEMORY, "out of memory placing tasks");
        for (int w = 0; w < W; w++)
            next[w] = st->task_first[w];
        for (int64_t t = 0; t < n; t++) {
            st->owner[t] = owner[t];
            st->order[next[owner[t]]++] = t;
        }
        free(next);
    }
    return TS_OK;
}

static ts_status place_stage(plan *p, int s, ts_err *err)
{
    plan_stage *st = &p->stages[s];
    int W = p->nworkers;
    bool read = false;
    for (int u = s + 1; u < p->nstages && !read; u++)
        read = is_read(p, s, u);
    if (!read || !placeable(st, s) || st->ntasks == 0)
        return TS_OK;
    int64_t n = st->ntasks;
    int32_t *owner = malloc((size_t)n * sizeof *owner);
    readers *r = malloc((size_t)n * sizeof *r);
    int64_t *need = malloc((size_t)n * sizeof *need), *load = malloc((size_t)W * sizeof *load);
    ts_status rc = owner && r && need && load ? choose(p, s, owner, r, need, load, err)
                                              : err_set(err, TS_ERR_MEMORY, "out of memory placing tasks");
    bool moved = false;
    for (int64_t t = 0; rc == TS_OK && t < n && !moved; t++)
        moved = owner[t] != plan_task_worker(st, W, t);
    if (rc == TS_OK && moved)
        rc = apply(p, s, owner, load, err);
    free(owner);
    free(r);
    free(need);
    free(load);
    return rc;
}

/* Back to contiguous blocks everywhere. */
static void unplace(plan *p)
{
    for (int s = 0; s < p->nstages; s++) {
        plan_stage *st = &p->stages[s];
        free(st->owner);
        free(st->order);
        st->owner = NULL;
        st->order = NULL;
        for (int w = 0; w <= p->nworkers; w++)
            st->task_first[w] = plan_block_first(st->ntasks, p->nworkers, w);
    }
}

static bool count_nodes(const node *x, ptrmap *seen)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return true;
    if (seen->len >= RECOMPUTE_MAX_NODES || !ptrmap_put(seen, x, 0))
        return false;
    for (int i = 0; i < x->ninputs; i++)
        if (!count_nodes(x->inputs[i], seen))
            return false;
    return true;
}

/* A requested result made only of generators, file reads, elementwise
 * operations and views, small enough to recompute. */
static bool cheap_pure(const plan_stage *l)
{
    node_op op = l->out->op;
    if (l->kind != STAGE_MAP || l->leaves.len > 0 || op == NODE_SCAN || op == NODE_RESHAPE ||
        op == NODE_MAP_BLOCKS)
        return false;
    ptrmap seen;
    ptrmap_init(&seen);
    bool small = count_nodes(l->expr, &seen);
    ptrmap_fini(&seen);
    return small;
}

typedef struct from_walk {
    const plan *p;
    int ls, w;
    int64_t nbytes;
} from_walk;

static void count_from(void *ud, int ls, int64_t c, const int64_t *lo, const int64_t *hi)
{
    from_walk *f = ud;
    const plan_stage *l = &f->p->stages[ls];
    if (ls != f->ls || plan_chunk_owner(l, f->p->nworkers, c) == f->w)
        return;
    int64_t n = (int64_t)ts_dtype_size(l->out->dtype);
    for (int d = 0; d < l->out->ndim; d++)
        n *= hi[d] - lo[d];
    f->nbytes += n;
}

/* Stage u (and its group) stops reading stage ls as a chunk source: its
 * tasks evaluate ls's expression themselves. */
static ts_status unlink_leaf(plan *p, int u, int ls, ts_err *err)
{
    const plan_stage *lead = &p->stages[u];
    for (int m = 0; m < lead->nmembers; m++) {
        plan_stage *st = &p->stages[lead->members[m]];
        ptrmap kept;
        ptrmap_init(&kept);
        for (int64_t i = 0; i < st->leaves.cap; i++)
            if (st->leaves.keys[i] && st->leaves.keys[i] != p->stages[ls].out &&
                !ptrmap_put(&kept, st->leaves.keys[i], st->leaves.values[i])) {
                ptrmap_fini(&kept);
                return err_set(err, TS_ERR_MEMORY, "out of memory planning");
            }
        ptrmap_fini(&st->leaves);
        st->leaves = kept;
        ts_status rc = plan_compile_reads(p, lead->members[m], err);
        if (rc != TS_OK)
            return rc;
    }
    return TS_OK;
}

/* Every stage that would fetch bytes of a cheap pure input recomputes it
 * instead; *changed tells whether any did. */
static ts_status recompute_cheap(plan *p, bool *changed, ts_err *err)
{
    *changed = false;
    for (int u = 0; u < p->nstages; u++) {
        const plan_stage *us = &p->stages[u];
        if (us->kind == STAGE_REDUCE && us->leader != u)
            continue;
        for (int ls = 0; ls < u; ls++) {
            int64_t v;
            if (!ptrmap_get(&us->leaves, p->stages[ls].out, &v) || !cheap_pure(&p->stages[ls]))
                continue;
            from_walk f = {.p = p, .ls = ls};
            for (f.w = 0; f.w < p->nworkers; f.w++) {
                ts_status rc = plan_reads(p, u, f.w, count_from, &f, err);
                if (rc != TS_OK)
                    return rc;
            }
            if (f.nbytes > 0) {
                ts_status rc = unlink_leaf(p, u, ls, err);
                if (rc != TS_OK)
                    return rc;
                *changed = true;
            }
        }
    }
    return TS_OK;
}

static ts_status place_all(plan *p, ts_err *err)
{
    ts_status rc = TS_OK;
    for (int s = p->nstages - 1; s >= 0 && rc == TS_OK; s--)
        rc = place_stage(p, s, err);
    return rc;
}

ts_status plan_place(plan *p, ts_err *err)
{
    if (p->nworkers < 2)
        return TS_OK;
    bool changed = false;
    ts_status rc = place_all(p, err);
    if (rc == TS_OK)
        rc = recompute_cheap(p, &changed, err);
    if (rc == TS_OK && changed) {
        /* Fewer reads now: place again from blocks. */
        unplace(p);
        rc = place_all(p, err);
    }
    return rc;
}
