/* test_fingerprint.c — the digest a resumed store compares: the same for
 * the same expression built twice (another run), different when a
 * constant, an operation, the chunks or an explicit seed differ; the run
 * seed of unseeded random arrays is left out and reported instead. */
#include <check.h>
#include <stdlib.h>

#include "array/build.h"
#include "array/fingerprint.h"

static ts_err err;

/* tanh(random * k) in chunks of c, built as a run with this seed would. */
static node *expr(uint64_t run_seed, double k, int64_t c, const uint64_t *seed)
{
    uint32_t stream = 0;
    build_env e = {
        .err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = run_seed, .next_stream = &stream};
    int64_t shape[2] = {100, 60};
    ts_chunkspec spec = {.naxes = 2, .axis = {{.kind = TS_CHUNK_SIZE, .size = c}, {.kind = TS_CHUNK_FULL}}};
    ts_create_opts o = {.chunks = &spec, .seed = seed ? *seed : 0, .seed_set = seed != NULL};
    node *x = NULL, *s = NULL, *y = NULL, *z = NULL;
    ck_assert_int_eq(build_random(&e, TS_RANDOM_RANDOM, 0, 1, 2, shape, &o, &x), TS_OK);
    ck_assert_int_eq(build_scalar(&e, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = k}, &s), TS_OK);
    ck_assert_int_eq(build_binary(&e, TS_MULTIPLY, x, s, &y), TS_OK);
    ck_assert_int_eq(build_unary(&e, TS_TANH, y, &z), TS_OK);
    ts_array_release(x);
    ts_array_release(s);
    ts_array_release(y);
    return z;
}

static uint64_t digest(node *x, bool *uses_run_seed)
{
    uint64_t h = 0;
    ck_assert(dag_fingerprint(x, &h, uses_run_seed));
    ts_array_release(x);
    return h;
}

START_TEST(same_expression_same_digest_and_every_change_shows)
{
    bool run_seed = false;
    uint64_t a = digest(expr(1, 2.0, 10, NULL), &run_seed);
    ck_assert(run_seed);
    ck_assert_uint_eq(digest(expr(1, 2.0, 10, NULL), &run_seed), a);
    /* The run seed is not in the digest (a resume reports it on its own). */
    ck_assert_uint_eq(digest(expr(99, 2.0, 10, NULL), &run_seed), a);
    ck_assert_uint_ne(digest(expr(1, 2.5, 10, NULL), &run_seed), a);
    ck_assert_uint_ne(digest(expr(1, 2.0, 20, NULL), &run_seed), a);
    uint64_t seven = 7, eight = 8;
    uint64_t b = digest(expr(1, 2.0, 10, &seven), &run_seed);
    ck_assert(!run_seed);
    ck_assert_uint_ne(b, a);
    ck_assert_uint_eq(digest(expr(99, 2.0, 10, &seven), &run_seed), b);
    ck_assert_uint_ne(digest(expr(1, 2.0, 10, &eight), &run_seed), b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, same_expression_same_digest_and_every_change_shows);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
