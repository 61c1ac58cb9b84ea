/* dsched.h — the driver's scheduler of a delayed compute. Ready tasks
 * (every input computed) are handed out longest remaining chain first
 * (a task's estimated cost plus its longest chain of readers: its "bottom
 * level"), each to a worker with room in its bounded queue, preferring the
 * worker that holds most of the task's inputs, then the least loaded (by
 * estimated cost when costs are given, else by tasks in its queue). A
 * queue holds at least two tasks, so a worker always has its next task
 * (and its inputs) at hand when one finishes; for short tasks the queue
 * grows (up to 64) so that rank 0's round trips never leave a worker idle.
 * With independent chains of known cost this balances the chains across
 * the workers; with unknown costs it hands out work as workers finish. */
#ifndef TS_RUN_DSCHED_H
#define TS_RUN_DSCHED_H

#include "run/dgraph.h"
#include "run/dproto.h"
#include "run/session.h"

#define DSCHED_MIN_QUEUE 2
#define DSCHED_MAX_QUEUE 64

typedef struct dsched {
    session *s;
    const dgraph *g;
    int64_t c;
    int nworkers, rank0; /* workers are world ranks rank0 .. rank0 + nworkers - 1 */
    double *cost, *prio;
    int64_t *nleft;      /* inputs not computed yet */
    int *owner;          /* world rank holding each result, -1 before */
    int64_t *res_nbytes; /* size of each result */
    int64_t *heap, nheap;
    int *inflight;
    double *load;
    bytebuf *run; /* RUN message being built, per worker */
    dsends sends;
    int64_t ndone, nassigned;
    double avg_s; /* measured run time per task */
    int64_t nmeasured;
    bool ended, failed;
    ts_err err;    /* the first failure */
    void **result; /* targets' results, by task */
    int64_t *result_n;
    int64_t nresults, nresults_wanted;
    int64_t *done_msgs, *result_msgs; /* received from each world rank */
    double busy_s;
} dsched;

ts_status dsched_init(dsched *d, session *s, const dgraph *g, int64_t c, ts_err *err);

/* Reads reports, hands out ready tasks, ends the compute when everything
 * ran or a task failed. Returns whether anything happened. */
bool dsched_poll(dsched *d);

/* Whether the compute ended and every target's result arrived (or it
 * failed). */
bool dsched_finished(const dsched *d);

/* Receives messages until rank r's counts (from its final header) are met. */
void dsched_drain(dsched *d, int r, int64_t done_msgs, int64_t result_msgs);

void dsched_fini(dsched *d);

#endif
