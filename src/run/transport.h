/* transport.h — the seam between tessera and MPI. Waits poll with MPI_Test
 * and sleep between polls, because Open MPI's blocking calls spin a core:
 * an idle driver or a worker waiting on a slower peer must not burn CPU
 * that the computing ranks need. MPI errors become ts_status here. */
#ifndef TS_RUN_TRANSPORT_H
#define TS_RUN_TRANSPORT_H

#include <mpi.h>

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

/* Every rank of comm sends send[p] (len[p] bytes) to rank p and receives
 * recv[p] (*recv_len[p] bytes, into one block *recv_block taken from mem
 * that the caller gives back with mem_free). Data moves in rounds with at
 * most 256 MiB, or an eighth of mem's limit if smaller, in flight per
 * rank (the same number of rounds on every rank), so no pair is limited
 * to 2 GiB and the transfer buffers stay bounded and budgeted. Also agrees on a status: *any_failed is set when some rank
 * passed failed = true. Adds the bytes sent to each other rank p to
 * sent_to[p]. Collective over comm. */
ts_status transport_exchange(MPI_Comm comm, void *const *send, const int64_t *len, bool failed,
                             unsigned char **recv_block, int64_t *recv_off, bool *any_failed,
                             int64_t *sent_to, mem_pool *mem, ts_err *err);

#endif
