/* dworker.c — the worker engine of delayed computes (see dworker.h). A
 * task's state here: */
#include "run/dworker.h"
#include "run/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    W_NONE = 0, /* nothing about it here */
    W_WAIT,     /* handed to this worker; inputs not all here yet */
    W_QUEUED,   /* with the task thread */
    W_FETCHING, /* its result is asked from the worker holding it */
    W_HERE      /* its result is here (made here, or fetched) */
};

#define TASK_THREAD_SLOT 1 /* the runner state of delayed tasks (map_blocks uses 0) */

static void run_one(dworker *w, int64_t t, dcompletion *out)
{
    const dgraph *g = w->g;
    const dtask *d = &g->tasks[t];
    const registry_entry *k = g->entry[d->kernel];
    ts_value *args = calloc((size_t)(d->nargs ? d->nargs : 1), sizeof *args);
    char msg[TS_ERRMSG_MAX] = "";
    *out = (dcompletion){.task = t};
    double t0 = trace_now();
    if (!k || !k->k.task) {
        snprintf(msg, sizeof msg, "no task kernel named '%s' is registered on this rank",
                 g->kernels[d->kernel]);
        out->status = TS_ERR_RUNTIME;
    } else if (!args) {
        snprintf(msg, sizeof msg, "out of memory for the task's arguments");
        out->status = TS_ERR_MEMORY;
    } else {
        for (int i = 0; i < d->nargs; i++) {
            const darg *a = &g->args[d->arg0 + i];
            if (a->kind == TS_ARG_BYTES) {
                args[i] = (ts_value){.data = a->bytes, .nbytes = (size_t)a->nbytes};
            } else if (a->kind == TS_ARG_DELAYED) {
                args[i] = (ts_value){.data = w->res[a->ref],
                                     .nbytes = (size_t)w->res_n[a->ref],
                                     .kernel = g->kernels[g->tasks[a->ref].kernel]};
            } else {
                args[i] = (ts_value){.is_array = true, .array = g->values[a->ref]};
                args[i].data = args[i].array.data;
            }
        }
        ts_task_call call = {.rank_ud = k->k.rank_ud,
                             .ud = g->ud[d->ud],
                             .ud_nbytes = (size_t)g->ud_nbytes[d->ud],
                             .nargs = d->nargs,
                             .args = args,
                             .task = t,
                             .label = d->label,
                             .thread = TASK_THREAD_SLOT,
                             .cancelled = &w->cancelled,
                             .errmsg = msg,
                             .errlen = sizeof msg};
        out->status = k->k.task(&call);
        if (out->status == TS_OK) {
            out->result = call.result;
            out->nbytes = call.result_nbytes;
        } else {
            free(call.result);
            if (!msg[0])
                snprintf(msg, sizeof msg, "the kernel '%s' failed", g->kernels[d->kernel]);
        }
    }
    out->ns = (int64_t)((trace_now() - t0) * 1e9);
    if (out->status != TS_OK)
        out->msg = strdup(msg);
    free(args);
}

static void *task_thread(void *ud)
{
    dworker *w = ud;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->rlen == 0 && !w->quit)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->rlen == 0)
            break;
        int64_t t = w->ready[w->rhead];
        w->rhead = (w->rhead + 1) % w->g->ntasks;
        w->rlen--;
        pthread_mutex_unlock(&w->mu);
        dcompletion c;
        run_one(w, t, &c);
        pthread_mutex_lock(&w->mu);
        w->done[w->ndone++] = c; /* room for every task: a task completes once */
        pthread_cond_signal(&w->news);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

ts_status dworker_init(dworker *w, session *s, const dgraph *g, int64_t c)
{
    *w = (dworker){.s = s, .g = g, .c = c};
    err_clear(&w->err);
    size_t n = (size_t)(g->ntasks ? g->ntasks : 1);
    w->state = calloc(n, sizeof *w->state);
    w->res = calloc(n, sizeof *w->res);
    w->res_n = calloc(n, sizeof *w->res_n);
    w->holder = malloc(n * sizeof *w->holder);
    w->waiting = malloc(n * sizeof *w->waiting);
    w->ready = malloc(n * sizeof *w->ready);
    w->done = malloc(n * sizeof *w->done);
    bytebuf_init(&w->batch);
    if (!w->state || !w->res || !w->res_n || !w->holder || !w->waiting || !w->ready || !w->done)
        return err_set(&w->err, TS_ERR_MEMORY, "out of memory starting a delayed compute");
    for (size_t i = 0; i < n; i++)
        w->holder[i] = -1;
    bytebuf_put_i64(&w->batch, c);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->news, NULL);
    if (pthread_create(&w->thread, NULL, task_thread, w) != 0) {
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->news);
        pthread_mutex_destroy(&w->mu);
        return err_set(&w->err, TS_ERR_RUNTIME, "cannot start the task thread");
    }
    w->thread_started = true;
    return TS_OK;
}

static void add_record(dworker *w, int64_t t, int64_t status, int64_t ns, int64_t nbytes, const char *msg)
{
    int64_t len = msg ? (int64_t)strlen(msg) : 0;
    int64_t rec[5] = {t, status, ns, nbytes, len};
    bytebuf_put(&w->batch, rec, sizeof rec);
    bytebuf_put(&w->batch, msg, (size_t)len);
}

/* A failure of the engine itself becomes a record of task -1, once. */
static void engine_failed(dworker *w)
{
    if (w->err.status != TS_OK && !w->err_reported) {
        add_record(w, -1, w->err.status, 0, 0, w->err.msg);
        w->err_reported = true;
    }
}

static void send_bytes(dworker *w, int rank, int tag, int64_t t, const void *data, size_t n)
{
    unsigned char *buf = malloc(16 + n);
    if (!buf) {
        err_set(&w->err, TS_ERR_MEMORY, "out of memory sending a result");
        return;
    }
    int64_t hdr[2] = {w->c, t};
    memcpy(buf, hdr, 16);
    if (n)
        memcpy(buf + 16, data, n);
    dsends_post(&w->sends, w->s->world, rank, tag, buf, 16 + n, &w->err);
}

static void on_run(dworker *w, const int64_t *m, int64_t n)
{
    const dgraph *g = w->g;
    for (int64_t i = 1; i < n;) {
        int64_t t = m[i++];
        if (t < 0 || t >= g->ntasks || w->ended)
            return;
        const dtask *d = &g->tasks[t];
        for (int a = 0; a < d->nargs && i < n; a++)
            if (g->args[d->arg0 + a].kind == TS_ARG_DELAYED)
                w->holder[g->args[d->arg0 + a].ref] = (int)m[i++];
        w->state[t] = W_WAIT;
        w->waiting[w->nwaiting++] = t;
        w->nassigned++;
    }
}

static void on_message(dworker *w, const MPI_Status *st)
{
    int nbytes = 0;
    unsigned char *buf = dproto_recv(w->s->world, st, &nbytes);
    if (!buf) {
        err_set(&w->err, TS_ERR_MEMORY, "out of memory receiving a message");
        return;
    }
    int64_t c = -1, t = -1;
    if (nbytes >= 8)
        memcpy(&c, buf, 8);
    if (nbytes >= 16)
        memcpy(&t, buf + 8, 8);
    if (c != w->c) {
        free(buf);
        return; /* of another compute */
    }
    switch (st->MPI_TAG) {
    case DTAG_RUN: on_run(w, (const int64_t *)(void *)buf, nbytes / 8); break;
    case DTAG_END:
        w->ended = true;
        w->aborted = t != 0;
        if (w->aborted) {
            w->cancelled = 1;
            /* tasks not started are dropped */
            pthread_mutex_lock(&w->mu);
            w->nassigned -= w->rlen;
            w->rlen = 0;
            pthread_mutex_unlock(&w->mu);
        }
        break;
    case DTAG_FETCH:
        if (t >= 0 && t < w->g->ntasks && w->state[t] == W_HERE)
            send_bytes(w, st->MPI_SOURCE, DTAG_DATA, t, w->res[t], (size_t)w->res_n[t]);
        else
            err_set(&w->err, TS_ERR_RUNTIME, "internal: asked for the result of task %lld, which is not here",
                    (long long)t);
        break;
    case DTAG_DATA:
        if (t >= 0 && t < w->g->ntasks && w->state[t] == W_FETCHING) {
            size_t n = (size_t)nbytes - 16;
            w->res[t] = malloc(n ? n : 1);
            if (!w->res[t]) {
                err_set(&w->err, TS_ERR_MEMORY, "out of memory for a fetched result");
            } else {
                memcpy(w->res[t], buf + 16, n);
                w->res_n[t] = (int64_t)n;
            }
            w->state[t] = W_HERE;
            w->nfetching--;
        }
        break;
    default: break;
    }
    free(buf);
}

/* Moves finished tasks from the task thread into results and records. */
static bool take_completions(dworker *w)
{
    dcompletion batch[64];
    bool any = false;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        int64_t n = w->ndone < 64 ? w->ndone : 64;
        w->ndone -= n;
        memcpy(batch, w->done + w->ndone, (size_t)n * sizeof *batch);
        pthread_mutex_unlock(&w->mu);
        if (n == 0)
            return any;
        any = true;
        for (int64_t i = 0; i < n; i++) {
            dcompletion *c = &batch[i];
            w->tasks_run++;
            w->busy_s += (double)c->ns * 1e-9;
            w->nassigned--;
            if (c->status == TS_OK) {
                w->res[c->task] = c->result;
                w->res_n[c->task] = (int64_t)c->nbytes;
                w->state[c->task] = W_HERE;
                if (w->g->is_target[c->task]) {
                    send_bytes(w, 0, DTAG_RESULT, c->task, c->result, c->nbytes);
                    w->result_msgs++;
                }
            } else {
                free(c->result);
            }
            add_record(w, c->task, c->status, c->ns, (int64_t)c->nbytes, c->msg);
            free(c->msg);
        }
    }
}

/* Hands waiting tasks whose inputs are all here to the task thread, and
 * asks for the inputs that are not. */
static bool hand_over(dworker *w)
{
    const dgraph *g = w->g;
    bool progress = false;
    int64_t kept = 0;
    for (int64_t i = 0; i < w->nwaiting; i++) {
        int64_t t = w->waiting[i];
        const dtask *d = &g->tasks[t];
        bool all = true;
        for (int a = 0; a < d->nargs && !w->ended; a++) {
            const darg *ar = &g->args[d->arg0 + a];
            if (ar->kind != TS_ARG_DELAYED || w->state[ar->ref] == W_HERE)
                continue;
            all = false;
            if (w->state[ar->ref] != W_FETCHING) {
                int64_t *m = malloc(2 * sizeof *m);
                if (!m) {
                    err_set(&w->err, TS_ERR_MEMORY, "out of memory asking for a result");
                    continue;
                }
                m[0] = w->c;
                m[1] = ar->ref;
                w->state[ar->ref] = W_FETCHING;
                w->nfetching++;
                dsends_post(&w->sends, w->s->world, w->holder[ar->ref], DTAG_FETCH, m, sizeof *m * 2,
                            &w->err);
                progress = true;
            }
        }
        if (w->ended) { /* aborted: dropped before it ran */
            w->nassigned--;
            progress = true;
            continue;
        }
        if (!all) {
            w->waiting[kept++] = t;
            continue;
        }
        pthread_mutex_lock(&w->mu);
        w->ready[(w->rhead + w->rlen) % g->ntasks] = t;
        w->rlen++;
        w->state[t] = W_QUEUED;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->mu);
        progress = true;
    }
    w->nwaiting = kept;
    return progress;
}

static void flush(dworker *w)
{
    engine_failed(w);
    if (w->batch.len <= 8)
        return;
    if (w->batch.failed) {
        err_set(&w->err, TS_ERR_MEMORY, "out of memory reporting tasks");
        bytebuf_fini(&w->batch);
    } else {
        dsends_post(&w->sends, w->s->world, 0, DTAG_DONE, w->batch.data, w->batch.len, &w->err);
        w->done_msgs++;
    }
    bytebuf_init(&w->batch);
    bytebuf_put_i64(&w->batch, w->c);
}

bool dworker_poll(dworker *w)
{
    static const int tags[] = {DTAG_RUN, DTAG_END, DTAG_FETCH, DTAG_DATA};
    bool progress = false;
    for (int k = 0; k < 4; k++) {
        for (;;) {
            int flag = 0;
            MPI_Status st;
            MPI_Iprobe(MPI_ANY_SOURCE, tags[k], w->s->world, &flag, &st);
            if (!flag)
                break;
            on_message(w, &st);
            progress = true;
        }
    }
    progress = take_completions(w) || progress;
    if (w->nwaiting)
        progress = hand_over(w) || progress;
    flush(w);
    dsends_test(&w->sends);
    return progress;
}

void dworker_idle(dworker *w, int timeout_us)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)timeout_us * 1000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&w->mu);
    if (w->ndone == 0)
        pthread_cond_timedwait(&w->news, &w->mu, &ts);
    pthread_mutex_unlock(&w->mu);
}

bool dworker_quiet(dworker *w)
{
    return w->ended && w->nassigned == 0 && w->nfetching == 0 && w->batch.len <= 8;
}

ts_status dworker_finish(dworker *w)
{
    MPI_Request req;
    if (MPI_Ibarrier(w->s->workers, &req) != MPI_SUCCESS)
        return err_set(&w->err, TS_ERR_MPI, "MPI_Ibarrier failed");
    int done = 0, sleep_us = 20;
    while (!done) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done)
            break;
        if (dworker_poll(w))
            sleep_us = 20;
        else {
            struct timespec ts = {0, sleep_us * 1000L};
            nanosleep(&ts, NULL);
            sleep_us = sleep_us < 1000 ? 2 * sleep_us : 1000;
        }
    }
    while (dsends_test(&w->sends) > 0) {
        struct timespec ts = {0, 50000L};
        nanosleep(&ts, NULL);
    }
    return w->err.status;
}

void dworker_fini(dworker *w)
{
    if (w->thread_started) {
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        w->rlen = 0;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->news);
        pthread_mutex_destroy(&w->mu);
    }
    for (int64_t i = 0; i < w->ndone; i++) {
        free(w->done[i].result);
        free(w->done[i].msg);
    }
    free(w->done);
    for (int64_t t = 0; w->res && t < w->g->ntasks; t++)
        free(w->res[t]);
    dsends_fini(&w->sends);
    bytebuf_fini(&w->batch);
    free(w->state);
    free(w->res);
    free(w->res_n);
    free(w->holder);
    free(w->waiting);
    free(w->ready);
    *w = (dworker){0};
}
