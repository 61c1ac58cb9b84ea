/* test_plan.c — partition properties and the canonical reduction tree:
 * blocks are contiguous, balanced and cover every task once; a reduced
 * output's partials combine to the same bits however its tasks are split;
 * producers are placed with the workers that read them, so what must move
 * is the minimum (nothing where nothing has to), and a cheap pure input is
 * recomputed rather than fetched. */
#include <check.h>
#include <stdlib.h>

#include "array/build.h"
#include "plan/plan.h"

static ts_err err;
static uint32_t stream;

static node *random2d(int64_t n0, int64_t n1, int64_t c0, int64_t c1)
{
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
    int64_t shape[2] = {n0, n1};
    ts_chunkspec spec = {.naxes = 2,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = c0}, {.kind = TS_CHUNK_SIZE, .size = c1}}};
    ts_create_opts o = {.chunks = &spec};
    node *x = NULL;
    ck_assert_int_eq(build_random(&e, TS_RANDOM_RANDOM, 0, 1, 2, shape, &o, &x), TS_OK);
    return x;
}

START_TEST(partition_is_contiguous_balanced_and_complete)
{
    node *x = random2d(1000, 700, 30, 70); /* 34 x 10 chunks */
    for (int w = 1; w <= 9; w++) {
        plan *p = NULL;
        ck_assert_int_eq(plan_create(1, &x, w, &p, &err), TS_OK);
        const plan_stage *s = &p->stages[0];
        ck_assert_int_eq(s->ntasks, 340);
        ck_assert_int_eq(s->task_first[0], 0);
        ck_assert_int_eq(s->task_first[w], 340);
        for (int k = 0; k < w; k++) {
            int64_t n = s->task_first[k + 1] - s->task_first[k];
            ck_assert_int_ge(n, 340 / w);
            ck_assert_int_le(n, 340 / w + 1);
        }
        for (int64_t t = 0; t < s->ntasks; t++) {
            int k = plan_task_worker(s, w, t);
            ck_assert(s->task_first[k] <= t && t < s->task_first[k + 1]);
        }
        plan_destroy(p);
    }
    ts_array_release(x);
}
END_TEST

START_TEST(reduction_tasks_keep_outputs_together)
{
    /* mean over axis 0 of a 10 x 10 chunk grid on 2 workers: each output
     * chunk's 10 tasks are contiguous, so nothing crosses workers. */
    node *x = random2d(2000, 2000, 200, 200), *y = NULL;
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
    ts_reduce_opts o = {.naxes = 1, .axes = {0}};
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, x, &o, &y), TS_OK);
    plan *p = NULL;
    ck_assert_int_eq(plan_create(1, &y, 2, &p, &err), TS_OK);
    ck_assert_int_eq(p->nstages, 1);
    const plan_stage *s = &p->stages[0];
    ck_assert_int_eq(s->nout, 10);
    ck_assert_int_eq(s->nred, 10);
    for (int64_t o2 = 0; o2 < s->nout; o2++) {
        int owner = plan_chunk_owner(s, 2, o2);
        for (int64_t k = 0; k < s->nred; k++)
            ck_assert_int_eq(plan_task_worker(s, 2, o2 * s->nred + k), owner);
        int64_t c[2];
        plan_task_coords(s, o2 * s->nred + 3, c);
        ck_assert_int_eq(c[0], 3); /* the reduced axis is the minor index */
        ck_assert_int_eq(c[1], o2);
    }
    plan_destroy(p);
    ts_array_release(y);
    ts_array_release(x);
}
END_TEST

START_TEST(sibling_reductions_share_one_pass)
{
    /* ts.compute(x:mean(), x:std(), x:mean{axis = 0}): the first two read x
     * in one pass; the third reduces other axes and gets its own. */
    node *x = random2d(100, 100, 30, 30), *m = NULL, *sd = NULL, *m0 = NULL;
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
    ts_reduce_opts ax0 = {.naxes = 1, .axes = {0}};
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, x, NULL, &m), TS_OK);
    ck_assert_int_eq(build_reduce(&e, TS_STD, x, NULL, &sd), TS_OK);
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, x, &ax0, &m0), TS_OK);
    node *targets[3] = {m, sd, m0};
    plan *p = NULL;
    ck_assert_int_eq(plan_create(3, targets, 2, &p, &err), TS_OK);
    ck_assert_int_eq(p->nstages, 3);
    ck_assert_int_eq(p->stages[0].leader, 0);
    ck_assert_int_eq(p->stages[0].nmembers, 2);
    ck_assert_int_eq(p->stages[1].leader, 0);
    ck_assert_int_eq(p->stages[2].leader, 2);
    ck_assert_int_eq(p->stages[2].nmembers, 1);
    plan_destroy(p);
    ts_array_release(m);
    ts_array_release(sd);
    ts_array_release(m0);
    ts_array_release(x);
}
END_TEST

START_TEST(fusion_and_pushdown_keep_one_stage)
{
    /* mean((normal * 2 + 1)[::-1, 3:].T) plans as ONE reduce stage: the
     * generator, the arithmetic and the views fuse into its tasks, and
     * nothing before the reduction is materialised (no leaves). */
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
    node *x = random2d(100, 80, 30, 20), *a, *b, *c, *d, *m, *two, *one;
    ck_assert_int_eq(build_scalar(&e, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 2}, &two), TS_OK);
    ck_assert_int_eq(build_scalar(&e, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 1}, &one), TS_OK);
    ck_assert_int_eq(build_binary(&e, TS_MULTIPLY, x, two, &a), TS_OK);
    ck_assert_int_eq(build_binary(&e, TS_ADD, a, one, &b), TS_OK);
    ts_index idx[2] = {{.kind = TS_INDEX_SLICE, .step = -1, .has_step = true},
                       {.kind = TS_INDEX_SLICE, .start = 3, .has_start = true}};
    ck_assert_int_eq(build_slice(&e, b, 2, idx, &c), TS_OK);
    ck_assert_int_eq(build_transpose(&e, c, NULL, &d), TS_OK);
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, d, NULL, &m), TS_OK);
    plan *p = NULL;
    ck_assert_int_eq(plan_create(1, &m, 3, &p, &err), TS_OK);
    ck_assert_int_eq(p->nstages, 1);
    ck_assert_int_eq(p->stages[0].kind, STAGE_REDUCE);
    ck_assert_int_eq(p->stages[0].leaves.len, 0);
    /* Dask's chunks for the slice: rows reversed (100 = 30,30,30,10 ->
     * 10,30,30,30), columns from 3: (17, 20, 20, 20). */
    ck_assert_int_eq(c->chunks[0].sizes[0], 10);
    ck_assert_int_eq(c->chunks[1].sizes[0], 17);
    ck_assert_int_eq(d->shape[0], 77);
    plan_destroy(p);
    node *all[] = {m, d, c, b, a, one, two, x};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ts_array_release(all[i]);
}
END_TEST

START_TEST(rechunk_of_a_reduction_reads_its_chunks)
{
    /* x.mean(axis=1).rechunk(7): the mean is materialised by its own stage
     * and the rechunk's stage reads it as a leaf (the only data that can
     * cross workers here). */
    build_env e = {.err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
    node *x = random2d(40, 30, 10, 10), *m, *r;
    ts_reduce_opts ax1 = {.naxes = 1, .axes = {1}};
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, x, &ax1, &m), TS_OK);
    ts_chunkspec spec = {.naxes = 1, .axis = {{.kind = TS_CHUNK_SIZE, .size = 7}}};
    ck_assert_int_eq(build_rechunk(&e, m, &spec, &r), TS_OK);
    ck_assert_int_eq(r->chunks[0].n, 6); /* 7,7,7,7,7,5 */
    plan *p = NULL;
    ck_assert_int_eq(plan_create(1, &r, 2, &p, &err), TS_OK);
    ck_assert_int_eq(p->nstages, 2);
    ck_assert_int_eq(p->stages[0].kind, STAGE_REDUCE);
    ck_assert_int_eq(p->stages[1].kind, STAGE_MAP);
    int64_t v;
    ck_assert(ptrmap_get(&p->stages[1].leaves, m, &v));
    plan_destroy(p);
    ts_array_release(r);
    ts_array_release(m);
    ts_array_release(x);
}
END_TEST

/* Sum of v[lo..hi) along the canonical tree. */
static double tree_sum(const double *v, int64_t lo, int64_t hi)
{
    if (hi - lo == 1)
        return v[lo];
    int64_t mid = plan_tree_split(lo, hi);
    return tree_sum(v, lo, mid) + tree_sum(v, mid, hi);
}

/* What a worker owning [a, b) emits: maximal canonical subtrees inside. */
static int cover(const double *v, int64_t lo, int64_t hi, int64_t a, int64_t b, int64_t *los, int64_t *his,
                 double *vals, int n)
{
    if (hi <= a || lo >= b)
        return n;
    if (a <= lo && hi <= b) {
        los[n] = lo;
        his[n] = hi;
        vals[n] = tree_sum(v, lo, hi);
        return n + 1;
    }
    int64_t mid = plan_tree_split(lo, hi);
    n = cover(v, lo, mid, a, b, los, his, vals, n);
    return cover(v, mid, hi, a, b, los, his, vals, n);
}

static double assemble(int64_t lo, int64_t hi, const int64_t *los, const int64_t *his, const double *vals,
                       int n)
{
    for (int i = 0; i < n; i++)
        if (los[i] == lo && his[i] == hi)
            return vals[i];
    int64_t mid = plan_tree_split(lo, hi);
    return assemble(lo, mid, los, his, vals, n) + assemble(mid, hi, los, his, vals, n);
}

START_TEST(canonical_tree_is_split_invariant)
{
    ck_assert_int_eq(plan_tree_split(0, 6), 4);
    ck_assert_int_eq(plan_tree_split(0, 8), 4);
    ck_assert_int_eq(plan_tree_split(4, 6), 5);
    enum {
        N = 1000
    };
    static double v[N];
    srand(3);
    for (int i = 0; i < N; i++)
        v[i] = (rand() / (double)RAND_MAX - 0.5) * (i % 7 == 0 ? 1e10 : 1.0);
    for (int64_t n = 1; n <= N; n = n * 3 + 1) {
        double whole = tree_sum(v, 0, n);
        for (int w = 1; w <= 7; w++) {
            int64_t los[512], his[512];
            double vals[512];
            int m = 0;
            for (int k = 0; k < w; k++)
                m = cover(v, 0, n, n * k / w, n * (k + 1) / w, los, his, vals, m);
            ck_assert_int_le(m, 512);
            double got = assemble(0, n, los, his, vals, m);
            ck_assert_msg(got == whole, "n=%lld w=%d: %.17g != %.17g", (long long)n, w, got, whole);
        }
    }
}
END_TEST

/* ---- placement and bytes moved ---- */

static build_env env(void)
{
    return (build_env){
        .err = &err, .chunk_limit_nbytes = 128 << 20, .default_seed = 1, .next_stream = &stream};
}

/* The sum over axis 0 of a (2, n0, n1) random array in (2, c0, c1)
 * chunks: computed data, materialised in a c0 x c1 chunk grid. */
static node *computed2d(int64_t n0, int64_t n1, int64_t c0, int64_t c1)
{
    build_env e = env();
    int64_t shape[3] = {2, n0, n1};
    ts_chunkspec spec = {.naxes = 3,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = 2},
                                  {.kind = TS_CHUNK_SIZE, .size = c0},
                                  {.kind = TS_CHUNK_SIZE, .size = c1}}};
    ts_create_opts o = {.chunks = &spec};
    ts_reduce_opts ax0 = {.naxes = 1, .axes = {0}};
    node *x = NULL, *y = NULL;
    ck_assert_int_eq(build_random(&e, TS_RANDOM_RANDOM, 0, 1, 3, shape, &o, &x), TS_OK);
    ck_assert_int_eq(build_reduce(&e, TS_SUM, x, &ax0, &y), TS_OK);
    ts_array_release(x);
    return y;
}

static node *rechunked(node *y, int64_t c0, int64_t c1)
{
    build_env e = env();
    ts_chunkspec spec = {.naxes = 2,
                         .axis = {{.kind = TS_CHUNK_SIZE, .size = c0}, {.kind = TS_CHUNK_SIZE, .size = c1}}};
    node *r = NULL;
    ck_assert_int_eq(build_rechunk(&e, y, &spec, &r), TS_OK);
    return r;
}

/* Bytes the plan of targets on w workers fetches in all. */
static int64_t fetched(int n, node *const *targets, int w, plan **keep)
{
    plan *p = NULL;
    ck_assert_int_eq(plan_create(n, targets, w, &p, &err), TS_OK);
    int64_t total = 0;
    for (int s = 0; s < p->nstages; s++) {
        int64_t nb = -1;
        ck_assert_int_eq(plan_fetch_nbytes(p, s, &nb, &err), TS_OK);
        ck_assert_int_ge(nb, 0);
        total += nb;
    }
    if (keep)
        *keep = p;
    else
        plan_destroy(p);
    return total;
}

/* Every worker runs at most ceil(tasks / workers) tasks of every stage,
 * each task once, in ascending order within a worker. */
static void check_balanced(const plan *p)
{
    int W = p->nworkers;
    for (int s = 0; s < p->nstages; s++) {
        const plan_stage *st = &p->stages[s];
        ck_assert_int_eq(st->task_first[0], 0);
        ck_assert_int_eq(st->task_first[W], st->ntasks);
        char *seen = calloc((size_t)st->ntasks + 1, 1);
        for (int w = 0; w < W; w++) {
            ck_assert_int_le(st->task_first[w + 1] - st->task_first[w], (st->ntasks + W - 1) / W);
            for (int64_t i = st->task_first[w]; i < st->task_first[w + 1]; i++) {
                int64_t t = plan_task_at(st, i);
                ck_assert(!seen[t]);
                seen[t] = 1;
                ck_assert_int_eq(plan_task_worker(st, W, t), w);
                if (i > st->task_first[w])
                    ck_assert_int_lt(plan_task_at(st, i - 1), t);
            }
        }
        free(seen);
    }
}

START_TEST(transpose_rechunk_moves_the_minimum)
{
    /* y (1200 x 1200) in 12 column blocks; y:rechunk{100, 1200} in 12 row
     * blocks. Every row block reads a piece of every column block, so a
     * worker holding k of the 12 column blocks and running r of the 12
     * row blocks must receive r/12 x (12 - k)/12 of y: with balanced
     * shares, (W - 1)/W of y crosses, whatever the placement. */
    node *y = computed2d(1200, 1200, 1200, 100), *r = rechunked(y, 100, 1200);
    int64_t ybytes = 1200 * 1200 * 8;
    for (int w = 1; w <= 4; w++) {
        plan *p = NULL;
        int64_t moved = fetched(1, &r, w, &p);
        ck_assert_int_eq(p->nstages, 2);
        ck_assert_int_eq(p->stages[1].leaves.len, 1); /* y is read, not recomputed */
        check_balanced(p);
        ck_assert_msg(moved == ybytes * (w - 1) / w, "%d workers: %lld bytes, expected %lld", w,
                      (long long)moved, (long long)(ybytes * (w - 1) / w));
        plan_destroy(p);
    }
    ts_array_release(r);
    ts_array_release(y);
}
END_TEST

START_TEST(reversed_reduction_moves_nothing)
{
    /* y:slice("::-1, :") as a result: output row block k reads y's row
     * block 5 - k. In blocks, every chunk of y would cross; placed next
     * to its reader, nothing does. */
    build_env e = env();
    node *y = computed2d(600, 50, 100, 50), *v = NULL;
    ts_index rev[1] = {{.kind = TS_INDEX_SLICE, .step = -1, .has_step = true}};
    ck_assert_int_eq(build_slice(&e, y, 1, rev, &v), TS_OK);
    for (int w = 2; w <= 3; w++) {
        plan *p = NULL;
        ck_assert_int_eq(fetched(1, &v, w, &p), 0);
        check_balanced(p);
        const plan_stage *ys = &p->stages[0], *vs = &p->stages[1];
        ck_assert_ptr_eq(ys->out, y);
        for (int64_t c = 0; c < 6; c++)
            ck_assert_int_eq(plan_chunk_owner(ys, w, c), plan_task_worker(vs, w, 5 - c));
        plan_destroy(p);
    }
    ts_array_release(v);
    ts_array_release(y);
}
END_TEST

START_TEST(reversed_scan_moves_nothing)
{
    /* cumsum(x, axis 1)[::-1] with x in 8 row blocks: the scan's chunks
     * are computed where the reversed rows read them. */
    build_env e = env();
    node *x = random2d(800, 40, 100, 40), *c = NULL, *v = NULL;
    ck_assert_int_eq(build_scan(&e, x, 1, false, &c), TS_OK);
    ts_index rev[1] = {{.kind = TS_INDEX_SLICE, .step = -1, .has_step = true}};
    ck_assert_int_eq(build_slice(&e, c, 1, rev, &v), TS_OK);
    for (int w = 2; w <= 4; w++) {
        plan *p = NULL;
        ck_assert_int_eq(fetched(1, &v, w, &p), 0);
        ck_assert_ptr_nonnull(p->stages[0].owner);
        check_balanced(p);
        plan_destroy(p);
    }
    ts_array_release(v);
    ts_array_release(c);
    ts_array_release(x);
}
END_TEST

START_TEST(transposed_grid_moves_nothing)
{
    /* y in a 4 x 4 chunk grid and y.T: task (i, j) of the transpose reads
     * chunk (j, i) of y, which C-order blocks put elsewhere; placed, each
     * chunk is computed where it is read. */
    build_env e = env();
    node *y = computed2d(400, 400, 100, 100), *t = NULL;
    ck_assert_int_eq(build_transpose(&e, y, NULL, &t), TS_OK);
    for (int w = 2; w <= 4; w++) {
        plan *p = NULL;
        ck_assert_int_eq(fetched(1, &t, w, &p), 0);
        check_balanced(p);
        plan_destroy(p);
    }
    ts_array_release(t);
    ts_array_release(y);
}
END_TEST

START_TEST(aligned_readers_keep_blocks)
{
    /* y * 2 reads y chunk for chunk: blocks already suit, so y keeps its
     * contiguous blocks (no task order) and nothing moves; the same for
     * a reduction of y over its rows (its tasks follow y's chunks). */
    build_env e = env();
    node *y = computed2d(800, 800, 100, 800), *two = NULL, *z = NULL, *m = NULL;
    ck_assert_int_eq(build_scalar(&e, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 2}, &two), TS_OK);
    ck_assert_int_eq(build_binary(&e, TS_MULTIPLY, y, two, &z), TS_OK);
    ts_reduce_opts ax1 = {.naxes = 1, .axes = {1}};
    ck_assert_int_eq(build_reduce(&e, TS_MEAN, y, &ax1, &m), TS_OK);
    node *targets[2] = {z, m};
    for (int w = 2; w <= 3; w++) {
        plan *p = NULL;
        ck_assert_int_eq(fetched(2, targets, w, &p), 0);
        ck_assert_ptr_null(p->stages[0].order);
        ck_assert_ptr_null(p->stages[0].owner);
        plan_destroy(p);
    }
    ts_array_release(m);
    ts_array_release(z);
    ts_array_release(two);
    ts_array_release(y);
}
END_TEST

START_TEST(cheap_pure_input_is_recomputed)
{
    /* ts.compute(a, a:rechunk{600, 10}:sum()) with a = random * 2 in row
     * blocks: a is a result, so materialised, and every column block of
     * the sum reads a piece of every row block, so reading a would move
     * half of it whatever the placement. a is cheap and pure: the sum's
     * tasks generate their columns themselves and nothing moves. */
    build_env e = env();
    node *x = random2d(600, 60, 100, 60), *two = NULL, *a = NULL, *sa = NULL;
    ck_assert_int_eq(build_scalar(&e, (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 2}, &two), TS_OK);
    ck_assert_int_eq(build_binary(&e, TS_MULTIPLY, x, two, &a), TS_OK);
    node *ra = rechunked(a, 600, 10);
    ck_assert_int_eq(build_reduce(&e, TS_SUM, ra, NULL, &sa), TS_OK);
    node *targets[2] = {a, sa};
    plan *p = NULL;
    ck_assert_int_eq(fetched(2, targets, 2, &p), 0);
    ck_assert_int_eq(p->nstages, 2);
    ck_assert_int_eq(p->stages[1].leaves.len, 0); /* a is recomputed, not read */
    plan_destroy(p);
    /* The same with a computed y (a reduction, not cheap): the sum reads
     * y's chunks and half of y crosses. */
    node *y = computed2d(600, 60, 100, 60), *ry = rechunked(y, 600, 10), *sy = NULL;
    ck_assert_int_eq(build_reduce(&e, TS_SUM, ry, NULL, &sy), TS_OK);
    node *ytargets[2] = {y, sy};
    ck_assert_int_eq(fetched(2, ytargets, 2, &p), 600 * 60 * 8 / 2);
    ck_assert_int_eq(p->stages[1].leaves.len, 1);
    plan_destroy(p);
    node *all[] = {sy, ry, y, sa, ra, a, two, x};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        ts_array_release(all[i]);
}
END_TEST

START_TEST(placement_stays_balanced_when_one_worker_reads_all)
{
    /* y:rechunk(-1) in one chunk: one task on one worker reads all 8
     * chunks of y. Placing them all there would leave the other workers
     * idle; each worker keeps its share (8 / W) and the reader fetches
     * the rest. */
    node *y = computed2d(800, 80, 100, 80), *r = rechunked(y, 800, 80);
    for (int w = 2; w <= 4; w++) {
        plan *p = NULL;
        int64_t moved = fetched(1, &r, w, &p);
        check_balanced(p);
        int64_t held = (8 + w - 1) / w; /* the reader's share of y's chunks */
        ck_assert_int_eq(moved, (8 - held) * 100 * 80 * 8);
        plan_destroy(p);
    }
    ts_array_release(r);
    ts_array_release(y);
}
END_TEST

int main(void)
{
    err_clear(&err);
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, partition_is_contiguous_balanced_and_complete);
    tcase_add_test(tc, reduction_tasks_keep_outputs_together);
    tcase_add_test(tc, canonical_tree_is_split_invariant);
    tcase_add_test(tc, sibling_reductions_share_one_pass);
    tcase_add_test(tc, fusion_and_pushdown_keep_one_stage);
    tcase_add_test(tc, rechunk_of_a_reduction_reads_its_chunks);
    tcase_add_test(tc, transpose_rechunk_moves_the_minimum);
    tcase_add_test(tc, reversed_reduction_moves_nothing);
    tcase_add_test(tc, transposed_grid_moves_nothing);
    tcase_add_test(tc, reversed_scan_moves_nothing);
    tcase_add_test(tc, aligned_readers_keep_blocks);
    tcase_add_test(tc, cheap_pure_input_is_recomputed);
    tcase_add_test(tc, placement_stays_balanced_when_one_worker_reads_all);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
