/* dworker.h — a worker's side of a delayed compute. The calling (main)
 * thread talks MPI: it takes the tasks the driver hands out, fetches their
 * inputs from the workers holding them, answers other workers' fetches and
 * reports what finished; a task thread runs the kernels (MPI is only ever
 * called from the main thread, as MPI_THREAD_FUNNELED asks). Tasks wait in
 * a queue between the two, so a task's inputs arrive while the one before
 * it runs. Results stay on the worker that made them until the compute
 * ends; targets also go to the driver. */
#ifndef TS_RUN_DWORKER_H
#define TS_RUN_DWORKER_H

#include <pthread.h>

#include "run/dgraph.h"
#include "run/dproto.h"
#include "run/session.h"

typedef struct dcompletion {
    int64_t task;
    ts_status status;
    int64_t ns;
    void *result;
    size_t nbytes;
    char *msg; /* malloc'd, or NULL */
} dcompletion;

typedef struct dworker {
    session *s;
    const dgraph *g;
    int64_t c;            /* the compute's number */
    unsigned char *state; /* per task, see dworker.c */
    void **res;           /* results held here, owned */
    int64_t *res_n;
    int *holder;      /* world rank holding each task's result, as the driver said */
    int64_t *waiting; /* handed out, inputs not all here */
    int64_t nwaiting, nfetching, nassigned;
    /* shared with the task thread under mu */
    pthread_mutex_t mu;
    pthread_cond_t work, news;
    int64_t *ready; /* ring of ntasks entries */
    int64_t rhead, rlen;
    dcompletion *done; /* finished, not yet taken by the main thread */
    int64_t ndone;
    bool quit;
    volatile int cancelled;
    pthread_t thread;
    bool thread_started;
    /* main thread only */
    dsends sends;
    bytebuf batch; /* DONE records not yet sent */
    bool ended, aborted;
    int64_t done_msgs, result_msgs; /* sent to the driver */
    int64_t tasks_run;
    double busy_s;
    ts_err err; /* a failure of the engine itself (not of a task) */
    bool err_reported;
} dworker;

/* Starts the engine for graph g of compute c (the task thread too). */
ts_status dworker_init(dworker *w, session *s, const dgraph *g, int64_t c);

/* One round of messages and hand-overs; returns whether anything
 * happened. */
bool dworker_poll(dworker *w);

/* Waits up to timeout_us for the task thread to finish something. */
void dworker_idle(dworker *w, int timeout_us);

/* Whether the driver ended the compute and this worker has nothing
 * running, waiting for inputs or unsent. */
bool dworker_quiet(dworker *w);

/* After dworker_quiet: waits (serving fetches) until every worker is
 * quiet, so no fetch stays unanswered; collective over the workers. */
ts_status dworker_finish(dworker *w);

void dworker_fini(dworker *w);

#endif
