/* h5_meta.c — a dataset's description checked before anything is planned
 * on it: every h5_meta that leaves here has a known dtype, 0..TS_MAXDIM
 * axes of non-negative int64 length and, when chunked, one storage chunk
 * extent of 1..2^63 - 1 per axis. */
#include "io/h5_meta.h"

#include <string.h>

ts_status h5_meta_check(const h5_raw_meta *raw, const char *path, const char *shown, h5_meta *out,
                        ts_err *err)
{
    memset(out, 0, sizeof *out);
    if (!raw->dtype_known || (unsigned)raw->dtype >= TS_NDTYPES)
        return err_set(err, TS_ERR_DTYPE,
                       "dataset %s in %s has dtype %.32s, which tessera does not support "
                       "(supported: bool, int32, int64, float32, float64)",
                       shown, path, raw->type_name);
    int ndim = raw->ndim;
    if (ndim < 0 || ndim > TS_MAXDIM || raw->null_space)
        return err_set(err, TS_ERR_SHAPE,
                       "dataset %s in %s has %s; tessera reads arrays of 0 to %d dimensions", shown, path,
                       ndim > TS_MAXDIM ? "too many dimensions" : "no dataspace", TS_MAXDIM);
    for (int d = 0; d < ndim; d++)
        if (raw->dims[d] > (uint64_t)INT64_MAX)
            return err_set(err, TS_ERR_SHAPE,
                           "dataset %s in %s has axis %d of length %llu; tessera indexes at most 2^63 - 1 "
                           "elements per axis",
                           shown, path, d, (unsigned long long)raw->dims[d]);
    if (raw->chunked && raw->chunk_ndim != ndim)
        return err_set(err, TS_ERR_IO,
                       "dataset %s in %s has storage chunks of rank %d for %d dimensions (the file may be "
                       "corrupt)",
                       shown, path, raw->chunk_ndim, ndim);
    for (int d = 0; raw->chunked && d < ndim; d++)
        if (raw->chunk[d] < 1 || raw->chunk[d] > (uint64_t)INT64_MAX)
            return err_set(err, TS_ERR_IO,
                           "dataset %s in %s has a storage chunk extent of %llu on axis %d (the file may be "
                           "corrupt)",
                           shown, path, (unsigned long long)raw->chunk[d], d);
    out->dtype = raw->dtype;
    out->ndim = ndim;
    out->chunked = raw->chunked;
    out->filtered = raw->chunked && raw->filtered;
    out->mark = raw->mark;
    for (int d = 0; d < ndim; d++) {
        out->shape[d] = (int64_t)raw->dims[d];
        out->chunk[d] = raw->chunked ? (int64_t)raw->chunk[d] : 0;
    }
    return TS_OK;
}
