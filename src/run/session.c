/* session.c — the driver/worker protocol of one compute. Message count per
 * compute: two broadcasts and two gathers, whatever the number of chunks. */
#include "run/session.h"
#include "array/serialize.h"
#include "run/session_delayed.h"
#include "run/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MSG_COMPUTE = 1,
    MSG_SHUTDOWN = 2,
    MSG_DELAYED = SESSION_MSG_DELAYED
};
enum {
    TAG_PROGRESS = 7701
};

/* The driver waits long stretches: poll every millisecond. Workers waiting
 * for the next request too; within a compute they poll faster. */
#define IDLE_SLEEP_US 1000
#define RESULT_SLEEP_US 200
#define RESULT_MSG_MAX TS_ERRMSG_MAX

typedef struct result_header {
    int64_t status;
    int64_t peer_failed;
    int64_t nbytes; /* results, then trace_nbytes of trace */
    int64_t trace_nbytes;
    exec_stats stats;
    char msg[RESULT_MSG_MAX];
} result_header;

ts_status session_init(session *s, int nthreads, int64_t budget_nbytes, ts_err *err)
{
    *s = (session){.world = MPI_COMM_NULL, .workers = MPI_COMM_NULL, .nthreads = nthreads > 0 ? nthreads : 1};
    registry_init(&s->kernels);
    mem_pool_init(&s->mem, 0); /* its limit once the rank's overhead is known */
    mem_malloc_configure();
    if (MPI_Comm_dup(MPI_COMM_WORLD, &s->world) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Comm_dup failed");
    MPI_Comm_rank(s->world, &s->rank);
    MPI_Comm_size(s->world, &s->nranks);
    s->nworkers = s->nranks > 1 ? s->nranks - 1 : 1;
    s->is_worker = s->nranks == 1 || s->rank > 0;
    if (MPI_Comm_split(s->world, s->is_worker ? 0 : MPI_UNDEFINED, s->rank, &s->workers) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Comm_split failed");
    /* Before the pool starts its threads, which inherit the mask. */
    ts_status st = affinity_spread(s->world, s->is_worker, s->nthreads, &s->cpus, err);
    if (st != TS_OK)
        return st;
    s->overhead_nbytes = trace_rss_nbytes() + SESSION_RESERVE_NBYTES;
    int64_t most = s->overhead_nbytes, mine = s->overhead_nbytes;
    if (MPI_Allreduce(&mine, &most, 1, MPI_INT64_T, MPI_MAX, s->world) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Allreduce failed");
    s->overhead_nbytes = most;
    if (budget_nbytes <= most) {
        char budget[32], need[32];
        ts_format_nbytes(budget_nbytes, budget, sizeof budget);
        ts_format_nbytes(most + (64ll << 20), need, sizeof need);
        return err_set(err, TS_ERR_MEMORY,
                       "the memory budget of %s per rank does not cover what a rank holds before any data "
                       "(MPI, HDF5, Lua and a reserve for scratch); give each rank at least %s "
                       "(--memory-per-rank)",
                       budget, need);
    }
    s->mem.limit_nbytes = budget_nbytes - most;
    return s->is_worker ? pool_create(nthreads, &s->pool, err) : TS_OK;
}

void session_fini(session *s)
{
    pool_destroy(s->pool);
    s->pool = NULL;
    mem_pool_fini(&s->mem);
    registry_fini(&s->kernels);
    if (s->workers != MPI_COMM_NULL)
        MPI_Comm_free(&s->workers);
    if (s->world != MPI_COMM_NULL)
        MPI_Comm_free(&s->world);
}

static ts_status bcast(session *s, void *buf, int64_t len, const char *what, ts_err *err)
{
    MPI_Request req;
    if (MPI_Ibcast(buf, (int)len, MPI_BYTE, 0, s->world, &req) != MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Ibcast failed (%s)", what);
    return transport_wait(&req, IDLE_SLEEP_US, what, err);
}

ts_status session_job_build(bytebuf *job, int ntargets, node *const *targets, int nresults,
                            const store_list *stores, ts_err *err)
{
    bytebuf dag;
    bytebuf_init(&dag);
    ts_status st = dag_serialize(ntargets, targets, &dag, err);
    if (st == TS_OK) {
        bytebuf_put_i64(job, nresults);
        bytebuf_put_i64(job, (int64_t)dag.len);
        bytebuf_put(job, dag.data, dag.len);
        store_list_serialize(stores, job);
        if (job->failed)
            st = err_set(err, TS_ERR_MEMORY, "out of memory describing the compute");
    }
    bytebuf_fini(&dag);
    return st;
}

/* Appends the chunks of every result this worker owns, in the order the
 * driver decodes them: target by target, chunk by chunk; payload NULL:
 * only counts their bytes. Returns the bytes. */
static int64_t pack_results(const exec *e, const plan *p, bytebuf *payload)
{
    int64_t total = 0;
    for (int i = 0; i < e->nresults; i++) {
        int64_t s;
        ptrmap_get(&p->stage_of, p->targets[i], &s);
        const plan_stage *st = &p->stages[s];
        int64_t n = node_nchunks(st->out);
        for (int64_t c = 0; c < n; c++) {
            if (plan_chunk_owner(st, p->nworkers, c) != e->me)
                continue;
            int64_t start[TS_MAXDIM], size[TS_MAXDIM];
            exec_chunk_box(st->out, c, start, size);
            size_t nb =
                (size_t)(exec_box_nelems(st->out->ndim, size) * (int64_t)ts_dtype_size(st->out->dtype));
            if (payload)
                bytebuf_put(payload, exec_chunk(e, (int)s, c), nb);
            total += (int64_t)nb;
        }
    }
    return total;
}

/* What a worker knows about the compute it runs, for progress reports. */
typedef struct worker_progress {
    session *s;
    int64_t compute;
    int64_t msg[6]; /* compute, tasks, elems, bytes stored, bytes read, bytes computed */
    MPI_Request req;
} worker_progress;

/* Sends the driver this worker's totals without waiting: a report still
 * in flight makes this one be skipped, so workers never block on it. */
static void send_progress(void *ud, const exec_stats *so_far)
{
    worker_progress *wp = ud;
    session *s = wp->s;
    if (s->rank == 0) { /* the driver is the only worker */
        if (s->observer.progress)
            s->observer.progress(s->observer.ud, 0, so_far);
        if (s->observer.tick)
            s->observer.tick(s->observer.ud);
        return;
    }
    int done = 1;
    if (wp->req != MPI_REQUEST_NULL)
        MPI_Test(&wp->req, &done, MPI_STATUS_IGNORE);
    if (!done)
        return;
    int64_t msg[6] = {wp->compute,          so_far->tasks,      so_far->elems_computed,
                      so_far->bytes_stored, so_far->bytes_read, so_far->bytes_computed};
    memcpy(wp->msg, msg, sizeof msg);
    MPI_Isend(wp->msg, 6, MPI_INT64_T, 0, TAG_PROGRESS, s->world, &wp->req);
}

/* Driver: reads every queued progress message of the compute running now. */
static void read_progress(session *s)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_PROGRESS, s->world, &flag, &st);
        if (!flag)
            return;
        int64_t msg[6];
        MPI_Recv(msg, 6, MPI_INT64_T, st.MPI_SOURCE, TAG_PROGRESS, s->world, MPI_STATUS_IGNORE);
        if (msg[0] == s->compute_index && s->observer.progress) {
            exec_stats so_far = {.tasks = msg[1],
                                 .elems_computed = msg[2],
                                 .bytes_stored = msg[3],
                                 .bytes_read = msg[4],
                                 .bytes_computed = msg[5]};
            s->observer.progress(s->observer.ud, st.MPI_SOURCE, &so_far);
        }
    }
}

static void driver_hook(void *ud)
{
    session *s = ud;
    read_progress(s);
    session_relay_stop(s);
    if (s->observer.tick)
        s->observer.tick(s->observer.ud);
}

void session_drain_progress(session *s)
{
    if (s->rank == 0 && s->nranks > 1) {
        read_progress(s);
        session_relay_stop(s);
    }
}

/* A worker's part of a compute: plan (unless given), execute, pack. */
static void worker_compute(session *s, const void *job, size_t len, const plan *given,
                           const store_list *given_stores, int64_t compute, double driver_now,
                           result_header *hdr, bytebuf *payload)
{
    worker_progress wp = {.s = s, .compute = compute, .req = MPI_REQUEST_NULL};
    trace *tr = malloc(sizeof *tr);
    if (tr && !trace_init(tr, s->rank, s->nworkers, driver_now)) {
        free(tr);
        tr = NULL;
    }
    ts_err err;
    err_clear(&err);
    int ntargets = 0;
    node **targets = NULL;
    plan *own = NULL;
    store_list own_stores = {0};
    const plan *p = given;
    const store_list *stores = given_stores;
    bytereader r;
    bytereader_init(&r, job, len);
    int64_t nresults = bytereader_i64(&r), daglen = bytereader_i64(&r);
    const void *dag = daglen >= 0 ? bytereader_skip(&r, (size_t)daglen) : NULL;
    ts_status st = dag ? TS_OK : err_set(&err, TS_ERR_RUNTIME, "corrupt compute message");
    if (!p && st == TS_OK) {
        st = dag_deserialize(dag, (size_t)daglen, &ntargets, &targets, &err);
        if (st == TS_OK)
            st = plan_create(ntargets, targets, s->nworkers, &own, &err);
        if (st == TS_OK)
            st = store_list_deserialize(&r, &own_stores, &err);
        p = own;
        stores = &own_stores;
    }
    bool peer_failed = false;
    exec e = {0};
    if (st == TS_OK)
        st = exec_init(&e, p, stores, (int)nresults, s->workers, &err);
    e.trace = tr;
    e.pool = s->pool;
    e.mem = &s->mem;
    mem_pool_reset_peak(&s->mem);
    e.kernels = &s->kernels;
    e.progress = send_progress;
    e.progress_ud = &wp;
    e.should_stop = session_worker_should_stop;
    e.stop_ud = s;
    if (tr)
        trace_memory(tr);
    /* A worker that could not start still takes part in every exchange
     * (as failed), so the others learn of it instead of waiting. */
    if (p) {
        ts_status rs = exec_run(&e, st != TS_OK, &peer_failed);
        st = st != TS_OK ? st : rs;
    }
    /* The packed copy counts against the budget until it is sent. */
    int64_t nresults_bytes = st == TS_OK ? pack_results(&e, p, NULL) : 0;
    if (st == TS_OK)
        st = mem_charge(&s->mem, nresults_bytes, "the results for rank 0", &err);
    if (st == TS_OK) {
        s->results_charged = nresults_bytes;
        pack_results(&e, p, payload);
        if (payload->failed)
            st = err_set(&err, TS_ERR_MEMORY, "out of memory packing results");
    }
    if (st != TS_OK)
        payload->len = 0; /* no results, but the trace still goes back */
    size_t results_len = payload->len;
    if (tr) {
        tr->peak_rss_nbytes = trace_peak_rss_nbytes();
        trace_memory(tr);
        trace_serialize(tr, payload);
    }
    if (wp.req != MPI_REQUEST_NULL)
        MPI_Wait(&wp.req, MPI_STATUS_IGNORE);
    hdr->status = st;
    hdr->peer_failed = peer_failed;
    hdr->nbytes = payload->failed ? 0 : (int64_t)payload->len;
    hdr->trace_nbytes = payload->failed ? 0 : (int64_t)(payload->len - results_len);
    hdr->stats = e.stats;
    snprintf(hdr->msg, sizeof hdr->msg, "%s", err.msg);
    exec_fini(&e);
    plan_destroy(own);
    store_list_fini(&own_stores);
    if (tr)
        trace_fini(tr);
    free(tr);
    for (int i = 0; i < ntargets; i++)
        ts_array_release(targets[i]);
    free(targets);
}

/* Collects every rank's header and result bytes on rank 0. */
static ts_status gather(session *s, result_header *mine, const bytebuf *payload, result_header *hdrs,
                        session_result *res, ts_err *err)
{
    int sleep_us = s->rank == 0 ? IDLE_SLEEP_US : RESULT_SLEEP_US;
    MPI_Request req;
    if (MPI_Igather(mine, sizeof *mine, MPI_BYTE, hdrs, sizeof *mine, MPI_BYTE, 0, s->world, &req) !=
        MPI_SUCCESS)
        return err_set(err, TS_ERR_MPI, "MPI_Igather failed");
    ts_status st = s->rank == 0
                       ? transport_wait_hook(&req, sleep_us, driver_hook, s, "collecting results", err)
                       : transport_wait(&req, sleep_us, "collecting results", err);
    if (st != TS_OK)
        return st;
    int *counts = NULL, *displs = NULL;
    unsigned char *recv = NULL;
    if (s->rank == 0) {
        counts = malloc((size_t)s->nranks * sizeof *counts);
        displs = malloc((size_t)s->nranks * sizeof *displs);
        res->payload_off = malloc((size_t)(s->nranks + 1) * sizeof *res->payload_off);
        res->trace_off = malloc((size_t)s->nranks * sizeof *res->trace_off);
        if (!counts || !displs || !res->payload_off || !res->trace_off)
            st = err_set(err, TS_ERR_MEMORY, "out of memory collecting results");
        int64_t total = 0;
        for (int r = 0; st == TS_OK && r < s->nranks; r++) {
            res->payload_off[r] = total;
            res->trace_off[r] = total + hdrs[r].nbytes - hdrs[r].trace_nbytes;
            counts[r] = (int)hdrs[r].nbytes;
            displs[r] = (int)total;
            total += hdrs[r].nbytes;
        }
        if (st == TS_OK) {
            res->payload_off[s->nranks] = total;
            if (total > 0x7fffffff)
                st = err_set(err, TS_ERR_MEMORY, "results above 2 GiB cannot be gathered on rank 0");
        }
        if (st == TS_OK && !(recv = res->payload = malloc((size_t)(total ? total : 1))))
            st = err_set(err, TS_ERR_MEMORY, "out of memory collecting results");
        /* Rank 0 must take part in the gatherv it announced; a failure here
         * is reported after it, with counts the workers already sent. */
    }
    if (MPI_Igatherv(payload->data, (int)payload->len * (mine->nbytes > 0), MPI_BYTE, recv, counts, displs,
                     MPI_BYTE, 0, s->world, &req) != MPI_SUCCESS)
        st = err_set(err, TS_ERR_MPI, "MPI_Igatherv failed");
    else {
        ts_status ws = transport_wait(&req, sleep_us, "collecting results", err);
        st = st != TS_OK ? st : ws;
    }
    free(counts);
    free(displs);
    return st;
}

void session_result_fini(session_result *res)
{
    free(res->payload);
    free(res->payload_off);
    free(res->trace_off);
    *res = (session_result){0};
}

ts_status session_compute(session *s, const bytebuf *dag, const plan *p, const store_list *stores,
                          double driver_now, session_result *res, ts_err *err)
{
    *res = (session_result){0};
    int64_t now_bits;
    memcpy(&now_bits, &driver_now, sizeof now_bits);
    if (s->nranks > 1) {
        int64_t hdr[4] = {MSG_COMPUTE, (int64_t)dag->len, s->compute_index, now_bits};
        ts_status st = bcast(s, hdr, sizeof hdr, "sending the plan", err);
        if (st == TS_OK)
            st = bcast(s, dag->data, (int64_t)dag->len, "sending the plan", err);
        if (st != TS_OK)
            return st;
    }
    result_header mine = {0};
    bytebuf payload;
    bytebuf_init(&payload);
    if (s->is_worker)
        worker_compute(s, dag->data, dag->len, p, stores, s->compute_index, driver_now, &mine, &payload);
    result_header *hdrs = calloc((size_t)s->nranks, sizeof *hdrs);
    ts_status st = hdrs ? gather(s, &mine, &payload, hdrs, res, err)
                        : err_set(err, TS_ERR_MEMORY, "out of memory collecting results");
    bytebuf_fini(&payload);
    mem_uncharge(&s->mem, s->results_charged);
    s->results_charged = 0;
    /* The first worker that failed by itself explains the failure; a
     * failure outranks a stop (the stop may only be how the others ended). */
    for (int pass = 0; st == TS_OK && pass < 3; pass++)
        for (int r = 0; r < s->nranks && st == TS_OK; r++)
            if (hdrs[r].status != TS_OK &&
                (pass == 2 || (!hdrs[r].peer_failed && (pass == 1 || hdrs[r].status != TS_ERR_STOPPED))))
                st = err_set(err, (ts_status)hdrs[r].status, "%s",
                             hdrs[r].msg[0] ? hdrs[r].msg : "a worker failed");
    if (st == TS_ERR_STOPPED)
        s->stopping = true;
    if (st != TS_OK && st != TS_ERR_STOPPED && s->nranks > 1) {
        for (int r = 0; r < s->nranks; r++)
            if (hdrs && hdrs[r].status == st && !hdrs[r].peer_failed) {
                char msg[TS_ERRMSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                err_reset(err, err->status, "rank %d: %s", r, msg);
                break;
            }
    }
    for (int r = 0; hdrs && r < s->nranks; r++) {
        res->stats.tasks += hdrs[r].stats.tasks;
        res->stats.bytes_sent += hdrs[r].stats.bytes_sent;
        res->stats.elems_computed += hdrs[r].stats.elems_computed;
        res->stats.bytes_stored += hdrs[r].stats.bytes_stored;
        res->stats.bytes_read += hdrs[r].stats.bytes_read;
        res->stats.bytes_computed += hdrs[r].stats.bytes_computed;
        res->stats.chunks_skipped += hdrs[r].stats.chunks_skipped;
        if (hdrs[r].stats.move_s > res->stats.move_s)
            res->stats.move_s = hdrs[r].stats.move_s;
    }
    free(hdrs);
    if (st != TS_OK)
        session_result_fini(res);
    return st;
}

int session_serve(session *s)
{
    for (;;) {
        ts_err err;
        err_clear(&err);
        int64_t hdr[4] = {0, 0, 0, 0};
        if (bcast(s, hdr, sizeof hdr, "waiting for work", &err) != TS_OK) {
            fprintf(stderr, "tessera: rank %d: %s\n", s->rank, err.msg);
            return 1;
        }
        if (hdr[0] == MSG_SHUTDOWN)
            return (int)hdr[1];
        unsigned char *dag = malloc((size_t)(hdr[1] ? hdr[1] : 1));
        if (!dag || bcast(s, dag, hdr[1], "receiving the plan", &err) != TS_OK) {
            fprintf(stderr, "tessera: rank %d: %s\n", s->rank, dag ? err.msg : "out of memory for the plan");
            free(dag);
            return 1;
        }
        result_header mine = {0};
        bytebuf payload;
        bytebuf_init(&payload);
        double driver_now;
        memcpy(&driver_now, &hdr[3], sizeof driver_now);
        if (hdr[0] == MSG_DELAYED) {
            session_delayed_serve(s, dag, (size_t)hdr[1], hdr[2]);
            free(dag);
            bytebuf_fini(&payload);
            continue;
        }
        worker_compute(s, dag, (size_t)hdr[1], NULL, NULL, hdr[2], driver_now, &mine, &payload);
        free(dag);
        ts_status st = gather(s, &mine, &payload, NULL, NULL, &err);
        bytebuf_fini(&payload);
        if (st != TS_OK) {
            fprintf(stderr, "tessera: rank %d: %s\n", s->rank, err.msg);
            return 1;
        }
    }
}

ts_status session_shutdown(session *s, int exit_status, ts_err *err)
{
    if (s->nranks == 1)
        return TS_OK;
    int64_t hdr[4] = {MSG_SHUTDOWN, exit_status, 0, 0};
    return bcast(s, hdr, sizeof hdr, "stopping the workers", err);
}
