/* session.h — how the driver and the workers talk about one compute.
 *
 *   driver                         workers
 *   Ibcast {COMPUTE, nbytes}  -->  (waiting in session_serve)
 *   Ibcast DAG bytes          -->  rebuild DAG, plan, execute stages
 *                                  (peer-to-peer among workers only)
 *   Igather headers           <--  status, stats, bytes of results held
 *   Igatherv results          <--  the chunks of the results they own
 *
 * With one rank the driver is the only worker and runs the same path. All
 * waits poll with sleeps so no rank spins a core while another works. */
#ifndef TS_RUN_SESSION_H
#define TS_RUN_SESSION_H

#include <mpi.h>

#include "plan/plan.h"
#include "run/affinity.h"
#include "run/exec.h"
#include "run/pool.h"
#include "run/registry.h"
#include "run/store.h"
#include "util/bytebuf.h"

/* The driver's view of progress: a worker's totals so far in the compute
 * running now, and a tick between polls while it waits. */
typedef struct session_observer {
    void (*progress)(void *ud, int worker_rank, const exec_stats *so_far);
    void (*tick)(void *ud);
    void *ud;
} session_observer;

typedef struct session {
    MPI_Comm world;   /* dup of MPI_COMM_WORLD */
    MPI_Comm workers; /* every rank but 0, or rank 0 alone; MPI_COMM_NULL on the driver otherwise */
    int rank, nranks, nworkers;
    bool is_worker;
    pool *pool;                /* worker: the threads that run its tasks, owned */
    int nthreads;              /* threads that run each worker's tasks (every rank knows it) */
    affinity_report cpus;      /* how the workers' threads were placed on CPUs (every rank knows it) */
    mem_pool mem;              /* worker: its budget for chunk buffers */
    int64_t overhead_nbytes;   /* what the rank holds besides data: resident at start plus a reserve */
    int64_t results_charged;   /* worker: bytes of packed results counted in mem until sent */
    session_observer observer; /* driver: who hears about progress (may be empty) */
    int64_t compute_index;     /* driver: the compute running now */
    /* Stopping on request (session_stop.c). A rank whose flag is set tells
     * the driver, the driver tells every worker: one rank's signal stops
     * all. Once stopping, every later compute stops too. */
    const volatile sig_atomic_t *stop_flag; /* this rank's, or NULL; borrowed */
    bool stopping;                          /* sticky */
    int stop_value;                         /* the first non-zero flag value seen or heard of */
    bool stop_told;                         /* worker: told the driver; driver: told every worker */
    int stop_msg;                           /* what was sent (outlives the sends) */
    double stop_polled;                     /* worker: when it last looked for the driver's stop */
    registry kernels;                       /* this rank's kernels, by name */
} session;

/* The part of a rank's budget that is not for data: what it holds
 * resident once MPI is up, plus this reserve for library scratch (HDF5
 * chunk caches and metadata, MPI's buffers, strip buffers of tasks). */
#define SESSION_RESERVE_NBYTES (32ll << 20)

/* Collective. Workers start nthreads threads for their tasks, and take
 * chunk buffers from a pool of budget_nbytes minus the rank's overhead;
 * fails on every rank when the budget does not even cover the overhead. */
ts_status session_init(session *s, int nthreads, int64_t budget_nbytes, ts_err *err);
void session_fini(session *s); /* collective */

/* Result of one compute as the driver sees it. */
typedef struct session_result {
    exec_stats stats;       /* summed over workers */
    unsigned char *payload; /* every worker's result chunks, then its trace; owned */
    int64_t *payload_off;   /* nranks + 1 offsets into payload, owned */
    int64_t *trace_off;     /* nranks: where each rank's trace starts (= payload_off[r + 1] if none) */
} session_result;

/* Driver: the message of one compute: the targets' DAG, how many of them
 * (the first nresults) come back to the driver, and the stores. */
ts_status session_job_build(bytebuf *job, int ntargets, node *const *targets, int nresults,
                            const store_list *stores, ts_err *err);

/* Driver: runs the compute of job, whose plan is p. On success fills *res;
 * a worker's failure comes back as its message. */
ts_status session_compute(session *s, const bytebuf *job, const plan *p, const store_list *stores,
                          double driver_now, session_result *res, ts_err *err);

/* Driver: receives and drops progress messages still queued (before
 * shutdown). */
void session_drain_progress(session *s);
void session_result_fini(session_result *res);

/* Driver: whether the run is stopping: its own flag, or a worker's stop
 * message (then every worker is told). Local; never waits. */
bool session_stop_requested(session *s);

/* Driver: reads stop messages and relays a stop to every worker once. */
void session_relay_stop(session *s);

/* Workers: whether to stop starting tasks (the exec's should_stop; ud is
 * the session): this rank's flag, or the driver's message. Local; probes
 * for the message at most every few milliseconds. Call it on the thread
 * that makes the MPI calls. */
bool session_worker_should_stop(void *ud);

/* Workers: serve computes until the driver's shutdown; returns its status. */
int session_serve(session *s);

/* Driver: tell the workers to return exit_status from session_serve. */
ts_status session_shutdown(session *s, int exit_status, ts_err *err);

#endif
