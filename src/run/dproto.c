/* dproto.c — sends that own their buffers, and probed receives. */
#include "run/dproto.h"

#include <stdlib.h>

ts_status dsends_post(dsends *q, MPI_Comm comm, int rank, int tag, void *buf, size_t nbytes, ts_err *err)
{
    if (q->n == q->cap) {
        int ncap = q->cap ? 2 * q->cap : 16;
        MPI_Request *nr = realloc(q->req, (size_t)ncap * sizeof *nr);
        if (nr)
            q->req = nr;
        void **nb = nr ? realloc(q->buf, (size_t)ncap * sizeof *nb) : NULL;
        if (!nr || !nb) {
            free(buf);
            return err_set(err, TS_ERR_MEMORY, "out of memory sending a message");
        }
        q->buf = nb;
        q->cap = ncap;
    }
    if (nbytes > 0x7fffffff) {
        free(buf);
        return err_set(err, TS_ERR_MPI, "a task result of %zu bytes is above the 2 GiB a message can carry",
                       nbytes);
    }
    if (MPI_Isend(buf, (int)nbytes, MPI_BYTE, rank, tag, comm, &q->req[q->n]) != MPI_SUCCESS) {
        free(buf);
        return err_set(err, TS_ERR_MPI, "MPI_Isend failed");
    }
    q->buf[q->n++] = buf;
    return TS_OK;
}

int dsends_test(dsends *q)
{
    int kept = 0;
    for (int i = 0; i < q->n; i++) {
        int done = 0;
        MPI_Test(&q->req[i], &done, MPI_STATUS_IGNORE);
        if (done) {
            free(q->buf[i]);
            continue;
        }
        q->req[kept] = q->req[i];
        q->buf[kept++] = q->buf[i];
    }
    q->n = kept;
    return kept;
}

void dsends_fini(dsends *q)
{
    for (int i = 0; i < q->n; i++) {
        MPI_Cancel(&q->req[i]);
        MPI_Request_free(&q->req[i]);
        free(q->buf[i]);
    }
    free(q->req);
    free(q->buf);
    *q = (dsends){0};
}

void *dproto_recv(MPI_Comm comm, const MPI_Status *st, int *nbytes)
{
    MPI_Get_count(st, MPI_BYTE, nbytes);
    void *buf = malloc((size_t)(*nbytes > 0 ? *nbytes : 1));
    if (buf)
        MPI_Recv(buf, *nbytes, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, comm, MPI_STATUS_IGNORE);
    return buf; /* NULL: out of memory, the message is still queued */
}
