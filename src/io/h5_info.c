/* h5_info.c — the text of `tessera info FILE`: every dataset of the file
 * (recursively, in name order) with dtype, shape, storage, filters, user
 * attributes and tessera's mark; dimension scales come after the data
 * variables. Only reads; the file is never modified. */
#include "io/h5_internal.h"

#include <hdf5_hl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytebuf.h"

typedef struct names {
    char **v;
    int n, cap;
    bool failed;
} names;

typedef struct walk {
    names data, scales;
} walk;

static void names_add(names *s, const char *name)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        char **v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v) {
            s->failed = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    size_t len = strlen(name) + 2;
    char *copy = malloc(len);
    if (!copy) {
        s->failed = true;
        return;
    }
    snprintf(copy, len, "/%s", name);
    s->v[s->n++] = copy;
}

static void names_free(names *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static herr_t visit_one(hid_t obj, const char *name, const H5O_info_t *info, void *ud)
{
    walk *w = ud;
    /* A record of stored chunks is shown with its dataset. */
    if (info->type != H5O_TYPE_DATASET || h5_record_is_name(name))
        return 0;
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    bool scale = d >= 0 && H5DSis_scale(d) > 0;
    if (d >= 0)
        H5Dclose(d);
    names_add(scale ? &w->scales : &w->data, name);
    return 0;
}

/* HDF5's and netCDF's bookkeeping attributes, and our mark, are shown in
 * other words or not at all. */
static bool is_internal_attr(const char *name)
{
    static const char *const hidden[] = {"CLASS",          "NAME",          "DIMENSION_LIST",
                                         "REFERENCE_LIST", "_Netcdf4Dimid", "_Netcdf4Coordinates",
                                         "_nc3_strict",    H5_MARK_ATTR};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strcmp(name, hidden[i]) == 0)
            return true;
    return false;
}

/* A scalar or short 1-d attribute value; longer or exotic ones by type. */
static void put_attr_value(bytebuf *b, hid_t a)
{
    hid_t type = H5Aget_type(a), space = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    H5T_class_t cls = H5Tget_class(type);
    if (cls == H5T_STRING && n == 1) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        /* HDF5 does not convert between ASCII and UTF-8: read as stored. */
        H5Tset_cset(mt, H5Tget_cset(type));
        if (H5Tis_variable_str(type) > 0) {
            char *s = NULL;
            H5Tset_size(mt, H5T_VARIABLE);
            if (H5Aread(a, mt, &s) >= 0 && s) {
                bytebuf_printf(b, "\"%.200s\"", s);
                H5free_memory(s);
            }
        } else {
            size_t len = H5Tget_size(type);
            char *s = calloc(len + 1, 1);
            H5Tset_size(mt, len + 1);
            if (s && H5Aread(a, mt, s) >= 0)
                bytebuf_printf(b, "\"%.200s\"", s);
            free(s);
        }
        H5Tclose(mt);
    } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && n >= 1 && n <= 8) {
        double v[8];
        long long iv[8];
        bool is_int = cls == H5T_INTEGER;
        if (H5Aread(a, is_int ? H5T_NATIVE_LLONG : H5T_NATIVE_DOUBLE, is_int ? (void *)iv : (void *)v) >= 0) {
            bytebuf_printf(b, "%s", n > 1 ? "[" : "");
            for (hssize_t i = 0; i < n; i++)
                is_int ? bytebuf_printf(b, "%s%lld", i ? ", " : "", iv[i])
                       : bytebuf_printf(b, "%s%.17g", i ? ", " : "", v[i]);
            bytebuf_printf(b, "%s", n > 1 ? "]" : "");
        }
    } else {
        char tname[32];
        h5_type_name(type, tname, sizeof tname);
        bytebuf_printf(b, "<%lld values of %s>", (long long)n, tname);
    }
    H5Sclose(space);
    H5Tclose(type);
}

static herr_t attr_one(hid_t loc, const char *name, const H5A_info_t *info, void *ud)
{
    if (is_internal_attr(name))
        return 0;
    bytebuf *b = ud;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return 0;
    bytebuf_printf(b, "    %s = ", name);
    put_attr_value(b, a);
    bytebuf_printf(b, "\n");
    H5Aclose(a);
    return 0;
}

static void put_dims(bytebuf *b, const char *label, int ndim, const hsize_t *v)
{
    bytebuf_printf(b, "%s(", label);
    for (int d = 0; d < ndim; d++)
        bytebuf_printf(b, "%s%llu", d ? ", " : "", (unsigned long long)v[d]);
    bytebuf_printf(b, "%s)", ndim == 1 ? "," : "");
}

static void put_filters(bytebuf *b, hid_t dcpl)
{
    int nf = H5Pget_nfilters(dcpl);
    for (int i = 0; i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        char fname[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof fname, fname, NULL);
        bytebuf_printf(b, "%s", i ? ", " : ", filters: ");
        if (id == H5Z_FILTER_DEFLATE)
            bytebuf_printf(b, "gzip(%u)", ncd ? cd[0] : 0);
        else if (id == H5Z_FILTER_SHUFFLE)
            bytebuf_printf(b, "shuffle");
        else if (id == H5Z_FILTER_FLETCHER32)
            bytebuf_printf(b, "fletcher32");
        else
            bytebuf_printf(b, "%s (filter %d)", fname[0] ? fname : "unknown", (int)id);
    }
}

static void put_dataset(bytebuf *b, hid_t file, const char *name, bool scale)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) {
        bytebuf_printf(b, "%s: cannot be opened (the file may be corrupt)\n", name);
        return;
    }
    hid_t type = H5Dget_type(d), space = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
    char tname[32];
    h5_type_name(type, tname, sizeof tname);
    hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    int ndim = H5Sget_simple_extent_dims(space, dims, NULL);
    bytebuf_printf(b, "%s: %s ", name, tname);
    put_dims(b, "", ndim < 0 ? 0 : ndim, dims);
    if (H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, ndim, chunk) == ndim)
        put_dims(b, ", chunks ", ndim, chunk);
    else
        bytebuf_printf(b, ", %s", H5Pget_layout(dcpl) == H5D_COMPACT ? "compact" : "contiguous");
    put_filters(b, dcpl);
    if (scale) {
        bytebuf_printf(b, " (dimension scale)\n");
    } else {
        h5_mark m = h5_read_mark(d);
        bytebuf_printf(b, "\n    tessera: %s",
                       m == H5_MARK_COMPLETE     ? "complete"
                       : m == H5_MARK_INCOMPLETE ? "INCOMPLETE: tessera did not finish writing it"
                                                 : "not written by tessera");
        int64_t n, nstored;
        if (m == H5_MARK_INCOMPLETE && h5_record_count(file, name, &n, &nstored))
            bytebuf_printf(b,
                           "; %lld of %lld chunks stored (tessera run --resume with the same script "
                           "stores the rest)",
                           (long long)nstored, (long long)n);
        bytebuf_printf(b, "\n");
    }
    hsize_t idx = 0;
    H5Aiterate2(d, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_one, b);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(d);
}

char *h5_info(const char *path, ts_err *err)
{
    hid_t file;
    if (h5_open_read(path, &file, err) != TS_OK)
        return NULL;
    walk w = {{0}, {0}};
    herr_t rc = H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_one, &w, H5O_INFO_BASIC);
    bytebuf b;
    bytebuf_init(&b);
    bytebuf_printf(&b, "%s\n", path);
    if (w.data.n + w.scales.n == 0)
        bytebuf_printf(&b, "(no datasets)\n");
    for (int i = 0; i < w.data.n; i++)
        put_dataset(&b, file, w.data.v[i], false);
    for (int i = 0; i < w.scales.n; i++)
        put_dataset(&b, file, w.scales.v[i], true);
    bytebuf_put(&b, "", 1);
    bool failed = b.failed || w.data.failed || w.scales.failed;
    names_free(&w.data);
    names_free(&w.scales);
    H5Fclose(file);
    if (rc < 0 || failed) {
        bytebuf_fini(&b);
        if (rc < 0)
            err_set(err, TS_ERR_IO, "cannot list the contents of %s (the file may be corrupt)", path);
        else
            err_set(err, TS_ERR_MEMORY, "out of memory listing %s", path);
        return NULL;
    }
    return (char *)b.data;
}
