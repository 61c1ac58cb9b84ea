/* exec_store.c — writing stage outputs to files. A worker writes exactly
 * the chunks it holds: map chunks as it computes them, reduction chunks it
 * owns once they are final. Compressed datasets need collective writes, so
 * every worker runs the same number of rounds and writes nothing in the
 * rounds where it has no chunk; after each round the workers agree whether
 * to go on (nobody stopping or failed) and whether to flush. Every chunk
 * written is recorded (h5_writer_record), and a chunk the record already
 * holds (resume) is not written again. */
#include "run/exec.h"
#include "run/transport.h"

#include <stdlib.h>

/* Seconds between flushes of collectively written (compressed) stores:
 * their chunks are recorded only once flushed. A flush syncs the file to
 * disk, so not too often; a killed run loses at most this much of them. */
#define STORE_SYNC_S 10.0

/* The stage whose output store i writes. */
static int store_stage(const exec *e, int i)
{
    int64_t s = -1;
    ptrmap_get(&e->plan->stage_of, e->plan->targets[e->stores->v[i].target], &s);
    return (int)s;
}

ts_status exec_store_open(exec *e, bool failed)
{
    int n = e->stores->n;
    h5_target *targets = malloc((size_t)n * sizeof *targets);
    if (!targets)
        failed = true;
    for (int i = 0; targets && i < n; i++)
        targets[i] = e->stores->v[i].h5;
    /* h5_writer_create agrees on the outcome; a worker that failed already
     * still joins it and then reports its own failure. */
    ts_err werr;
    err_clear(&werr);
    ts_status st = h5_writer_create(e->comm, failed ? 0 : n, targets, &e->writer, &werr);
    free(targets);
    e->last_sync = trace_now();
    if (st != TS_OK)
        return err_set(e->err, st, "%s", werr.msg);
    return failed ? err_set(e->err, TS_ERR_MEMORY, "out of memory opening files") : TS_OK;
}

bool exec_store_collective(const exec *e, int s)
{
    for (int i = 0; e->writer && i < e->stores->n; i++)
        if (store_stage(e, i) == s && h5_writer_collective(e->writer, i))
            return true;
    return false;
}

bool exec_store_skip(exec *e, int s, int64_t t)
{
    if (!e->writer || e->keep[s])
        return false;
    bool stored = false;
    for (int i = 0; i < e->stores->n; i++) {
        if (store_stage(e, i) != s)
            continue;
        if (!h5_writer_stored(e->writer, i, t))
            return false;
        stored = true;
    }
    e->stats.chunks_skipped += stored;
    return stored;
}

static ts_status write_box(exec *e, int i, int s, int64_t c, const void *buf)
{
    const node *out = e->plan->stages[s].out;
    bool coll = h5_writer_collective(e->writer, i);
    if (c >= 0 && h5_writer_stored(e->writer, i, c)) {
        if (!coll)
            return TS_OK; /* an interrupted run stored it (resume) */
        c = -1;           /* the round still needs this rank */
        buf = NULL;
    }
    int64_t start[TS_MAXDIM], size[TS_MAXDIM];
    if (c >= 0)
        exec_chunk_box(out, c, start, size);
    ts_err werr;
    err_clear(&werr);
    ts_status st = h5_writer_write(e->writer, i, c >= 0 ? start : NULL, c >= 0 ? size : NULL, buf, &werr);
    if (st == TS_OK && c >= 0) {
        e->stats.bytes_stored += exec_box_nelems(out->ndim, size) * (int64_t)ts_dtype_size(out->dtype);
        st = h5_writer_record(e->writer, i, c, &werr);
    }
    return st == TS_OK ? TS_OK : err_set(e->err, st, "%s", werr.msg);
}

/* After a collective round: every worker learns whether one is stopping
 * or failed (then no round writes again, and no task starts) and whether
 * it is time to flush and record the rounds written so far. */
static ts_status round_agree(exec *e)
{
    int mine[2] = {e->stopping || e->err->status != TS_OK, trace_now() - e->last_sync >= STORE_SYNC_S};
    int all[2] = {0, 0};
    MPI_Request req;
    if (MPI_Iallreduce(mine, all, 2, MPI_INT, MPI_MAX, e->comm, &req) != MPI_SUCCESS)
        return err_set(e->err, TS_ERR_MPI, "MPI_Iallreduce failed (a store round)");
    ts_status st = transport_wait(&req, 50, "agreeing on a store round", e->err);
    if (st != TS_OK)
        return st;
    if (all[0]) {
        e->rounds_over = e->stopping = true;
        return TS_OK; /* h5_writer_finish flushes and records */
    }
    if (all[1]) {
        ts_err werr;
        err_clear(&werr);
        st = h5_writer_sync(e->writer, &werr);
        e->last_sync = trace_now();
        if (st != TS_OK)
            return err_set(e->err, st, "%s", werr.msg);
    }
    return TS_OK;
}

ts_status exec_store_chunk(exec *e, int s, int64_t c, const void *buf)
{
    ts_status rc = TS_OK;
    for (int i = 0; e->writer && i < e->stores->n && rc == TS_OK; i++)
        if (store_stage(e, i) == s)
            rc = write_box(e, i, s, c, buf);
    return rc;
}

ts_status exec_store_round(exec *e, int s, int64_t c, const void *buf)
{
    bool collective = exec_store_collective(e, s);
    if (collective && e->rounds_over)
        return TS_OK; /* every worker knows: nothing more is written */
    ts_status rc = TS_OK;
    for (int i = 0; e->writer && i < e->stores->n; i++) {
        if (store_stage(e, i) != s)
            continue;
        bool coll = h5_writer_collective(e->writer, i);
        if (!coll && c < 0)
            continue;
        ts_status ws = write_box(e, i, s, rc == TS_OK || !coll ? c : -1, rc == TS_OK ? buf : NULL);
        rc = rc != TS_OK ? rc : ws;
    }
    if (collective) {
        ts_status as = round_agree(e);
        rc = rc != TS_OK ? rc : as;
    }
    return rc;
}

ts_status exec_store_batch(exec *e, int s, int64_t first, int64_t nrounds, int64_t n, void **bufs,
                           ts_status rc)
{
    bool collective = exec_store_collective(e, s);
    for (int64_t j = 0; j < nrounds; j++) {
        int64_t t = first + j;
        void *buf = j < n ? bufs[j] : NULL;
        if (buf)
            bufs[j] = NULL;
        if (collective) {
            ts_status ws = exec_store_round(e, s, rc == TS_OK && buf ? t : -1, buf);
            rc = rc != TS_OK ? rc : ws;
        } else if (rc == TS_OK && buf) {
            rc = exec_store_chunk(e, s, t, buf);
        }
        if (buf && (rc != TS_OK || !e->keep[s]))
            mem_free(e->mem, buf);
        else if (buf)
            e->chunks[s][t] = buf;
    }
    return rc;
}

ts_status exec_store_owned(exec *e, int s, bool failed)
{
    bool stored = false;
    for (int i = 0; e->writer && i < e->stores->n; i++)
        stored = stored || store_stage(e, i) == s;
    if (!stored)
        return TS_OK;
    const plan_stage *st = &e->plan->stages[s];
    int64_t n = node_nchunks(st->out), mine = 0, rounds = 0;
    int64_t *count = calloc((size_t)e->nworkers, sizeof *count);
    if (!count)
        return err_set(e->err, TS_ERR_MEMORY, "out of memory writing results");
    for (int64_t c = 0; c < n; c++)
        count[plan_chunk_owner(st, e->nworkers, c)]++;
    for (int w = 0; w < e->nworkers; w++)
        rounds = count[w] > rounds ? count[w] : rounds;
    mine = count[e->me];
    free(count);
    if (!exec_store_collective(e, s))
        rounds = mine;
    ts_status rc = failed ? TS_ERR_RUNTIME : TS_OK;
    int64_t c = 0;
    for (int64_t r = 0; r < rounds; r++) {
        while (c < n && plan_chunk_owner(st, e->nworkers, c) != e->me)
            c++;
        bool have = r < mine && c < n && rc == TS_OK;
        ts_status ws = exec_store_round(e, s, have ? c : -1, have ? exec_chunk(e, s, c) : NULL);
        rc = rc != TS_OK ? rc : ws;
        c++;
    }
    return failed ? TS_OK : rc;
}
