/* fuzz_chunks.c — libFuzzer harness of the chunk-spec normaliser
 * (chunks_normalize_keep, Dask's normalize_chunks) and of the common
 * refinement of chunkings (Dask's common_blockdim). The bytes decode to a
 * shape, a spec of any kinds (sizes and lists of any int64 values), an
 * item size, byte targets and, for rechunk, previous chunks as that
 * function's contract describes them. Whatever it is given, the normaliser
 * either fails with a message and nothing to free, or returns chunkings
 * that cover every axis exactly and honour the explicit parts of the spec.
 *
 * Axis lengths are capped so that no chunking needs more than ~2^20
 * blocks: a larger one is a legitimate multi-gigabyte allocation, which
 * libFuzzer's malloc limit would report as a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array/chunks.h"
#include "fuzz_input.h"

#define MAX_NDIM 5
#define MAX_LIST 64
#define MAX_BLOCKS ((int64_t)1 << 20)

/* The case being checked, printed when a check fails. */
static char case_text[4096];

static void require(int ok, const char *what, int axis)
{
    if (!ok) {
        fprintf(stderr, "fuzz_chunks: %s (axis %d)\n%s\n", what, axis, case_text);
        fuzz_crash();
    }
}

static size_t put_sizes(char *buf, size_t len, const char *label, const int64_t *v, int64_t n)
{
    len += (size_t)snprintf(buf + len, sizeof case_text - len, "%s(", label);
    for (int64_t i = 0; i < n && i < 16 && len < sizeof case_text; i++)
        len += (size_t)snprintf(buf + len, sizeof case_text - len, "%lld,", (long long)v[i]);
    return len < sizeof case_text
               ? len + (size_t)snprintf(buf + len, sizeof case_text - len, "%s) ", n > 16 ? "..." : "")
               : len;
}

/* A chunking of length into at most MAX_LIST positive blocks (the last
 * takes what the others leave); (0,) for an empty axis. */
static int64_t valid_list(fuzz_input *in, int64_t length, int64_t *sizes)
{
    if (length == 0) {
        sizes[0] = 0;
        return 1;
    }
    int64_t n = 0, left = length;
    while (left > 0 && n < MAX_LIST - 1 && fuzz_u8(in) % 4 != 0) {
        int64_t s = fuzz_range(in, 1, left);
        sizes[n++] = s;
        left -= s;
    }
    if (left > 0)
        sizes[n++] = left;
    return n;
}

/* Any list at all: the spec's LIST entries need not add up or be positive. */
static int64_t any_list(fuzz_input *in, int64_t length, int64_t *sizes)
{
    if (fuzz_u8(in) % 2)
        return valid_list(in, length, sizes);
    int64_t n = fuzz_u8(in) % (MAX_LIST + 1);
    for (int64_t i = 0; i < n; i++)
        sizes[i] = fuzz_u8(in) % 8 == 0 ? (int64_t)fuzz_u64(in) : fuzz_range(in, -2, length + 2);
    return n;
}

static void check_cover(const chunks_axis *c, int64_t length, int d)
{
    require(c->n >= 1 && c->sizes != NULL, "an axis without blocks", d);
    int64_t sum = 0;
    for (int64_t i = 0; i < c->n; i++) {
        /* An empty axis is (0,), or several zeros when a spec lists them
         * (Dask accepts ((0, 0),) for a length of 0). */
        require(c->sizes[i] > 0 || (length == 0 && c->sizes[i] == 0), "a block of size <= 0", d);
        sum += c->sizes[i];
    }
    require(sum == length, "blocks that do not add up to the axis", d);
}

static void fuzz_normalize(fuzz_input *in)
{
    static const size_t itemsizes[] = {0, 1, 2, 4, 8, 16};
    int ndim = fuzz_u8(in) % (MAX_NDIM + 1);
    size_t itemsize = itemsizes[fuzz_u8(in) % 6];
    ts_chunkspec spec = {0};
    spec.naxes = fuzz_u8(in) % 8 == 0 ? (int)(fuzz_u8(in) % (MAX_NDIM + 1)) : fuzz_u8(in) % 2 ? ndim : 0;
    spec.limit_nbytes = fuzz_u8(in) % 2 ? 0 : fuzz_range(in, -1, (int64_t)1 << 40);
    int64_t default_limit = fuzz_u8(in) % 2 ? 0 : fuzz_range(in, 1, (int64_t)1 << 40);
    int64_t shape[TS_MAXDIM] = {0};
    static int64_t lists[TS_MAXDIM][MAX_LIST], prev_sizes[TS_MAXDIM][MAX_LIST];
    chunks_axis previous[TS_MAXDIM];
    bool with_previous = fuzz_u8(in) % 2;
    uint32_t keep = 0;
    for (int d = 0; d < ndim; d++) {
        ts_axis_chunks *a = &spec.axis[d];
        a->kind = (ts_chunk_kind)(fuzz_u8(in) % 6); /* 5 is no kind at all */
        bool few_blocks = spec.naxes == ndim && (a->kind == TS_CHUNK_FULL || a->kind == TS_CHUNK_LIST);
        shape[d] = fuzz_length(in, few_blocks ? INT64_MAX / 2 : MAX_BLOCKS);
        if (a->kind == TS_CHUNK_SIZE)
            a->size = fuzz_u8(in) % 4 == 0 ? fuzz_range(in, -3, 3) : fuzz_range(in, 1, shape[d] + 1);
        if (a->kind == TS_CHUNK_LIST) {
            a->nsizes = any_list(in, shape[d], lists[d]);
            a->sizes = fuzz_u8(in) % 16 == 0 ? NULL : lists[d];
        }
        /* Previous chunks: a whole chunking, or one chunk size (as an HDF5
         * dataset's chunk shape), each positive. */
        if (fuzz_u8(in) % 2) {
            previous[d] = (chunks_axis){valid_list(in, shape[d], prev_sizes[d]), prev_sizes[d]};
        } else {
            prev_sizes[d][0] = fuzz_range(in, 1, shape[d] > 0 ? 2 * shape[d] : 1);
            previous[d] = (chunks_axis){1, prev_sizes[d]};
        }
        if (with_previous && fuzz_u8(in) % 4 == 0)
            keep |= 1u << d;
    }
    if (fuzz_u8(in) % 16 == 0)
        keep |= 1u << (fuzz_u8(in) % 32);
    size_t len =
        (size_t)snprintf(case_text, sizeof case_text,
                         "ndim %d itemsize %zu naxes %d limit %lld default %lld keep 0x%x previous %d\n",
                         ndim, itemsize, spec.naxes, (long long)spec.limit_nbytes, (long long)default_limit,
                         (unsigned)keep, (int)with_previous);
    for (int d = 0; d < ndim && len < sizeof case_text; d++) {
        const ts_axis_chunks *a = &spec.axis[d];
        len += (size_t)snprintf(case_text + len, sizeof case_text - len,
                                "axis %d: length %lld kind %d size %lld ", d, (long long)shape[d],
                                (int)a->kind, (long long)a->size);
        if (a->kind == TS_CHUNK_LIST && a->sizes)
            len = put_sizes(case_text, len, "list", a->sizes, a->nsizes);
        len = put_sizes(case_text, len, "previous", previous[d].sizes, previous[d].n);
        if (len < sizeof case_text)
            len += (size_t)snprintf(case_text + len, sizeof case_text - len, "\n");
    }
    chunks_axis out[TS_MAXDIM];
    ts_err err;
    err_clear(&err);
    ts_status st = chunks_normalize_keep(&spec, keep, ndim, shape, itemsize, default_limit,
                                         with_previous ? previous : NULL, out, &err);
    if (st != TS_OK) {
        require(err.status == st && err.msg[0] != '\0', "a failure without a message", -1);
        for (int d = 0; d < ndim; d++)
            require(out[d].n == 0 && out[d].sizes == NULL, "a failure that left sizes to free", d);
        return;
    }
    for (int d = 0; d < ndim && len < sizeof case_text; d++)
        len = put_sizes(case_text, len, "out", out[d].sizes, out[d].n);
    for (int d = 0; d < ndim; d++) {
        check_cover(&out[d], shape[d], d);
        const ts_axis_chunks *a = &spec.axis[d];
        const chunks_axis *want = NULL;
        if (keep >> d & 1u)
            want = &previous[d];
        else if (spec.naxes != 0 && a->kind == TS_CHUNK_LIST)
            want = &(chunks_axis){a->nsizes, (int64_t *)a->sizes};
        if (want)
            require(want->n == out[d].n && memcmp(want->sizes, out[d].sizes, (size_t)want->n * 8) == 0,
                    "explicit chunks not kept", d);
        if (!(keep >> d & 1u) && spec.naxes != 0 && a->kind == TS_CHUNK_SIZE && a->size > 0 && shape[d] > 0)
            for (int64_t i = 0; i + 1 < out[d].n; i++)
                require(out[d].sizes[i] == a->size, "a block of another size than asked", d);
    }
    chunks_axis_free(out, ndim);
}

/* Every boundary of every multi-block input is a boundary of the result,
 * and the result has no other. */
static void fuzz_refinement(fuzz_input *in)
{
    int nin = 1 + fuzz_u8(in) % 4;
    int64_t length = fuzz_length(in, MAX_BLOCKS);
    static int64_t sizes[4][MAX_LIST];
    chunks_axis c[4];
    for (int k = 0; k < nin; k++) {
        c[k] = (chunks_axis){valid_list(in, length, sizes[k]), sizes[k]};
        if (k > 0 && fuzz_u8(in) % 32 == 31) /* now and then one of another length */
            sizes[k][0] += 1;
    }
    chunks_axis out;
    ts_err err;
    err_clear(&err);
    if (chunks_common_refinement(nin, c, &out, &err) != TS_OK) {
        require(out.sizes == NULL && err.msg[0] != '\0', "a refinement failure without a message", -1);
        return;
    }
    check_cover(&out, length, 0);
    int multi = 0;
    for (int k = 0; k < nin; k++)
        multi += c[k].n > 1;
    for (int64_t i = 0, at = 0; i < out.n; at += out.sizes[i++]) {
        int64_t edge = at + out.sizes[i];
        bool found = edge == length;
        for (int k = 0; k < nin && !found; k++) {
            int64_t e = 0;
            for (int64_t j = 0; j < c[k].n && e < edge && (c[k].n > 1 || multi == 0); j++)
                e += c[k].sizes[j];
            found = e == edge;
        }
        require(found, "a boundary that no input has", 0);
    }
    for (int k = 0; k < nin; k++) {
        if (c[k].n <= 1)
            continue;
        int64_t e = 0;
        for (int64_t j = 0; j < c[k].n; j++) {
            e += c[k].sizes[j];
            int64_t at = 0;
            for (int64_t i = 0; i < out.n && at < e; i++)
                at += out.sizes[i];
            require(at == e, "an input boundary missing from the refinement", k);
        }
    }
    chunks_axis_free(&out, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    if (fuzz_u8(&in) % 4 == 0)
        fuzz_refinement(&in);
    else
        fuzz_normalize(&in);
    return 0;
}
