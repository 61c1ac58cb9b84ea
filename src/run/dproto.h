/* dproto.h — the messages of a delayed compute, between the driver's
 * scheduler (dsched.c) and the workers' engines (dworker.c). Every message
 * starts with the compute's number, so a late message of an earlier
 * compute is recognised and dropped. All go over the session's world
 * communicator; workers are addressed by world rank.
 *
 *   RUN    driver -> worker  int64: c, then per task: t, the world rank
 *                            holding each task argument of t (in order)
 *   END    driver -> worker  int64: c, abort (1: a task failed)
 *   DONE   worker -> driver  bytes: c, then per task: t, status, run time
 *                            (ns), result bytes, message length, message
 *   RESULT worker -> driver  bytes: c, t, the result of a target task
 *   FETCH  worker -> worker  int64: c, t (send me t's result)
 *   DATA   worker -> worker  bytes: c, t, t's result
 *
 * A worker that cannot run at all reports t = -1 in a DONE record. */
#ifndef TS_RUN_DPROTO_H
#define TS_RUN_DPROTO_H

#include <mpi.h>
#include <stdint.h>

#include "util/bytebuf.h"
#include "util/err.h"

enum {
    DTAG_RUN = 7711,
    DTAG_DONE = 7712,
    DTAG_RESULT = 7713,
    DTAG_FETCH = 7714,
    DTAG_DATA = 7715,
    DTAG_END = 7716
};

/* Sends in flight: each owns its buffer until MPI is done with it. */
typedef struct dsends {
    MPI_Request *req;
    void **buf;
    int n, cap;
} dsends;

/* Starts sending buf (taken over, freed once sent) of nbytes to rank. */
ts_status dsends_post(dsends *q, MPI_Comm comm, int rank, int tag, void *buf, size_t nbytes, ts_err *err);
/* Frees the buffers of finished sends; returns how many are in flight. */
int dsends_test(dsends *q);
void dsends_fini(dsends *q);

/* Receives the message probed in st into a malloc'd buffer of *nbytes;
 * NULL when out of memory (the message stays queued: the caller fails). */
void *dproto_recv(MPI_Comm comm, const MPI_Status *st, int *nbytes);

#endif
