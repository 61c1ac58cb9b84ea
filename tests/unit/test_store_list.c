/* test_store_list.c — store descriptions survive the trip to the workers:
 * deep copies, and serialise/deserialise giving back every field. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "run/store.h"

START_TEST(round_trip_keeps_every_field)
{
    h5_attr attrs[3] = {{.name = "units", .kind = H5_ATTR_STRING, .s = "K"},
                        {.name = "count", .kind = H5_ATTR_INT, .i = -7},
                        {.name = "scale", .kind = H5_ATTR_FLOAT, .f = 0.25}};
    const char *dims[2] = {"time", "lat"};
    h5_target t = {.path = "out.h5",
                   .dataset = "/grp/x",
                   .dtype = TS_FLOAT32,
                   .ndim = 2,
                   .shape = {10, 20},
                   .chunk = {5, 20},
                   .overwrite = true,
                   .gzip_level = 6,
                   .nattrs = 3,
                   .attrs = attrs,
                   .dims = dims,
                   .nrecord = 8,
                   .resume = true};
    store_list l = {0};
    ck_assert(store_list_add(&l, 1, &t));
    t.dims = NULL;
    t.nattrs = 0;
    t.dataset = "/y";
    ck_assert(store_list_add(&l, 0, &t));
    bytebuf b;
    bytebuf_init(&b);
    store_list_serialize(&l, &b);
    store_list_fini(&l);
    bytereader r;
    bytereader_init(&r, b.data, b.len);
    store_list back;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(store_list_deserialize(&r, &back, &err), TS_OK);
    ck_assert_int_eq(back.n, 2);
    const h5_target *a = &back.v[0].h5;
    ck_assert_int_eq(back.v[0].target, 1);
    ck_assert_str_eq(a->path, "out.h5");
    ck_assert_str_eq(a->dataset, "/grp/x");
    ck_assert_int_eq(a->dtype, TS_FLOAT32);
    ck_assert_int_eq(a->shape[1], 20);
    ck_assert_int_eq(a->chunk[0], 5);
    ck_assert(a->overwrite);
    ck_assert_int_eq(a->gzip_level, 6);
    ck_assert_int_eq(a->nattrs, 3);
    ck_assert_str_eq(a->attrs[0].s, "K");
    ck_assert_int_eq(a->attrs[1].i, -7);
    ck_assert_double_eq(a->attrs[2].f, 0.25);
    ck_assert_str_eq(a->dims[1], "lat");
    ck_assert_int_eq(a->nrecord, 8);
    ck_assert(a->resume);
    ck_assert_ptr_null(back.v[1].h5.dims);
    ck_assert_str_eq(back.v[1].h5.dataset, "/y");
    store_list_fini(&back);
    /* A truncated message is refused, not misread. */
    bytereader_init(&r, b.data, b.len / 2);
    ck_assert_int_eq(store_list_deserialize(&r, &back, &err), TS_ERR_RUNTIME);
    bytebuf_fini(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store_list");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_trip_keeps_every_field);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
