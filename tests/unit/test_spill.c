/* test_spill.c — the numbers behind the two-step rechunk: which rechunks
 * are candidates, what reading a materialised source in memory costs a
 * worker (its share, and what it receives), what one read of a chunked
 * file touches, and the intermediate chunk shape (the worked examples of
 * plan/spill.c). */
#include <check.h>
#include <stdlib.h>

#include "array/build.h"
#include "plan/spill.h"

static ts_err err;
static uint32_t stream;

static build_env env(void)
{
    return (build_env){
        .err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
}

static ts_chunkspec spec2(int64_t c0, int64_t c1)
{
    return (ts_chunkspec){.naxes = 2,
                          .axis = {{.kind = TS_CHUNK_SIZE, .size = c0}, {.kind = TS_CHUNK_SIZE, .size = c1}}};
}

static node *random2d(int64_t n0, int64_t n1, int64_t c0, int64_t c1)
{
    build_env e = env();
    int64_t shape[2] = {n0, n1};
    ts_chunkspec spec = spec2(c0, c1);
    ts_create_opts o = {.chunks = &spec};
    node *x = NULL;
    ck_assert_int_eq(build_random(&e, TS_RANDOM_RANDOM, 0, 1, 2, shape, &o, &x), TS_OK);
    return x;
}

static node *rechunk2d(node *x, int64_t c0, int64_t c1)
{
    build_env e = env();
    ts_chunkspec spec = spec2(c0, c1);
    node *r = NULL;
    ck_assert_int_eq(build_rechunk(&e, x, &spec, &r), TS_OK);
    return r;
}

/* A materialised (n0, n1) float64 array in (c0, n1) row chunks: the sum
 * over a third axis of length 2. */
static node *computed_rows(int64_t n0, int64_t n1, int64_t c0)
{
    build_env e = env();
    int64_t shape[3] = {n0, n1, 2};
    ts_chunkspec spec = {.naxes = 3,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = c0},
                                  {.kind = TS_CHUNK_SIZE, .size = n1},
                                  {.kind = TS_CHUNK_SIZE, .size = 2}}};
    ts_create_opts o = {.chunks = &spec};
    node *x = NULL, *y = NULL;
    ck_assert_int_eq(build_random(&e, TS_RANDOM_RANDOM, 0, 1, 3, shape, &o, &x), TS_OK);
    ts_reduce_opts r = {.naxes = 1, .axes = {2}};
    ck_assert_int_eq(build_reduce(&e, TS_SUM, x, &r, &y), TS_OK);
    ts_array_release(x);
    return y;
}

START_TEST(intermediate_chunks_worked_examples)
{
    int64_t c[2];
    /* plan/spill.c's example: rows (100, 5000) to columns (10000, 50). */
    node *x = random2d(10000, 5000, 100, 5000), *r = rechunk2d(x, 10000, 50);
    spill_intermediate_chunks(r, (int64_t[]){100, 5000}, c);
    ck_assert_int_eq(c[0], 3334);
    ck_assert_int_eq(c[1], 50);
    /* A column chunk reads 3 intermediate chunks, its own 4 MB. */
    ck_assert_int_eq(spill_touched_nbytes(r, c), 3 * 3334 * 50 * 8);
    ts_array_release(r);
    /* Single rows to single columns: the minimum is one element; grown
     * along the columns' length, then 2 wide, where a column read would
     * pass twice its bytes. */
    r = rechunk2d(x, 10000, 1);
    spill_intermediate_chunks(r, (int64_t[]){1, 5000}, c);
    ck_assert_int_eq(c[0], 10000);
    ck_assert_int_eq(c[1], 2);
    ck_assert_int_le(spill_touched_nbytes(r, c), 2 * 10000 * 8);
    ts_array_release(r);
    /* Chunks already the same: nothing to change. */
    r = rechunk2d(x, 100, 100);
    spill_intermediate_chunks(r, (int64_t[]){100, 100}, c);
    ck_assert_int_eq(c[0], 100);
    ck_assert_int_eq(c[1], 100);
    ts_array_release(r);
    ts_array_release(x);
}
END_TEST

START_TEST(touched_bytes_of_a_chunked_file)
{
    /* A (10000, 50) column read of (100, 5000) row chunks touches all 100
     * of them: what HDF5 1.10 holds until the read ends. */
    node *x = random2d(10000, 5000, 100, 5000), *r = rechunk2d(x, 10000, 50);
    ck_assert_int_eq(spill_touched_nbytes(r, (int64_t[]){100, 5000}), 100LL * 100 * 5000 * 8);
    /* Rows of 250 over cells of 100 touch 3 ([0, 250): cells 0, 1, 2). */
    ts_array_release(r);
    r = rechunk2d(x, 250, 5000);
    ck_assert_int_eq(spill_touched_nbytes(r, (int64_t[]){100, 5000}), 3LL * 100 * 5000 * 8);
    ck_assert(spill_whole_chunks(x, (int64_t[]){100, 5000}));
    ck_assert(spill_whole_chunks(x, (int64_t[]){50, 1000}));
    ck_assert(!spill_whole_chunks(r, (int64_t[]){100, 5000}));
    ts_array_release(r);
    ts_array_release(x);
}
END_TEST

START_TEST(candidates_are_rechunks_of_materialised_or_stored_arrays)
{
    build_env e = env();
    /* Generated data: a rechunk regenerates, never a candidate. */
    node *x = random2d(1000, 500, 10, 500), *r = rechunk2d(x, 1000, 5);
    plan *p = NULL;
    spill_candidate *c = NULL;
    int n = -1;
    ck_assert_int_eq(plan_create(1, &r, 2, &p, &err), TS_OK);
    ck_assert_int_eq(spill_candidates(p, &c, &n, &err), TS_OK);
    ck_assert_int_eq(n, 0);
    plan_destroy(p);
    ts_array_release(r);
    ts_array_release(x);
    /* A reduction's result: materialised by stage 0, read by stage 1. */
    node *y = computed_rows(1000, 500, 10), *z = rechunk2d(y, 1000, 5);
    ck_assert_int_eq(plan_create(1, &z, 2, &p, &err), TS_OK);
    ck_assert_int_eq(spill_candidates(p, &c, &n, &err), TS_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_ptr_eq(c[0].rechunk, z);
    ck_assert_ptr_eq(c[0].source, y);
    ck_assert_int_eq(c[0].source_stage, 0);
    ck_assert_int_eq(c[0].stage, 1);
    free(c);
    plan_destroy(p);
    ts_array_release(z);
    ts_array_release(y);
    /* A stored dataset (the file is not opened to plan). */
    node *h = NULL;
    int64_t shape[2] = {1000, 500}, storage[2] = {10, 500};
    ck_assert_int_eq(build_hdf5(&e, "absent.h5", "/x", TS_FLOAT64, 2, shape, storage, NULL, &h), TS_OK);
    r = rechunk2d(h, 1000, 5);
    node *s = NULL;
    ts_reduce_opts all = {0};
    ck_assert_int_eq(build_reduce(&e, TS_SUM, r, &all, &s), TS_OK);
    ck_assert_int_eq(plan_create(1, &s, 2, &p, &err), TS_OK);
    ck_assert_int_eq(spill_candidates(p, &c, &n, &err), TS_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_ptr_eq(c[0].source, h);
    ck_assert_int_eq(c[0].source_stage, -1);
    ck_assert_int_eq(spill_fetch_nbytes(p, &c[0], 0), 0);
    int64_t held[2] = {-1, -1};
    spill_source_held(p, &c[0], held);
    ck_assert_int_eq(held[0], 0);
    ck_assert_int_eq(held[1], 0);
    free(c);
    plan_destroy(p);
    ts_array_release(s);
    ts_array_release(r);
    ts_array_release(h);
}
END_TEST

START_TEST(rows_to_columns_of_computed_data_receive_the_other_half)
{
    /* 100 row chunks of 40 KB on 2 workers, each holding 50; every column
     * chunk needs a piece of every row chunk, and whole chunks arrive:
     * each worker receives the other's 50. */
    node *y = computed_rows(1000, 500, 10), *z = rechunk2d(y, 1000, 5);
    plan *p = NULL;
    spill_candidate *c = NULL;
    int n = 0;
    ck_assert_int_eq(plan_create(1, &z, 2, &p, &err), TS_OK);
    ck_assert_int_eq(spill_candidates(p, &c, &n, &err), TS_OK);
    ck_assert_int_eq(n, 1);
    int64_t chunk = 10 * 500 * 8, held[2];
    spill_source_held(p, &c[0], held);
    for (int w = 0; w < 2; w++) {
        ck_assert_int_eq(held[w], 50 * chunk);
        ck_assert_int_eq(spill_fetch_nbytes(p, &c[0], w), 50 * chunk);
    }
    free(c);
    plan_destroy(p);
    ts_array_release(z);
    /* Pairs of rows: each worker's new chunks lie in its own rows. */
    z = rechunk2d(y, 20, 500);
    ck_assert_int_eq(plan_create(1, &z, 2, &p, &err), TS_OK);
    ck_assert_int_eq(spill_candidates(p, &c, &n, &err), TS_OK);
    ck_assert_int_eq(n, 1);
    for (int w = 0; w < 2; w++)
        ck_assert_int_eq(spill_fetch_nbytes(p, &c[0], w), 0);
    free(c);
    plan_destroy(p);
    ts_array_release(z);
    ts_array_release(y);
}
END_TEST

int main(void)
{
    err_clear(&err);
    Suite *s = suite_create("spill");
    TCase *tc = tcase_create("spill");
    tcase_add_test(tc, intermediate_chunks_worked_examples);
    tcase_add_test(tc, touched_bytes_of_a_chunked_file);
    tcase_add_test(tc, candidates_are_rechunks_of_materialised_or_stored_arrays);
    tcase_add_test(tc, rows_to_columns_of_computed_data_receive_the_other_half);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
