/* affinity.h — the CPUs a worker's task threads run on.
 *
 * Launchers bind each rank to CPUs before tessera starts: srun with
 * --cpus-per-task=N gives each task N, but mpirun binds every rank to a
 * single core when it starts at most two. A worker with more threads than
 * CPUs in its mask would run all of them on one core, as fast as one
 * thread. affinity_spread widens such a worker's mask, using only CPUs the
 * launcher gave this job's ranks on the same node: never a CPU outside the
 * job's share of the node. */
#ifndef TS_RUN_AFFINITY_H
#define TS_RUN_AFFINITY_H

#include <mpi.h>
#include <stdbool.h>

#include "util/err.h"

/* What happened, the same on every rank (reduced over all nodes). */
typedef struct affinity_report {
    int worker_cpus_bound; /* fewest CPUs the launcher bound a worker to; 0 if unknown */
    int worker_cpus_now;   /* fewest CPUs a worker's threads may use now; 0 if unknown */
    bool widened;          /* some worker's mask was widened */
    int node_threads;      /* on the most crowded node: worker threads ... */
    int node_cpus;         /* ... and the CPUs the job's ranks hold there */
} affinity_report;

/* Collective over world. A worker (is_worker) with fewer CPUs than
 * nthreads gets a wider mask for its calling thread, which threads it
 * creates later inherit. Failing to read or set a mask is not an error:
 * the rank keeps the launcher's binding and the report says unknown. */
ts_status affinity_spread(MPI_Comm world, bool is_worker, int nthreads, affinity_report *out, ts_err *err);

/* A short phrase for the banner when there is something to say, else "":
 * how the launcher bound the workers and what tessera did about it, or
 * that threads outnumber the CPUs. */
void affinity_describe(const affinity_report *r, int nthreads, char *buf, size_t cap);

#endif
