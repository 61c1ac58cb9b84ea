/* build_create.c — source nodes: constants, ranges and random arrays. Their
 * chunks come from the user's spec through Dask's normalize_chunks rules. */
#include "array/build.h"
#include "array/dtype.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ts_status check_shape(build_env *env, int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > TS_MAXDIM)
        return err_set(env->err, TS_ERR_SHAPE, "an array may have at most %d dimensions, got %d", TS_MAXDIM,
                       ndim);
    /* As in NumPy, the non-zero extents must multiply to a size that fits
     * even when another axis is empty, so the verdict is the same in any
     * axis order: (2^40, 2^40, 0) is refused like (0, 2^40, 2^40). */
    int64_t size = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return err_set(env->err, TS_ERR_SHAPE,
                           "negative dimensions are not allowed: axis %d has length %lld", d,
                           (long long)shape[d]);
        if (shape[d] > 0 && size > INT64_MAX / 8 / shape[d])
            return err_set(env->err, TS_ERR_SHAPE, "array is too big: more than 2^60 bytes");
        size *= shape[d] > 0 ? shape[d] : 1;
    }
    return TS_OK;
}

static ts_status make_source(build_env *env, node_op op, ts_dtype dtype, int ndim, const int64_t *shape,
                             const ts_create_opts *opts, const node_params *p, node **out)
{
    ts_status st = check_shape(env, ndim, shape);
    if (st != TS_OK)
        return st;
    chunks_axis chunks[TS_MAXDIM];
    ts_chunkspec autospec = {0};
    const ts_chunkspec *spec = opts && opts->chunks ? opts->chunks : &autospec;
    st = chunks_normalize(spec, ndim, shape, ts_dtype_size(dtype), env->chunk_limit_nbytes, NULL, chunks,
                          env->err);
    if (st != TS_OK)
        return st;
    return node_create(op, dtype, ndim, shape, chunks, 0, NULL, p, out, env->err);
}

/* Creation in one dtype, then a cast when the caller asked for another. */
static ts_status cast_if_asked(build_env *env, ts_status st, const ts_create_opts *opts, node **out)
{
    if (st != TS_OK || !opts || !opts->dtype_set || opts->dtype == (*out)->dtype)
        return st;
    node *src = *out;
    st = build_astype(env, src, opts->dtype, out);
    ts_array_release(src);
    return st;
}

static ts_dtype scalar_dtype(ts_scalar v)
{
    return v.kind == TS_SCALAR_BOOL ? TS_BOOL : v.kind == TS_SCALAR_INT ? TS_INT64 : TS_FLOAT64;
}

ts_status build_full(build_env *env, int ndim, const int64_t *shape, ts_scalar value,
                     const ts_create_opts *opts, node **out)
{
    node_params p = {.full = {value}};
    ts_dtype dt = opts && opts->dtype_set ? opts->dtype : scalar_dtype(value);
    return make_source(env, NODE_FULL, dt, ndim, shape, opts, &p, out);
}

static double scalar_as_double(ts_scalar v)
{
    return v.kind == TS_SCALAR_FLOAT ? v.f : v.kind == TS_SCALAR_INT ? (double)v.i : (double)v.b;
}

ts_status build_arange(build_env *env, ts_scalar start, ts_scalar stop, ts_scalar step,
                       const ts_create_opts *opts, node **out)
{
    bool all_int =
        start.kind != TS_SCALAR_FLOAT && stop.kind != TS_SCALAR_FLOAT && step.kind != TS_SCALAR_FLOAT;
    double fstart = scalar_as_double(start), fstop = scalar_as_double(stop), fstep = scalar_as_double(step);
    if (fstep == 0)
        return err_set(env->err, TS_ERR_ARG, "arange: step must not be zero");
    if (!isfinite(fstart) || !isfinite(fstop) || !isfinite(fstep))
        return err_set(env->err, TS_ERR_ARG, "arange: start, stop and step must be finite numbers");
    /* NumPy's length: ceil((stop - start) / step), never negative. */
    double len = ceil((fstop - fstart) / fstep);
    if (len > 1e18)
        return err_set(env->err, TS_ERR_SHAPE, "arange: the range holds too many elements (%.3g)", len);
    int64_t n = len > 0 ? (int64_t)len : 0;
    node_params p = {.arange = {.fstart = fstart, .fstep = (fstart + fstep) - fstart}};
    if (all_int) {
        p.arange.istart = start.kind == TS_SCALAR_INT ? start.i : start.b;
        p.arange.istep = step.kind == TS_SCALAR_INT ? step.i : step.b;
    }
    ts_status st = make_source(env, NODE_ARANGE, all_int ? TS_INT64 : TS_FLOAT64, 1, &n, opts, &p, out);
    return cast_if_asked(env, st, opts, out);
}

ts_status build_linspace(build_env *env, double start, double stop, int64_t num, bool endpoint,
                         const ts_create_opts *opts, node **out)
{
    if (num < 0)
        return err_set(env->err, TS_ERR_ARG, "linspace: number of samples, %lld, must be non-negative",
                       (long long)num);
    int64_t div = endpoint ? num - 1 : num;
    node_params p = {.linspace = {.start = start,
                                  .stop = stop,
                                  .num = num,
                                  .endpoint = endpoint,
                                  .step = div > 0 ? (stop - start) / (double)div : 0.0}};
    ts_status st = make_source(env, NODE_LINSPACE, TS_FLOAT64, 1, &num, opts, &p, out);
    return cast_if_asked(env, st, opts, out);
}

ts_status build_random(build_env *env, ts_random_kind kind, double a, double b, int ndim,
                       const int64_t *shape, const ts_create_opts *opts, node **out)
{
    static const char *const names[] = {"random", "uniform", "normal", "standard_normal", "integers"};
    bool integers = kind == TS_RANDOM_INTEGERS;
    ts_dtype dt = integers ? TS_INT64 : TS_FLOAT64;
    if (opts && opts->dtype_set) {
        dt = opts->dtype;
        bool ok = integers ? dtype_is_int(dt) : dtype_is_float(dt);
        if (!ok)
            return err_set(env->err, TS_ERR_DTYPE, "random.%s cannot make dtype %s; use %s", names[kind],
                           ts_dtype_name(dt), integers ? "int64 or int32" : "float64 or float32");
    }
    if (integers) {
        if (!(b > a))
            return err_set(env->err, TS_ERR_ARG, "random.integers: high (%g) must be greater than low (%g)",
                           b, a);
        if (dt == TS_INT32 && (a < -2147483648.0 || b > 2147483648.0))
            return err_set(env->err, TS_ERR_ARG, "random.integers: [%g, %g) does not fit dtype int32", a, b);
    }
    if (kind == TS_RANDOM_NORMAL && b < 0)
        return err_set(env->err, TS_ERR_ARG, "random.normal: scale must be non-negative, got %g", b);
    node_params p = {.random = {.kind = kind, .a = a, .b = b}};
    if (opts && opts->seed_set) {
        p.random.seed = opts->seed;
        p.random.stream = 0;
    } else {
        p.random.seed = env->default_seed;
        p.random.stream = ++*env->next_stream;
    }
    return make_source(env, NODE_RANDOM, dt, ndim, shape, opts, &p, out);
}

ts_status build_scalar(build_env *env, ts_scalar value, node **out)
{
    node_params p = {.full = {value}};
    ts_status st = node_create(NODE_SCALAR, scalar_dtype(value), 0, NULL, NULL, 0, NULL, &p, out, env->err);
    if (st == TS_OK)
        (*out)->weak = true;
    return st;
}

ts_status build_hdf5(build_env *env, const char *path, const char *dataset, ts_dtype dtype, int ndim,
                     const int64_t *shape, const int64_t *storage_chunk, const ts_chunkspec *chunks,
                     node **out)
{
    ts_chunkspec stored = {0};
    if (!chunks && storage_chunk) {
        stored.naxes = ndim;
        for (int d = 0; d < ndim; d++)
            stored.axis[d] = (ts_axis_chunks){.kind = TS_CHUNK_SIZE, .size = storage_chunk[d]};
        chunks = &stored;
    }
    ts_create_opts opts = {.chunks = chunks};
    ts_status st = make_source(env, NODE_HDF5, dtype, ndim, shape, &opts, NULL, out);
    if (st != TS_OK)
        return st;
    (*out)->path = strdup(path);
    (*out)->dataset = strdup(dataset);
    if (!(*out)->path || !(*out)->dataset) {
        ts_array_release(*out);
        *out = NULL;
        return err_set(env->err, TS_ERR_MEMORY, "out of memory");
    }
    return TS_OK;
}

void build_format_shape(int ndim, const int64_t *shape, char *buf, size_t buflen)
{
    size_t len = 0;
    len += (size_t)snprintf(buf + len, buflen - len, "(");
    for (int d = 0; d < ndim && len < buflen; d++)
        len += (size_t)snprintf(buf + len, buflen - len, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (len < buflen)
        snprintf(buf + len, buflen - len, ndim == 1 ? ",)" : ")");
}
