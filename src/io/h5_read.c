/* h5_read.c — describing and reading datasets, locally on any rank: the
 * file is opened read-only with HDF5's default (sec2) driver, independent
 * of MPI. A reader keeps file and dataset open. Unfiltered chunks are read
 * straight into the caller's buffer (no chunk cache: nothing of HDF5's
 * grows with the chunk size); filtered ones through a cache of a row of
 * chunks at most H5_READ_CACHE_MAX_NBYTES (h5_mem.c), so a box spanning
 * many chunks decompresses each once. */
#include "io/h5_internal.h"
#include "io/h5_meta.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CACHE_SLOTS = 10007 /* a prime well above the chunks a cache holds */
};

/* HDF5's chunk preemption weight. Its default; 1.0 (evict fully read chunks
 * first) let edge chunks pile up in HDF5 1.10.8's cache far past its size
 * (measured: 23 partial chunks of 36 MB read, 830 MB resident). */
#define CACHE_W0 0.75

struct h5_reader {
    hid_t file, dset;
    hid_t dxpl; /* conversion buffers of H5_TCONV_NBYTES */
    h5_meta meta;
    char path[512], name[512];
};

bool h5_path_exists(hid_t loc, const char *name)
{
    char part[1024];
    size_t n = strlen(name);
    if (n >= sizeof part)
        return false;
    /* Check "a", then "a/b", then "a/b/c": H5Lexists fails, rather than
     * saying no, when an intermediate group is missing. */
    for (size_t i = 1; i <= n; i++) {
        if (i < n && name[i] != '/')
            continue;
        memcpy(part, name, i);
        part[i] = '\0';
        if (strcmp(part, "/") == 0)
            continue;
        if (H5Lexists(loc, part, H5P_DEFAULT) <= 0)
            return false;
        if (H5Oexists_by_name(loc, part, H5P_DEFAULT) <= 0)
            return false;
    }
    return true;
}

typedef struct listing {
    char *buf;
    size_t len;
    int max, count;
} listing;

static herr_t list_one(hid_t obj, const char *name, const H5O_info_t *info, void *ud)
{
    listing *l = ud;
    if (info->type != H5O_TYPE_DATASET || h5_record_is_name(name))
        return 0;
    if (l->count < l->max) {
        size_t used = strlen(l->buf);
        snprintf(l->buf + used, l->len - used, "%s/%s", l->count ? ", " : "", name);
    }
    l->count++;
    return 0;
}

void h5_list_datasets(hid_t file, int max, char *buf, size_t len)
{
    buf[0] = '\0';
    listing l = {buf, len, max, 0};
    H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, list_one, &l, H5O_INFO_BASIC);
    size_t used = strlen(buf);
    if (l.count == 0)
        snprintf(buf, len, "no datasets");
    else if (l.count > max)
        snprintf(buf + used, len - used, " and %d more", l.count - max);
}

h5_mark h5_read_mark(hid_t dset)
{
    if (H5Aexists(dset, H5_MARK_ATTR) <= 0)
        return H5_MARK_NONE;
    int v = 0;
    hid_t a = H5Aopen(dset, H5_MARK_ATTR, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Aread(a, H5T_NATIVE_INT, &v);
    if (a >= 0)
        H5Aclose(a);
    return rc >= 0 && v == 1 ? H5_MARK_COMPLETE : H5_MARK_INCOMPLETE;
}

/* What HDF5 says of an open dataset, unchecked; false if HDF5 cannot say. */
static bool describe_raw(hid_t dset, h5_raw_meta *raw)
{
    memset(raw, 0, sizeof *raw);
    hid_t type = H5Dget_type(dset), space = H5Dget_space(dset), dcpl = H5Dget_create_plist(dset);
    bool ok = type >= 0 && space >= 0 && dcpl >= 0;
    if (ok) {
        raw->dtype_known = h5_dtype_of(type, &raw->dtype);
        h5_type_name(type, raw->type_name, sizeof raw->type_name);
        raw->ndim = H5Sget_simple_extent_ndims(space);
        raw->null_space = H5Sget_simple_extent_type(space) == H5S_NULL;
        hsize_t dims[TS_MAXDIM] = {0}, chunk[TS_MAXDIM] = {0};
        if (raw->ndim >= 0 && raw->ndim <= TS_MAXDIM && H5Sget_simple_extent_dims(space, dims, NULL) < 0)
            raw->ndim = -1;
        raw->chunked = H5Pget_layout(dcpl) == H5D_CHUNKED;
        raw->filtered = H5Pget_nfilters(dcpl) > 0;
        raw->chunk_ndim = raw->chunked && raw->ndim >= 0 && raw->ndim <= TS_MAXDIM
                              ? H5Pget_chunk(dcpl, raw->ndim, chunk)
                              : 0;
        for (int d = 0; d < TS_MAXDIM; d++) {
            raw->dims[d] = dims[d];
            raw->chunk[d] = chunk[d];
        }
        raw->mark = h5_read_mark(dset);
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return ok;
}

ts_status h5_describe_open(hid_t dset, const char *path, const char *name, h5_meta *out, ts_err *err)
{
    char shown[600];
    h5_display_name(name, shown, sizeof shown);
    h5_raw_meta raw;
    if (!describe_raw(dset, &raw))
        return err_set(err, TS_ERR_IO,
                       "cannot read the description of dataset %s in %s (the file may be corrupt)", shown,
                       path);
    return h5_meta_check(&raw, path, shown, out, err);
}

/* Opens dataset name of an open file, with dapl (H5P_DEFAULT or a cache). */
static ts_status open_dataset(hid_t file, const char *path, const char *name, hid_t dapl, hid_t *out,
                              ts_err *err)
{
    char shown[600];
    h5_display_name(name, shown, sizeof shown);
    H5O_info_t info;
    if (!h5_path_exists(file, name) ||
        H5Oget_info_by_name2(file, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
        char have[700];
        h5_list_datasets(file, 10, have, sizeof have);
        return err_set(err, TS_ERR_IO, "dataset %s not found in %s; it has: %s", shown, path, have);
    }
    if (info.type != H5O_TYPE_DATASET)
        return err_set(err, TS_ERR_IO, "%s in %s is a %s, not a dataset", shown, path,
                       info.type == H5O_TYPE_GROUP ? "group" : "named datatype");
    hid_t d = H5Dopen2(file, name, dapl);
    if (d < 0) {
        char detail[256];
        h5_stack_detail(detail, sizeof detail);
        return err_set(err, TS_ERR_IO, "cannot open dataset %s in %s (the file may be corrupt): %s", shown,
                       path, detail);
    }
    *out = d;
    return TS_OK;
}

ts_status h5_describe(const char *path, const char *dataset, h5_meta *out, ts_err *err)
{
    hid_t f, d;
    if (h5_open_read(path, &f, err) != TS_OK)
        return err->status;
    ts_status st = open_dataset(f, path, dataset, H5P_DEFAULT, &d, err);
    if (st == TS_OK) {
        st = h5_describe_open(d, path, dataset, out, err);
        H5Dclose(d);
    }
    H5Fclose(f);
    return st;
}

static void reader_close(h5_reader *r);

static ts_status reader_open(const char *path, const char *dataset, h5_reader **out, ts_err *err)
{
    *out = NULL;
    h5_reader *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(err, TS_ERR_MEMORY, "out of memory opening %s", path);
    r->file = r->dset = r->dxpl = -1;
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->name, sizeof r->name, "%s", dataset);
    hid_t d0 = -1, dapl = -1;
    ts_status st = h5_open_read(path, &r->file, err);
    if (st == TS_OK)
        st = open_dataset(r->file, path, dataset, H5P_DEFAULT, &d0, err);
    if (st == TS_OK)
        st = h5_describe_open(d0, path, dataset, &r->meta, err);
    if (d0 >= 0)
        H5Dclose(d0);
    if (st == TS_OK) {
        /* Reopen with a cache sized from the chunk layout just read. */
        dapl = H5Pcreate(H5P_DATASET_ACCESS);
        H5Pset_chunk_cache(dapl, CACHE_SLOTS, (size_t)h5_read_cache_nbytes(&r->meta), CACHE_W0);
        st = open_dataset(r->file, path, dataset, dapl, &r->dset, err);
        H5Pclose(dapl);
        r->dxpl = H5Pcreate(H5P_DATASET_XFER);
        if (r->dxpl < 0 || H5Pset_buffer(r->dxpl, H5_TCONV_NBYTES, NULL, NULL) < 0)
            st = st != TS_OK ? st : err_set(err, TS_ERR_IO, "cannot set up reading %s", path);
    }
    if (st != TS_OK) {
        reader_close(r);
        return st;
    }
    *out = r;
    return TS_OK;
}

static void reader_close(h5_reader *r)
{
    if (!r)
        return;
    if (r->dset >= 0)
        H5Dclose(r->dset);
    if (r->dxpl >= 0)
        H5Pclose(r->dxpl);
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r);
}

static ts_status check_box(const h5_reader *r, int ndim, const int64_t *start, const int64_t *count,
                           ts_err *err)
{
    char shown[600];
    h5_display_name(r->name, shown, sizeof shown);
    if (ndim != r->meta.ndim)
        return err_set(err, TS_ERR_SHAPE, "reading %d-d box from %d-d dataset %s in %s", ndim, r->meta.ndim,
                       shown, r->path);
    for (int d = 0; d < ndim; d++)
        if (start[d] < 0 || count[d] < 0 || start[d] + count[d] > r->meta.shape[d])
            return err_set(err, TS_ERR_SHAPE,
                           "box [%lld, %lld) on axis %d is outside dataset %s in %s (length %lld)",
                           (long long)start[d], (long long)(start[d] + count[d]), d, shown, r->path,
                           (long long)r->meta.shape[d]);
    return TS_OK;
}

static ts_status reader_read(h5_reader *r, int ndim, const int64_t *start, const int64_t *count,
                             ts_dtype want, void *buf, ts_err *err)
{
    h5_quiet();
    if (check_box(r, ndim, start, count, err) != TS_OK)
        return err->status;
    char shown[600];
    h5_display_name(r->name, shown, sizeof shown);
    /* HDF5 has no conversion between its enum (bool) and numbers. */
    if ((want == TS_BOOL) != (r->meta.dtype == TS_BOOL))
        return err_set(err, TS_ERR_DTYPE, "cannot read %s dataset %s in %s as %s",
                       ts_dtype_name(r->meta.dtype), shown, r->path, ts_dtype_name(want));
    hsize_t hstart[TS_MAXDIM], hcount[TS_MAXDIM];
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        hstart[d] = (hsize_t)start[d];
        hcount[d] = (hsize_t)count[d];
        n *= count[d];
    }
    if (n == 0)
        return TS_OK;
    hid_t mtype = h5_type_create(want);
    hid_t fspace = ndim ? H5Dget_space(r->dset) : H5S_ALL;
    hid_t mspace = ndim ? H5Screate_simple(ndim, hcount, NULL) : H5S_ALL;
    herr_t rc = -1;
    if (mtype >= 0 && fspace >= 0 && mspace >= 0 &&
        (ndim == 0 || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, hstart, NULL, hcount, NULL) >= 0))
        rc = H5Dread(r->dset, mtype, mspace, fspace, r->dxpl, buf);
    ts_status st = TS_OK;
    if (rc < 0) {
        char detail[256];
        h5_stack_detail(detail, sizeof detail);
        st = err_set(err, TS_ERR_IO, "cannot read dataset %s in %s (the file may be corrupt): %s", shown,
                     r->path, detail);
    }
    if (ndim && mspace >= 0)
        H5Sclose(mspace);
    if (ndim && fspace >= 0)
        H5Sclose(fspace);
    if (mtype >= 0)
        H5Tclose(mtype);
    return st;
}

/* Readers may be used from several task threads of a rank, but Debian's
 * parallel HDF5 is not built thread-safe: one lock for the whole library,
 * which is process-global state in any case. Writers run on the MPI thread
 * only while no task thread runs. */
static pthread_mutex_t h5_library_lock = PTHREAD_MUTEX_INITIALIZER;

ts_status h5_reader_open(const char *path, const char *dataset, h5_reader **out, ts_err *err)
{
    pthread_mutex_lock(&h5_library_lock);
    ts_status st = reader_open(path, dataset, out, err);
    pthread_mutex_unlock(&h5_library_lock);
    return st;
}

void h5_reader_close(h5_reader *r)
{
    pthread_mutex_lock(&h5_library_lock);
    reader_close(r);
    pthread_mutex_unlock(&h5_library_lock);
}

ts_status h5_reader_read(h5_reader *r, int ndim, const int64_t *start, const int64_t *count, ts_dtype want,
                         void *buf, ts_err *err)
{
    pthread_mutex_lock(&h5_library_lock);
    ts_status st = reader_read(r, ndim, start, count, want, buf, err);
    pthread_mutex_unlock(&h5_library_lock);
    return st;
}

ts_status h5_reader_uncache(h5_reader *r, ts_err *err)
{
    pthread_mutex_lock(&h5_library_lock);
    /* Closed first: a dataset open twice shares one cache, the first's. */
    H5Dclose(r->dset);
    r->dset = -1;
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    ts_status st = TS_OK;
    if (dapl < 0 || H5Pset_chunk_cache(dapl, 1, 0, 1.0) < 0)
        st = err_set(err, TS_ERR_IO, "cannot set up reading %s", r->path);
    else
        st = open_dataset(r->file, r->path, r->name, dapl, &r->dset, err);
    if (dapl >= 0)
        H5Pclose(dapl);
    pthread_mutex_unlock(&h5_library_lock);
    return st;
}
