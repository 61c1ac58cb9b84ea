/* session_delayed.h — one delayed compute between the driver and the
 * workers, next to session.h's array computes:
 *
 *   driver                              workers
 *   Ibcast {DELAYED, nbytes} + job -->  read the graph, start the engine
 *   RUN / END                      -->  run tasks, fetch inputs peer to peer
 *                                  <--  DONE / RESULT
 *   Igather headers                <--  status, counts of messages sent
 *
 * The headers say how many reports each worker sent, so the driver
 * receives every one before it returns, and no message of this compute is
 * left queued for the next. */
#ifndef TS_RUN_SESSION_DELAYED_H
#define TS_RUN_SESSION_DELAYED_H

#include "run/session.h"

#define SESSION_MSG_DELAYED 3 /* the first broadcast's kind (session.c has the others) */

typedef struct session_delayed_result {
    int64_t ntargets;
    void **data; /* per target, malloc'd, owned */
    int64_t *nbytes;
    int64_t tasks; /* tasks run */
    double busy_s; /* their summed run time */
} session_delayed_result;

/* Driver: runs the delayed job (array/delayed_serialize.h) and fills *res
 * with the targets' results. A failing task fails the compute on every
 * rank; its message names the task and the rank. */
ts_status session_delayed(session *s, const bytebuf *job, double driver_now, session_delayed_result *res,
                          ts_err *err);
void session_delayed_result_fini(session_delayed_result *res);

/* Workers (session_serve): this worker's part of compute c. */
void session_delayed_serve(session *s, const void *job, size_t len, int64_t c);

#endif
