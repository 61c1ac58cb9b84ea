/* build_views.c — views: slices, transposes, new and squeezed axes,
 * broadcasts and rechunks. A view computes nothing by itself; its tasks read
 * the region of the input that their chunk maps to. Output chunks follow
 * Dask: a slice keeps the selected pieces of each input chunk (so every
 * output chunk lies inside one input chunk), a transpose permutes the
 * chunks, a new axis is one chunk of length 1. */
#include "array/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct view_map {
    int ndim; /* of the view */
    int64_t shape[TS_MAXDIM];
    chunks_axis chunks[TS_MAXDIM]; /* owned until node_create */
    node_params p;
} view_map;

static ts_status make_view(build_env *env, node *x, view_map *m, const char *what, node **out)
{
    if (x->op == NODE_FULL || x->op == NODE_SCALAR) {
        /* A view of a constant is the constant in the view's shape and
         * chunks: pushed into the source, nothing to read or gather. */
        node_params p = {.full = x->p.full};
        return node_create(NODE_FULL, x->dtype, m->ndim, m->shape, m->chunks, 0, NULL, &p, out, env->err);
    }
    snprintf(m->p.view.what, sizeof m->p.view.what, "%s", what);
    return node_create(NODE_VIEW, x->dtype, m->ndim, m->shape, m->chunks, 1, &x, &m->p, out, env->err);
}

/* Python's slice.indices: the first index, the count, for axis length n. */
static void slice_range(const ts_index *ix, int64_t n, int64_t *first, int64_t *count)
{
    int64_t step = ix->has_step ? ix->step : 1, start, stop;
    if (step > 0) {
        start = !ix->has_start ? 0 : ix->start < 0 ? ix->start + n : ix->start;
        stop = !ix->has_stop ? n : ix->stop < 0 ? ix->stop + n : ix->stop;
        start = start < 0 ? 0 : start > n ? n : start;
        stop = stop < 0 ? 0 : stop > n ? n : stop;
        *count = stop > start ? (stop - start + step - 1) / step : 0;
    } else {
        start = !ix->has_start ? n - 1 : ix->start < 0 ? ix->start + n : ix->start;
        stop = !ix->has_stop ? -1 : ix->stop < 0 ? ix->stop + n : ix->stop;
        start = start < -1 ? -1 : start > n - 1 ? n - 1 : start;
        stop = stop < -1 ? -1 : stop > n - 1 ? n - 1 : stop;
        *count = start > stop ? (start - stop - step - 1) / -step : 0;
    }
    *first = start;
}

/* Output chunks of a slice of one axis: the selected elements of each
 * input chunk, in output order. first + k * step for k < count. */
static ts_status slice_chunks(build_env *env, const node *x, int axis, int64_t first, int64_t step,
                              int64_t count, int64_t stop, chunks_axis *out)
{
    const chunks_axis *in = &x->chunks[axis];
    out->sizes = malloc((size_t)(in->n + 1) * sizeof(int64_t));
    out->n = 0;
    if (!out->sizes)
        return err_set(env->err, TS_ERR_MEMORY, "out of memory");
    int64_t k = 0;
    while (k < count) {
        int64_t i = first + k * step, c = node_chunk_of(x, axis, i);
        int64_t lo = x->offsets[axis][c], hi = x->offsets[axis][c + 1]; /* [lo, hi) */
        int64_t m = step > 0 ? (hi - 1 - i) / step + 1 : (i - lo) / -step + 1;
        if (m > count - k)
            m = count - k;
        out->sizes[out->n++] = m;
        k += m;
    }
    /* Dask keeps one empty piece when a positive step stops inside a later
     * block than the last selected element's: x[1:10:3] on blocks of 4
     * gives (1, 2, 0). */
    int64_t n = x->shape[axis];
    if (step > 0 && count > 0 && stop < n) {
        int64_t last = node_chunk_of(x, axis, first + (count - 1) * step), bs = node_chunk_of(x, axis, stop);
        if (bs > last && x->offsets[axis][bs] < stop)
            out->sizes[out->n++] = 0;
    }
    if (out->n == 0)
        out->sizes[out->n++] = 0; /* an empty axis has one empty chunk, as in Dask */
    return TS_OK;
}

ts_status build_slice(build_env *env, node *x, int nidx, const ts_index *idx, node **out)
{
    int nell = 0, nreal = 0;
    for (int i = 0; i < nidx; i++) {
        nell += idx[i].kind == TS_INDEX_ELLIPSIS;
        nreal += idx[i].kind == TS_INDEX_INT || idx[i].kind == TS_INDEX_SLICE;
        if (idx[i].kind == TS_INDEX_SLICE && idx[i].has_step && idx[i].step == 0)
            return err_set(env->err, TS_ERR_ARG, "slice step cannot be zero");
    }
    if (nell > 1)
        return err_set(env->err, TS_ERR_ARG, "an index can only have a single ellipsis ('...')");
    if (nreal > x->ndim)
        return err_set(env->err, TS_ERR_ARG,
                       "too many indices for array: array is %d-dimensional, but %d were indexed", x->ndim,
                       nreal);
    view_map m = {0};
    int in_axis = 0;
    ts_status st = TS_OK;
    for (int i = 0; i < nidx && st == TS_OK; i++) {
        const ts_index *ix = &idx[i];
        if (ix->kind == TS_INDEX_ELLIPSIS) {
            int span = x->ndim - nreal;
            for (int k = 0; k < span && st == TS_OK; k++, in_axis++) {
                m.p.view.src[in_axis] = m.ndim;
                m.p.view.mul[in_axis] = 1;
                m.shape[m.ndim] = x->shape[in_axis];
                st = chunks_axis_copy(&x->chunks[in_axis], &m.chunks[m.ndim++], env->err);
            }
        } else if (ix->kind == TS_INDEX_NEWAXIS) {
            if (m.ndim == TS_MAXDIM)
                st = err_set(env->err, TS_ERR_SHAPE, "too many dimensions (at most %d)", TS_MAXDIM);
            else {
                m.shape[m.ndim] = 1;
                st = chunks_axis_single(1, &m.chunks[m.ndim++], env->err);
            }
        } else if (ix->kind == TS_INDEX_INT) {
            int64_t n = x->shape[in_axis], j = ix->i < 0 ? ix->i + n : ix->i;
            if (j < 0 || j >= n)
                st = err_set(env->err, TS_ERR_ARG, "index %lld is out of bounds for axis %d with size %lld",
                             (long long)ix->i, in_axis, (long long)n);
            m.p.view.src[in_axis] = -1;
            m.p.view.add[in_axis++] = j;
        } else {
            int64_t first, count, step = ix->has_step ? ix->step : 1, n = x->shape[in_axis];
            slice_range(ix, n, &first, &count);
            int64_t stop = !ix->has_stop ? n : ix->stop < 0 ? ix->stop + n : ix->stop;
            stop = stop < 0 ? 0 : stop > n ? n : stop;
            m.p.view.src[in_axis] = m.ndim;
            m.p.view.mul[in_axis] = step;
            m.p.view.add[in_axis] = count ? first : 0;
            m.shape[m.ndim] = count;
            st = slice_chunks(env, x, in_axis, first, step, count, stop, &m.chunks[m.ndim++]);
            in_axis++;
        }
    }
    /* Axes the index does not name are taken whole. */
    for (; in_axis < x->ndim && st == TS_OK; in_axis++) {
        if (m.ndim == TS_MAXDIM) {
            st = err_set(env->err, TS_ERR_SHAPE, "too many dimensions (at most %d)", TS_MAXDIM);
            break;
        }
        m.p.view.src[in_axis] = m.ndim;
        m.p.view.mul[in_axis] = 1;
        m.shape[m.ndim] = x->shape[in_axis];
        st = chunks_axis_copy(&x->chunks[in_axis], &m.chunks[m.ndim++], env->err);
    }
    if (st != TS_OK) {
        chunks_axis_free(m.chunks, m.ndim);
        return st;
    }
    return make_view(env, x, &m, "slice", out);
}

ts_status build_transpose(build_env *env, node *x, const int *axes, node **out)
{
    int nd = x->ndim, perm[TS_MAXDIM];
    uint32_t seen = 0;
    for (int d = 0; d < nd; d++) {
        int a = axes ? axes[d] : nd - 1 - d;
        if (a < -nd || a >= nd)
            return err_set(env->err, TS_ERR_AXIS,
                           "transpose: axis %d is out of bounds for array of dimension %d", a, nd);
        a = a < 0 ? a + nd : a;
        if (seen & (1u << a))
            return err_set(env->err, TS_ERR_AXIS, "transpose: axes don't match array: axis %d repeated", a);
        seen |= 1u << a;
        perm[d] = a;
    }
    view_map m = {.ndim = nd};
    for (int d = 0; d < nd; d++) {
        /* Output axis d is input axis perm[d]. */
        m.p.view.src[perm[d]] = d;
        m.p.view.mul[perm[d]] = 1;
        m.shape[d] = x->shape[perm[d]];
        ts_status st = chunks_axis_copy(&x->chunks[perm[d]], &m.chunks[d], env->err);
        if (st != TS_OK) {
            chunks_axis_free(m.chunks, d);
            return st;
        }
    }
    return make_view(env, x, &m, "transpose", out);
}

ts_status build_expand_dims(build_env *env, node *x, int axis, node **out)
{
    int nd = x->ndim + 1;
    if (nd > TS_MAXDIM)
        return err_set(env->err, TS_ERR_SHAPE, "too many dimensions (at most %d)", TS_MAXDIM);
    if (axis < -nd || axis >= nd)
        return err_set(env->err, TS_ERR_AXIS,
                       "expand_dims: axis %d is out of bounds for array of dimension %d", axis, nd);
    axis = axis < 0 ? axis + nd : axis;
    ts_index idx[TS_MAXDIM + 1];
    for (int d = 0; d < nd; d++)
        idx[d] = d == axis ? (ts_index){.kind = TS_INDEX_NEWAXIS} : (ts_index){.kind = TS_INDEX_SLICE};
    ts_status st = build_slice(env, x, nd, idx, out);
    if (st == TS_OK && (*out)->op == NODE_VIEW)
        snprintf((*out)->p.view.what, sizeof(*out)->p.view.what, "expand_dims");
    return st;
}

ts_status build_squeeze(build_env *env, node *x, int naxes, const int *axes, node **out)
{
    uint32_t drop = 0;
    for (int d = 0; naxes < 0 && d < x->ndim; d++)
        if (x->shape[d] == 1)
            drop |= 1u << d;
    for (int i = 0; i < naxes; i++) {
        int a = axes[i];
        if (a < -x->ndim || a >= x->ndim)
            return err_set(env->err, TS_ERR_AXIS,
                           "squeeze: axis %d is out of bounds for array of dimension %d", a, x->ndim);
        a = a < 0 ? a + x->ndim : a;
        if (x->shape[a] != 1)
            return err_set(
                env->err, TS_ERR_SHAPE,
                "cannot select an axis to squeeze out which has size not equal to one (axis %d has %lld)", a,
                (long long)x->shape[a]);
        drop |= 1u << a;
    }
    ts_index idx[TS_MAXDIM];
    for (int d = 0; d < x->ndim; d++)
        idx[d] = (drop & (1u << d)) ? (ts_index){.kind = TS_INDEX_INT, .i = 0}
                                    : (ts_index){.kind = TS_INDEX_SLICE};
    ts_status st = build_slice(env, x, x->ndim, idx, out);
    if (st == TS_OK && (*out)->op == NODE_VIEW)
        snprintf((*out)->p.view.what, sizeof(*out)->p.view.what, "squeeze");
    return st;
}

ts_status build_broadcast_to(build_env *env, node *x, int ndim, const int64_t *shape,
                             const ts_chunkspec *chunks, node **out)
{
    if (ndim < x->ndim || ndim > TS_MAXDIM)
        return err_set(env->err, TS_ERR_SHAPE, "broadcast_to: cannot broadcast a %d-d array to %d dimensions",
                       x->ndim, ndim);
    int off = ndim - x->ndim;
    view_map m = {.ndim = ndim};
    for (int d = 0; d < ndim; d++) {
        m.shape[d] = shape[d];
        if (shape[d] < 0)
            return err_set(env->err, TS_ERR_SHAPE, "broadcast_to: negative dimensions are not allowed");
    }
    for (int k = 0; k < x->ndim; k++) {
        if (x->shape[k] != shape[k + off] && x->shape[k] != 1) {
            char a[200], b[200];
            build_format_shape(x->ndim, x->shape, a, sizeof a);
            build_format_shape(ndim, shape, b, sizeof b);
            return err_set(env->err, TS_ERR_SHAPE,
                           "operands could not be broadcast together with remapped shapes %s -> %s", a, b);
        }
        bool bcast = x->shape[k] == 1 && shape[k + off] != 1;
        m.p.view.src[k] = bcast ? -1 : k + off;
        m.p.view.mul[k] = bcast ? 0 : 1;
    }
    /* Dask: axes kept from x keep its chunks, new or broadcast axes are one
     * chunk; a chunks spec overrides (it must keep x's chunks on kept axes
     * for tasks to stay inside one input chunk: normalised, it is checked). */
    ts_status st = TS_OK;
    for (int d = 0; d < ndim && st == TS_OK; d++) {
        int k = d - off;
        if (k >= 0 && m.p.view.src[k] >= 0)
            st = chunks_axis_copy(&x->chunks[k], &m.chunks[d], env->err);
        else
            st = chunks_axis_single(shape[d], &m.chunks[d], env->err);
    }
    if (st != TS_OK) {
        chunks_axis_free(m.chunks, ndim);
        return st;
    }
    st = make_view(env, x, &m, "broadcast_to", out);
    if (st == TS_OK && chunks) {
        node *v = *out;
        st = build_rechunk(env, v, chunks, out);
        ts_array_release(v);
    }
    return st;
}

ts_status build_rechunk(build_env *env, node *x, const ts_chunkspec *spec, node **out)
{
    ts_chunkspec s = spec ? *spec : (ts_chunkspec){0};
    uint32_t keep = 0;
    if (s.naxes > x->ndim)
        return err_set(env->err, TS_ERR_CHUNKS, "rechunk: %d axes of chunks for a %d-d array", s.naxes,
                       x->ndim);
    for (int d = 0; d < s.naxes; d++)
        if (s.axis[d].kind == TS_CHUNK_KEEP) {
            keep |= 1u << d;
            s.axis[d].kind = TS_CHUNK_AUTO;
        }
    view_map m = {.ndim = x->ndim};
    ts_status st = chunks_normalize_keep(&s, keep, x->ndim, x->shape, ts_dtype_size(x->dtype),
                                         env->chunk_limit_nbytes, x->chunks, m.chunks, env->err);
    if (st != TS_OK)
        return st;
    for (int d = 0; d < x->ndim; d++) {
        m.shape[d] = x->shape[d];
        m.p.view.src[d] = d;
        m.p.view.mul[d] = 1;
    }
    return make_view(env, x, &m, "rechunk", out);
}
