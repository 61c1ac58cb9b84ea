/* session_stop.c — one rank's stop request (a signal handler set its flag)
 * becomes every rank's. A worker whose flag is set sends the driver one
 * message; the driver, on its own flag or such a message, sends every
 * worker one message; workers look for it between tasks. Sends are never
 * waited on (their buffer lives in the session), so a rank that already
 * finished its share is never held up by a stop it no longer needs. */
#include "run/session.h"

#include <time.h>

enum {
    TAG_STOP = 7702
};

/* A worker probes for the driver's stop at most this often (seconds):
 * cheap beside any task, and still far below a time limit's grace. */
#define STOP_POLL_S 0.005

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void note(session *s, int value)
{
    if (!s->stopping || s->stop_value == 0)
        s->stop_value = value;
    s->stopping = true;
}

/* This rank's own flag, or a stop seen before: sticky. */
static bool own_flag(session *s)
{
    if (!s->stopping && s->stop_flag && *s->stop_flag)
        note(s, (int)*s->stop_flag);
    return s->stopping;
}

/* Sends the stop value to rank `to` without waiting for it to arrive. */
static void send_stop(session *s, int to)
{
    MPI_Request req;
    s->stop_msg = s->stop_value;
    if (MPI_Isend(&s->stop_msg, 1, MPI_INT, to, TAG_STOP, s->world, &req) == MPI_SUCCESS)
        MPI_Request_free(&req);
}

void session_relay_stop(session *s)
{
    if (s->nranks == 1) {
        own_flag(s);
        return;
    }
    /* Every worker's message is read, also after the relay, so none is
     * left behind. */
    for (;;) {
        int flag = 0, value = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, s->world, &flag, &st);
        if (!flag)
            break;
        MPI_Recv(&value, 1, MPI_INT, st.MPI_SOURCE, TAG_STOP, s->world, MPI_STATUS_IGNORE);
        note(s, value);
    }
    own_flag(s);
    if (s->stopping && !s->stop_told) {
        s->stop_told = true;
        for (int r = 1; r < s->nranks; r++)
            send_stop(s, r);
    }
}

bool session_stop_requested(session *s)
{
    session_relay_stop(s);
    return s->stopping;
}

bool session_worker_should_stop(void *ud)
{
    session *s = ud;
    if (own_flag(s)) {
        if (s->rank != 0 && !s->stop_told) {
            s->stop_told = true;
            send_stop(s, 0);
        }
        return true;
    }
    if (s->rank == 0)
        return false; /* the driver is the only worker */
    double now = now_s();
    if (now - s->stop_polled < STOP_POLL_S)
        return false;
    s->stop_polled = now;
    int flag = 0, value = 0;
    MPI_Iprobe(0, TAG_STOP, s->world, &flag, MPI_STATUS_IGNORE);
    if (!flag)
        return false;
    MPI_Recv(&value, 1, MPI_INT, 0, TAG_STOP, s->world, MPI_STATUS_IGNORE);
    note(s, value);
    s->stop_told = true; /* the driver knows: it told us */
    return true;
}
