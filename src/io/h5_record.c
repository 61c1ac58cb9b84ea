/* h5_record.c — the record of which chunks of a dataset tessera has
 * stored (see h5.h): a contiguous byte per chunk, allocated and zeroed when
 * it is created, so a worker marks a chunk with one independent write that
 * touches no HDF5 metadata. It is read when a store resumes and counted by
 * `tessera info`; its name is the dataset's with H5_RECORD_SUFFIX. */
#include "io/h5_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_NOTE                                                                                          \
    "tessera's record of the chunks of the dataset without this suffix that are stored: one byte per "       \
    "chunk (C order), 1 = stored. `tessera run --resume` continues the store; the record is deleted when "   \
    "the dataset is complete."

void h5_record_name(const char *dataset, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", dataset, H5_RECORD_SUFFIX);
}

bool h5_record_is_name(const char *name)
{
    size_t n = strlen(name), k = strlen(H5_RECORD_SUFFIX);
    return n > k && strcmp(name + n - k, H5_RECORD_SUFFIX) == 0;
}

void h5_record_delete(hid_t file, const char *dataset)
{
    char name[1100];
    h5_record_name(dataset, name, sizeof name);
    if (h5_path_exists(file, name))
        H5Ldelete(file, name, H5P_DEFAULT);
}

static herr_t write_note(hid_t rec)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const char *note = RECORD_NOTE;
    hid_t a = H5Acreate2(rec, "tessera_note", type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, &note);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc;
}

hid_t h5_record_create(hid_t file, const char *dataset, int64_t n)
{
    char name[1100];
    h5_record_name(dataset, name, sizeof name);
    hsize_t dims[1] = {(hsize_t)n};
    hid_t space = H5Screate_simple(1, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    unsigned char zero = 0;
    /* Allocated and zeroed now, collectively: later marks are raw writes. */
    H5Pset_layout(dcpl, H5D_CONTIGUOUS);
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_value(dcpl, H5T_NATIVE_UCHAR, &zero);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC);
    hid_t rec = H5Dcreate2(file, name, H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (rec >= 0 && write_note(rec) < 0) {
        H5Dclose(rec);
        H5Ldelete(file, name, H5P_DEFAULT);
        rec = -1;
    }
    return rec;
}

/* Opens dataset's record; -1 when there is none or it is not n bytes. */
static hid_t record_open(hid_t file, const char *dataset, int64_t *n)
{
    char name[1100];
    h5_record_name(dataset, name, sizeof name);
    if (!h5_path_exists(file, name))
        return -1;
    hid_t rec = H5Dopen2(file, name, H5P_DEFAULT);
    if (rec < 0)
        return -1;
    hid_t space = H5Dget_space(rec);
    hsize_t dims[1] = {0};
    bool ok = space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
              H5Sget_simple_extent_dims(space, dims, NULL) == 1;
    if (space >= 0)
        H5Sclose(space);
    if (!ok) {
        H5Dclose(rec);
        return -1;
    }
    *n = (int64_t)dims[0];
    return rec;
}

hid_t h5_record_open(hid_t file, const char *dataset, int64_t n, unsigned char *stored)
{
    int64_t have = -1;
    hid_t rec = record_open(file, dataset, &have);
    if (rec < 0)
        return -1;
    if (have != n || H5Dread(rec, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored) < 0) {
        H5Dclose(rec);
        return -1;
    }
    return rec;
}

herr_t h5_record_set(hid_t rec, int64_t c, hid_t dxpl)
{
    hsize_t start[1] = {(hsize_t)c}, one[1] = {1};
    hid_t fspace = H5Dget_space(rec), mspace = H5Screate_simple(1, one, NULL);
    static const unsigned char stored = 1;
    herr_t rc =
        fspace < 0 || mspace < 0 ? -1 : H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, one, NULL);
    if (rc >= 0)
        rc = H5Dwrite(rec, H5T_NATIVE_UCHAR, mspace, fspace, dxpl, &stored);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return rc;
}

bool h5_record_count(hid_t file, const char *dataset, int64_t *n, int64_t *nstored)
{
    *n = -1;
    *nstored = 0;
    hid_t rec = record_open(file, dataset, n);
    if (rec < 0)
        return false;
    unsigned char *v = malloc((size_t)(*n ? *n : 1));
    bool ok = v && H5Dread(rec, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0;
    for (int64_t i = 0; ok && i < *n; i++)
        *nstored += v[i] != 0;
    free(v);
    H5Dclose(rec);
    if (!ok)
        *n = -1;
    return ok;
}

/* A variable- or fixed-length string attribute into buf ("" if absent). */
static void read_string_attr(hid_t obj, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    if (H5Aexists(obj, name) <= 0)
        return;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), type = a < 0 ? -1 : H5Aget_type(a);
    if (type >= 0 && H5Tget_class(type) == H5T_STRING) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_cset(mt, H5Tget_cset(type));
        if (H5Tis_variable_str(type) > 0) {
            char *s = NULL;
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, &s) >= 0 && s) {
                snprintf(buf, len, "%s", s);
                H5free_memory(s);
            }
        } else {
            H5Tset_size(mt, len);
            if (H5Aread(a, mt, buf) < 0)
                buf[0] = '\0';
            buf[len - 1] = '\0';
        }
        H5Tclose(mt);
    }
    if (type >= 0)
        H5Tclose(type);
    if (a >= 0)
        H5Aclose(a);
}

static int gzip_level_of(hid_t dset)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    int level = 0;
    for (int i = 0, nf = dcpl < 0 ? 0 : H5Pget_nfilters(dcpl); i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        if (H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE)
            level = ncd ? (int)cd[0] : 0;
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return level;
}

ts_status h5_stored_describe(const char *path, const char *dataset, h5_stored *out, bool *exists, ts_err *err)
{
    h5_quiet();
    memset(out, 0, sizeof *out);
    out->nrecord = -1;
    *exists = false;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return TS_OK;
    hid_t f;
    if (h5_open_read(path, &f, err) != TS_OK)
        return err->status;
    ts_status st = TS_OK;
    if (h5_path_exists(f, dataset)) {
        hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
        char shown[600];
        h5_display_name(dataset, shown, sizeof shown);
        st = d < 0
                 ? err_set(err, TS_ERR_IO, "%s in %s is not a dataset (or the file is corrupt)", shown, path)
                 : h5_describe_open(d, path, dataset, &out->meta, err);
        if (st == TS_OK) {
            *exists = true;
            out->gzip_level = gzip_level_of(d);
            read_string_attr(d, H5_FINGERPRINT_ATTR, out->fingerprint, sizeof out->fingerprint);
            if (H5Aexists(d, H5_SEED_ATTR) > 0) {
                hid_t a = H5Aopen(d, H5_SEED_ATTR, H5P_DEFAULT);
                long long v = 0;
                out->has_seed = a >= 0 && H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0;
                out->seed = v;
                if (a >= 0)
                    H5Aclose(a);
            }
            h5_record_count(f, dataset, &out->nrecord, &out->nstored);
        }
        if (d >= 0)
            H5Dclose(d);
    }
    H5Fclose(f);
    return st;
}
