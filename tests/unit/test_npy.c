/* test_npy.c — npy_write produces the bytes numpy.save does (reference
 * headers in repr_numpy_table.h, made by gen_repr_table.py), npy_read reads
 * them back, and failures leave no complete-looking file behind. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/npy.h"
#include "tessera.h"

#define REPR_TABLE_NPY
#include "repr_numpy_table.h"

/* A fresh directory per test, removed with its files by scratch_fini. */
typedef struct scratch {
    char dir[64];
    char path[128];
} scratch;

static void scratch_init(scratch *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/test_npy_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
}

static const char *scratch_path(scratch *s, const char *name)
{
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
    return s->path;
}

static void scratch_fini(scratch *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        unlink(scratch_path(s, names[i]));
    ck_assert_int_eq(rmdir(s->dir), 0); /* fails if a stray file is left */
}

static unsigned char *slurp(const char *path, long *nbytes)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *nbytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)*nbytes + 1);
    ck_assert_int_eq((long)fread(buf, 1, (size_t)*nbytes, f), *nbytes);
    fclose(f);
    return buf;
}

static void spit(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static int64_t nelems(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int a = 0; a < ndim; a++)
        n *= shape[a];
    return n;
}

START_TEST(test_header_matches_numpy_save)
{
    const npy_header_case *c = &npy_header_cases[_i];
    scratch s;
    scratch_init(&s);
    size_t nbytes = (size_t)nelems(c->ndim, c->shape) * ts_dtype_size(c->dtype);
    unsigned char *data = calloc(1, nbytes + 1);
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(npy_write(scratch_path(&s, "a.npy"), c->dtype, c->ndim, c->shape, data, &err), TS_OK);
    long size;
    unsigned char *file = slurp(scratch_path(&s, "a.npy"), &size);
    ck_assert_int_eq(size, c->header_nbytes + (long)nbytes);
    ck_assert_msg(memcmp(file, c->header, (size_t)c->header_nbytes) == 0,
                  "header of %s differs from numpy.save", c->name);
    free(file);
    free(data);
    const char *names[] = {"a.npy"};
    scratch_fini(&s, names, 1);
}
END_TEST

/* Distinct bytes per element so a misplaced element shows. */
static void *pattern(ts_dtype dtype, int64_t n)
{
    size_t itemsize = ts_dtype_size(dtype);
    unsigned char *p = malloc((size_t)n * itemsize + 1);
    for (int64_t i = 0; i < n; i++) {
        double f = 0.5 + (double)i * 1.25 - (double)(i % 3);
        int64_t k = i * 1000003 - 7;
        float f4 = (float)f;
        int32_t k4 = (int32_t)k;
        unsigned char b = (unsigned char)(i % 2);
        const void *src = dtype == TS_FLOAT64   ? (const void *)&f
                          : dtype == TS_FLOAT32 ? (const void *)&f4
                          : dtype == TS_INT64   ? (const void *)&k
                          : dtype == TS_INT32   ? (const void *)&k4
                                                : (const void *)&b;
        memcpy(p + (size_t)i * itemsize, src, itemsize);
    }
    return p;
}

static void round_trip(ts_dtype dtype, int ndim, const int64_t *shape)
{
    scratch s;
    scratch_init(&s);
    int64_t n = nelems(ndim, shape);
    void *data = pattern(dtype, n);
    ts_err err;
    err_clear(&err);
    const char *path = scratch_path(&s, "rt.npy");
    ck_assert_int_eq(npy_write(path, dtype, ndim, shape, data, &err), TS_OK);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    size_t nbytes = (size_t)n * ts_dtype_size(dtype);
    ck_assert_int_eq((st.st_size - (off_t)nbytes) % 64, 0); /* data start aligned */

    ts_dtype got_dtype;
    int got_ndim;
    int64_t got_shape[TS_MAXDIM];
    void *got = NULL;
    ck_assert_int_eq(npy_read(path, &got_dtype, &got_ndim, got_shape, &got, &err), TS_OK);
    ck_assert_int_eq(got_dtype, dtype);
    ck_assert_int_eq(got_ndim, ndim);
    for (int a = 0; a < ndim; a++)
        ck_assert_int_eq(got_shape[a], shape[a]);
    ck_assert_ptr_nonnull(got);
    ck_assert(memcmp(got, data, nbytes) == 0);
    free(got);
    free(data);
    const char *names[] = {"rt.npy"};
    scratch_fini(&s, names, 1);
}

START_TEST(test_round_trip_every_dtype)
{
    const int64_t shape1[1] = {7};
    const int64_t shape3[3] = {2, 3, 4};
    const int64_t empty[2] = {3, 0};
    const int64_t empty1[1] = {0};
    ts_dtype dt = (ts_dtype)_i;
    round_trip(dt, 0, NULL);
    round_trip(dt, 1, shape1);
    round_trip(dt, 3, shape3);
    round_trip(dt, 2, empty);
    round_trip(dt, 1, empty1);
}
END_TEST

START_TEST(test_round_trip_large)
{
    const int64_t shape[2] = {1000, 1001};
    round_trip(TS_FLOAT64, 2, shape);
}
END_TEST

START_TEST(test_unwritable_path)
{
    const int64_t shape[1] = {2};
    double v[2] = {1, 2};
    ts_err err;
    err_clear(&err);
    const char *path = "/nonexistent-tessera-dir/y.npy";
    ck_assert_int_eq(npy_write(path, TS_FLOAT64, 1, shape, v, &err), TS_ERR_IO);
    ck_assert_str_eq(err.msg, "cannot write /nonexistent-tessera-dir/y.npy: No such file or directory");
}
END_TEST

/* Shapes whose non-zero extents overflow are refused in any axis order,
 * as NumPy refuses them, even though the array would be empty. */
START_TEST(test_overflowing_shape)
{
    const int64_t big = INT64_C(1) << 61;
    const int64_t shapes[2][3] = {{big, 9, 0}, {0, big, 9}};
    char v = 0;
    for (int i = 0; i < 2; i++) {
        ts_err err;
        err_clear(&err);
        ck_assert_int_eq(npy_write("/nonexistent-tessera-dir/z.npy", TS_INT32, 3, shapes[i], &v, &err),
                         TS_ERR_ARG);
        ck_assert_str_eq(err.msg, "cannot write /nonexistent-tessera-dir/z.npy: bad shape");
    }
}
END_TEST

/* A write that fails midway (a full disk, here /dev/full behind the
 * temporary name) leaves neither the final file nor the temporary one. */
START_TEST(test_failed_write_leaves_nothing)
{
    scratch s;
    scratch_init(&s);
    ck_assert_int_eq(symlink("/dev/full", scratch_path(&s, "y.npy.tmp")), 0);
    const int64_t shape[1] = {100000};
    double *v = calloc(100000, sizeof *v);
    ts_err err;
    err_clear(&err);
    char final_path[128];
    snprintf(final_path, sizeof final_path, "%s", scratch_path(&s, "y.npy"));
    ck_assert_int_eq(npy_write(final_path, TS_FLOAT64, 1, shape, v, &err), TS_ERR_IO);
    char want[256];
    snprintf(want, sizeof want, "cannot write %s: No space left on device", final_path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(access(final_path, F_OK), -1);
    ck_assert_int_eq(access(scratch_path(&s, "y.npy.tmp"), F_OK), -1);
    free(v);
    scratch_fini(&s, NULL, 0);
}
END_TEST

/* A version 1.0 file of 128 header bytes around dict, plus 8 data bytes. */
static void spit_v1(const char *path, const char *dict)
{
    unsigned char file[128 + 8] = {0};
    size_t dlen = strlen(dict);
    ck_assert_uint_lt(dlen, 128 - 11);
    memcpy(file, "\x93NUMPY\x01\x00", 8);
    file[8] = 128 - 10;
    memcpy(file + 10, dict, dlen);
    memset(file + 10 + dlen, ' ', 128 - 10 - dlen - 1);
    file[127] = '\n';
    spit(path, file, sizeof file);
}

static ts_status read_into(const char *path, ts_err *err)
{
    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    void *data = (void *)1;
    err_clear(err);
    ts_status st = npy_read(path, &dtype, &ndim, shape, &data, err);
    if (st != TS_OK)
        ck_assert_ptr_null(data);
    free(data);
    return st;
}

START_TEST(test_read_errors)
{
    scratch s;
    scratch_init(&s);
    ts_err err;
    char want[256];

    ck_assert_int_eq(read_into(scratch_path(&s, "missing.npy"), &err), TS_ERR_IO);
    snprintf(want, sizeof want, "cannot read %s: No such file or directory", s.path);
    ck_assert_str_eq(err.msg, want);

    spit(scratch_path(&s, "text.npy"), "hello, this is not numpy", 24);
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a .npy file"));

    /* a valid file cut short inside the data and inside the header */
    const int64_t shape[1] = {10};
    int64_t v[10] = {0};
    err_clear(&err);
    ck_assert_int_eq(npy_write(scratch_path(&s, "cut.npy"), TS_INT64, 1, shape, v, &err), TS_OK);
    ck_assert_int_eq(truncate(s.path, 128 + 40), 0);
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    snprintf(want, sizeof want, "cannot read %s: truncated .npy data (40 of 80 bytes)", s.path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(truncate(s.path, 30), 0);
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated .npy header"));

    /* a header promising 8 TB: refused as truncated, nothing allocated */
    spit_v1(scratch_path(&s, "huge.npy"),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }");
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    snprintf(want, sizeof want, "cannot read %s: truncated .npy data (8 of 8000000000000 bytes)", s.path);
    ck_assert_str_eq(err.msg, want);

    /* a header whose dict is garbage */
    spit_v1(scratch_path(&s, "bad.npy"), "{'descr': '<f8', 'shape': [oops], }");
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "corrupt .npy header"));

    /* big-endian data are not a tessera dtype */
    spit_v1(scratch_path(&s, "be.npy"), "{'descr': '>f8', 'fortran_order': False, 'shape': (), }");
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_DTYPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "unsupported .npy dtype '>f8'"));

    spit_v1(scratch_path(&s, "rec.npy"), "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (), }");
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_DTYPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "structured .npy dtypes are not supported"));

    spit_v1(scratch_path(&s, "fortran.npy"), "{'descr': '<f8', 'fortran_order': True, 'shape': (), }");
    ck_assert_int_eq(read_into(s.path, &err), TS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "Fortran-order"));

    const char *names[] = {"text.npy", "cut.npy", "huge.npy", "bad.npy", "be.npy", "rec.npy", "fortran.npy"};
    scratch_fini(&s, names, 7);
}
END_TEST

/* numpy.save writes version 2.0 for huge headers; the reader takes it. */
START_TEST(test_read_version_2)
{
    scratch s;
    scratch_init(&s);
    unsigned char file[128 + 8];
    const char *dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    size_t dlen = strlen(dict);
    memcpy(file, "\x93NUMPY\x02\x00", 8);
    uint32_t hlen = 128 - 12;
    for (int k = 0; k < 4; k++)
        file[8 + k] = (unsigned char)(hlen >> (8 * k));
    memcpy(file + 12, dict, dlen);
    memset(file + 12 + dlen, ' ', 128 - 12 - dlen - 1);
    file[127] = '\n';
    int32_t v[2] = {-5, 123456};
    memcpy(file + 128, v, sizeof v);
    spit(scratch_path(&s, "v2.npy"), file, sizeof file);

    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    void *data;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(npy_read(s.path, &dtype, &ndim, shape, &data, &err), TS_OK);
    ck_assert_int_eq(dtype, TS_INT32);
    ck_assert_int_eq(ndim, 1);
    ck_assert_int_eq(shape[0], 2);
    ck_assert(memcmp(data, v, sizeof v) == 0);
    free(data);
    const char *names[] = {"v2.npy"};
    scratch_fini(&s, names, 1);
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_add_loop_test(tc, test_header_matches_numpy_save, 0,
                        (int)(sizeof npy_header_cases / sizeof npy_header_cases[0]));
    tcase_add_loop_test(tc, test_round_trip_every_dtype, 0, TS_NDTYPES);
    tcase_add_test(tc, test_round_trip_large);
    tcase_add_test(tc, test_unwritable_path);
    tcase_add_test(tc, test_failed_write_leaves_nothing);
    tcase_add_test(tc, test_overflowing_shape);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_read_version_2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(npy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int nfailed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
