/* h5_meta.h — the checks a dataset's description must pass before tessera
 * plans reads of it (ts_array_from_hdf5, and every reader): what HDF5
 * reported, as plain values, becomes an h5_meta or one message. No HDF5
 * calls here, so the checks are unit-tested and fuzzed without files. */
#ifndef TS_IO_H5_META_H
#define TS_IO_H5_META_H

#include <stdint.h>

#include "io/h5.h"

/* A dataset as HDF5 describes it, before any check. */
typedef struct h5_raw_meta {
    bool dtype_known;   /* the file type is one of tessera's five (h5_dtype_of) */
    ts_dtype dtype;     /* when dtype_known */
    char type_name[32]; /* the file type in NumPy's words, for the message otherwise */
    int ndim;           /* H5Sget_simple_extent_ndims: negative when HDF5 failed */
    bool null_space;    /* H5S_NULL: a dataspace without elements or shape */
    uint64_t dims[TS_MAXDIM];
    bool chunked;   /* the layout is H5D_CHUNKED */
    int chunk_ndim; /* the rank H5Pget_chunk reported: negative when it failed */
    uint64_t chunk[TS_MAXDIM];
    bool filtered; /* H5Pget_nfilters > 0 */
    h5_mark mark;
} h5_raw_meta;

/* Checks raw and fills out. shown is the dataset's display name ("/x").
 * Errors, each naming the dataset and the file: a dtype tessera lacks
 * (TS_ERR_DTYPE), no dataspace, more than TS_MAXDIM axes or an axis
 * longer than 2^63 - 1 (TS_ERR_SHAPE), a chunk layout whose rank differs
 * from the dataset's or that has an empty or oversized chunk (TS_ERR_IO:
 * the file is corrupt). Local; out is unspecified after a failure. */
ts_status h5_meta_check(const h5_raw_meta *raw, const char *path, const char *shown, h5_meta *out,
                        ts_err *err);

#endif
