/* npy.c — writing and reading NumPy .npy files byte for byte as numpy.save
 * (NumPy 1.24, numpy/lib/format.py) does. Data are written from the caller's
 * buffer without a copy; a file only gets its final name once complete. */
#include "io/npy.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c writes native bytes as little-endian; add byte swapping for this host"
#endif

enum {
    ARRAY_ALIGN = 64,            /* numpy pads the header to this */
    GROWTH_AXIS_MAX_DIGITS = 21, /* room numpy leaves to grow shape[0] */
    MAGIC_LEN = 8,               /* "\x93NUMPY" + major + minor */
    HEADER_MAX = 1 << 20         /* larger headers are taken as corrupt */
};

static const char MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
static const char *const DESCR[TS_NDTYPES] = {"|b1", "<i4", "<i8", "<f4", "<f8"};

/* ------------------------------------------------------------ shapes */

/* Bytes of the data, or -1 for a negative extent or when the item size
 * times the non-zero extents overflows int64. As in NumPy, an empty axis
 * does not excuse the others: (2^62, 9, 0) is refused in any order. */
static int64_t data_nbytes(ts_dtype dtype, int ndim, const int64_t *shape)
{
    int64_t n = (int64_t)ts_dtype_size(dtype);
    bool empty = false;
    for (int a = 0; a < ndim; a++) {
        if (shape[a] < 0)
            return -1;
        if (shape[a] == 0)
            empty = true;
        else if (__builtin_mul_overflow(n, shape[a], &n))
            return -1;
    }
    return empty ? 0 : n;
}

/* ------------------------------------------------------------ writing */

/* Python's repr of the shape tuple: "()", "(3,)", "(2, 3)". */
static int shape_repr(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    int len = snprintf(buf, cap, "(");
    for (int a = 0; a < ndim; a++)
        len += snprintf(buf + len, cap - (size_t)len, "%s%" PRId64, a ? ", " : "", shape[a]);
    len += snprintf(buf + len, cap - (size_t)len, ndim == 1 ? ",)" : ")");
    return len;
}

/* The whole header: magic, version, length, the dict, padding, newline.
 * Returns its length in bytes; buf must hold 2048 bytes, which
 * TS_MAXDIM (32) extents of up to 20 digits always fit. */
static size_t build_header(char *buf, ts_dtype dtype, int ndim, const int64_t *shape)
{
    char shp[1024], dict[1536];
    shape_repr(shp, sizeof shp, ndim, shape);
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       DESCR[dtype], shp);
    if (ndim > 0) {
        char first[32];
        int pad = GROWTH_AXIS_MAX_DIGITS - snprintf(first, sizeof first, "%" PRId64, shape[0]);
        for (; pad > 0; pad--)
            dict[len++] = ' ';
    }
    /* version 1.0 stores the length in 2 bytes, 2.0 in 4; numpy switches
     * when 1.0 cannot hold it (our 32 axes never need that, but a wider
     * TS_MAXDIM would) */
    size_t hlen = (size_t)len + 1;
    size_t prefix = MAGIC_LEN + 2;
    size_t padlen = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
    int major = 1;
    if (hlen + padlen > 65535) {
        major = 2;
        prefix = MAGIC_LEN + 4;
        padlen = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
    }
    uint32_t stored = (uint32_t)(hlen + padlen);
    memcpy(buf, MAGIC, sizeof MAGIC);
    buf[6] = (char)major;
    buf[7] = 0;
    for (size_t k = 0; k < prefix - MAGIC_LEN; k++)
        buf[MAGIC_LEN + k] = (char)(stored >> (8 * k) & 0xff);
    memcpy(buf + prefix, dict, (size_t)len);
    memset(buf + prefix + (size_t)len, ' ', padlen);
    buf[prefix + (size_t)len + padlen] = '\n';
    return prefix + hlen + padlen;
}

static ts_status write_fail(const char *path, int errnum, ts_err *err)
{
    return err_set(err, TS_ERR_IO, "cannot write %s: %s", path, strerror(errnum));
}

ts_status npy_write(const char *path, ts_dtype dtype, int ndim, const int64_t *shape, const void *data,
                    ts_err *err)
{
    if ((unsigned)dtype >= TS_NDTYPES || ndim < 0 || ndim > TS_MAXDIM)
        return err_set(err, TS_ERR_ARG, "cannot write %s: bad dtype or ndim %d", path, ndim);
    int64_t nbytes = data_nbytes(dtype, ndim, shape);
    if (nbytes < 0)
        return err_set(err, TS_ERR_ARG, "cannot write %s: bad shape", path);

    char header[2048];
    size_t header_nbytes = build_header(header, dtype, ndim, shape);
    size_t tmp_len = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(tmp_len);
    if (!tmp)
        return err_set(err, TS_ERR_MEMORY, "cannot write %s: out of memory", path);
    snprintf(tmp, tmp_len, "%s.tmp", path);

    int errnum = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        errnum = errno;
    } else {
        errno = 0;
        if (fwrite(header, 1, header_nbytes, f) != header_nbytes ||
            (nbytes > 0 && fwrite(data, 1, (size_t)nbytes, f) != (size_t)nbytes) || fflush(f) != 0)
            errnum = errno ? errno : EIO;
        if (fclose(f) != 0 && errnum == 0)
            errnum = errno ? errno : EIO;
        if (errnum == 0 && rename(tmp, path) != 0)
            errnum = errno;
        if (errnum != 0)
            remove(tmp);
    }
    free(tmp);
    return errnum ? write_fail(path, errnum, err) : TS_OK;
}

/* ------------------------------------------------------------ reading */

/* The value text after 'key': in the header dict, or NULL. */
static const char *dict_value(const char *dict, const char *key)
{
    char quoted[32];
    for (int q = 0; q < 2; q++) {
        snprintf(quoted, sizeof quoted, q ? "\"%s\"" : "'%s'", key);
        const char *p = strstr(dict, quoted);
        if (!p)
            continue;
        p += strlen(quoted);
        while (*p == ' ')
            p++;
        if (*p++ != ':')
            return NULL;
        while (*p == ' ')
            p++;
        return p;
    }
    return NULL;
}

static bool parse_descr(const char *v, ts_dtype *dtype, char *text, size_t cap)
{
    char q = v ? *v : 0;
    if (q != '\'' && q != '"')
        return false;
    const char *end = strchr(v + 1, q);
    if (!end || (size_t)(end - v - 1) >= cap)
        return false;
    memcpy(text, v + 1, (size_t)(end - v - 1));
    text[end - v - 1] = '\0';
    *dtype = TS_NDTYPES;
    for (int d = 0; d < TS_NDTYPES; d++)
        if (strcmp(text, DESCR[d]) == 0)
            *dtype = (ts_dtype)d;
    return true;
}

/* "(2, 3)", "(3,)", "()" into shape; false if malformed or too many axes. */
static bool parse_shape(const char *v, int *ndim, int64_t *shape)
{
    if (!v || *v++ != '(')
        return false;
    *ndim = 0;
    for (;;) {
        while (*v == ' ')
            v++;
        if (*v == ')')
            return true;
        if (*v < '0' || *v > '9' || *ndim == TS_MAXDIM)
            return false;
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno != 0)
            return false;
        shape[(*ndim)++] = n;
        v = end;
        while (*v == ' ')
            v++;
        if (*v == ',')
            v++;
        else if (*v != ')')
            return false;
    }
}

static ts_status parse_header(const char *path, const char *dict, ts_dtype *dtype, int *ndim, int64_t *shape,
                              ts_err *err)
{
    char descr[32];
    const char *order = dict_value(dict, "fortran_order");
    const char *dv = dict_value(dict, "descr");
    if (dv && *dv == '[')
        return err_set(err, TS_ERR_DTYPE, "cannot read %s: structured .npy dtypes are not supported", path);
    if (!parse_descr(dv, dtype, descr, sizeof descr) || !order ||
        !parse_shape(dict_value(dict, "shape"), ndim, shape))
        return err_set(err, TS_ERR_IO, "cannot read %s: corrupt .npy header", path);
    if (*dtype == TS_NDTYPES)
        return err_set(err, TS_ERR_DTYPE,
                       "cannot read %s: unsupported .npy dtype '%s' (tessera reads %s %s %s %s %s)", path,
                       descr, DESCR[TS_FLOAT64], DESCR[TS_FLOAT32], DESCR[TS_INT64], DESCR[TS_INT32],
                       DESCR[TS_BOOL]);
    if (strncmp(order, "False", 5) != 0)
        return err_set(err, TS_ERR_IO, "cannot read %s: Fortran-order .npy files are not supported", path);
    return TS_OK;
}

/* Reads the magic, version and header dict; leaves f at the data. */
static ts_status read_header(FILE *f, const char *path, char **dict, ts_err *err)
{
    unsigned char pre[MAGIC_LEN + 4];
    if (fread(pre, 1, MAGIC_LEN, f) != MAGIC_LEN || memcmp(pre, MAGIC, sizeof MAGIC) != 0)
        return err_set(err, TS_ERR_IO, "cannot read %s: not a .npy file", path);
    int major = pre[6];
    size_t lenbytes = (major == 1) ? 2 : (major == 2 || major == 3) ? 4 : 0;
    if (lenbytes == 0)
        return err_set(err, TS_ERR_IO, "cannot read %s: unsupported .npy version %d.%d", path, major, pre[7]);
    if (fread(pre + MAGIC_LEN, 1, lenbytes, f) != lenbytes)
        return err_set(err, TS_ERR_IO, "cannot read %s: truncated .npy header", path);
    size_t hlen = 0;
    for (size_t k = 0; k < lenbytes; k++)
        hlen |= (size_t)pre[MAGIC_LEN + k] << (8 * k);
    if (hlen > HEADER_MAX)
        return err_set(err, TS_ERR_IO, "cannot read %s: corrupt .npy header", path);
    *dict = malloc(hlen + 1);
    if (!*dict)
        return err_set(err, TS_ERR_MEMORY, "cannot read %s: out of memory", path);
    if (fread(*dict, 1, hlen, f) != hlen)
        return err_set(err, TS_ERR_IO, "cannot read %s: truncated .npy header", path);
    (*dict)[hlen] = '\0';
    return TS_OK;
}

/* Bytes left in f from here, or -1 if f is no regular file. */
static int64_t bytes_left(FILE *f)
{
    struct stat sb;
    long here = ftell(f);
    if (here < 0 || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        return -1;
    return (int64_t)sb.st_size > here ? (int64_t)sb.st_size - here : 0;
}

static ts_status read_data(FILE *f, const char *path, int64_t nbytes, void **data, ts_err *err)
{
    if (nbytes < 0 || (uint64_t)nbytes > SIZE_MAX - 1)
        return err_set(err, TS_ERR_IO, "cannot read %s: corrupt .npy shape", path);
    /* A header may promise more than the file holds: say so before
     * allocating what a corrupt shape asks for. */
    int64_t left = bytes_left(f);
    if (left >= 0 && left < nbytes)
        return err_set(err, TS_ERR_IO,
                       "cannot read %s: truncated .npy data (%" PRId64 " of %" PRId64 " bytes)", path, left,
                       nbytes);
    *data = malloc(nbytes > 0 ? (size_t)nbytes : 1);
    if (!*data)
        return err_set(err, TS_ERR_MEMORY, "cannot read %s: %" PRId64 " bytes do not fit in memory", path,
                       nbytes);
    size_t got = fread(*data, 1, (size_t)nbytes, f);
    if (got != (size_t)nbytes)
        return err_set(err, TS_ERR_IO, "cannot read %s: truncated .npy data (%zu of %" PRId64 " bytes)", path,
                       got, nbytes);
    return TS_OK;
}

ts_status npy_read(const char *path, ts_dtype *dtype, int *ndim, int64_t *shape, void **data, ts_err *err)
{
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, TS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    char *dict = NULL;
    ts_status st = read_header(f, path, &dict, err);
    if (st == TS_OK)
        st = parse_header(path, dict, dtype, ndim, shape, err);
    if (st == TS_OK)
        st = read_data(f, path, data_nbytes(*dtype, *ndim, shape), data, err);
    free(dict);
    fclose(f);
    if (st != TS_OK) {
        free(*data);
        *data = NULL;
    }
    return st;
}
