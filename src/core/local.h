/* local.h — computed arrays on the driver: C-contiguous, owned. */
#ifndef TS_CORE_LOCAL_H
#define TS_CORE_LOCAL_H

#include "tessera.h"

struct ts_local {
    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    int64_t size;
    void *data;
    bool weak; /* a 0-d weak scalar (ts_local_scalar) */
};

/* A new local array of this shape with uninitialised data, or NULL. */
ts_local *local_create(ts_dtype dtype, int ndim, const int64_t *shape);

/* Copies a C-contiguous box (start, size) of values into v. */
void local_put_box(ts_local *v, const int64_t *start, const int64_t *size, const void *src);

#endif
