/* spill.c — candidates, costs and intermediate chunks of the two-step
 * rechunk. Invariant: every estimate here is an upper bound of what the
 * run would hold, so a rechunk judged to fit in memory does fit; the
 * intermediate chunks never make one task's read touch more than twice
 * the bytes of its own chunk (or what the plain minimum already touches). */
#include "plan/spill.h"

#include <stdlib.h>
#include <string.h>

/* Below this an intermediate chunk is grown: HDF5 pays an index entry and
 * an I/O call per chunk, so 40-byte chunks would take longer than the
 * rechunk itself. 1 MiB is HDF5's own default chunk cache. */
#define SPILL_MIN_CHUNK_NBYTES (1ll << 20)

/* More index work than this for one fetch estimate: take the bound. */
#define SPILL_MAX_MARKS (1ll << 26)

void spill_max_chunk(const node *x, int64_t *shape)
{
    for (int d = 0; d < x->ndim; d++) {
        shape[d] = 0;
        for (int64_t c = 0; c < x->chunks[d].n; c++)
            shape[d] = x->chunks[d].sizes[c] > shape[d] ? x->chunks[d].sizes[c] : shape[d];
    }
}

static int64_t box_nbytes(const node *x, const int64_t *shape)
{
    int64_t n = (int64_t)ts_dtype_size(x->dtype);
    for (int d = 0; d < x->ndim; d++)
        n *= shape[d];
    return n;
}

static bool is_rechunk(const node *x) { return x->op == NODE_VIEW && strcmp(x->p.view.what, "rechunk") == 0; }

typedef struct cand_list {
    spill_candidate *v;
    int n, cap;
} cand_list;

static bool cand_add(cand_list *l, spill_candidate c)
{
    if (l->n == l->cap) {
        int ncap = l->cap ? 2 * l->cap : 4;
        spill_candidate *nv = realloc(l->v, (size_t)ncap * sizeof *nv);
        if (!nv)
            return false;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = c;
    return true;
}

/* The nodes a stage's tasks evaluate, down to its leaves (as
 * plan.c's collect_leaves walks them). */
static bool walk(const plan *p, int s, node *x, bool root, ptrmap *seen, cand_list *l)
{
    const plan_stage *st = &p->stages[s];
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return true;
    if (!ptrmap_put(seen, x, 0))
        return false;
    if (!root && ptrmap_get(&st->leaves, x, &v))
        return true;
    if (is_rechunk(x)) {
        node *in = x->inputs[0];
        int64_t ls = -1;
        bool materialised = ptrmap_get(&st->leaves, in, &v) && ptrmap_get(&p->stage_of, in, &ls);
        if ((materialised || in->op == NODE_HDF5) &&
            !cand_add(l, (spill_candidate){.stage = s, .rechunk = x, .source = in, .source_stage = (int)ls}))
            return false;
    }
    for (int i = 0; i < x->ninputs; i++)
        if (!walk(p, s, x->inputs[i], false, seen, l))
            return false;
    return true;
}

ts_status spill_candidates(const plan *p, spill_candidate **out, int *n, ts_err *err)
{
    cand_list l = {0};
    bool ok = true;
    for (int s = 0; s < p->nstages && ok; s++) {
        const plan_stage *st = &p->stages[s];
        if (st->kind == STAGE_REDUCE && st->leader != s)
            continue; /* its leader's pass reads the same expression */
        ptrmap seen;
        ptrmap_init(&seen);
        ok = walk(p, s, st->expr, st->kind == STAGE_MAP, &seen, &l);
        ptrmap_fini(&seen);
    }
    if (!ok) {
        free(l.v);
        return err_set(err, TS_ERR_MEMORY, "out of memory planning");
    }
    *out = l.v;
    *n = l.n;
    return TS_OK;
}

void spill_source_held(const plan *p, const spill_candidate *c, int64_t *held)
{
    for (int w = 0; w < p->nworkers; w++)
        held[w] = 0;
    if (c->source_stage < 0)
        return;
    const plan_stage *ls = &p->stages[c->source_stage];
    int64_t shape[TS_MAXDIM], n = node_nchunks(c->source);
    spill_max_chunk(c->source, shape);
    int64_t nbytes = box_nbytes(c->source, shape);
    for (int64_t k = 0; k < n; k++)
        held[plan_chunk_owner(ls, p->nworkers, k)] += nbytes;
}

static bool same_grid(const node *a, const node *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->chunks[d].n != b->chunks[d].n ||
            memcmp(a->chunks[d].sizes, b->chunks[d].sizes, (size_t)a->chunks[d].n * sizeof(int64_t)) != 0)
            return false;
    return true;
}

/* Whether x reaches r through elementwise nodes of r's grid only: then a
 * task's box of x is the same box of r (views in between would map it). */
static bool elementwise_over(const node *x, const node *r, ptrmap *seen)
{
    int64_t v;
    if (x == r)
        return true;
    bool elementwise =
        x->op == NODE_UNARY || x->op == NODE_BINARY || x->op == NODE_WHERE || x->op == NODE_ASTYPE;
    if (!elementwise || !same_grid(x, r) || ptrmap_get(seen, x, &v) || !ptrmap_put(seen, x, 0))
        return false;
    for (int i = 0; i < x->ninputs; i++)
        if (elementwise_over(x->inputs[i], r, seen))
            return true;
    return false;
}

/* Whether the stage's task t is chunk t of the rechunk's own grid. */
static bool tasks_are_rechunk_chunks(const plan_stage *st, const node *r)
{
    if (st->kind == STAGE_MAP &&
        (st->out->op == NODE_SCAN || st->out->op == NODE_RESHAPE || st->out->op == NODE_MAP_BLOCKS))
        return false;
    ptrmap seen;
    ptrmap_init(&seen);
    bool over = elementwise_over(st->expr, r, &seen);
    ptrmap_fini(&seen);
    return over;
}

/* Marks the source chunks task t's rechunk chunk touches; returns the
 * marks made (counting repeats), or -1 past the work cap. */
static int64_t mark_task(const plan_stage *st, const node *r, const node *src, int64_t t, unsigned char *mark,
                         int64_t budget)
{
    int nd = r->ndim;
    int64_t coords[TS_MAXDIM], lo[TS_MAXDIM], hi[TS_MAXDIM], c[TS_MAXDIM], count = 1;
    plan_task_coords(st, t, coords);
    for (int d = 0; d < nd; d++) {
        int64_t a = r->offsets[d][coords[d]], len = r->chunks[d].sizes[coords[d]];
        if (len <= 0)
            return 0;
        lo[d] = c[d] = node_chunk_of(src, d, a);
        hi[d] = node_chunk_of(src, d, a + len - 1);
        count *= hi[d] - lo[d] + 1;
    }
    if (count > budget)
        return -1;
    for (int64_t k = 0; k < count; k++) {
        int64_t id = 0;
        for (int d = 0; d < nd; d++)
            id = id * src->chunks[d].n + c[d];
        mark[id] = 1;
        for (int d = nd - 1; d >= 0; d--) {
            if (c[d] < hi[d]) {
                c[d]++;
                break;
            }
            c[d] = lo[d];
        }
    }
    return count;
}

int64_t spill_fetch_nbytes(const plan *p, const spill_candidate *c, int w)
{
    if (c->source_stage < 0)
        return 0;
    const plan_stage *st = &p->stages[c->stage], *ls = &p->stages[c->source_stage];
    const node *src = c->source;
    int64_t first = st->task_first[w], last = st->task_first[w + 1], n = node_nchunks(src);
    if (first == last || n == 0)
        return 0;
    int64_t shape[TS_MAXDIM];
    spill_max_chunk(src, shape);
    unsigned char *mark = n <= SPILL_MAX_MARKS ? calloc((size_t)n, 1) : NULL;
    bool bound = !mark || src->ndim == 0 || !tasks_are_rechunk_chunks(st, c->rechunk);
    int64_t budget = SPILL_MAX_MARKS;
    for (int64_t t = first; !bound && t < last; t++) {
        int64_t made = mark_task(st, c->rechunk, src, t, mark, budget);
        bound = made < 0;
        budget -= made;
    }
    int64_t fetched = 0;
    for (int64_t k = 0; k < n; k++)
        fetched += (bound || mark[k]) && plan_chunk_owner(ls, p->nworkers, k) != w;
    free(mark);
    return fetched * box_nbytes(src, shape);
}

/* Most cells of a regular grid (cell length g) one chunk of target's axis
 * d touches. */
static int64_t axis_touch(const node *t, int d, int64_t g)
{
    int64_t most = 0;
    for (int64_t k = 0; k < t->chunks[d].n; k++) {
        int64_t a = t->offsets[d][k], len = t->chunks[d].sizes[k];
        if (len <= 0)
            continue;
        int64_t cells = (a + len - 1) / g - a / g + 1;
        most = cells > most ? cells : most;
    }
    return most;
}

int64_t spill_touched_nbytes(const node *target, const int64_t *grid)
{
    int64_t n = (int64_t)ts_dtype_size(target->dtype);
    for (int d = 0; d < target->ndim; d++)
        n *= axis_touch(target, d, grid[d]) * grid[d];
    return n;
}

bool spill_whole_chunks(const node *x, const int64_t *grid)
{
    for (int d = 0; d < x->ndim; d++)
        for (int64_t k = 0; k < x->chunks[d].n; k++) {
            int64_t a = x->offsets[d][k], z = x->offsets[d][k + 1];
            if (grid[d] < 1 || a % grid[d] != 0 || (z % grid[d] != 0 && z != x->shape[d]))
                return false;
        }
    return true;
}

/* Intermediate chunks, after rechunker's "the minimum of write and read
 * chunks along each axis": the per-axis minimum of source and target
 * chunk lets a source chunk write whole intermediate chunks along the axes
 * where it is the shorter, and a target chunk read only its own region
 * along the axes where it is. Chunks that small make HDF5 slow (an index
 * entry and an I/O call each), so they grow toward 1 MiB: first along the
 * axes where the target chunk is longer, in equal parts of it (reads still
 * touch only the target's own region; source chunks then write parts of
 * intermediate chunks, which independent MPI-IO writes allow), then along
 * the axes where the source chunk is longer, while one target chunk's read
 * touches at most twice its bytes.
 *
 * Example: (10000, 5000) float64 from (100, 5000) row chunks to (10000, 50)
 * column chunks: the minimum (100, 50) is 40 KB; axis 0 grows to 10000 in
 * 3 parts, (3334, 50), 1.3 MB; a column chunk reads 3 of them (its own
 * 4 MB), a row chunk writes 100 rows into each of 100 of them. */
void spill_intermediate_chunks(const node *target, const int64_t *src_chunk, int64_t *out)
{
    int nd = target->ndim;
    int64_t tmax[TS_MAXDIM];
    spill_max_chunk(target, tmax);
    for (int d = 0; d < nd; d++) {
        out[d] = src_chunk[d] < tmax[d] ? src_chunk[d] : tmax[d];
        out[d] = out[d] < 1 ? 1 : out[d];
    }
    int64_t cap = 2 * box_nbytes(target, tmax), start = spill_touched_nbytes(target, out);
    cap = start > cap ? start : cap;
    for (int pass = 0; pass < 2; pass++) {
        for (int d = nd - 1; d >= 0; d--) {
            int64_t longer = pass == 0 ? tmax[d] : src_chunk[d];
            if (pass == 1 && longer > target->shape[d])
                longer = target->shape[d];
            int64_t bytes = box_nbytes(target, out);
            if (bytes >= SPILL_MIN_CHUNK_NBYTES || out[d] >= longer || bytes <= 0)
                continue;
            int64_t per = bytes / out[d]; /* bytes of one step along d */
            int64_t want = (SPILL_MIN_CHUNK_NBYTES + per - 1) / per;
            int64_t next;
            if (pass == 0) {
                /* Equal parts of the target chunk, each at least want. */
                int64_t parts = longer / want < 1 ? 1 : longer / want;
                next = (longer + parts - 1) / parts;
            } else {
                next = want < longer ? want : longer;
            }
            int64_t keep = out[d];
            out[d] = next > keep ? next : keep;
            /* Back off by halves while one read touches too much. */
            while (out[d] > keep && spill_touched_nbytes(target, out) > cap)
                out[d] = keep + (out[d] - keep) / 2;
        }
    }
}
