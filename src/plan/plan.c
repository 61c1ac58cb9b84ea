/* plan.c — stages from a DAG: find what must be materialised, order the
 * stages so producers come first, and partition each stage's tasks. */
#include "plan/plan.h"

#include <stdlib.h>

/* Balanced contiguous blocks: worker w gets [w*T/W, (w+1)*T/W).
 * T = 10 tasks, W = 3 workers: [0,3) [3,6) [6,10). */
int64_t plan_block_first(int64_t ntasks, int nworkers, int w)
{
    return (int64_t)(((__int128)ntasks * w) / nworkers);
}

int plan_task_worker(const plan_stage *s, int nworkers, int64_t t)
{
    if (s->owner)
        return s->owner[t];
    /* Invert plan_block_first: the largest w with first[w] <= t. */
    int w = (int)(((__int128)t * nworkers) / (s->ntasks ? s->ntasks : 1));
    while (w + 1 < nworkers && s->task_first[w + 1] <= t)
        w++;
    while (w > 0 && s->task_first[w] > t)
        w--;
    return w;
}

int plan_chunk_owner(const plan_stage *s, int nworkers, int64_t c)
{
    if (s->kind == STAGE_MAP)
        return plan_task_worker(s, nworkers, c);
    /* The worker running the middle of the output chunk's reduced tasks. */
    return plan_task_worker(s, nworkers, c * s->nred + (s->nred - 1) / 2);
}

void plan_task_coords(const plan_stage *s, int64_t t, int64_t *coords)
{
    const node *x = s->expr;
    if (s->kind == STAGE_MAP) {
        for (int d = x->ndim - 1; d >= 0; d--) {
            coords[d] = t % x->chunks[d].n;
            t /= x->chunks[d].n;
        }
        return;
    }
    uint32_t axes = s->out->p.reduce.axes;
    int64_t o = t / s->nred, k = t % s->nred;
    for (int d = x->ndim - 1; d >= 0; d--) {
        int64_t *idx = (axes & (1u << d)) ? &k : &o;
        coords[d] = *idx % x->chunks[d].n;
        *idx /= x->chunks[d].n;
    }
}

int64_t plan_tree_split(int64_t lo, int64_t hi)
{
    int64_t n = hi - lo, p = 1;
    while (p * 2 < n)
        p *= 2;
    return lo + p;
}

static bool is_materialised(const node *x, int ntargets, node *const *targets)
{
    if (x->op == NODE_REDUCE || x->op == NODE_SCAN || x->op == NODE_RESHAPE || x->op == NODE_MAP_BLOCKS)
        return true;
    for (int i = 0; i < ntargets; i++)
        if (targets[i] == x)
            return true;
    return false;
}

/* Collects the materialised nodes an expression reads (stopping at them). */
static bool collect_leaves(node *x, bool is_root, int ntargets, node *const *targets, ptrmap *leaves,
                           ptrmap *seen)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return true;
    if (!ptrmap_put(seen, x, 0))
        return false;
    if (!is_root && is_materialised(x, ntargets, targets))
        return ptrmap_put(leaves, x, 0);
    for (int i = 0; i < x->ninputs; i++)
        if (!collect_leaves(x->inputs[i], false, ntargets, targets, leaves, seen))
            return false;
    return true;
}

typedef struct builder {
    plan *p;
    int ntargets;
    node *const *targets;
    int cap;
    ts_err *err;
} builder;

static ts_status add_stage(builder *b, node *x);

/* Adds the stages x depends on (post-order), then x's own if materialised. */
static ts_status visit(builder *b, node *x, ptrmap *seen)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return TS_OK;
    if (!ptrmap_put(seen, x, 0))
        return err_set(b->err, TS_ERR_MEMORY, "out of memory planning");
    for (int i = 0; i < x->ninputs; i++) {
        ts_status st = visit(b, x->inputs[i], seen);
        if (st != TS_OK)
            return st;
    }
    return is_materialised(x, b->ntargets, b->targets) ? add_stage(b, x) : TS_OK;
}

static ts_status add_stage(builder *b, node *x)
{
    plan *p = b->p;
    if (p->nstages == b->cap) {
        int ncap = b->cap ? 2 * b->cap : 8;
        plan_stage *ns = realloc(p->stages, (size_t)ncap * sizeof *ns);
        if (!ns)
            return err_set(b->err, TS_ERR_MEMORY, "out of memory planning");
        p->stages = ns;
        b->cap = ncap;
    }
    plan_stage *s = &p->stages[p->nstages];
    *s = (plan_stage){.out = x, .kind = x->op == NODE_REDUCE ? STAGE_REDUCE : STAGE_MAP};
    s->expr = s->kind == STAGE_REDUCE ? x->inputs[0] : x;
    ptrmap_init(&s->leaves);
    p->nstages++;
    if (!ptrmap_put(&p->stage_of, x, p->nstages - 1))
        return err_set(b->err, TS_ERR_MEMORY, "out of memory planning");
    ptrmap seen;
    ptrmap_init(&seen);
    bool ok = collect_leaves(s->expr, s->kind == STAGE_MAP, b->ntargets, b->targets, &s->leaves, &seen);
    ptrmap_fini(&seen);
    if (!ok)
        return err_set(b->err, TS_ERR_MEMORY, "out of memory planning");
    s->nred = 1;
    s->nout = 1;
    for (int d = 0; d < s->expr->ndim; d++) {
        bool reduced = s->kind == STAGE_REDUCE && (x->p.reduce.axes & (1u << d));
        if (reduced)
            s->nred *= s->expr->chunks[d].n;
        else
            s->nout *= s->expr->chunks[d].n;
    }
    s->ntasks = s->nout * s->nred;
    s->leader = p->nstages - 1;
    s->nmembers = 1;
    s->members[0] = s->leader;
    for (int i = 0; s->kind == STAGE_REDUCE && i < p->nstages - 1; i++) {
        plan_stage *l = &p->stages[i];
        if (l->kind == STAGE_REDUCE && l->leader == i && l->expr == s->expr &&
            l->out->p.reduce.axes == x->p.reduce.axes && l->nmembers < PLAN_MAXGROUP) {
            s->leader = i;
            l->members[l->nmembers++] = p->nstages - 1;
            break;
        }
    }
    s->task_first = malloc((size_t)(p->nworkers + 1) * sizeof(int64_t));
    if (!s->task_first)
        return err_set(b->err, TS_ERR_MEMORY, "out of memory planning");
    for (int w = 0; w <= p->nworkers; w++)
        s->task_first[w] = plan_block_first(s->ntasks, p->nworkers, w);
    return TS_OK;
}

ts_status plan_create(int ntargets, node *const *targets, int nworkers, plan **out, ts_err *err)
{
    plan *p = calloc(1, sizeof *p);
    node **tg = malloc((size_t)(ntargets ? ntargets : 1) * sizeof *tg);
    if (!p || !tg) {
        free(p);
        free(tg);
        return err_set(err, TS_ERR_MEMORY, "out of memory planning");
    }
    p->nworkers = nworkers;
    p->ntargets = ntargets;
    p->targets = tg;
    ptrmap_init(&p->stage_of);
    for (int i = 0; i < ntargets; i++)
        tg[i] = targets[i];
    builder b = {.p = p, .ntargets = ntargets, .targets = targets, .err = err};
    ptrmap seen;
    ptrmap_init(&seen);
    ts_status st = TS_OK;
    for (int i = 0; i < ntargets && st == TS_OK; i++)
        st = visit(&b, targets[i], &seen);
    ptrmap_fini(&seen);
    for (int i = 0; i < p->nstages && st == TS_OK; i++)
        st = plan_compile_reads(p, i, err);
    if (st == TS_OK)
        st = plan_place(p, err);
    if (st != TS_OK) {
        plan_destroy(p);
        return st;
    }
    *out = p;
    return TS_OK;
}

void plan_destroy(plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nstages; i++) {
        ptrmap_fini(&p->stages[i].leaves);
        free(p->stages[i].task_first);
        free(p->stages[i].order);
        free(p->stages[i].owner);
        for (int k = 0; k < NODE_MAXIN; k++)
            region_prog_destroy(p->stages[i].reads[k]);
    }
    free(p->stages);
    ptrmap_fini(&p->stage_of);
    free(p->targets);
    free(p);
}
