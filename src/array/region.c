/* region.c — read regions through views, concatenations and broadcasts.
 * A program lists an expression's nodes that matter for regions: leaves,
 * views and concatenations, each once per level (a node used twice, as in
 * x * x, reads one region); the inputs of a view or a concatenation form a
 * level of their own, in their own coordinates. */
#include "array/region.h"

#include <stdlib.h>

typedef struct region_item {
    const node *x;
    int axis_off;                /* root ndim - x ndim in its level */
    struct region_prog *child;   /* a view's input */
    struct region_prog *part[2]; /* a concatenation's inputs */
} region_item;

struct region_prog {
    int nitems, cap;
    region_item *items;
};

void region_chunk_box(const node *x, int64_t chunk, int64_t *start, int64_t *size)
{
    for (int d = x->ndim - 1; d >= 0; d--) {
        int64_t c = chunk % x->chunks[d].n;
        chunk /= x->chunks[d].n;
        start[d] = x->offsets[d][c];
        size[d] = x->chunks[d].sizes[c];
    }
}

int64_t region_view_image(const node *view, const int64_t *vstart, const int64_t *vsize, int64_t *istart,
                          int64_t *isize)
{
    const node *in = view->inputs[0];
    int64_t n = 1;
    for (int k = 0; k < in->ndim; k++) {
        int src = view->p.view.src[k];
        int64_t add = view->p.view.add[k], mul = view->p.view.mul[k];
        if (src < 0 || mul == 0) {
            istart[k] = add;
            isize[k] = 1;
        } else if (vsize[src] == 0) {
            istart[k] = 0;
            isize[k] = 0;
        } else {
            int64_t a = add + mul * vstart[src], z = add + mul * (vstart[src] + vsize[src] - 1);
            istart[k] = a < z ? a : z;
            isize[k] = (a < z ? z - a : a - z) + 1;
        }
        n *= isize[k];
    }
    return n;
}

void region_concat_parts(const node *x, const int64_t *bstart, const int64_t *bsize,
                         int64_t pstart[2][TS_MAXDIM], int64_t psize[2][TS_MAXDIM], bool *have)
{
    int axis = x->p.concat.axis;
    int64_t split = x->p.concat.split, lo = bstart[axis], hi = bstart[axis] + bsize[axis];
    for (int k = 0; k < 2; k++) {
        for (int d = 0; d < x->ndim; d++) {
            pstart[k][d] = bstart[d];
            psize[k][d] = bsize[d];
        }
        int64_t a = k == 0 ? lo : (lo > split ? lo : split), z = k == 0 ? (hi < split ? hi : split) : hi;
        have[k] = z > a;
        pstart[k][axis] = a - (k == 1 ? split : 0);
        psize[k][axis] = z > a ? z - a : 0;
    }
}

static ts_status compile(region_prog *p, const node *x, int root_ndim, const ptrmap *leaves, ptrmap *seen,
                         ts_err *err);

static ts_status add_item(region_prog *p, region_item it, ts_err *err)
{
    if (p->nitems == p->cap) {
        int ncap = p->cap ? 2 * p->cap : 8;
        region_item *ni = realloc(p->items, (size_t)ncap * sizeof *ni);
        if (!ni)
            return err_set(err, TS_ERR_MEMORY, "out of memory planning reads");
        p->items = ni;
        p->cap = ncap;
    }
    p->items[p->nitems++] = it;
    return TS_OK;
}

static ts_status compile(region_prog *p, const node *x, int root_ndim, const ptrmap *leaves, ptrmap *seen,
                         ts_err *err)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return TS_OK;
    if (!ptrmap_put(seen, x, 0))
        return err_set(err, TS_ERR_MEMORY, "out of memory planning reads");
    region_item it = {.x = x, .axis_off = root_ndim - x->ndim};
    if (ptrmap_get(leaves, x, &v))
        return add_item(p, it, err);
    ts_status st = TS_OK;
    if (x->op == NODE_VIEW) {
        st = region_prog_create(x->inputs[0], leaves, &it.child, err);
    } else if (x->op == NODE_CONCAT) {
        for (int k = 0; k < 2 && st == TS_OK; k++)
            st = region_prog_create(x->inputs[k], leaves, &it.part[k], err);
    } else {
        for (int i = 0; i < x->ninputs && st == TS_OK; i++)
            st = compile(p, x->inputs[i], root_ndim, leaves, seen, err);
        return st;
    }
    if (st == TS_OK)
        st = add_item(p, it, err);
    if (st != TS_OK) {
        region_prog_destroy(it.child);
        region_prog_destroy(it.part[0]);
        region_prog_destroy(it.part[1]);
    }
    return st;
}

ts_status region_prog_create(const node *root, const ptrmap *leaves, region_prog **out, ts_err *err)
{
    region_prog *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(err, TS_ERR_MEMORY, "out of memory planning reads");
    ptrmap seen;
    ptrmap_init(&seen);
    ts_status st = compile(p, root, root->ndim, leaves, &seen, err);
    ptrmap_fini(&seen);
    if (st != TS_OK) {
        region_prog_destroy(p);
        return st;
    }
    *out = p;
    return TS_OK;
}

void region_prog_destroy(region_prog *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nitems; i++) {
        region_prog_destroy(p->items[i].child);
        region_prog_destroy(p->items[i].part[0]);
        region_prog_destroy(p->items[i].part[1]);
    }
    free(p->items);
    free(p);
}

void region_leaf_boxes(const region_prog *p, const int64_t *start, const int64_t *size, region_fn fn,
                       void *ud)
{
    for (int i = 0; i < p->nitems; i++) {
        const region_item *it = &p->items[i];
        const node *x = it->x;
        /* x's box: right-aligned to the root, broadcast axes pinned. */
        int64_t bstart[TS_MAXDIM], bsize[TS_MAXDIM];
        for (int d = 0; d < x->ndim; d++) {
            bool bcast = x->shape[d] == 1;
            bstart[d] = bcast ? 0 : start[d + it->axis_off];
            bsize[d] = bcast ? 1 : size[d + it->axis_off];
        }
        if (it->part[0]) {
            int64_t pstart[2][TS_MAXDIM], psize[2][TS_MAXDIM];
            bool have[2];
            region_concat_parts(x, bstart, bsize, pstart, psize, have);
            for (int k = 0; k < 2; k++)
                if (have[k])
                    region_leaf_boxes(it->part[k], pstart[k], psize[k], fn, ud);
        } else if (it->child) {
            int64_t istart[TS_MAXDIM], isize[TS_MAXDIM];
            if (region_view_image(x, bstart, bsize, istart, isize) > 0)
                region_leaf_boxes(it->child, istart, isize, fn, ud);
        } else {
            fn(ud, x, bstart, bsize);
        }
    }
}
