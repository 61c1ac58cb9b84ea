/* test_grow.c — grow_reserve starts at the first capacity, doubles until
 * the need is met, keeps what the array held, and leaves the array as it
 * was when the size cannot be allocated. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/grow.h"

START_TEST(test_first_then_doubling)
{
    int64_t *v = NULL, cap = 0;
    ck_assert(grow_reserve(&v, &cap, 1, sizeof *v, 8));
    ck_assert_int_eq(cap, 8);
    for (int i = 0; i < 8; i++)
        v[i] = i;
    ck_assert(grow_reserve(&v, &cap, 8, sizeof *v, 8)); /* enough already */
    ck_assert_int_eq(cap, 8);
    ck_assert(grow_reserve(&v, &cap, 9, sizeof *v, 8));
    ck_assert_int_eq(cap, 16);
    ck_assert(grow_reserve(&v, &cap, 100, sizeof *v, 8)); /* doubles until enough */
    ck_assert_int_eq(cap, 128);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(v[i], i);
    free(v);
}
END_TEST

START_TEST(test_first_below_need)
{
    double *v = NULL;
    int64_t cap = 0;
    ck_assert(grow_reserve(&v, &cap, 1000, sizeof *v, 256));
    ck_assert_int_eq(cap, 1024);
    v[999] = 1.0;
    free(v);
}
END_TEST

START_TEST(test_too_large_leaves_array)
{
    char *v = NULL;
    int64_t cap = 0;
    ck_assert(grow_reserve(&v, &cap, 4, 1, 4));
    char *before = v;
    ck_assert(!grow_reserve(&v, &cap, INT64_MAX / 4, SIZE_MAX / 8, 4));
    ck_assert_ptr_eq(v, before);
    ck_assert_int_eq(cap, 4);
    free(v);
}
END_TEST

static Suite *grow_suite(void)
{
    Suite *s = suite_create("grow");
    TCase *t = tcase_create("reserve");
    tcase_add_test(t, test_first_then_doubling);
    tcase_add_test(t, test_first_below_need);
    tcase_add_test(t, test_too_large_leaves_array);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(grow_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
