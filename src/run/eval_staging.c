/* eval_staging.c — at plan time, the most staging one task's box needs
 * (eval_box.c): the same walk as evaluation, on box sizes alone, taking
 * each axis at its largest. Invariant: never below what eval_box.c
 * allocates for a box no larger than the size given.
 *
 * Worked example: (x * 2):sum() with x = vstack of 4 batches of (1, 90000)
 * rechunked to (4, 90000). The reduction stages: its program reads the
 * rechunk's view through a box of (4, 90000) (2.7 MiB); under it the
 * concatenations and the batches' new axes write into that box directly
 * (0). The same stack stored (x:store) stages nothing at all. */
#include "run/eval_internal.h"

/* One staging buffer of a box of size (at most x's shape), as the pool
 * counts it. */
static int64_t box_nbytes(const node *x, const int64_t *size)
{
    int64_t n = (int64_t)ts_dtype_size(x->dtype);
    for (int d = 0; d < x->ndim; d++)
        n *= size[d] < x->shape[d] ? size[d] : x->shape[d];
    return n + MEM_BUFFER_OVERHEAD;
}

/* Largest box of the view's input that a view box of size reads. */
static void image_size(const node *x, const int64_t *size, int64_t *isize)
{
    const node *in = x->inputs[0];
    for (int k = 0; k < in->ndim; k++) {
        int src = x->p.view.src[k];
        int64_t mul = x->p.view.mul[k] < 0 ? -x->p.view.mul[k] : x->p.view.mul[k];
        int64_t n = src < 0 || mul == 0 || size[src] == 0 ? 1 : (size[src] - 1) * mul + 1;
        isize[k] = n < in->shape[k] ? n : in->shape[k];
    }
}

/* Largest box of part k of a concatenation for a box of size. */
static void part_size(const node *x, int k, const int64_t *size, int64_t *psize)
{
    const node *in = x->inputs[k];
    for (int d = 0; d < x->ndim; d++)
        psize[d] = size[d] < in->shape[d] ? size[d] : in->shape[d];
}

static int64_t strips_nbytes(const node *root, const ptrmap *leaves, const int64_t *size);

/* Evaluating x into a destination (contig: C-contiguous), as box_into. */
static int64_t direct_nbytes(const node *x, const ptrmap *leaves, const int64_t *size, bool contig)
{
    int64_t v;
    if (ptrmap_get(leaves, x, &v))
        return 0;
    if (x->op == NODE_HDF5)
        return contig ? 0 : box_nbytes(x, size);
    if (x->op == NODE_VIEW && eval_view_in_order(x) && eval_view_unread_single(x, size)) {
        int64_t isize[TS_MAXDIM];
        image_size(x, size, isize);
        return direct_nbytes(x->inputs[0], leaves, isize, contig);
    }
    if (x->op == NODE_CONCAT) {
        /* A part is contiguous in a contiguous box when the axes before
         * the concatenation's have length 1. */
        bool pc = contig;
        for (int d = 0; d < x->p.concat.axis; d++)
            pc = pc && size[d] <= 1;
        int64_t n = 0;
        for (int k = 0; k < 2; k++) {
            int64_t psize[TS_MAXDIM];
            part_size(x, k, size, psize);
            n += direct_nbytes(x->inputs[k], leaves, psize, pc);
        }
        return n;
    }
    return strips_nbytes(x, leaves, size);
}

/* The staging one slot holds in eval_begin_box, with what its views' and
 * parts' programs need beneath. */
static int64_t slot_nbytes(const node *x, const ptrmap *leaves, const int64_t *size)
{
    if (x->op == NODE_HDF5)
        return box_nbytes(x, size);
    if (x->op == NODE_VIEW) {
        int64_t isize[TS_MAXDIM];
        image_size(x, size, isize);
        return box_nbytes(x->inputs[0], isize) + direct_nbytes(x->inputs[0], leaves, isize, true);
    }
    if (x->op == NODE_CONCAT) {
        int64_t n = box_nbytes(x, size) + MEM_BUFFER_OVERHEAD; /* one buffer a part */
        for (int k = 0; k < 2; k++) {
            int64_t psize[TS_MAXDIM];
            part_size(x, k, size, psize);
            n += direct_nbytes(x->inputs[k], leaves, psize, true);
        }
        return n;
    }
    return 0;
}

/* Every slot of the program of root once (as add_slot compiles it), each
 * with its box: root's box right-aligned, broadcast axes of length 1. */
static int64_t walk(const node *x, const ptrmap *leaves, int root_ndim, const int64_t *root_size,
                    ptrmap *seen)
{
    int64_t v;
    if (ptrmap_get(seen, x, &v))
        return 0;
    ptrmap_put(seen, x, 1); /* out of memory: at worst counted twice */
    int64_t size[TS_MAXDIM];
    for (int d = 0; d < x->ndim; d++)
        size[d] = x->shape[d] == 1 ? 1 : root_size[d + root_ndim - x->ndim];
    if (ptrmap_get(leaves, x, &v))
        return 0;
    int64_t n = slot_nbytes(x, leaves, size);
    if (x->op != NODE_VIEW && x->op != NODE_CONCAT)
        for (int i = 0; i < x->ninputs; i++)
            n += walk(x->inputs[i], leaves, root_ndim, root_size, seen);
    return n;
}

static int64_t strips_nbytes(const node *root, const ptrmap *leaves, const int64_t *size)
{
    ptrmap seen;
    ptrmap_init(&seen);
    int64_t n = walk(root, leaves, root->ndim, size, &seen);
    ptrmap_fini(&seen);
    return n;
}

int64_t eval_staging_nbytes(const node *root, const ptrmap *leaves, const int64_t *size, bool strips)
{
    return strips ? strips_nbytes(root, leaves, size) : direct_nbytes(root, leaves, size, true);
}
