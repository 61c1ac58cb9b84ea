/* fuzz_h5_meta.c — libFuzzer harness of what guards ts_array_from_hdf5: a
 * dataset's description as HDF5 reports it (any dtype verdict, rank,
 * extents up to 2^64 - 1, chunk layout and chunk rank) goes through
 * h5_meta_check, and whatever it accepts is planned as from_hdf5 plans it
 * (build_hdf5: shape checks, the storage chunks as the default chunking).
 * Refusals carry a message naming the file; an accepted description has a
 * known dtype, 0..TS_MAXDIM non-negative extents and positive chunks, and
 * the array built on it is chunked by its storage chunks.
 *
 * Fuzzing the description rather than file bytes keeps each run in
 * microseconds and keeps HDF5's own file parser, which tessera cannot fix,
 * out of the verdicts. Descriptions whose chunking would need more than
 * ~2^20 blocks per axis are checked but not planned: planning them is a
 * legitimate multi-gigabyte allocation, which libFuzzer reports as a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array/build.h"
#include "fuzz_input.h"
#include "io/h5_meta.h"

#define MAX_BLOCKS ((int64_t)1 << 20)

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_h5_meta: %s\n", what);
        fuzz_crash();
    }
}

static uint64_t extent(fuzz_input *in)
{
    switch (fuzz_u8(in) % 5) {
    case 0: return fuzz_u64(in); /* anything, 2^64 - 1 included */
    case 1: return (uint64_t)fuzz_range(in, 0, INT64_MAX);
    default: return (uint64_t)fuzz_length(in, 1 << 22);
    }
}

static void decode(fuzz_input *in, h5_raw_meta *raw)
{
    memset(raw, 0, sizeof *raw);
    raw->dtype_known = fuzz_u8(in) % 8 != 0;
    raw->dtype = (ts_dtype)(fuzz_u8(in) % (TS_NDTYPES + 1));
    snprintf(raw->type_name, sizeof raw->type_name, "type%u", fuzz_u8(in));
    raw->ndim = (int)fuzz_range(in, -2, TS_MAXDIM + 2);
    raw->null_space = fuzz_u8(in) % 16 == 0;
    raw->chunked = fuzz_u8(in) % 2;
    raw->chunk_ndim = fuzz_u8(in) % 8 == 0 ? (int)fuzz_range(in, -1, TS_MAXDIM + 1) : raw->ndim;
    raw->mark = (h5_mark)(fuzz_u8(in) % 3);
    int n = raw->ndim < 0 ? 0 : raw->ndim > TS_MAXDIM ? TS_MAXDIM : raw->ndim;
    for (int d = 0; d < n; d++) {
        raw->dims[d] = extent(in);
        raw->chunk[d] = fuzz_u8(in) % 8 == 0 ? extent(in) : 1 + (uint64_t)fuzz_range(in, 0, 1 << 16);
    }
}

/* Whether planning m stays within MAX_BLOCKS blocks per axis: storage
 * chunks say so exactly; "auto" blocks of the 128 MiB default hold at
 * least 2^24 elements, so 2^40 elements give at most 2^16 per axis. */
static bool plannable(const h5_meta *m)
{
    double elems = 1;
    for (int d = 0; d < m->ndim; d++) {
        elems *= (double)m->shape[d];
        if (m->chunked && m->shape[d] / m->chunk[d] >= MAX_BLOCKS)
            return false;
    }
    return m->chunked || elems <= (double)((int64_t)1 << 40);
}

static void plan(const h5_meta *m)
{
    ts_err err;
    err_clear(&err);
    uint32_t stream = 0;
    build_env env = {.err = &err, .chunk_limit_nbytes = 0, .default_seed = 1, .next_stream = &stream};
    ts_array *x = NULL;
    ts_status st =
        build_hdf5(&env, "f.h5", "/x", m->dtype, m->ndim, m->shape, m->chunked ? m->chunk : NULL, NULL, &x);
    if (st != TS_OK) {
        require(x == NULL && err.msg[0] != '\0', "a refused plan without a message");
        return;
    }
    for (int d = 0; d < m->ndim; d++) {
        const chunks_axis *c = &x->chunks[d];
        int64_t sum = 0;
        for (int64_t i = 0; i < c->n; i++) {
            sum += c->sizes[i];
            if (m->chunked && i + 1 < c->n)
                require(c->sizes[i] == m->chunk[d], "blocks other than the storage chunks");
        }
        require(sum == m->shape[d], "blocks that do not cover the dataset");
    }
    ts_array_release(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    h5_raw_meta raw;
    decode(&in, &raw);
    h5_meta m;
    ts_err err;
    err_clear(&err);
    if (h5_meta_check(&raw, "f.h5", "/x", &m, &err) != TS_OK) {
        require(strstr(err.msg, "/x in f.h5") != NULL, "a refusal that does not name the dataset and file");
        return 0;
    }
    require((unsigned)m.dtype < TS_NDTYPES, "an unknown dtype accepted");
    require(m.ndim >= 0 && m.ndim <= TS_MAXDIM, "a rank out of range accepted");
    for (int d = 0; d < m.ndim; d++) {
        require(m.shape[d] >= 0, "a negative extent accepted");
        require(!m.chunked || m.chunk[d] >= 1, "an empty storage chunk accepted");
    }
    if (plannable(&m))
        plan(&m);
    return 0;
}
