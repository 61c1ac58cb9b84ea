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
    r.chunked = false, r.chunk_ndim = 0, r.ndim = 0; /* a contiguous scalar */
    ck_assert_int_eq(h5_meta_check(&r, "f.h5", "/x", &m, &err), TS_OK);
    ck_assert_int_eq(m.ndim, 0);
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
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
