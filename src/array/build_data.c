/* build_data.c — arrays whose values the node itself holds: a local array
 * wrapped for eager math (borrowed values, one chunk), and the result of a
 * delayed task (values filled in once the task has run). */
#include "array/build.h"
#include "array/delayed.h"

#include <stdlib.h>

static ts_status one_chunk_per_axis(build_env *env, int ndim, const int64_t *shape, chunks_axis *chunks)
{
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) {
            chunks_axis_free(chunks, d);
            return err_set(env->err, TS_ERR_SHAPE,
                           "negative dimensions are not allowed: axis %d has length %lld", d,
                           (long long)shape[d]);
        }
        chunks[d].n = 1;
        chunks[d].sizes = malloc(sizeof(int64_t));
        if (!chunks[d].sizes) {
            chunks_axis_free(chunks, d);
            return err_set(env->err, TS_ERR_MEMORY, "out of memory");
        }
        chunks[d].sizes[0] = shape[d];
    }
    return TS_OK;
}

ts_status build_data_wrap(build_env *env, ts_dtype dtype, int ndim, const int64_t *shape, const void *data,
                          bool weak, node **out)
{
    if (ndim < 0 || ndim > TS_MAXDIM)
        return err_set(env->err, TS_ERR_SHAPE, "an array may have at most %d dimensions, got %d", TS_MAXDIM,
                       ndim);
    chunks_axis chunks[TS_MAXDIM];
    ts_status st = one_chunk_per_axis(env, ndim, shape, chunks);
    if (st != TS_OK)
        return st;
    st = node_create(NODE_DATA, dtype, ndim, shape, chunks, 0, NULL, NULL, out, env->err);
    if (st != TS_OK)
        return st;
    (*out)->blob = (void *)data;
    (*out)->blob_borrowed = true;
    (*out)->weak = weak && ndim == 0;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    (*out)->blob_nbytes = n * (int64_t)ts_dtype_size(dtype);
    return TS_OK;
}

ts_status build_from_delayed(build_env *env, delayed *d, int ndim, const int64_t *shape, ts_dtype dtype,
                             node **out)
{
    if ((unsigned)dtype >= TS_NDTYPES)
        return err_set(env->err, TS_ERR_DTYPE, "from_delayed: unknown dtype");
    if (ndim < 0 || ndim > TS_MAXDIM)
        return err_set(env->err, TS_ERR_SHAPE, "an array may have at most %d dimensions, got %d", TS_MAXDIM,
                       ndim);
    chunks_axis chunks[TS_MAXDIM];
    ts_status st = one_chunk_per_axis(env, ndim, shape, chunks);
    if (st != TS_OK)
        return st;
    st = node_create(NODE_DATA, dtype, ndim, shape, chunks, 0, NULL, NULL, out, env->err);
    if (st == TS_OK)
        (*out)->delayed = ts_delayed_retain(d);
    return st;
}
