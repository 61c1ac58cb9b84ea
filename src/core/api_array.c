/* api_array.c — the public array-building calls: each clears the last
 * error and hands the context's settings to the array layer. */
#include "array/slice_text.h"
#include "core/ctx.h"

#include <stdio.h>

#define BUILD(call)                                                                                          \
    do {                                                                                                     \
        ctx_begin(ctx);                                                                                      \
        build_env env = ctx_build_env(ctx);                                                                  \
        *out = NULL;                                                                                         \
        return call;                                                                                         \
    } while (0)

ts_status ts_array_full(ts_ctx *ctx, int ndim, const int64_t *shape, ts_scalar value,
                        const ts_create_opts *opts, ts_array **out)
{
    BUILD(build_full(&env, ndim, shape, value, opts, out));
}

ts_status ts_array_arange(ts_ctx *ctx, ts_scalar start, ts_scalar stop, ts_scalar step,
                          const ts_create_opts *opts, ts_array **out)
{
    BUILD(build_arange(&env, start, stop, step, opts, out));
}

ts_status ts_array_linspace(ts_ctx *ctx, double start, double stop, int64_t num, bool endpoint,
                            const ts_create_opts *opts, ts_array **out)
{
    BUILD(build_linspace(&env, start, stop, num, endpoint, opts, out));
}

ts_status ts_array_random(ts_ctx *ctx, ts_random_kind kind, double a, double b, int ndim,
                          const int64_t *shape, const ts_create_opts *opts, ts_array **out)
{
    BUILD(build_random(&env, kind, a, b, ndim, shape, opts, out));
}

ts_status ts_array_scalar(ts_ctx *ctx, ts_scalar value, ts_array **out)
{
    BUILD(build_scalar(&env, value, out));
}

ts_status ts_array_unary(ts_ctx *ctx, ts_unary_op op, ts_array *x, ts_array **out)
{
    BUILD(build_unary(&env, op, x, out));
}

ts_status ts_array_binary(ts_ctx *ctx, ts_binary_op op, ts_array *a, ts_array *b, ts_array **out)
{
    BUILD(build_binary(&env, op, a, b, out));
}

ts_status ts_array_where(ts_ctx *ctx, ts_array *cond, ts_array *a, ts_array *b, ts_array **out)
{
    BUILD(build_where(&env, cond, a, b, out));
}

ts_status ts_array_astype(ts_ctx *ctx, ts_array *x, ts_dtype dtype, ts_array **out)
{
    BUILD(build_astype(&env, x, dtype, out));
}

ts_status ts_array_reduce(ts_ctx *ctx, ts_reduce_op op, ts_array *x, const ts_reduce_opts *opts,
                          ts_array **out)
{
    BUILD(build_reduce(&env, op, x, opts, out));
}

/* NumPy's clip is minimum(maximum(x, lo), hi). */
ts_status ts_array_clip(ts_ctx *ctx, ts_array *x, ts_array *lo, ts_array *hi, ts_array **out)
{
    ctx_begin(ctx);
    build_env env = ctx_build_env(ctx);
    ts_array *cur = ts_array_retain(x), *next = NULL;
    ts_status st = TS_OK;
    if (lo) {
        st = build_binary(&env, TS_MAXIMUM, cur, lo, &next);
        ts_array_release(cur);
        cur = st == TS_OK ? next : NULL;
    }
    if (st == TS_OK && hi) {
        st = build_binary(&env, TS_MINIMUM, cur, hi, &next);
        ts_array_release(cur);
        cur = st == TS_OK ? next : NULL;
    }
    *out = cur;
    return st;
}

ts_status ts_array_slice(ts_ctx *ctx, ts_array *x, int nidx, const ts_index *idx, ts_array **out)
{
    BUILD(build_slice(&env, x, nidx, idx, out));
}

ts_status ts_index_parse(const char *text, int first_item, int cap, ts_index *idx, int *nidx, char *errmsg,
                         size_t errlen)
{
    ts_err err;
    err_clear(&err);
    ts_status st = slice_text_parse(text, first_item, cap, idx, nidx, &err);
    if (errmsg && errlen)
        snprintf(errmsg, errlen, "%s", st == TS_OK ? "" : err.msg);
    return st;
}

ts_status ts_array_transpose(ts_ctx *ctx, ts_array *x, const int *axes, ts_array **out)
{
    BUILD(build_transpose(&env, x, axes, out));
}

ts_status ts_array_expand_dims(ts_ctx *ctx, ts_array *x, int axis, ts_array **out)
{
    BUILD(build_expand_dims(&env, x, axis, out));
}

ts_status ts_array_squeeze(ts_ctx *ctx, ts_array *x, int naxes, const int *axes, ts_array **out)
{
    BUILD(build_squeeze(&env, x, naxes, axes, out));
}

ts_status ts_array_broadcast_to(ts_ctx *ctx, ts_array *x, int ndim, const int64_t *shape,
                                const ts_chunkspec *chunks, ts_array **out)
{
    BUILD(build_broadcast_to(&env, x, ndim, shape, chunks, out));
}

ts_status ts_array_rechunk(ts_ctx *ctx, ts_array *x, const ts_chunkspec *spec, ts_array **out)
{
    BUILD(build_rechunk(&env, x, spec, out));
}

ts_status ts_array_concatenate(ts_ctx *ctx, int n, ts_array *const *xs, int axis, ts_array **out)
{
    BUILD(build_concatenate(&env, n, xs, axis, out));
}

ts_status ts_array_stack(ts_ctx *ctx, int n, ts_array *const *xs, int axis, ts_array **out)
{
    BUILD(build_stack(&env, n, xs, axis, out));
}

ts_status ts_array_einsum(ts_ctx *ctx, const char *spec, int n, ts_array *const *xs, ts_array **out)
{
    BUILD(build_einsum(&env, spec, n, xs, out));
}

ts_status ts_array_tensordot(ts_ctx *ctx, ts_array *a, ts_array *b, int naxes, const int *a_axes,
                             const int *b_axes, ts_array **out)
{
    BUILD(build_tensordot(&env, a, b, naxes, a_axes, b_axes, out));
}

ts_status ts_array_dot(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out)
{
    BUILD(build_dot(&env, a, b, out));
}

ts_status ts_array_matmul(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out)
{
    BUILD(build_matmul(&env, a, b, out));
}

ts_status ts_array_outer(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out)
{
    BUILD(build_outer(&env, a, b, out));
}

ts_status ts_array_diff(ts_ctx *ctx, ts_array *x, int n, int axis, ts_array **out)
{
    BUILD(build_diff(&env, x, n, axis, out));
}

ts_status ts_array_cumulative(ts_ctx *ctx, ts_array *x, int axis, bool prod, ts_array **out)
{
    BUILD(build_scan(&env, x, axis, prod, out));
}

ts_status ts_array_reshape(ts_ctx *ctx, ts_array *x, int ndim, const int64_t *shape, ts_array **out)
{
    BUILD(build_reshape(&env, x, ndim, shape, out));
}
