/* test_slice_text.c — the index-text parser behind x:slice("..."): items as
 * NumPy reads them, Python's trailing comma, and the message of every
 * mistake with its item and position; nothing is written past cap. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "array/slice_text.h"

static ts_err err;

static int parse(const char *text, int cap, ts_index *idx)
{
    int n = -1;
    err_clear(&err);
    ts_status st = slice_text_parse(text, 1, cap, idx, &n, &err);
    return st == TS_OK ? n : -1;
}

START_TEST(test_items)
{
    ts_index idx[8];
    ck_assert_int_eq(parse(" 5:100:3, ..., None, -1 ", 8, idx), 4);
    ck_assert_int_eq(idx[0].kind, TS_INDEX_SLICE);
    ck_assert(idx[0].has_start && idx[0].has_stop && idx[0].has_step);
    ck_assert_int_eq(idx[0].start, 5);
    ck_assert_int_eq(idx[0].stop, 100);
    ck_assert_int_eq(idx[0].step, 3);
    ck_assert_int_eq(idx[1].kind, TS_INDEX_ELLIPSIS);
    ck_assert_int_eq(idx[2].kind, TS_INDEX_NEWAXIS);
    ck_assert_int_eq(idx[3].kind, TS_INDEX_INT);
    ck_assert_int_eq(idx[3].i, -1);

    ck_assert_int_eq(parse("::-1", 8, idx), 1);
    ck_assert(!idx[0].has_start && !idx[0].has_stop && idx[0].has_step);
    ck_assert_int_eq(idx[0].step, -1);
    ck_assert_int_eq(parse(":", 8, idx), 1);
    ck_assert(idx[0].kind == TS_INDEX_SLICE && !idx[0].has_start && !idx[0].has_stop && !idx[0].has_step);
    ck_assert_int_eq(parse("1,", 8, idx), 1); /* x[1,] */
    ck_assert_int_eq(parse("", 8, idx), 0);   /* x[()] */
    ck_assert_int_eq(parse("9223372036854775807", 8, idx), 1);
    ck_assert_int_eq(idx[0].i, INT64_MAX);
    ck_assert_int_eq(parse("-9223372036854775807", 8, idx), 1);
    ck_assert_int_eq(idx[0].i, -INT64_MAX);
}
END_TEST

static void expect_error(const char *text, const char *msg)
{
    ts_index idx[8];
    ck_assert_msg(parse(text, 8, idx) == -1, "\"%s\" was accepted", text);
    ck_assert_int_eq(err.status, TS_ERR_ARG);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_messages)
{
    expect_error("1:2:3:4", "bad slice \"1:2:3:4\": too many ':' in item 1 (position 6)");
    expect_error("1, 2x", "bad slice \"1, 2x\": expected an integer, ':', '...', None or ',' in item 2 "
                          "(position 5)");
    expect_error("1,,2", "bad slice \"1,,2\": expected an integer, a slice such as 1:10:2, '...' or None in "
                         "item 2 (position 3)");
    expect_error("::0", "bad slice \"::0\": slice step cannot be zero in item 1 (position 4)");
    expect_error("1 2", "bad slice \"1 2\": expected ':' or ',' between integers in item 1 (position 3)");
    expect_error("-", "bad slice \"-\": expected digits after the sign in item 1 (position 2)");
    expect_error("9223372036854775808",
                 "bad slice \"9223372036854775808\": integer too large in item 1 (position 19)");
    expect_error("None:", "bad slice \"None:\": expected ',' or the end of the text in item 1 (position 5)");
    expect_error("Nonesuch", "bad slice \"Nonesuch\": expected an integer, ':', '...', None or ',' in item 1 "
                             "(position 1)");
}
END_TEST

START_TEST(test_cap_is_kept)
{
    ts_index idx[3];
    memset(idx, 0x5a, sizeof idx);
    ck_assert_int_eq(parse("1, 2, 3", 2, idx), -1);
    ck_assert_str_eq(err.msg, "bad slice \"1, 2, 3\": more items than the caller has room for in item 3 "
                              "(position 7)");
    const unsigned char *guard = (const unsigned char *)&idx[2];
    for (size_t k = 0; k < sizeof idx[2]; k++)
        ck_assert_int_eq(guard[k], 0x5a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slice_text");
    TCase *t = tcase_create("parse");
    tcase_add_test(t, test_items);
    tcase_add_test(t, test_messages);
    tcase_add_test(t, test_cap_is_kept);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
