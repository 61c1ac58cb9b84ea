/* local_math.c — NumPy math on local arrays, eagerly, in the calling
 * thread. Each call wraps its operands as one-chunk arrays over their own
 * values (borrowed: they live through the call), builds the operation with
 * the same builders lazy arrays use (so shapes, dtypes and messages are the
 * same), and evaluates it whole. Nothing here touches a context, so tasks
 * on several threads may call it at once. */
#include "core/local.h"
#include "array/build.h"
#include "run/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ts_local *ts_local_create(ts_dtype dtype, int ndim, const int64_t *shape)
{
    if ((unsigned)dtype >= TS_NDTYPES || ndim < 0 || ndim > TS_MAXDIM)
        return NULL;
    return local_create(dtype, ndim, shape);
}

void *ts_local_data_mut(ts_local *v) { return v->data; }

ts_local *ts_local_scalar(ts_scalar value)
{
    ts_dtype dt = value.kind == TS_SCALAR_BOOL  ? TS_BOOL
                  : value.kind == TS_SCALAR_INT ? TS_INT64
                                                : TS_FLOAT64;
    ts_local *v = local_create(dt, 0, NULL);
    if (!v)
        return NULL;
    v->weak = true;
    if (dt == TS_BOOL)
        *(uint8_t *)v->data = value.b;
    else if (dt == TS_INT64)
        *(int64_t *)v->data = value.i;
    else
        *(double *)v->data = value.f;
    return v;
}

ts_local *ts_local_copy(const ts_local *v)
{
    ts_local *c = local_create(v->dtype, v->ndim, v->shape);
    if (c) {
        memcpy(c->data, v->data, (size_t)v->size * ts_dtype_size(v->dtype));
        c->weak = v->weak;
    }
    return c;
}

/* What every call shares: the operands wrapped, an error, the result. */
typedef struct eager {
    ts_err err;
    build_env env;
    int n;
    node *in[3];
} eager;

static ts_status eager_begin(eager *g, int n, const ts_local *const *xs)
{
    err_clear(&g->err);
    uint32_t stream = 0;
    g->env = (build_env){.err = &g->err, .chunk_limit_nbytes = INT64_MAX / 4, .next_stream = &stream};
    g->n = 0;
    for (int i = 0; i < n; i++) {
        const ts_local *x = xs[i];
        ts_status st = build_data_wrap(&g->env, x->dtype, x->ndim, x->shape, x->data, x->weak, &g->in[i]);
        if (st != TS_OK)
            return st;
        g->n = i + 1;
    }
    return TS_OK;
}

/* Evaluates the built node (st: how building went) into a new local. */
static ts_status eager_end(eager *g, ts_status st, node *x, ts_local **out, char *errmsg, size_t errlen)
{
    *out = NULL;
    if (st == TS_OK) {
        ts_local *v = local_create(x->dtype, x->ndim, x->shape);
        st = v ? eval_whole(x, v->data, &g->err)
               : err_set(&g->err, TS_ERR_MEMORY, "out of memory for a local array");
        if (st == TS_OK) {
            v->weak = x->weak;
            *out = v;
        } else {
            ts_local_destroy(v);
        }
    }
    ts_array_release(x);
    for (int i = 0; i < g->n; i++)
        ts_array_release(g->in[i]);
    if (st != TS_OK && errmsg && errlen)
        snprintf(errmsg, errlen, "%s", g->err.msg);
    return st;
}

#define EAGER(nin, operands, call)                                                                           \
    do {                                                                                                     \
        eager g;                                                                                             \
        const ts_local *xs_[] = operands;                                                                    \
        node *x_ = NULL;                                                                                     \
        ts_status st_ = eager_begin(&g, nin, xs_);                                                           \
        if (st_ == TS_OK)                                                                                    \
            st_ = call;                                                                                      \
        return eager_end(&g, st_, x_, out, errmsg, errlen);                                                  \
    } while (0)
#define ARGS(...)                                                                                            \
    {                                                                                                        \
        __VA_ARGS__                                                                                          \
    }

ts_status ts_local_unary(ts_unary_op op, const ts_local *x, ts_local **out, char *errmsg, size_t errlen)
{
    EAGER(1, ARGS(x), build_unary(&g.env, op, g.in[0], &x_));
}

ts_status ts_local_binary(ts_binary_op op, const ts_local *a, const ts_local *b, ts_local **out, char *errmsg,
                          size_t errlen)
{
    EAGER(2, ARGS(a, b), build_binary(&g.env, op, g.in[0], g.in[1], &x_));
}

ts_status ts_local_where(const ts_local *cond, const ts_local *a, const ts_local *b, ts_local **out,
                         char *errmsg, size_t errlen)
{
    EAGER(3, ARGS(cond, a, b), build_where(&g.env, g.in[0], g.in[1], g.in[2], &x_));
}

ts_status ts_local_astype(const ts_local *x, ts_dtype dtype, ts_local **out, char *errmsg, size_t errlen)
{
    EAGER(1, ARGS(x), build_astype(&g.env, g.in[0], dtype, &x_));
}

ts_status ts_local_reduce(ts_reduce_op op, const ts_local *x, const ts_reduce_opts *opts, ts_local **out,
                          char *errmsg, size_t errlen)
{
    EAGER(1, ARGS(x), build_reduce(&g.env, op, g.in[0], opts, &x_));
}

ts_status ts_local_slice(const ts_local *x, int nidx, const ts_index *idx, ts_local **out, char *errmsg,
                         size_t errlen)
{
    EAGER(1, ARGS(x), build_slice(&g.env, g.in[0], nidx, idx, &x_));
}

ts_status ts_local_transpose(const ts_local *x, const int *axes, ts_local **out, char *errmsg, size_t errlen)
{
    EAGER(1, ARGS(x), build_transpose(&g.env, g.in[0], axes, &x_));
}

ts_status ts_local_reshape(const ts_local *x, int ndim, const int64_t *shape, ts_local **out, char *errmsg,
                           size_t errlen)
{
    /* C order is kept, so the values are the same bytes in a new shape. */
    *out = NULL;
    int64_t known = 1, n = 1;
    int unknown = -1;
    int64_t s[TS_MAXDIM];
    if (ndim < 0 || ndim > TS_MAXDIM) {
        snprintf(errmsg, errlen, "reshape: at most %d dimensions, got %d", TS_MAXDIM, ndim);
        return TS_ERR_SHAPE;
    }
    for (int d = 0; d < ndim; d++) {
        s[d] = shape[d];
        if (shape[d] == -1 && unknown < 0)
            unknown = d;
        else if (shape[d] < 0) {
            snprintf(errmsg, errlen, "reshape: can only specify one unknown dimension");
            return TS_ERR_SHAPE;
        } else
            known *= shape[d];
    }
    n = x->size;
    if (unknown >= 0 && known > 0 && n % known == 0)
        s[unknown] = n / known;
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= s[d] < 0 ? 0 : s[d];
    if (total != n || (unknown >= 0 && known == 0)) {
        char b[256];
        build_format_shape(ndim, shape, b, sizeof b);
        snprintf(errmsg, errlen, "cannot reshape array of size %lld into shape %s", (long long)n, b);
        return TS_ERR_SHAPE;
    }
    ts_local *v = local_create(x->dtype, ndim, s);
    if (!v) {
        snprintf(errmsg, errlen, "out of memory");
        return TS_ERR_MEMORY;
    }
    memcpy(v->data, x->data, (size_t)n * ts_dtype_size(x->dtype));
    *out = v;
    return TS_OK;
}
