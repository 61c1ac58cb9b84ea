/* test_delayed_graph.c — delayed graphs as every rank reads them: tasks in
 * dependency order (a deep chain without recursion), call bytes shared by
 * the tasks of one function, arrays as values, readers of every result, and
 * corrupt jobs refused; and map_blocks geometry: Dask's pairing of blocks,
 * the refinement of different block counts, drop_axis/new_axis/chunks, and
 * map_overlap halos built from the boundary. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "array/build.h"
#include "array/delayed.h"
#include "array/delayed_serialize.h"
#include "run/dgraph.h"

static ts_err err;
static uint32_t stream;

static ts_status dummy_task(ts_task_call *c)
{
    (void)c;
    return TS_OK;
}

static delayed *task(const char *ud, int nargs, const ts_delayed_arg *args)
{
    delayed *d = NULL;
    ck_assert_int_eq(delayed_create("k", ud, (int64_t)strlen(ud), nargs, args, "t", 0, &d, &err), TS_OK);
    return d;
}

static ts_delayed_arg dep(delayed *d) { return (ts_delayed_arg){.kind = TS_ARG_DELAYED, .delayed = d}; }

START_TEST(graph_round_trip)
{
    /* a = k(bytes), b = k(a), c = k(a, b, array), two distinct call bytes */
    build_env e = {.err = &err, .chunk_limit_nbytes = 1 << 20, .next_stream = &stream};
    int64_t shape[1] = {3};
    node *arr = NULL;
    ck_assert_int_eq(build_full(&e, 1, shape, (ts_scalar){.kind = TS_SCALAR_INT, .i = 2}, NULL, &arr), TS_OK);
    ts_delayed_arg a0 = {.kind = TS_ARG_BYTES, .data = "xy", .nbytes = 2};
    delayed *a = task("f", 1, &a0);
    ts_delayed_arg b0 = dep(a);
    delayed *b = task("f", 1, &b0);
    ts_delayed_arg c0[3] = {dep(a), dep(b), {.kind = TS_ARG_ARRAY, .array = arr}};
    delayed *c = task("g", 3, c0);
    delayed *order_targets[2] = {c, b};
    delayed **order = NULL;
    node **arrays = NULL;
    int64_t n = 0, na = 0;
    ck_assert_int_eq(delayed_order(2, order_targets, &order, &n, &arrays, &na, &err), TS_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(na, 1);
    ck_assert_ptr_eq(order[0], a); /* what a task reads comes first */
    ck_assert_ptr_eq(order[2], c);
    int64_t vals[3] = {2, 2, 2};
    ts_block value = {.dtype = TS_INT64, .ndim = 1, .shape = {3}, .data = vals};
    bytebuf job;
    bytebuf_init(&job);
    ck_assert_int_eq(delayed_serialize(n, order, na, arrays, &value, 2, order_targets, &job, &err), TS_OK);

    registry reg;
    registry_init(&reg);
    ts_kernel k = {.task = dummy_task};
    ck_assert_int_eq(registry_add(&reg, "k", &k, &err), TS_OK);
    dgraph g;
    ck_assert_int_eq(dgraph_read(&g, job.data, job.len, &reg, &err), TS_OK);
    ck_assert_int_eq(g.ntasks, 3);
    ck_assert_int_eq(g.nuds, 2); /* "f" once for a and b, "g" */
    ck_assert_int_eq(g.tasks[0].ud, g.tasks[1].ud);
    ck_assert_int_eq(g.nkernels, 1);
    ck_assert_ptr_nonnull(g.entry[0]);
    ck_assert_int_eq(g.tasks[2].ndeps, 2);
    ck_assert_int_eq(g.cons_first[1] - g.cons_first[0], 2); /* a is read by b and c */
    ck_assert_int_eq(g.ntargets, 2);
    ck_assert(g.is_target[2] && g.is_target[1] && !g.is_target[0]);
    ck_assert_int_eq(((const int64_t *)g.values[0].data)[2], 2);
    const darg *arg = &g.args[g.tasks[0].arg0];
    ck_assert_int_eq(arg->kind, TS_ARG_BYTES);
    ck_assert_int_eq(arg->nbytes, 2);
    ck_assert_mem_eq(arg->bytes, "xy", 2);
    dgraph_fini(&g);

    /* every truncation of the job is refused, none read past its end */
    for (size_t cut = 0; cut < job.len; cut += 7) {
        ts_err e2;
        err_clear(&e2);
        ck_assert_int_ne(dgraph_read(&g, job.data, cut, &reg, &e2), TS_OK);
        ck_assert_ptr_nonnull(strstr(e2.msg, "corrupt delayed job"));
        dgraph_fini(&g);
    }
    registry_fini(&reg);
    bytebuf_fini(&job);
    free(order);
    free(arrays);
    ts_delayed_release(c);
    ts_delayed_release(b);
    ts_delayed_release(a);
    ts_array_release(arr);
}
END_TEST

START_TEST(deep_chain_orders_and_releases)
{
    ts_delayed_arg first = {.kind = TS_ARG_BYTES, .data = "0", .nbytes = 1};
    delayed *d = task("f", 1, &first);
    for (int i = 0; i < 200000; i++) {
        ts_delayed_arg a = dep(d);
        delayed *next = task("f", 1, &a);
        ts_delayed_release(d); /* next holds it */
        d = next;
    }
    delayed **order = NULL;
    node **arrays = NULL;
    int64_t n = 0, na = 0;
    ck_assert_int_eq(delayed_order(1, &d, &order, &n, &arrays, &na, &err), TS_OK);
    ck_assert_int_eq(n, 200001);
    ck_assert_ptr_eq(order[n - 1], d);
    free(order);
    free(arrays);
    ts_delayed_release(d); /* the whole chain, without recursion */
}
END_TEST

static node *ones2d(int64_t n0, int64_t n1, int64_t c0, int64_t c1)
{
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .next_stream = &stream};
    int64_t shape[2] = {n0, n1};
    ts_chunkspec spec = {.naxes = 2,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = c0}, {.kind = TS_CHUNK_SIZE, .size = c1}}};
    ts_create_opts o = {.chunks = &spec};
    node *x = NULL;
    ck_assert_int_eq(build_full(&e, 2, shape, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 1}, &o, &x), TS_OK);
    return x;
}

START_TEST(map_blocks_geometry)
{
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .next_stream = &stream};
    node *x = ones2d(12, 10, 5, 4), *y = ones2d(12, 10, 3, 4), *out = NULL;
    node *xs[2] = {x, y};
    /* 3 and 4 blocks over 12 rows: the refinement (3, 2, 1, 3, 1, 2) */
    ck_assert_int_eq(build_map_blocks(&e, 2, xs, "k", "ud", 2, NULL, &out), TS_OK);
    ck_assert_int_eq(out->chunks[0].n, 6);
    ck_assert_int_eq(out->chunks[0].sizes[1], 2);
    ck_assert_int_eq(out->blob_nbytes, 2);
    ck_assert_str_eq(out->kernel, "k");
    ts_array_release(out);
    /* drop axis 0 (one block there), a new axis in front, block sizes given */
    ts_chunkspec spec = {.naxes = 2,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = 2}, {.kind = TS_CHUNK_SIZE, .size = 7}}};
    ts_map_blocks_opts o = {.ndrop = 1, .drop_axis = {0}, .nnew = 1, .new_axis = {0}, .chunks = &spec};
    ck_assert_int_eq(build_map_blocks(&e, 1, &x, "k", NULL, 0, &o, &out), TS_OK);
    ck_assert_int_eq(out->ndim, 2);
    ck_assert_int_eq(out->shape[0], 2);
    ck_assert_int_eq(out->shape[1], 21); /* 3 blocks of 7 along the old axis 1 */
    ck_assert_int_eq(out->p.map.out_src[0], -1);
    ck_assert_int_eq(out->p.map.out_src[1], 1);
    ck_assert_int_eq(out->inputs[0]->chunks[0].n, 1); /* the dropped axis is one block */
    ts_array_release(out);
    /* map_overlap with a boundary: the input is padded by the depth */
    ts_map_blocks_opts ov = {.overlap = true, .depth = {2, 1}, .boundary = TS_BOUNDARY_REFLECT};
    ck_assert_int_eq(build_map_blocks(&e, 1, &x, "k", NULL, 0, &ov, &out), TS_OK);
    ck_assert_int_eq(out->inputs[0]->shape[0], 16);
    ck_assert_int_eq(out->inputs[0]->shape[1], 12);
    ck_assert_int_eq(out->shape[0], 12);
    ck_assert(out->p.map.padded);
    ts_array_release(out);
    ov.boundary = TS_BOUNDARY_NONE;
    ck_assert_int_eq(build_map_blocks(&e, 1, &x, "k", NULL, 0, &ov, &out), TS_OK);
    ck_assert_int_eq(out->inputs[0]->shape[0], 12); /* no padding: halos stop at the edges */
    ts_array_release(out);
    ts_array_release(x);
    ts_array_release(y);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("delayed_graph");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, graph_round_trip);
    tcase_add_test(tc, deep_chain_orders_and_releases);
    tcase_add_test(tc, map_blocks_geometry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
