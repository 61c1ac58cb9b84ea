/* build_map.c — map_blocks and map_overlap nodes. Blocks are paired as
 * Dask's map_blocks pairs them: axes right-aligned; on each axis, inputs
 * of one block are passed whole to every call and inputs of several blocks
 * are paired by block position (so they need the same number of blocks;
 * where they differ but cover the same length, tessera rechunks them to
 * the common refinement, which Dask refuses); dropped axes are one block.
 * For map_overlap the boundary is added here as views and concatenations
 * of the input, so the halo of a block is an ordinary region of a lazy
 * array: generated where it can be, fetched peer to peer from the worker
 * holding it where it was computed. */
#include "array/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct aligned {
    int ndim;
    uint32_t dropped;
    chunks_axis loop[TS_MAXDIM]; /* owned: the output's chunks on each loop axis */
} aligned;

static const char *what(const ts_map_blocks_opts *o)
{
    return o && o->overlap ? "map_overlap" : "map_blocks";
}

static ts_status axis_set(build_env *env, const char *fn, const char *name, int count, const int *axes,
                          int ndim, uint32_t *mask)
{
    *mask = 0;
    for (int i = 0; i < count; i++) {
        int a = axes[i];
        if (a < -ndim || a >= ndim)
            return err_set(env->err, TS_ERR_AXIS, "%s: %s %d is out of bounds for %d dimensions", fn, name, a,
                           ndim);
        a = a < 0 ? a + ndim : a;
        if (*mask & (1u << a))
            return err_set(env->err, TS_ERR_AXIS, "%s: repeated axis %d in %s", fn, axes[i], name);
        *mask |= 1u << a;
    }
    return TS_OK;
}

static bool same_chunks(const chunks_axis *a, const chunks_axis *b)
{
    if (a->n != b->n)
        return false;
    for (int64_t c = 0; c < a->n; c++)
        if (a->sizes[c] != b->sizes[c])
            return false;
    return true;
}

/* The loop chunks of aligned axis a. Several-block inputs are paired by
 * position when they agree on the count (their first's chunks are the
 * output's, as in Dask), else rechunked to the common refinement when they
 * cover the same length; map_overlap reads boxes of the output's geometry,
 * so there every several-block chunking takes part in the refinement. */
static ts_status loop_axis(build_env *env, int n, node *const *xs, int a, const aligned *al,
                           const ts_map_blocks_opts *o, chunks_axis *loop)
{
    const char *fn = what(o);
    chunks_axis multi[NODE_MAXIN];
    int k = 0, first = -1;
    bool paired = true;
    for (int i = 0; i < n; i++) {
        int j = a - (al->ndim - xs[i]->ndim);
        if (j < 0)
            continue;
        if (first < 0)
            first = i;
        if (xs[i]->chunks[j].n <= 1)
            continue;
        if (k > 0 && (xs[i]->chunks[j].n != multi[0].n ||
                      (o && o->overlap && !same_chunks(&multi[0], &xs[i]->chunks[j]))))
            paired = false;
        multi[k++] = xs[i]->chunks[j];
    }
    int j0 = a - (al->ndim - xs[first]->ndim);
    if (al->dropped & (1u << a))
        return chunks_axis_single(xs[first]->shape[j0], loop, env->err);
    if (k == 0)
        return chunks_axis_copy(&xs[first]->chunks[j0], loop, env->err);
    if (paired)
        return chunks_axis_copy(&multi[0], loop, env->err);
    int64_t len0 = 0;
    for (int64_t c = 0; c < multi[0].n; c++)
        len0 += multi[0].sizes[c];
    for (int q = 1; q < k; q++) {
        int64_t len = 0;
        for (int64_t c = 0; c < multi[q].n; c++)
            len += multi[q].sizes[c];
        if (len != len0)
            return err_set(
                env->err, TS_ERR_CHUNKS,
                "%s: on axis %d the arrays have %lld and %lld blocks over lengths %lld and %lld, so "
                "their blocks cannot be paired (rechunk them to the same number of blocks)",
                fn, a, (long long)multi[0].n, (long long)multi[q].n, (long long)len0, (long long)len);
    }
    return chunks_common_refinement(k, multi, loop, env->err);
}

/* x rechunked where its blocks are not the loop's: to one block on dropped
 * axes, to the refinement where several-block chunkings differ in count
 * (map_blocks) — a new reference in *out. */
static ts_status conform(build_env *env, node *x, const aligned *al, const ts_map_blocks_opts *o, node **out)
{
    int off = al->ndim - x->ndim;
    ts_chunkspec spec = {.naxes = x->ndim};
    bool change = false;
    for (int j = 0; j < x->ndim; j++) {
        int a = j + off;
        const chunks_axis *want = &al->loop[a], *have = &x->chunks[j];
        spec.axis[j].kind = TS_CHUNK_KEEP;
        bool dropped = al->dropped & (1u << a);
        if (dropped && have->n > 1) {
            spec.axis[j] = (ts_axis_chunks){.kind = TS_CHUNK_FULL};
            change = true;
        } else if (!dropped && !(o && o->overlap) && have->n > 1 && have->n != want->n) {
            spec.axis[j] = (ts_axis_chunks){.kind = TS_CHUNK_LIST, .sizes = want->sizes, .nsizes = want->n};
            change = true;
        }
    }
    if (!change) {
        *out = ts_array_retain(x);
        return TS_OK;
    }
    return build_rechunk(env, x, &spec, out);
}

/* ---- map_overlap's boundary ---- */

/* x[lo:hi:step] along axis (full slices elsewhere). */
static ts_status slice_axis(build_env *env, node *x, int axis, int64_t start, bool has_stop, int64_t stop,
                            int64_t step, node **out)
{
    ts_index idx[TS_MAXDIM];
    for (int d = 0; d <= axis; d++)
        idx[d] = (ts_index){.kind = TS_INDEX_SLICE};
    idx[axis] = (ts_index){.kind = TS_INDEX_SLICE,
                           .start = start,
                           .stop = stop,
                           .step = step,
                           .has_start = true,
                           .has_stop = has_stop,
                           .has_step = true};
    return build_slice(env, x, axis + 1, idx, out);
}

/* One side's halo of depth elements along axis (left or right). */
static ts_status halo(build_env *env, node *x, int axis, int64_t depth, bool left,
                      const ts_map_blocks_opts *o, node **out)
{
    int64_t len = x->shape[axis];
    switch (o->boundary) {
    case TS_BOUNDARY_REFLECT: /* x[depth-1::-1] and x[-1:-depth-1:-1] */
        return left ? slice_axis(env, x, axis, depth - 1, false, 0, -1, out)
                    : slice_axis(env, x, axis, len - 1, true,
                                 len - depth - 1 >= 0 ? len - depth - 1 : -len - 1, -1, out);
    case TS_BOUNDARY_PERIODIC:
        return left ? slice_axis(env, x, axis, len - depth, true, len, 1, out)
                    : slice_axis(env, x, axis, 0, true, depth, 1, out);
    case TS_BOUNDARY_NEAREST: {
        node *edge;
        ts_status st = slice_axis(env, x, axis, left ? 0 : len - 1, true, left ? 1 : len, 1, &edge);
        if (st != TS_OK)
            return st;
        int64_t shape[TS_MAXDIM];
        memcpy(shape, x->shape, sizeof shape);
        shape[axis] = depth;
        st = build_broadcast_to(env, edge, x->ndim, shape, NULL, out);
        ts_array_release(edge);
        return st;
    }
    default: { /* constant */
        int64_t shape[TS_MAXDIM];
        memcpy(shape, x->shape, sizeof shape);
        shape[axis] = depth;
        ts_chunkspec one = {.naxes = x->ndim};
        for (int d = 0; d < x->ndim; d++)
            one.axis[d] = (ts_axis_chunks){.kind = TS_CHUNK_FULL};
        ts_create_opts co = {.chunks = &one, .dtype = x->dtype, .dtype_set = true};
        ts_scalar v = {.kind = TS_SCALAR_FLOAT, .f = o->boundary_value};
        return build_full(env, x->ndim, shape, v, &co, out);
    }
    }
}

/* x with the boundary added on both sides of every axis with a depth,
 * axis after axis (corners as NumPy's pad and Dask make them). */
static ts_status pad(build_env *env, node *x, const int64_t *depth, const ts_map_blocks_opts *o, node **out)
{
    node *cur = ts_array_retain(x);
    for (int a = 0; a < x->ndim; a++) {
        if (depth[a] == 0)
            continue;
        node *parts[3] = {NULL, cur, NULL}, *next = NULL;
        ts_status st = halo(env, cur, a, depth[a], true, o, &parts[0]);
        if (st == TS_OK)
            st = halo(env, cur, a, depth[a], false, o, &parts[2]);
        if (st == TS_OK)
            st = build_concatenate(env, 3, parts, a, &next);
        ts_array_release(parts[0]);
        ts_array_release(parts[2]);
        ts_array_release(cur);
        if (st != TS_OK)
            return st;
        cur = next;
    }
    *out = cur;
    return TS_OK;
}

static ts_status check_overlap(build_env *env, int n, node *const *xs, const ts_map_blocks_opts *o)
{
    if (o->ndrop || o->nnew || o->chunks)
        return err_set(env->err, TS_ERR_ARG,
                       "map_overlap: drop_axis, new_axis and chunks are not supported "
                       "(the function returns each block with its halo, which is trimmed)");
    if ((unsigned)o->boundary > TS_BOUNDARY_CONSTANT)
        return err_set(env->err, TS_ERR_ARG, "map_overlap: unknown boundary");
    for (int i = 1; i < n; i++) {
        bool same = xs[i]->ndim == xs[0]->ndim;
        for (int d = 0; same && d < xs[0]->ndim; d++)
            same = xs[i]->shape[d] == xs[0]->shape[d];
        if (!same) {
            char a[256], b[256];
            build_format_shape(xs[0]->ndim, xs[0]->shape, a, sizeof a);
            build_format_shape(xs[i]->ndim, xs[i]->shape, b, sizeof b);
            return err_set(env->err, TS_ERR_SHAPE,
                           "map_overlap: the arrays must have the same shape, got %s and %s", a, b);
        }
    }
    for (int a = 0; a < xs[0]->ndim; a++) {
        if (o->depth[a] < 0)
            return err_set(env->err, TS_ERR_ARG, "map_overlap: depth on axis %d is negative (%lld)", a,
                           (long long)o->depth[a]);
        bool wraps = o->boundary == TS_BOUNDARY_REFLECT || o->boundary == TS_BOUNDARY_PERIODIC;
        if (wraps && o->depth[a] > xs[0]->shape[a])
            return err_set(env->err, TS_ERR_ARG,
                           "map_overlap: depth %lld on axis %d is larger than the axis (length %lld) for "
                           "boundary '%s'",
                           (long long)o->depth[a], a, (long long)xs[0]->shape[a],
                           o->boundary == TS_BOUNDARY_REFLECT ? "reflect" : "periodic");
    }
    return TS_OK;
}

/* ---- output geometry ---- */

static ts_status out_chunks(build_env *env, const aligned *al, const node_params *p, int ndim,
                            const ts_map_blocks_opts *o, chunks_axis *chunks, int64_t *shape)
{
    const ts_chunkspec *spec = o ? o->chunks : NULL;
    if (spec && spec->naxes != 0 && spec->naxes != ndim)
        return err_set(env->err, TS_ERR_CHUNKS, "map_blocks: chunks has %d axes, the result has %d",
                       spec->naxes, ndim);
    for (int d = 0; d < ndim; d++) {
        int a = p->map.out_src[d];
        int64_t nb = a >= 0 ? al->loop[a].n : 1;
        const ts_axis_chunks *ax = spec && spec->naxes ? &spec->axis[d] : NULL;
        ts_chunk_kind kind = ax ? ax->kind : TS_CHUNK_AUTO;
        ts_status st = TS_OK;
        if (kind == TS_CHUNK_LIST && ax->nsizes != nb)
            st = err_set(
                env->err, TS_ERR_CHUNKS,
                "map_blocks: chunks gives %lld blocks on axis %d, but the inputs have %lld blocks there",
                (long long)ax->nsizes, d, (long long)nb);
        if (kind == TS_CHUNK_FULL || (kind == TS_CHUNK_SIZE && ax->size < 0))
            st = err_set(env->err, TS_ERR_CHUNKS,
                         "map_blocks: chunks on axis %d must be a block size or a list of sizes, not -1", d);
        chunks[d].n = nb;
        chunks[d].sizes = st == TS_OK ? malloc((size_t)(nb ? nb : 1) * sizeof(int64_t)) : NULL;
        if (st == TS_OK && !chunks[d].sizes)
            st = err_set(env->err, TS_ERR_MEMORY, "out of memory");
        if (st != TS_OK) {
            chunks_axis_free(chunks, d);
            return st;
        }
        shape[d] = 0;
        for (int64_t c = 0; c < nb; c++) {
            int64_t v = kind == TS_CHUNK_LIST   ? ax->sizes[c]
                        : kind == TS_CHUNK_SIZE ? ax->size
                        : a >= 0                ? al->loop[a].sizes[c]
                                                : 1;
            if (v < 0) {
                chunks_axis_free(chunks, d + 1);
                return err_set(env->err, TS_ERR_CHUNKS, "map_blocks: negative block size %lld on axis %d",
                               (long long)v, d);
            }
            chunks[d].sizes[c] = v;
            shape[d] += v;
        }
    }
    return TS_OK;
}

/* out_src: output axis -> loop axis, with new axes inserted at their
 * places in the output and dropped axes left out. */
static ts_status axes_map(build_env *env, const aligned *al, const ts_map_blocks_opts *o, node_params *p,
                          int *ndim)
{
    int nkept = 0;
    for (int a = 0; a < al->ndim; a++)
        nkept += !(al->dropped & (1u << a));
    int nnew = o ? o->nnew : 0;
    *ndim = nkept + nnew;
    if (*ndim > TS_MAXDIM)
        return err_set(env->err, TS_ERR_AXIS, "map_blocks: the result would have %d dimensions (at most %d)",
                       *ndim, TS_MAXDIM);
    uint32_t added = 0;
    ts_status st = axis_set(env, "map_blocks", "new_axis", nnew, o ? o->new_axis : NULL, *ndim, &added);
    if (st != TS_OK)
        return st;
    int a = 0;
    for (int d = 0; d < *ndim; d++) {
        if (added & (1u << d)) {
            p->map.out_src[d] = -1;
            continue;
        }
        while (al->dropped & (1u << a))
            a++;
        p->map.out_src[d] = a++;
    }
    return TS_OK;
}

ts_status build_map_blocks(build_env *env, int n, node *const *xs, const char *kernel, const void *ud,
                           int64_t ud_nbytes, const ts_map_blocks_opts *opts, node **out)
{
    const char *fn = what(opts);
    *out = NULL;
    if (n < 1 || n > NODE_MAXIN)
        return err_set(env->err, TS_ERR_ARG, "%s takes 1 to %d arrays, got %d", fn, NODE_MAXIN, n);
    if (opts && opts->dtype_set && (unsigned)opts->dtype >= TS_NDTYPES)
        return err_set(env->err, TS_ERR_DTYPE, "%s: unknown dtype", fn);
    aligned al = {0};
    for (int i = 0; i < n; i++)
        al.ndim = xs[i]->ndim > al.ndim ? xs[i]->ndim : al.ndim;
    ts_status st = axis_set(env, fn, "drop_axis", opts ? opts->ndrop : 0, opts ? opts->drop_axis : NULL,
                            al.ndim, &al.dropped);
    if (st == TS_OK && opts && opts->overlap)
        st = check_overlap(env, n, xs, opts);
    for (int a = 0; a < al.ndim && st == TS_OK; a++) {
        st = loop_axis(env, n, xs, a, &al, opts, &al.loop[a]);
        if (st != TS_OK)
            chunks_axis_free(al.loop, a);
    }
    if (st != TS_OK)
        return st;
    node_params p = {.map = {.loop_ndim = al.ndim}};
    snprintf(p.map.label, sizeof p.map.label, "%s", opts && opts->label && opts->label[0] ? opts->label : fn);
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    chunks_axis chunks[TS_MAXDIM];
    st = axes_map(env, &al, opts, &p, &ndim);
    if (st == TS_OK)
        st = out_chunks(env, &al, &p, ndim, opts, chunks, shape);
    node *in[NODE_MAXIN] = {NULL};
    bool chunks_owned = st == TS_OK;
    for (int i = 0; i < n && st == TS_OK; i++)
        st = conform(env, xs[i], &al, opts, &in[i]);
    if (st == TS_OK && opts && opts->overlap) {
        p.map.overlap = true;
        p.map.padded = opts->boundary != TS_BOUNDARY_NONE;
        for (int a = 0; a < al.ndim; a++)
            p.map.depth[a] = opts->depth[a];
        for (int i = 0; i < n && st == TS_OK && p.map.padded; i++) {
            node *padded = NULL;
            st = pad(env, in[i], opts->depth, opts, &padded);
            ts_array_release(in[i]);
            in[i] = padded;
        }
    }
    ts_dtype dtype = opts && opts->dtype_set ? opts->dtype : xs[0]->dtype;
    if (st == TS_OK) {
        chunks_owned = false;
        st = node_create(NODE_MAP_BLOCKS, dtype, ndim, shape, chunks, n, in, &p, out, env->err);
    }
    if (chunks_owned)
        chunks_axis_free(chunks, ndim);
    for (int i = 0; i < n; i++)
        ts_array_release(in[i]);
    chunks_axis_free(al.loop, al.ndim);
    if (st != TS_OK)
        return st;
    node *x = *out;
    x->kernel = malloc(strlen(kernel) + 1);
    x->blob = malloc((size_t)(ud_nbytes > 0 ? ud_nbytes : 1));
    if (!x->kernel || !x->blob) {
        ts_array_release(x);
        *out = NULL;
        return err_set(env->err, TS_ERR_MEMORY, "out of memory");
    }
    strcpy(x->kernel, kernel);
    if (ud_nbytes > 0)
        memcpy(x->blob, ud, (size_t)ud_nbytes);
    x->blob_nbytes = ud_nbytes;
    return TS_OK;
}
