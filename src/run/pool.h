/* pool.h — the threads of one rank that run its tasks. The calling thread
 * takes part as thread 0; the others wait on a condition variable between
 * batches, so an idle pool costs no CPU. Jobs run in any order and on any
 * thread: callers keep results bit-identical by writing each job's result
 * to its own slot and combining slots in job order afterwards. Jobs never
 * call MPI (MPI stays on the calling thread). */
#ifndef TS_RUN_POOL_H
#define TS_RUN_POOL_H

#include <stdint.h>

#include "util/err.h"

typedef struct pool pool;

/* One job of a batch: job in [0, njobs), thread in [0, pool_nthreads). */
typedef void (*pool_job_fn)(void *ud, int thread, int64_t job);

/* Starts nthreads - 1 helper threads (none for 1). Local. */
ts_status pool_create(int nthreads, pool **out, ts_err *err);

/* Stops and joins the helpers; NULL is fine. */
void pool_destroy(pool *p);

/* 1 for a NULL pool. */
int pool_nthreads(const pool *p);

/* Runs fn for every job, spread over the threads, and returns when all
 * are done. Not reentrant: one batch at a time per pool. */
void pool_run(pool *p, int64_t njobs, pool_job_fn fn, void *ud);

#endif
