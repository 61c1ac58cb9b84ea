/* test_h5_meta.c — the checks a dataset's description passes before
 * from_hdf5 plans on it, on descriptions no valid file gives (the fuzzer
 * tests/fuzz/fuzz_h5_meta.c tries the rest): each refusal's message, and
 * what an accepted description becomes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_meta.h"

static h5_raw_meta good(void)
{
    h5_raw_meta r = {.dtype_known = true, .dtype = TS_FLOAT32, .ndim = 2, .chunked = true, .chunk_ndim = 2};
    r.dims[0] = 100, r.dims[1] = 7;
    r.chunk[0] = 10, r.chunk[1] = 7;
    r.mark = H5_MARK_COMPLETE;
    return r;
}

static const char *refuse(const h5_raw_meta *r, ts_status want)
{
    static ts_err err;
    h5_meta m;
    err_clear(&err);
    ck_assert_int_eq(h5_meta_check(r, "f.h5", "/x", &m, &err), want);
    return err.msg;
}

START_TEST(test_accepts)
{
    h5_raw_meta r = good();
    h5_meta m;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(h5_meta_check(&r, "f.h5", "/x", &m, &err), TS_OK);
    ck_assert_int_eq(m.dtype, TS_FLOAT32);
    ck_assert_int_eq(m.ndim, 2);
    ck_assert_int_eq(m.shape[0], 100);
    ck_assert_int_eq(m.shape[1], 7);
    ck_assert(m.chunked);
    ck_assert_int_eq(m.chunk[0], 10);
    ck_assert_int_eq(m.mark, H5_MARK_COMPLETE);
    ck_assert(!m.filtered);
    r.filtered = true;
    ck_assert_int_eq(h5_meta_check(&r, "f.h5", "/x", &m, &err), TS_OK);
    ck_assert(m.filtered);
    r.chunked = false, r.chunk_ndim = 0, r.ndim = 0; /* a contiguous scalar */
    ck_assert_int_eq(h5_meta_check(&r, "f.h5", "/x", &m, &err), TS_OK);
    ck_assert_int_eq(m.ndim, 0);
    ck_assert(!m.filtered); /* only chunked datasets have filters */
}
END_TEST

/* What the seam says HDF5 and MPI-IO hold besides tessera's pool
 * (h5_mem.c): the figures the plan adds to a task's bytes. */
START_TEST(test_library_nbytes)
{
    h5_meta m = {.dtype = TS_FLOAT64, .ndim = 2, .chunked = true};
    m.shape[0] = 75, m.shape[1] = 2000000;
    m.chunk[0] = 50, m.chunk[1] = 90000; /* 36 MB chunks, 23 in a row */
    const int64_t tconv = 2 * (int64_t)H5_TCONV_NBYTES, chunk = 36000000;
    ck_assert_int_eq(h5_read_cache_nbytes(&m), 0); /* unfiltered: straight into the caller's buffer */
    ck_assert_int_eq(h5_read_lib_nbytes(&m), tconv);
    m.filtered = true; /* one chunk beyond the cache's cap: no cache, 3 chunks decompressing */
    ck_assert_int_eq(h5_read_cache_nbytes(&m), 0);
    ck_assert_int_eq(h5_read_lib_nbytes(&m), tconv + 3 * chunk);
    m.chunk[0] = 10, m.chunk[1] = 1000; /* 80 kB chunks, 2000 in a row: the cap */
    ck_assert_int_eq(h5_read_cache_nbytes(&m), H5_READ_CACHE_MAX_NBYTES);
    m.shape[1] = 3000; /* 3 in a row */
    ck_assert_int_eq(h5_read_cache_nbytes(&m), 3 * 80000);
    ck_assert_int_eq(h5_read_lib_nbytes(&m), 3 * 80000 + tconv + 3 * 80000);

    h5_target t = {.dtype = TS_FLOAT64, .ndim = 2};
    t.shape[0] = 75, t.shape[1] = 2000000;
    t.chunk[0] = 50, t.chunk[1] = 90000;
    ck_assert_int_eq(h5_write_lib_nbytes(&t), 0); /* whole chunks, native type: straight from the buffer */
    t.gzip_level = 4;
    ck_assert_int_eq(h5_write_lib_nbytes(&t), 3 * chunk + H5_MPIO_CB_NBYTES);
}
END_TEST

START_TEST(test_refusals)
{
    h5_raw_meta r = good();
    r.dtype_known = false;
    strcpy(r.type_name, "uint16");
    ck_assert_str_eq(refuse(&r, TS_ERR_DTYPE), "dataset /x in f.h5 has dtype uint16, which tessera does not "
                                               "support (supported: bool, int32, int64, float32, float64)");
    r = good();
    r.null_space = true;
    ck_assert_str_eq(refuse(&r, TS_ERR_SHAPE),
                     "dataset /x in f.h5 has no dataspace; tessera reads arrays of 0 to 32 dimensions");
    r = good();
    r.ndim = -1;
    ck_assert_str_eq(refuse(&r, TS_ERR_SHAPE),
                     "dataset /x in f.h5 has no dataspace; tessera reads arrays of 0 to 32 dimensions");
    r = good();
    r.dims[1] = (uint64_t)INT64_MAX + 1;
    ck_assert_str_eq(refuse(&r, TS_ERR_SHAPE), "dataset /x in f.h5 has axis 1 of length 9223372036854775808; "
                                               "tessera indexes at most 2^63 - 1 elements per axis");
    r = good();
    r.chunk_ndim = 1;
    ck_assert_str_eq(refuse(&r, TS_ERR_IO),
                     "dataset /x in f.h5 has storage chunks of rank 1 for 2 dimensions "
                     "(the file may be corrupt)");
    r = good();
    r.chunk[0] = 0;
    ck_assert_str_eq(refuse(&r, TS_ERR_IO), "dataset /x in f.h5 has a storage chunk extent of 0 on axis 0 "
                                            "(the file may be corrupt)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("h5_meta");
    TCase *t = tcase_create("check");
    tcase_add_test(t, test_accepts);
    tcase_add_test(t, test_refusals);
    tcase_add_test(t, test_library_nbytes);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
