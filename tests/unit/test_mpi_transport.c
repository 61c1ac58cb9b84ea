/* test_mpi_transport.c — the peer-to-peer transport under mpirun (3
 * ranks): boxes of N-d buffers arrive in place, bit for bit, whatever the
 * message size cuts them into (down to pieces of one row or a few
 * elements), with the buffers' shapes differing between sender and
 * receiver; bytes outside the boxes are never written; bytes sent are
 * counted per peer; a failure on one rank moves nothing anywhere; the byte
 * exchange carries more than one message per pair. */
#include <check.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "run/transport.h"

static int me, W;

/* Value of element (i, j, k) of the global 3-d array a sender's chunk is
 * cut from: unique per element and per sending rank. */
static uint32_t value(int from, int64_t i, int64_t j, int64_t k)
{
    return (uint32_t)(from * 1000000007u + (uint32_t)(i * 65536 + j * 256 + k));
}

/* The box rank `from` sends rank `to`, number b: sizes vary with the pair
 * and b, some are empty, some span whole rows, some not. */
static void box_geometry(int from, int to, int b, int64_t *start, int64_t *size)
{
    int64_t s = from * 7 + to * 3 + b;
    size[0] = 1 + s % 5;
    size[1] = (b % 4 == 3) ? 0 : 1 + (s * 5) % 9;
    size[2] = (b % 2) ? 12 : 1 + (s * 3) % 11; /* 12: whole rows of the chunk */
    start[0] = s % 3;
    start[1] = (s * 7) % (10 - size[1] + 1);
    start[2] = size[2] == 12 ? 0 : (s * 11) % (12 - size[2] + 1);
}

enum {
    NBOX = 6
};

/* Sender chunks: 8 x 10 x 12 uint32 (one per box, C order). Receiver
 * buffers: 9 x 11 x 13 with the box at another place. */
static void run_moves(int64_t msg_nbytes)
{
    static const int64_t sdims[3] = {8, 10, 12}, rdims[3] = {9, 11, 13};
    size_t snel = 8 * 10 * 12, rnel = 9 * 11 * 13;
    uint32_t *sbuf = malloc((size_t)W * NBOX * snel * sizeof *sbuf);
    uint32_t *rbuf = malloc((size_t)W * NBOX * rnel * sizeof *rbuf);
    int64_t *geom = malloc((size_t)W * NBOX * 4 * 3 * sizeof *geom);
    transport_box *sb = malloc((size_t)W * NBOX * sizeof *sb), *rb = malloc((size_t)W * NBOX * sizeof *rb);
    transport_box **sl = malloc((size_t)W * sizeof *sl), **rl = malloc((size_t)W * sizeof *rl);
    int64_t *ns = malloc((size_t)W * sizeof *ns), *sent = calloc((size_t)W, sizeof *sent);
    ck_assert(sbuf && rbuf && geom && sb && rb && sl && rl && ns && sent);
    memset(rbuf, 0xAB, (size_t)W * NBOX * rnel * sizeof *rbuf);
    int64_t expect_sent[64] = {0};
    for (int p = 0; p < W; p++) {
        sl[p] = sb + p * NBOX;
        rl[p] = rb + p * NBOX;
        ns[p] = p == me ? 0 : NBOX; /* nothing to itself */
        for (int b = 0; b < NBOX; b++) {
            int64_t *g = geom + ((size_t)p * NBOX + b) * 12;
            uint32_t *chunk = sbuf + ((size_t)p * NBOX + b) * snel;
            /* Send: box (me -> p, b) at its place in an 8 x 10 x 12 chunk
             * holding the global values from offset (b, 0, 0). */
            box_geometry(me, p, b, g + 3, g + 6);
            for (int64_t i = 0; i < 8; i++)
                for (int64_t j = 0; j < 10; j++)
                    for (int64_t k = 0; k < 12; k++)
                        chunk[(i * 10 + j) * 12 + k] = value(me, i + b, j, k);
            sb[p * NBOX + b] = (transport_box){
                .base = chunk, .dims = sdims, .start = g + 3, .size = g + 6, .ndim = 3, .esz = 4};
            if (p != me)
                expect_sent[p] += 4 * g[6] * g[7] * g[8];
            /* Receive: box (p -> me, b), one place further in each dim. */
            int64_t *start = g + 9, size[3], sstart[3];
            box_geometry(p, me, b, sstart, size);
            for (int d = 0; d < 3; d++)
                start[d] = sstart[d] + 1;
            g[0] = size[0];
            g[1] = size[1];
            g[2] = size[2];
            rb[p * NBOX + b] = (transport_box){.base = rbuf + ((size_t)p * NBOX + b) * rnel,
                                               .dims = rdims,
                                               .start = start,
                                               .size = g,
                                               .ndim = 3,
                                               .esz = 4};
        }
    }
    bool any = true;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(transport_move(MPI_COMM_WORLD, sl, ns, rl, ns, msg_nbytes, false, &any, sent, &err),
                     TS_OK);
    ck_assert(!any);
    for (int p = 0; p < W; p++) {
        ck_assert_int_eq(sent[p], expect_sent[p]);
        for (int b = 0; p != me && b < NBOX; b++) {
            const transport_box *x = &rb[p * NBOX + b];
            const uint32_t *r = x->base;
            int64_t sstart[3], size[3];
            box_geometry(p, me, b, sstart, size);
            for (int64_t i = 0; i < 9; i++)
                for (int64_t j = 0; j < 11; j++)
                    for (int64_t k = 0; k < 13; k++) {
                        bool in = i >= x->start[0] && i < x->start[0] + size[0] && j >= x->start[1] &&
                                  j < x->start[1] + size[1] && k >= x->start[2] && k < x->start[2] + size[2];
                        uint32_t want = in ? value(p, i - 1 + b, j - 1, k - 1) : 0xABABABABu;
                        ck_assert_msg(r[(i * 11 + j) * 13 + k] == want,
                                      "msg %lld: from %d box %d at (%lld,%lld,%lld): %u, expected %u",
                                      (long long)msg_nbytes, p, b, (long long)i, (long long)j, (long long)k,
                                      r[(i * 11 + j) * 13 + k], want);
                    }
        }
    }
    free(sbuf);
    free(rbuf);
    free(geom);
    free(sb);
    free(rb);
    free(sl);
    free(rl);
    free(ns);
    free(sent);
}

START_TEST(boxes_arrive_in_place_whatever_the_message_size)
{
    /* 0: the default (all of a pair in one message); 8 bytes: two
     * elements a piece, so every box is cut below its rows; 48 bytes: a
     * row of 12 elements a piece; 1000: several boxes share messages and
     * large ones are cut into slabs. */
    static const int64_t sizes[] = {0, 8, 48, 100, 1000, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        run_moves(sizes[i]);
}
END_TEST

START_TEST(a_failure_anywhere_moves_nothing)
{
    /* Rank 1 failed before the transfer: it passes no lists at all; the
     * others learn it and nothing is written into their buffers. */
    static const int64_t dims[1] = {4}, start[1] = {0};
    uint32_t out[4] = {1, 2, 3, 4}, in[64][4];
    memset(in, 0, sizeof in);
    transport_box sb[64], rb[64], *sl[64], *rl[64];
    int64_t n[64], sent[64] = {0};
    for (int p = 0; p < W; p++) {
        sb[p] = (transport_box){.base = out, .dims = dims, .start = start, .size = dims, .ndim = 1, .esz = 4};
        rb[p] =
            (transport_box){.base = in[p], .dims = dims, .start = start, .size = dims, .ndim = 1, .esz = 4};
        sl[p] = &sb[p];
        rl[p] = &rb[p];
        n[p] = 1;
    }
    bool any = false, failed = me == 1;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(transport_move(MPI_COMM_WORLD, failed ? NULL : sl, failed ? NULL : n, failed ? NULL : rl,
                                    failed ? NULL : n, 0, failed, &any, sent, &err),
                     TS_OK);
    ck_assert(any);
    for (int p = 0; p < W; p++) {
        ck_assert_int_eq(sent[p], 0);
        ck_assert_int_eq(in[p][0] | in[p][3], 0);
    }
}
END_TEST

START_TEST(exchange_carries_more_than_one_message_per_pair)
{
    /* Each rank sends rank (me + 1) % W 40 MiB + 5 bytes (three messages
     * of TRANSPORT_MESSAGE_NBYTES and a tail) and a few bytes to the
     * others. */
    int64_t big = (40ll << 20) + 5;
    int to = (me + 1) % W, from = (me + W - 1) % W;
    unsigned char *out = malloc((size_t)big);
    ck_assert(out);
    for (int64_t i = 0; i < big; i++)
        out[i] = (unsigned char)(i * 31 + me);
    void *send[64];
    int64_t len[64], off[65], sent[64] = {0};
    for (int p = 0; p < W; p++) {
        send[p] = out;
        len[p] = p == to ? big : 3 + p;
    }
    mem_pool pool;
    mem_pool_init(&pool, 0);
    unsigned char *in = NULL;
    bool any = true;
    ts_err err;
    err_clear(&err);
    ck_assert_int_eq(transport_exchange(MPI_COMM_WORLD, send, len, false, &in, off, &any, sent, &pool, &err),
                     TS_OK);
    ck_assert(!any);
    for (int p = 0; p < W; p++) {
        int64_t want = p == from ? big : 3 + me;
        ck_assert_int_eq(off[p + 1] - off[p], want);
        for (int64_t i = 0; i < want; i++)
            if (in[off[p] + i] != (unsigned char)(i * 31 + p))
                ck_abort_msg("byte %lld from %d differs", (long long)i, p);
        if (p != me)
            ck_assert_int_eq(sent[p], len[p]);
    }
    ck_assert_int_eq(sent[me], 0);
    mem_free(&pool, in);
    ck_assert_int_eq(atomic_load(&pool.used_nbytes), 0);
    free(out);
}
END_TEST

START_TEST(exchange_out_of_budget_fails_everywhere)
{
    /* Rank 2 cannot hold what it would receive: it says so, the others
     * learn another worker ran out, and nothing is left allocated. */
    unsigned char out[1024] = {0};
    void *send[64];
    int64_t len[64], off[65], sent[64] = {0};
    for (int p = 0; p < W; p++) {
        send[p] = out;
        len[p] = sizeof out;
    }
    mem_pool pool;
    mem_pool_init(&pool, me == 2 ? 1000 : 0);
    unsigned char *in = NULL;
    bool any = false;
    ts_err err;
    err_clear(&err);
    ts_status st = transport_exchange(MPI_COMM_WORLD, send, len, false, &in, off, &any, sent, &pool, &err);
    ck_assert_int_eq(st, TS_ERR_MEMORY);
    ck_assert(any);
    ck_assert_ptr_null(in);
    if (me == 2)
        ck_assert_msg(strstr(err.msg, "memory budget exceeded") != NULL, "%s", err.msg);
    else
        ck_assert_msg(strstr(err.msg, "another worker ran out of memory") != NULL, "%s", err.msg);
    ck_assert_int_eq(atomic_load(&pool.used_nbytes), 0);
}
END_TEST

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Comm_size(MPI_COMM_WORLD, &W);
    Suite *s = suite_create("transport");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, boxes_arrive_in_place_whatever_the_message_size);
    tcase_add_test(tc, a_failure_anywhere_moves_nothing);
    tcase_add_test(tc, exchange_carries_more_than_one_message_per_pair);
    tcase_add_test(tc, exchange_out_of_budget_fails_everywhere);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr), all = 0;
    srunner_free(sr);
    MPI_Allreduce(&failed, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    return all ? EXIT_FAILURE : EXIT_SUCCESS;
}
