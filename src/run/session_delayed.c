/* session_delayed.c — the delayed compute's protocol around the scheduler
 * and the worker engine (see session_delayed.h). Waits sleep between
 * polls, from 10 µs after activity to 1 ms when nothing happens, so no
 * rank burns a core while tasks run, and short tasks are still noticed
 * quickly. */
#include "run/session_delayed.h"
#include "run/dsched.h"
#include "run/dworker.h"
#include "run/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIN_SLEEP_US 10
#define MAX_SLEEP_US 1000

typedef struct dheader {
    int64_t status;
    int64_t done_msgs, result_msgs;
    int64_t tasks;
    double busy_s;
    char msg[TS_ERRMSG_MAX];
} dheader;

static int backoff(bool progress, int us)
{
    if (progress)
        return MIN_SLEEP_US;
    return us < MAX_SLEEP_US ? 2 * us : MAX_SLEEP_US;
}

static void fill_header(const dworker *w, ts_status st, const char *msg, dheader *h)
{
    *h = (dheader){.status = st};
    if (w) {
        h->done_msgs = w->done_msgs;
        h->result_msgs = w->result_msgs;
        h->tasks = w->tasks_run;
        h->busy_s = w->busy_s;
    }
    snprintf(h->msg, sizeof h->msg, "%s", msg ? msg : "");
}

/* A worker whose engine could not start: it reports that (as task -1),
 * waits for the driver to end the compute and joins the final barrier. */
static void stand_by(session *s, int64_t c, const char *msg)
{
    bytebuf b;
    bytebuf_init(&b);
    int64_t rec[6] = {c, -1, TS_ERR_MEMORY, 0, 0, (int64_t)strlen(msg)};
    bytebuf_put(&b, rec, sizeof rec);
    bytebuf_put(&b, msg, strlen(msg));
    if (!b.failed)
        MPI_Send(b.data, (int)b.len, MPI_BYTE, 0, DTAG_DONE, s->world);
    bytebuf_fini(&b);
    for (bool ended = false; !ended;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(0, MPI_ANY_TAG, s->world, &flag, &st);
        if (!flag) {
            struct timespec ts = {0, MAX_SLEEP_US * 1000L};
            nanosleep(&ts, NULL);
            continue;
        }
        int n = 0;
        int64_t *m = dproto_recv(s->world, &st, &n);
        ended = st.MPI_TAG == DTAG_END && m && n >= 8 && m[0] == c;
        free(m);
    }
    MPI_Request req;
    ts_err err;
    err_clear(&err);
    MPI_Ibarrier(s->workers, &req);
    transport_wait(&req, MAX_SLEEP_US, "ending a delayed compute", &err);
}

/* A worker's part until every worker is quiet: the engine over graph g. */
static ts_status work(session *s, const dgraph *g, int64_t c, dworker *w, ts_err *read_err)
{
    ts_status st = dworker_init(w, s, g, c);
    if (st != TS_OK) {
        stand_by(s, c, w->err.msg);
        return st;
    }
    if (read_err->status != TS_OK)
        err_set(&w->err, read_err->status, "%s", read_err->msg); /* reported as task -1 */
    int us = MIN_SLEEP_US;
    while (!dworker_quiet(w)) {
        bool p = dworker_poll(w);
        if (!p)
            dworker_idle(w, us);
        us = backoff(p, us);
    }
    return dworker_finish(w);
}

void session_delayed_serve(session *s, const void *job, size_t len, int64_t c)
{
    ts_err err;
    err_clear(&err);
    dgraph g;
    if (dgraph_read(&g, job, len, &s->kernels, &err) != TS_OK) {
        dgraph_fini(&g);
        g = (dgraph){0};
    }
    dworker w;
    ts_status st = work(s, &g, c, &w, &err);
    dheader mine, *none = NULL;
    fill_header(&w, st, w.err.msg, &mine);
    MPI_Request req;
    ts_err gerr;
    err_clear(&gerr);
    if (MPI_Igather(&mine, sizeof mine, MPI_BYTE, none, sizeof mine, MPI_BYTE, 0, s->world, &req) !=
            MPI_SUCCESS ||
        transport_wait(&req, 200, "ending a delayed compute", &gerr) != TS_OK)
        fprintf(stderr, "tessera: rank %d: %s\n", s->rank, gerr.msg[0] ? gerr.msg : "MPI_Igather failed");
    dworker_fini(&w);
    dgraph_fini(&g);
}

typedef struct driver_wait {
    dsched *d;
    session *s;
} driver_wait;

static void driver_hook(void *ud)
{
    driver_wait *dw = ud;
    dsched_poll(dw->d);
    if (dw->s->observer.tick)
        dw->s->observer.tick(dw->s->observer.ud);
}

static ts_status broadcast_job(session *s, const bytebuf *job, double driver_now, ts_err *err)
{
    int64_t now_bits;
    memcpy(&now_bits, &driver_now, sizeof now_bits);
    int64_t hdr[4] = {SESSION_MSG_DELAYED, (int64_t)job->len, s->compute_index, now_bits};
    MPI_Request req;
    if (MPI_Ibcast(hdr, (int)sizeof hdr, MPI_BYTE, 0, s->world, &req) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Ibcast failed (sending the tasks)");
    ts_status st = transport_wait(&req, 1000, "sending the tasks", err);
    if (st != TS_OK)
        return st;
    if (MPI_Ibcast(job->data, (int)job->len, MPI_BYTE, 0, s->world, &req) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Ibcast failed (sending the tasks)");
    return transport_wait(&req, 1000, "sending the tasks", err);
}

/* The driver's loop: schedule (and, alone, work) until the compute ended. */
static void drive(dsched *d, dworker *local)
{
    int us = MIN_SLEEP_US;
    double next_tick = 0;
    for (;;) {
        bool p = dsched_poll(d);
        if (local)
            p = dworker_poll(local) || p;
        if (dsched_finished(d) && (!local || dworker_quiet(local)))
            return;
        if (!p) {
            if (local)
                dworker_idle(local, us);
            else {
                struct timespec ts = {0, us * 1000L};
                nanosleep(&ts, NULL);
            }
        }
        us = backoff(p, us);
        next_tick += us;
        if (next_tick > 100000 && d->s->observer.tick) { /* about ten times a second */
            d->s->observer.tick(d->s->observer.ud);
            next_tick = 0;
        }
    }
}

static ts_status collect(session *s, dsched *d, const dheader *mine, session_delayed_result *res, ts_err *err)
{
    dheader *hdrs = calloc((size_t)s->nranks, sizeof *hdrs);
    if (!hdrs)
        return err_set(err, TS_ERR_MEMORY, "out of memory ending a delayed compute");
    MPI_Request req;
    driver_wait dw = {.d = d, .s = s};
    ts_status st = MPI_Igather(mine, sizeof *mine, MPI_BYTE, hdrs, sizeof *mine, MPI_BYTE, 0, s->world,
                               &req) == MPI_SUCCESS
                       ? transport_wait_hook(&req, 1000, driver_hook, &dw, "ending a delayed compute", err)
                       : err_set(err, TS_ERR_MPI, "MPI_Igather failed");
    for (int r = 0; st == TS_OK && r < s->nranks; r++) {
        dsched_drain(d, r, hdrs[r].done_msgs, hdrs[r].result_msgs);
        res->tasks += hdrs[r].tasks;
        res->busy_s += hdrs[r].busy_s;
    }
    if (st == TS_OK && d->failed)
        st = err_set(err, d->err.status, "%s", d->err.msg);
    for (int r = 0; st == TS_OK && r < s->nranks; r++)
        if (hdrs[r].status != TS_OK)
            st = err_set(err, (ts_status)hdrs[r].status, "rank %d: %s", r, hdrs[r].msg);
    free(hdrs);
    return st;
}

ts_status session_delayed(session *s, const bytebuf *job, double driver_now, session_delayed_result *res,
                          ts_err *err)
{
    *res = (session_delayed_result){0};
    dgraph g;
    ts_status st = dgraph_read(&g, job->data, job->len, &s->kernels, err);
    if (st != TS_OK) {
        dgraph_fini(&g);
        return st;
    }
    res->ntargets = g.ntargets;
    res->data = calloc((size_t)(g.ntargets ? g.ntargets : 1), sizeof *res->data);
    res->nbytes = calloc((size_t)(g.ntargets ? g.ntargets : 1), sizeof *res->nbytes);
    dsched d = {0};
    if (!res->data || !res->nbytes)
        st = err_set(err, TS_ERR_MEMORY, "out of memory for delayed results");
    if (st == TS_OK)
        st = dsched_init(&d, s, &g, s->compute_index, err);
    if (st != TS_OK) {
        dsched_fini(&d);
        dgraph_fini(&g);
        session_delayed_result_fini(res);
        return st;
    }
    if (s->nranks > 1)
        st = broadcast_job(s, job, driver_now, err);
    if (st == TS_OK) {
        dworker local, *lw = s->is_worker ? &local : NULL;
        ts_status ws = TS_OK;
        if (lw) {
            ws = dworker_init(lw, s, &g, s->compute_index);
            if (ws != TS_OK) {
                err_set(&d.err, ws, "%s", lw->err.msg);
                d.failed = true;
                dworker_fini(lw);
                lw = NULL;
            }
        }
        drive(&d, lw);
        if (lw)
            ws = dworker_finish(lw);
        dheader mine;
        fill_header(lw, ws, lw ? lw->err.msg : "", &mine);
        st = collect(s, &d, &mine, res, err);
        if (lw)
            dworker_fini(lw);
    }
    for (int64_t i = 0; st == TS_OK && i < g.ntargets; i++) {
        int64_t t = g.targets[i];
        res->nbytes[i] = d.result_n[t];
        res->data[i] = malloc((size_t)(d.result_n[t] ? d.result_n[t] : 1));
        if (!res->data[i])
            st = err_set(err, TS_ERR_MEMORY, "out of memory for delayed results");
        else
            memcpy(res->data[i], d.result[t], (size_t)d.result_n[t]);
    }
    dsched_fini(&d);
    dgraph_fini(&g);
    if (st != TS_OK)
        session_delayed_result_fini(res);
    return st;
}

void session_delayed_result_fini(session_delayed_result *res)
{
    for (int64_t i = 0; res->data && i < res->ntargets; i++)
        free(res->data[i]);
    free(res->data);
    free(res->nbytes);
    *res = (session_delayed_result){0};
}
