/* test_box.c — box_put and box_take copy exactly the box, row by row,
 * between a C-order array and the box's packed values, for 0-d, 1-d, 3-d
 * and empty boxes, and ts_block_put_local puts a local array into a block. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"
#include "util/box.h"

START_TEST(test_put_2d)
{
    /* The worked example of box.c: array 4 x 5, box start (1, 2) size (2, 3). */
    int32_t a[20] = {0};
    const int32_t vals[6] = {1, 2, 3, 4, 5, 6};
    box_put(a, 2, (int64_t[]){4, 5}, (int64_t[]){1, 2}, (int64_t[]){2, 3}, vals, sizeof *a);
    for (int i = 0; i < 20; i++) {
        int row = i / 5, col = i % 5;
        int want = row >= 1 && row < 3 && col >= 2 ? (row - 1) * 3 + (col - 2) + 1 : 0;
        ck_assert_int_eq(a[i], want);
    }
}
END_TEST

START_TEST(test_take_3d_is_put_reversed)
{
    int64_t shape[3] = {3, 4, 5}, start[3] = {1, 0, 2}, size[3] = {2, 4, 2};
    double a[60], packed[16], back[60];
    for (int i = 0; i < 60; i++)
        a[i] = i;
    box_take(packed, 3, shape, start, size, a, sizeof *a);
    int k = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 2; l++)
                ck_assert_double_eq(packed[k++], ((1 + i) * 4 + j) * 5 + 2 + l);
    memset(back, 0, sizeof back);
    box_put(back, 3, shape, start, size, packed, sizeof *back);
    for (int i = 0; i < 60; i++) {
        int x = i / 20, z = i % 5;
        ck_assert_double_eq(back[i], x >= 1 && z >= 2 && z < 4 ? a[i] : 0);
    }
}
END_TEST

START_TEST(test_0d_and_1d)
{
    int64_t one = 7, got = 0;
    box_put(&got, 0, NULL, NULL, NULL, &one, sizeof one);
    ck_assert_int_eq(got, 7);
    uint8_t line[6] = {0, 1, 2, 3, 4, 5}, part[3];
    box_take(part, 1, (int64_t[]){6}, (int64_t[]){2}, (int64_t[]){3}, line, 1);
    ck_assert_int_eq(part[0], 2);
    ck_assert_int_eq(part[2], 4);
}
END_TEST

START_TEST(test_empty_box_copies_nothing)
{
    int16_t a[6] = {9, 9, 9, 9, 9, 9};
    const int16_t none[1] = {0};
    box_put(a, 2, (int64_t[]){2, 3}, (int64_t[]){1, 1}, (int64_t[]){0, 2}, none, sizeof *a);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(a[i], 9);
}
END_TEST

START_TEST(test_block_put_local)
{
    float data[12] = {0};
    ts_block b = {.dtype = TS_FLOAT32, .ndim = 2, .shape = {3, 4}, .data = data};
    ts_local *v = ts_local_create(TS_FLOAT32, 2, (int64_t[]){1, 2});
    ck_assert_ptr_nonnull(v);
    float *vd = ts_local_data_mut(v);
    vd[0] = 1.5f;
    vd[1] = 2.5f;
    ts_block_put_local(&b, (int64_t[]){2, 1}, v);
    for (int i = 0; i < 12; i++)
        ck_assert_float_eq(data[i], i == 9 ? 1.5f : i == 10 ? 2.5f : 0.0f);
    ts_local_destroy(v);
}
END_TEST

static Suite *box_suite(void)
{
    Suite *s = suite_create("box");
    TCase *t = tcase_create("copy");
    tcase_add_test(t, test_put_2d);
    tcase_add_test(t, test_take_3d_is_put_reversed);
    tcase_add_test(t, test_0d_and_1d);
    tcase_add_test(t, test_empty_box_copies_nothing);
    tcase_add_test(t, test_block_put_local);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(box_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
