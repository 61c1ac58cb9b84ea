/* transport.c — polling waits and the all-to-all byte exchange. */
#include "run/transport.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The bytes one exchange round may hold in its buffers (and in flight):
 * split evenly over the peers, but never below 64 KiB a peer. */
#ifndef TRANSPORT_ROUND_NBYTES /* tests build with a small one to run many rounds */
#define TRANSPORT_ROUND_NBYTES (256ll << 20)
#endif
#define TRANSPORT_MIN_SLICE (64ll << 10)

ts_status transport_wait(MPI_Request *req, int sleep_us, const char *what, ts_err *err)
{
    return transport_wait_hook(req, sleep_us, NULL, NULL, what, err);
}

ts_status transport_wait_hook(MPI_Request *req, int sleep_us, transport_hook hook, void *ud, const char *what,
                              ts_err *err)
{
    int done = 0, spins = 0;
    struct timespec ts = {0, (long)sleep_us * 1000L};
    while (!done) {
        int rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) {
            char msg[MPI_MAX_ERROR_STRING];
            int len = 0;
            MPI_Error_string(rc, msg, &len);
            return err_set(err, TS_ERR_MPI, "MPI failed during %s: %s", what, msg);
        }
        if (!done && ++spins > 64) {
            if (hook)
                hook(ud);
            nanosleep(&ts, NULL);
        }
    }
    return TS_OK;
}

ts_status transport_exchange(MPI_Comm comm, void *const *send, const int64_t *len, bool failed,
                             unsigned char **recv_block, int64_t *recv_off, bool *any_failed,
                             int64_t *sent_to, mem_pool *mem, ts_err *err)
{
    int nprocs, me;
    MPI_Comm_size(comm, &nprocs);
    MPI_Comm_rank(comm, &me);
    /* Counts travel with a failure flag so every rank learns of a failure
     * in the same step and skips the rest of the stage together. */
    int64_t *counts = malloc((size_t)nprocs * 4 * sizeof(int64_t));
    int *sc = malloc((size_t)nprocs * 4 * sizeof(int));
    if (!counts || !sc) {
        free(counts);
        free(sc);
        return err_set(err, TS_ERR_MEMORY, "out of memory exchanging data");
    }
    int64_t *sendc = counts, *recvc = counts + 2 * nprocs;
    for (int p = 0; p < nprocs; p++) {
        sendc[2 * p] = failed ? 0 : len[p];
        sendc[2 * p + 1] = failed;
    }
    MPI_Request req;
    ts_status st = TS_OK;
    if (MPI_Ialltoall(sendc, 2, MPI_INT64_T, recvc, 2, MPI_INT64_T, comm, &req) != MPI_SUCCESS)
        st = err_set(err, TS_ERR_MPI, "MPI_Ialltoall failed");
    if (st == TS_OK)
        st = transport_wait(&req, 50, "the exchange of counts", err);
    *any_failed = failed;
    int64_t total = 0, most = 0;
    for (int p = 0; st == TS_OK && p < nprocs; p++) {
        *any_failed = *any_failed || recvc[2 * p + 1];
        recv_off[p] = total;
        total += recvc[2 * p];
        most = sendc[2 * p] > most ? sendc[2 * p] : most;
        most = recvc[2 * p] > most ? recvc[2 * p] : most;
    }
    recv_off[nprocs] = total;
    *recv_block = NULL;
    if (st == TS_OK && !*any_failed) {
        /* Rounds of at most `slice` bytes per peer: at most
         * TRANSPORT_ROUND_NBYTES are in flight and in the round buffers,
         * whatever the volume. Every rank runs the same number of rounds
         * (the largest any pair needs), and learns if one could not
         * allocate, before any data moves. */
        int64_t round = TRANSPORT_ROUND_NBYTES;
        if (mem && mem->limit_nbytes > 0 && mem->limit_nbytes / 8 < round)
            round = mem->limit_nbytes / 8;
        int64_t slice = round / nprocs;
        slice = slice < TRANSPORT_MIN_SLICE ? TRANSPORT_MIN_SLICE : slice;
        /* The slice is the same on every rank (it cuts the rounds); the
         * round buffers only need room for the largest part this rank
         * sends or receives, so a small exchange allocates little. */
        int64_t stride = most < slice ? (most > 0 ? most : 1) : slice;
        size_t round_nbytes = (size_t)(nprocs > 0 ? nprocs : 1) * (size_t)stride;
        ts_err mine;
        err_clear(&mine);
        unsigned char *sbuf = mem_alloc(mem, (int64_t)round_nbytes, "the send buffer of an exchange", &mine);
        unsigned char *rbuf =
            sbuf ? mem_alloc(mem, (int64_t)round_nbytes, "the receive buffer of an exchange", &mine) : NULL;
        *recv_block = rbuf ? mem_alloc(mem, total, "the data received in an exchange", &mine) : NULL;
        int64_t agree[2] = {(most + slice - 1) / slice, !sbuf || !rbuf || !*recv_block}, all[2] = {0, 0};
        if (MPI_Iallreduce(agree, all, 2, MPI_INT64_T, MPI_MAX, comm, &req) != MPI_SUCCESS)
            st = err_set(err, TS_ERR_MPI, "MPI_Iallreduce failed");
        else
            st = transport_wait(&req, 50, "agreeing on an exchange", err);
        if (st == TS_OK && all[1] && agree[1])
            st = err_set(err, TS_ERR_MEMORY, "%s", mine.msg);
        else if (st == TS_OK && all[1])
            st = err_set(err, TS_ERR_MEMORY, "another worker ran out of memory exchanging (%lld bytes here)",
                         (long long)total);
        int *scount = sc, *sdisp = sc + nprocs, *rcount = sc + 2 * nprocs, *rdisp = sc + 3 * nprocs;
        for (int64_t r = 0; st == TS_OK && r < all[0]; r++) {
            int64_t off = r * slice;
            for (int p = 0; p < nprocs; p++) {
                int64_t sn = sendc[2 * p] - off, rn = recvc[2 * p] - off;
                scount[p] = (int)(sn < 0 ? 0 : sn > slice ? slice : sn);
                rcount[p] = (int)(rn < 0 ? 0 : rn > slice ? slice : rn);
                sdisp[p] = rdisp[p] = (int)(p * stride);
                if (scount[p])
                    memcpy(sbuf + sdisp[p], (const unsigned char *)send[p] + off, (size_t)scount[p]);
            }
            if (MPI_Ialltoallv(sbuf, scount, sdisp, MPI_BYTE, rbuf, rcount, rdisp, MPI_BYTE, comm, &req) !=
                MPI_SUCCESS)
                st = err_set(err, TS_ERR_MPI, "MPI_Ialltoallv failed");
            else
                st = transport_wait(&req, 50, "the data exchange", err);
            for (int p = 0; st == TS_OK && p < nprocs; p++)
                if (rcount[p])
                    memcpy(*recv_block + recv_off[p] + off, rbuf + rdisp[p], (size_t)rcount[p]);
        }
        for (int p = 0; st == TS_OK && p < nprocs; p++)
            if (p != me)
                sent_to[p] += sendc[2 * p];
        mem_free(mem, sbuf);
        mem_free(mem, rbuf);
    }
    free(counts);
    free(sc);
    return st;
}
