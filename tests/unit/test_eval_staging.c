/* test_eval_staging.c — what a box evaluation stages against what the plan
 * says it will: for every chunk of a set of expressions, the pool's peak
 * while the box is evaluated stays within eval_staging_nbytes (the plan's
 * bound), staging is given back when the box ends, and a stack of batches
 * rechunked, as the 'Array Scheduling' seed does, stages nothing at all. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "array/build.h"
#include "run/eval.h"
#include "run/exec.h"

static ts_err err;
static uint32_t stream;
static build_env env = {
    .err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};

static ts_chunkspec sizes(int n, const int64_t *c)
{
    ts_chunkspec s = {.naxes = n};
    for (int d = 0; d < n; d++)
        s.axis[d] = (ts_axis_chunks){.kind = TS_CHUNK_SIZE, .size = c[d]};
    return s;
}

static node *rnd(int nd, const int64_t *shape, const int64_t *chunk)
{
    ts_chunkspec s = sizes(nd, chunk);
    ts_create_opts o = {.chunks = &s};
    node *x = NULL;
    ck_assert_int_eq(build_random(&env, TS_RANDOM_RANDOM, 0, 1, nd, shape, &o, &x), TS_OK);
    return x;
}

static node *times2(node *x)
{
    node *two = NULL, *y = NULL;
    ck_assert_int_eq(build_scalar(&env, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 2}, &two), TS_OK);
    ck_assert_int_eq(build_binary(&env, TS_MULTIPLY, x, two, &y), TS_OK);
    ts_array_release(two);
    return y;
}

/* Evaluates every chunk of root; returns the most staging any box held
 * (the pool's peak while it ran, beyond what was in use before). */
static int64_t measure(node *root, bool strips, int64_t *bound)
{
    ptrmap none;
    ptrmap_init(&none);
    mem_pool budget;
    mem_pool_init(&budget, 0);
    eval_prog *prog = NULL;
    ck_assert_int_eq(eval_prog_create(root, &none, NULL, NULL, &prog, &err), TS_OK);
    eval_prog_use_pool(prog, &budget);
    int64_t size[TS_MAXDIM];
    for (int d = 0; d < root->ndim; d++) {
        size[d] = 0;
        for (int64_t c = 0; c < root->chunks[d].n; c++)
            size[d] = root->chunks[d].sizes[c] > size[d] ? root->chunks[d].sizes[c] : size[d];
    }
    *bound = eval_staging_nbytes(root, &none, size, strips);
    unsigned char *dst = malloc((size_t)exec_max_chunk_nbytes(root));
    int64_t most = 0;
    for (int64_t c = 0; c < node_nchunks(root); c++) {
        int64_t start[TS_MAXDIM], box[TS_MAXDIM];
        exec_chunk_box(root, c, start, box);
        mem_pool_reset_peak(&budget);
        if (strips) {
            ck_assert_int_eq(eval_begin_box(prog, start, box, &err), TS_OK);
            eval_end_box(prog);
        } else {
            ck_assert_int_eq(eval_box_into(prog, start, box, dst, &err), TS_OK);
        }
        ck_assert_int_eq(atomic_load(&budget.used_nbytes), 0); /* all given back */
        int64_t peak = atomic_load(&budget.peak_nbytes);
        most = peak > most ? peak : most;
    }
    free(dst);
    eval_prog_destroy(prog);
    ptrmap_fini(&none);
    return most;
}

static void check_within(node *root, bool strips, const char *what)
{
    int64_t bound, got = measure(root, strips, &bound);
    ck_assert_msg(got <= bound, "%s: staged %lld bytes, bound %lld", what, (long long)got, (long long)bound);
    ck_assert_msg(got > 0, "%s: expected some staging", what);
}

/* The seed's stack of batches rechunked: written straight into the chunk. */
START_TEST(test_stack_rechunk_stages_nothing)
{
    int64_t n = 1000, c = 90;
    node *b[6];
    for (int i = 0; i < 6; i++)
        b[i] = rnd(1, &n, &c);
    node *st = NULL, *r = NULL;
    ck_assert_int_eq(build_stack(&env, 6, b, 0, &st), TS_OK);
    int64_t rc[2] = {4, 90};
    ts_chunkspec spec = sizes(2, rc);
    ck_assert_int_eq(build_rechunk(&env, st, &spec, &r), TS_OK);
    int64_t bound;
    ck_assert_int_eq(measure(r, false, &bound), 0);
    ck_assert_int_eq(bound, 0);
    /* Read by strips (under a reduction), the rechunk's region is staged once. */
    check_within(r, true, "stack rechunked, by strips");
    for (int i = 0; i < 6; i++)
        ts_array_release(b[i]);
    ts_array_release(st);
    ts_array_release(r);
}
END_TEST

START_TEST(test_gathers_and_joins_within_bound)
{
    int64_t shape[2] = {100, 80}, chunk[2] = {30, 20};
    node *x = rnd(2, shape, chunk), *y = rnd(2, shape, chunk);
    /* x[::2, ::-1]: a strided, reversed gather. */
    ts_index idx[2] = {{.kind = TS_INDEX_SLICE, .has_step = true, .step = 2},
                       {.kind = TS_INDEX_SLICE, .has_step = true, .step = -1}};
    node *g = NULL;
    ck_assert_int_eq(build_slice(&env, x, 2, idx, &g), TS_OK);
    check_within(g, false, "x[::2, ::-1]");
    node *g2 = times2(g);
    check_within(g2, false, "x[::2, ::-1] * 2");
    check_within(g2, true, "x[::2, ::-1] * 2, by strips");
    /* Along axis 1: each part is a strided piece of the box; the gather
     * in the first part stages its region. */
    int64_t half[2] = {50, 80};
    node *z = rnd(2, half, chunk);
    node *parts[2] = {g2, z}, *cat = NULL;
    ck_assert_int_eq(build_concatenate(&env, 2, parts, 1, &cat), TS_OK);
    check_within(cat, false, "concatenate((x[::2, ::-1] * 2, z), axis 1)");
    check_within(cat, true, "concatenate((x[::2, ::-1] * 2, z), axis 1), by strips");
    /* A transpose under math. */
    int axes[2] = {1, 0};
    node *t = NULL;
    ck_assert_int_eq(build_transpose(&env, x, axes, &t), TS_OK);
    node *t2 = times2(t);
    check_within(t2, false, "x.T * 2");
    /* Stacked along the last axis: new axes last, inner strides of 2. */
    node *pair[2] = {g, g2}, *stk = NULL;
    ck_assert_int_eq(build_stack(&env, 2, pair, 2, &stk), TS_OK);
    check_within(stk, false, "stack((g, g * 2), axis 2)");
    node *all[] = {x, y, z, g, g2, cat, t, t2, stk};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ts_array_release(all[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eval_staging");
    TCase *tc = tcase_create("staging");
    tcase_add_test(tc, test_stack_rechunk_stages_nothing);
    tcase_add_test(tc, test_gathers_and_joins_within_bound);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
