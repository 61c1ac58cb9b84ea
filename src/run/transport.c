/* transport.c — polling waits and the all-to-all exchange of byte
 * buffers (counts first, then transport_move into one received block). */
#include "run/transport.h"

#include <stdlib.h>
#include <time.h>

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
    int nprocs;
    MPI_Comm_size(comm, &nprocs);
    /* Counts travel with a failure flag so every rank learns of a failure
     * in the same step and skips the rest of the stage together. */
    int64_t *counts = malloc((size_t)nprocs * 7 * sizeof(int64_t));
    transport_box *boxes = malloc((size_t)nprocs * 2 * sizeof *boxes);
    transport_box **lists = malloc((size_t)nprocs * 2 * sizeof *lists);
    if (!counts || !boxes || !lists) {
        free(counts);
        free(boxes);
        free(lists);
        return err_set(err, TS_ERR_MEMORY, "out of memory exchanging data");
    }
    int64_t *sendc = counts, *recvc = counts + 2 * nprocs, *zero = counts + 4 * nprocs, *nbox = zero + nprocs;
    for (int p = 0; p < nprocs; p++) {
        sendc[2 * p] = failed ? 0 : len[p];
        sendc[2 * p + 1] = failed;
        zero[p] = 0;
    }
    MPI_Request req;
    ts_status st = TS_OK;
    if (MPI_Ialltoall(sendc, 2, MPI_INT64_T, recvc, 2, MPI_INT64_T, comm, &req) != MPI_SUCCESS)
        st = err_set(err, TS_ERR_MPI, "MPI_Ialltoall failed");
    if (st == TS_OK)
        st = transport_wait(&req, 50, "the exchange of counts", err);
    *any_failed = failed;
    int64_t total = 0;
    for (int p = 0; st == TS_OK && p < nprocs; p++) {
        *any_failed = *any_failed || recvc[2 * p + 1];
        recv_off[p] = total;
        total += recvc[2 * p];
    }
    recv_off[nprocs] = total;
    *recv_block = NULL;
    if (st == TS_OK && !*any_failed) {
        /* Each peer's bytes are one 1-d box of bytes on both sides. */
        ts_err mine;
        err_clear(&mine);
        *recv_block = mem_alloc(mem, total, "the data received in an exchange", &mine);
        int64_t *rlen = nbox + nprocs;
        for (int p = 0; p < nprocs; p++) {
            rlen[p] = recvc[2 * p];
            boxes[p] = (transport_box){.base = send[p],
                                       .dims = &sendc[2 * p],
                                       .start = &zero[p],
                                       .size = &sendc[2 * p],
                                       .ndim = 1,
                                       .esz = 1};
            boxes[nprocs + p] = (transport_box){.base = *recv_block ? *recv_block + recv_off[p] : NULL,
                                                .dims = &rlen[p],
                                                .start = &zero[p],
                                                .size = &rlen[p],
                                                .ndim = 1,
                                                .esz = 1};
            lists[p] = &boxes[p];
            lists[nprocs + p] = &boxes[nprocs + p];
            nbox[p] = 1;
        }
        bool short_here = !*recv_block;
        st = transport_move(comm, lists, nbox, lists + nprocs, nbox, 0, short_here, any_failed, sent_to, err);
        if (st == TS_OK && short_here)
            st = err_set(err, TS_ERR_MEMORY, "%s", mine.msg);
        else if (st == TS_OK && *any_failed)
            st = err_set(err, TS_ERR_MEMORY, "another worker ran out of memory exchanging (%lld bytes here)",
                         (long long)total);
        if (st != TS_OK) {
            mem_free(mem, *recv_block);
            *recv_block = NULL;
        }
    }
    free(counts);
    free(boxes);
    free(lists);
    return st;
}
