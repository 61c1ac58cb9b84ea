/* fuzz_npy.c — libFuzzer harness of the .npy reader and writer. The first
 * byte picks the mode:
 *   read:  the rest of the input is a file; npy_read either fails with a
 *          message or returns a shape, dtype and data that fit the file;
 *   write: the input decodes to a dtype, a shape and data; npy_write then
 *          npy_read must give back exactly that array, and no temporary
 *          file may be left next to it.
 * Files live in a directory of their own under TMPDIR (/dev/shm when it
 * exists), removed at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "io/npy.h"

static char dir[256], in_path[300], out_path[300], tmp_path[310];

static void require(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_npy: %s\n", what);
        fuzz_crash();
    }
}

static void cleanup(void)
{
    unlink(in_path);
    unlink(out_path);
    unlink(tmp_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *base = getenv("TMPDIR");
    if (!base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/fuzz_npy_XXXXXX", base);
    require(mkdtemp(dir) != NULL, "cannot make a scratch directory");
    snprintf(in_path, sizeof in_path, "%s/in.npy", dir);
    snprintf(out_path, sizeof out_path, "%s/out.npy", dir);
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out_path);
    atexit(cleanup);
    return 0;
}

static void fuzz_read(const uint8_t *data, size_t size)
{
    FILE *f = fopen(in_path, "wb");
    require(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write the input file");
    ts_dtype dtype = TS_NDTYPES;
    int ndim = -1;
    int64_t shape[TS_MAXDIM];
    void *got = NULL;
    ts_err err;
    err_clear(&err);
    ts_status st = npy_read(in_path, &dtype, &ndim, shape, &got, &err);
    if (st != TS_OK) {
        require(got == NULL, "data left after a failure");
        require(err.status == st && strncmp(err.msg, "cannot read ", 12) == 0, "a failure without a message");
        return;
    }
    require((unsigned)dtype < TS_NDTYPES && ndim >= 0 && ndim <= TS_MAXDIM, "an impossible dtype or rank");
    uint64_t nbytes = ts_dtype_size(dtype);
    for (int d = 0; d < ndim; d++) {
        require(shape[d] >= 0, "a negative extent");
        nbytes *= (uint64_t)shape[d];
    }
    /* The data follow the header: magic and version (8 bytes), its length
     * (2 bytes in version 1, else 4) and the header itself. */
    size_t lenbytes = data[6] == 1 ? 2 : 4, hlen = 0;
    for (size_t k = 0; k < lenbytes; k++)
        hlen |= (size_t)data[8 + k] << (8 * k);
    size_t at = 8 + lenbytes + hlen;
    require(at <= size && nbytes <= size - at, "more data than the file holds");
    require(memcmp(got, data + at, nbytes) == 0, "data other than the file's");
    free(got);
}

static void fuzz_write(fuzz_input *in)
{
    ts_dtype dtype = (ts_dtype)(fuzz_u8(in) % TS_NDTYPES);
    int ndim = fuzz_u8(in) % 6;
    int64_t shape[TS_MAXDIM], n = 1;
    bool empty = false;
    for (int d = 0; d < ndim; d++) {
        /* Extents of up to 19 digits, as long as the array stays small: an
         * empty axis lets the others be huge. */
        shape[d] = fuzz_u8(in) % 8 == 7 ? fuzz_range(in, 0, INT64_MAX) : fuzz_range(in, 0, 9);
        empty = empty || shape[d] == 0;
    }
    for (int d = 0; d < ndim && !empty; d++) {
        if (shape[d] > 4096 || n * shape[d] > 4096)
            shape[d] = 1 + shape[d] % 4;
        n *= shape[d];
    }
    n = empty ? 0 : n;
    /* NumPy's rule: the item size times the non-zero extents must fit,
     * even when the array is empty; npy_write refuses the rest. */
    int64_t product = (int64_t)ts_dtype_size(dtype);
    bool fits = true;
    for (int d = 0; d < ndim; d++)
        fits = fits && (shape[d] == 0 || !__builtin_mul_overflow(product, shape[d], &product));
    size_t nbytes = (size_t)n * ts_dtype_size(dtype);
    uint8_t *buf = calloc(nbytes ? nbytes : 1, 1);
    for (size_t k = 0; k < nbytes; k++)
        buf[k] = fuzz_u8(in);
    ts_err err;
    err_clear(&err);
    unlink(out_path);
    ts_status st = npy_write(out_path, dtype, ndim, shape, buf, &err);
    if (!fits) {
        require(st == TS_ERR_ARG && access(out_path, F_OK) != 0, "an overflowing shape was written");
        free(buf);
        return;
    }
    require(st == TS_OK, "a valid array was not written");
    require(access(tmp_path, F_OK) != 0, "the temporary file was left behind");
    ts_dtype got_dtype;
    int got_ndim;
    int64_t got_shape[TS_MAXDIM];
    void *got = NULL;
    require(npy_read(out_path, &got_dtype, &got_ndim, got_shape, &got, &err) == TS_OK,
            "a written array was not read");
    require(got_dtype == dtype && got_ndim == ndim, "another dtype or rank read back");
    require(memcmp(got_shape, shape, (size_t)ndim * sizeof *shape) == 0, "another shape read back");
    require(memcmp(got, buf, nbytes) == 0, "other data read back");
    struct stat sb;
    require(stat(out_path, &sb) == 0 && sb.st_size % 64 == (off_t)(nbytes % 64),
            "a header not padded to 64 bytes");
    free(got);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0) {
        fuzz_read(data + 1, size - 1);
    } else {
        fuzz_input in = {data + 1, size - 1, 0};
        fuzz_write(&in);
    }
    return 0;
}
