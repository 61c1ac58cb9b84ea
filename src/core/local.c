/* local.c — the public calls on computed arrays. */
#include "core/local.h"
#include "core/ctx.h"
#include "diag/repr.h"
#include "io/npy.h"
#include "util/box.h"

#include <stdlib.h>
#include <string.h>

ts_local *local_create(ts_dtype dtype, int ndim, const int64_t *shape)
{
    ts_local *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->dtype = dtype;
    v->ndim = ndim;
    v->size = 1;
    for (int d = 0; d < ndim; d++) {
        v->shape[d] = shape[d];
        v->size *= shape[d];
    }
    v->data = malloc((size_t)(v->size ? v->size : 1) * ts_dtype_size(dtype));
    if (!v->data) {
        free(v);
        return NULL;
    }
    return v;
}

void local_put_box(ts_local *v, const int64_t *start, const int64_t *size, const void *src)
{
    box_put(v->data, v->ndim, v->shape, start, size, src, ts_dtype_size(v->dtype));
}

void ts_block_put_local(ts_block *b, const int64_t *start, const ts_local *v)
{
    box_put(b->data, b->ndim, b->shape, start, v->shape, v->data, ts_dtype_size(b->dtype));
}

void ts_local_destroy(ts_local *v)
{
    if (!v)
        return;
    free(v->data);
    free(v);
}

ts_dtype ts_local_dtype(const ts_local *v) { return v->dtype; }
int ts_local_ndim(const ts_local *v) { return v->ndim; }
const int64_t *ts_local_shape(const ts_local *v) { return v->shape; }
int64_t ts_local_size(const ts_local *v) { return v->size; }
const void *ts_local_data(const ts_local *v) { return v->data; }

ts_status ts_local_get(const ts_local *v, int64_t i, ts_scalar *out)
{
    if (i < 0 || i >= v->size)
        return TS_ERR_ARG;
    switch (v->dtype) {
    case TS_BOOL: *out = (ts_scalar){.kind = TS_SCALAR_BOOL, .b = ((const uint8_t *)v->data)[i] != 0}; break;
    case TS_INT32: *out = (ts_scalar){.kind = TS_SCALAR_INT, .i = ((const int32_t *)v->data)[i]}; break;
    case TS_INT64: *out = (ts_scalar){.kind = TS_SCALAR_INT, .i = ((const int64_t *)v->data)[i]}; break;
    case TS_FLOAT32: *out = (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = ((const float *)v->data)[i]}; break;
    default: *out = (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = ((const double *)v->data)[i]}; break;
    }
    return TS_OK;
}

ts_local *ts_local_index(const ts_local *v, int64_t i)
{
    if (v->ndim < 1 || i < 0 || i >= v->shape[0])
        return NULL;
    ts_local *sub = local_create(v->dtype, v->ndim - 1, v->shape + 1);
    if (!sub)
        return NULL;
    size_t nb = (size_t)sub->size * ts_dtype_size(v->dtype);
    memcpy(sub->data, (const unsigned char *)v->data + (size_t)i * nb, nb);
    return sub;
}

char *ts_local_repr(const ts_local *v) { return repr_array(v->dtype, v->ndim, v->shape, v->data); }

ts_status ts_local_save_npy(ts_ctx *ctx, const ts_local *v, const char *path)
{
    ctx_begin(ctx);
    return npy_write(path, v->dtype, v->ndim, v->shape, v->data, &ctx->err);
}
