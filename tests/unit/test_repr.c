/* test_repr.c — repr_array and repr_scalar against NumPy 1.24's own repr()
 * of the same bits (tests/unit/repr_numpy_table.h, made by
 * gen_repr_table.py), plus the digit helpers NumPy's Dragon4 relies on. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag/repr.h"
#include "tessera.h"

#define REPR_TABLE_ARRAYS
#include "repr_numpy_table.h"

static int hexval(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

/* Decodes the table's big-endian hex bit patterns into native elements. */
static void *decode(ts_dtype dtype, const char *hex, int64_t *nelems)
{
    size_t itemsize = ts_dtype_size(dtype);
    size_t n = strlen(hex) / (2 * itemsize);
    unsigned char *out = malloc(n * itemsize + 1);
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = 0;
        for (size_t k = 0; k < 2 * itemsize; k++)
            bits = bits << 4 | (uint64_t)hexval(hex[i * 2 * itemsize + k]);
        if (itemsize == 8) {
            memcpy(out + i * 8, &bits, 8);
        } else if (itemsize == 4) {
            uint32_t b = (uint32_t)bits;
            memcpy(out + i * 4, &b, 4);
        } else {
            out[i] = (unsigned char)bits;
        }
    }
    *nelems = (int64_t)n;
    return out;
}

START_TEST(test_array_matches_numpy)
{
    const repr_case *c = &repr_cases[_i];
    int64_t n, size = 1;
    void *data = decode(c->dtype, c->hex, &n);
    for (int a = 0; a < c->ndim; a++)
        size *= c->shape[a];
    ck_assert_int_eq(n, size);
    char *got = repr_array(c->dtype, c->ndim, c->shape, data);
    ck_assert_ptr_nonnull(got);
    if (strcmp(got, c->expect) != 0)
        fprintf(stderr, "case %s\n--- numpy\n%s\n--- tessera\n%s\n", c->name, c->expect, got);
    ck_assert_msg(strcmp(got, c->expect) == 0, "repr of case %s differs from NumPy", c->name);
    free(got);
    free(data);
}
END_TEST

START_TEST(test_scalar_matches_numpy)
{
    const scalar_case *c = &scalar_cases[_i];
    int64_t n;
    void *elem = decode(c->dtype, c->hex, &n);
    char buf[64];
    repr_scalar(c->dtype, elem, buf, sizeof buf);
    ck_assert_str_eq(buf, c->expect);
    free(elem);
}
END_TEST

START_TEST(test_scalar_truncates_to_buffer)
{
    double v = 1.0 / 3.0;
    char buf[5];
    repr_scalar(TS_FLOAT64, &v, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.33");
}
END_TEST

START_TEST(test_bad_arguments_give_null)
{
    double v = 1;
    int64_t shape[1] = {1};
    ck_assert_ptr_null(repr_array(TS_FLOAT64, -1, shape, &v));
    ck_assert_ptr_null(repr_array(TS_FLOAT64, TS_MAXDIM + 1, shape, &v));
    ck_assert_ptr_null(repr_array(TS_NDTYPES, 1, shape, &v));
}
END_TEST

START_TEST(test_shortest_digits_round_trip)
{
    /* at 2^-1017 the nearest 16-digit decimal (...044e-307) does not read
     * back, the one above it does: Python's repr gives ...045e-307 */
    double v = 0x1p-1017;
    repr_digits dg;
    repr_digits_shortest(v, false, &dg);
    ck_assert_str_eq(dg.d, "7120236347223045");
    ck_assert_int_eq(dg.exp10, -307);
    repr_digits_shortest(0x1p-22, false, &dg);
    ck_assert_str_eq(dg.d, "2384185791015625");
    repr_digits_shortest(9007199254740993.0, false, &dg); /* rounds to 2^53 */
    ck_assert_str_eq(dg.d, "9007199254740992");
    ck_assert_int_eq(dg.exp10, 15);
}
END_TEST

START_TEST(test_maxprec_rounds_exact_value)
{
    repr_digits dg;
    /* 0.125 + tiny: cut to 2 digits after the point by the exact value */
    repr_digits_maxprec(0.1250000001, false, false, 2, &dg);
    ck_assert_str_eq(dg.d, "13");
    repr_digits_maxprec(0.125, false, false, 2, &dg); /* exact tie: half-even */
    ck_assert_str_eq(dg.d, "12");
    repr_digits_maxprec(9.99999999951, false, false, 8, &dg);
    ck_assert_str_eq(dg.d, "1");
    ck_assert_int_eq(dg.exp10, 1);
}
END_TEST

/* Formatting 1000 floats must stay interactive. */
START_TEST(test_thousand_floats_fast)
{
    double *v = malloc(1000 * sizeof *v);
    for (int i = 0; i < 1000; i++)
        v[i] = 1.0 / (i + 3) + i * 1e-3;
    int64_t shape[1] = {1000};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *s = repr_array(TS_FLOAT64, 1, shape, v);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6;
    fprintf(stderr, "repr of 1000 float64: %.2f ms, %zu bytes\n", ms, strlen(s));
    if (!getenv("TESSERA_TEST_UNDER_VALGRIND")) /* jobs/valgrind_unit.sh: 20-50x slower */
        ck_assert_double_lt(ms, 500.0);
    free(s);
    free(v);
}
END_TEST

static Suite *repr_suite(void)
{
    Suite *s = suite_create("repr");
    TCase *tc = tcase_create("numpy");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_array_matches_numpy, 0, (int)(sizeof repr_cases / sizeof repr_cases[0]));
    tcase_add_loop_test(tc, test_scalar_matches_numpy, 0,
                        (int)(sizeof scalar_cases / sizeof scalar_cases[0]));
    tcase_add_test(tc, test_scalar_truncates_to_buffer);
    tcase_add_test(tc, test_bad_arguments_give_null);
    tcase_add_test(tc, test_shortest_digits_round_trip);
    tcase_add_test(tc, test_maxprec_rounds_exact_value);
    tcase_add_test(tc, test_thousand_floats_fast);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(repr_suite());
    srunner_run_all(sr, CK_NORMAL);
    int nfailed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
