/* affinity.c — widening a worker's CPU mask to the CPUs its node's ranks
 * hold, when the launcher bound it to fewer CPUs than it has threads. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_* */
#endif
#include "run/affinity.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

/* What each rank of a node tells the others. */
typedef struct rank_cpus {
    cpu_set_t mask;
    int known; /* the mask could be read */
    int is_worker;
} rank_cpus;

/* The n-th CPU of set, counting from 0 in CPU order. */
static int nth_cpu(const cpu_set_t *set, int n)
{
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, set) && n-- == 0)
            return cpu;
    return -1;
}

/* The mask worker number w of nw on a node whose ranks hold `all` gets
 * when each needs `threads` CPUs: its own block of the node's CPUs when the
 * blocks fit side by side, which keeps a worker's threads near each other
 * on big nodes; all of them otherwise, shared under the kernel's balancing. */
static cpu_set_t widened_mask(const cpu_set_t *all, int w, int nw, int threads)
{
    int ncpus = CPU_COUNT(all);
    if ((long long)nw * threads > ncpus)
        return *all;
    cpu_set_t mine;
    CPU_ZERO(&mine);
    for (int k = 0; k < threads; k++)
        CPU_SET(nth_cpu(all, w * threads + k), &mine);
    return mine;
}

ts_status affinity_spread(MPI_Comm world, bool is_worker, int nthreads, affinity_report *out, ts_err *err)
{
    *out = (affinity_report){0};
    MPI_Comm node;
    if (MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Comm_split_type failed");
    int me, n;
    MPI_Comm_rank(node, &me);
    MPI_Comm_size(node, &n);
    rank_cpus mine = {.is_worker = is_worker};
    mine.known = sched_getaffinity(0, sizeof mine.mask, &mine.mask) == 0;
    rank_cpus *ranks = calloc((size_t)n, sizeof *ranks);
    int ok = ranks != NULL;
    ts_status st = TS_OK;
    /* Every rank of the node takes part even if one lacks memory. */
    if (MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, node) != MPI_SUCCESS || !ok) {
        st = err_set(err, ok ? TS_ERR_MPI : TS_ERR_MEMORY,
                     "cannot share CPU masks between the ranks of a node");
        goto done;
    }
    if (MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, ranks, (int)sizeof mine, MPI_BYTE, node) !=
        MPI_SUCCESS) {
        st = err_set(err, TS_ERR_MPI, "MPI_Allgather of CPU masks failed");
        goto done;
    }
    cpu_set_t all;
    CPU_ZERO(&all);
    bool known = true;
    int nworkers = 0, my_worker = 0;
    for (int r = 0; r < n; r++) {
        known = known && ranks[r].known;
        if (ranks[r].known)
            CPU_OR(&all, &all, &ranks[r].mask);
        if (ranks[r].is_worker && r < me)
            my_worker++;
        nworkers += ranks[r].is_worker;
    }
    int bound = INT_MAX, now = INT_MAX, widened = 0;
    if (known && is_worker) {
        bound = now = CPU_COUNT(&mine.mask);
        if (now < nthreads && CPU_COUNT(&all) > now) {
            cpu_set_t wider = widened_mask(&all, my_worker, nworkers, nthreads);
            if (sched_setaffinity(0, sizeof wider, &wider) == 0) {
                now = CPU_COUNT(&wider);
                widened = 1;
            }
        }
    }
    /* Across nodes: the tightest worker, and the most crowded node. */
    int mins[2] = {known ? bound : 0, known ? now : 0};
    int maxs[3] = {widened, nworkers * nthreads, known ? CPU_COUNT(&all) : 0};
    int crowd = known ? nworkers * nthreads - CPU_COUNT(&all) : INT_MIN;
    int most_crowded[2] = {crowd, 0}, world_rank;
    MPI_Comm_rank(world, &world_rank);
    most_crowded[1] = world_rank;
    if (MPI_Allreduce(MPI_IN_PLACE, mins, 2, MPI_INT, MPI_MIN, world) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, &maxs[0], 1, MPI_INT, MPI_MAX, world) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, most_crowded, 1, MPI_2INT, MPI_MAXLOC, world) != MPI_SUCCESS ||
        MPI_Bcast(&maxs[1], 2, MPI_INT, most_crowded[1], world) != MPI_SUCCESS) {
        st = err_set(err, TS_ERR_MPI, "MPI_Allreduce of CPU counts failed");
        goto done;
    }
    *out = (affinity_report){
        .worker_cpus_bound = mins[0] == INT_MAX ? 0 : mins[0],
        .worker_cpus_now = mins[1] == INT_MAX ? 0 : mins[1],
        .widened = maxs[0] != 0,
        .node_threads = maxs[1],
        .node_cpus = maxs[2],
    };
done:
    free(ranks);
    MPI_Comm_free(&node);
    return st;
}

void affinity_describe(const affinity_report *r, int nthreads, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (nthreads <= 1)
        return;
    size_t used = 0;
    if (r->widened)
        used = (size_t)snprintf(
            buf, cap, "the launcher bound each worker to %d CPU%s, widened to %d for its threads",
            r->worker_cpus_bound, r->worker_cpus_bound == 1 ? "" : "s", r->worker_cpus_now);
    if (r->node_cpus > 0 && r->node_threads > r->node_cpus && used < cap)
        used +=
            (size_t)snprintf(buf + used, cap - used, "%s%d worker threads share %d CPU%s on a node",
                             used ? "; " : "", r->node_threads, r->node_cpus, r->node_cpus == 1 ? "" : "s");
    /* Threads held to fewer CPUs than there are of them by the launcher,
     * not by the node: say how to start the job so they get their own. */
    if (r->worker_cpus_now > 0 && r->worker_cpus_now < nthreads && used < cap)
        snprintf(buf + used, cap - used, "%sstart it with mpirun --bind-to none, or srun --cpus-per-task=%d",
                 used ? "; " : "", nthreads);
}
