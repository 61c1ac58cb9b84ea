/* transport.h — the seam between tessera and MPI. Waits poll with MPI_Test
 * and sleep between polls, because Open MPI's blocking calls spin a core:
 * an idle driver or a worker waiting on a slower peer must not burn CPU
 * that the computing ranks need. MPI errors become ts_status here. */
#ifndef TS_RUN_TRANSPORT_H
#define TS_RUN_TRANSPORT_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "run/mem.h"
#include "util/err.h"

/* Waits for req, sleeping sleep_us microseconds between polls after a short
 * spin. Returns TS_ERR_MPI with what on failure. */
ts_status transport_wait(MPI_Request *req, int sleep_us, const char *what, ts_err *err);

/* The same, calling hook(ud) between polls (the driver reads progress
 * messages and redraws its progress display there). */
typedef void (*transport_hook)(void *ud);
ts_status transport_wait_hook(MPI_Request *req, int sleep_us, transport_hook hook, void *ud, const char *what,
                              ts_err *err);

/* Messages of a transfer carry at most this many bytes: both sides cut a
 * stream the same way, whatever their memory budgets, and MPI's int counts
 * never overflow. Nothing is staged, so this bounds no buffer. */
#define TRANSPORT_MESSAGE_NBYTES (16ll << 20)
#define TRANSPORT_DEPTH 2                  /* messages in flight per peer and direction */
#define TRANSPORT_ALONE_NBYTES (256 << 10) /* a piece this large is a message of its own */

/* A box inside a C-contiguous N-d buffer (a chunk): what a transfer reads
 * from on the sender and writes into on the receiver, in place. The
 * arrays are borrowed and hold ndim entries each. */
typedef struct transport_box {
    void *base;           /* the whole buffer */
    const int64_t *dims;  /* the buffer's shape */
    const int64_t *start; /* where the box begins in it */
    const int64_t *size;  /* the box's extent */
    int ndim;
    int esz; /* bytes per element */
} transport_box;

/* Every rank of comm sends the boxes send[p][0, nsend[p]) to rank p, in
 * order, and receives recv[p][0, nrecv[p]) from p: what p sends to this
 * rank, box by box with the same sizes and element size (their buffers'
 * shapes and positions may differ). Data moves from buffer to buffer
 * without copies by tessera, in messages of at most msg_nbytes (0: the
 * default, TRANSPORT_MESSAGE_NBYTES), TRANSPORT_DEPTH of them in flight
 * per peer and direction. First agrees on a status: if any rank passes
 * failed = true, nothing moves and *any_failed is set everywhere. Adds the
 * bytes sent to each other rank p to sent_to[p]. Collective over comm. */
ts_status transport_move(MPI_Comm comm, transport_box *const *send, const int64_t *nsend,
                         transport_box *const *recv, const int64_t *nrecv, int64_t msg_nbytes, bool failed,
                         bool *any_failed, int64_t *sent_to, ts_err *err);

/* Every rank of comm sends send[p] (len[p] bytes) to rank p and receives
 * from p into one block *recv_block taken from mem (p's bytes at
 * recv_off[p], recv_off[nprocs] in all; the caller gives the block back
 * with mem_free). The bytes move with transport_move, straight from send[p]
 * into the block, so no pair is limited to 2 GiB and nothing besides the
 * block is allocated. Also agrees on a status: *any_failed is set when
 * some rank passed failed = true or could not allocate its block. Adds the
 * bytes sent to each other rank p to sent_to[p]. Collective over comm. */
ts_status transport_exchange(MPI_Comm comm, void *const *send, const int64_t *len, bool failed,
                             unsigned char **recv_block, int64_t *recv_off, bool *any_failed,
                             int64_t *sent_to, mem_pool *mem, ts_err *err);

#endif
