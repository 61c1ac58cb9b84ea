/* exec_fetch.c — a stage's reads of materialised chunks that other workers
 * own. Each worker sends each owner the bounding box of what its tasks read
 * from each chunk (one small exchange); then every box moves in place, from
 * the owner's chunk into a chunk-sized buffer here at the box's place
 * (transport_move): tessera packs, stages and unpacks nothing, so a
 * rechunk of computed data costs what MPI's transfer costs. */
#include "run/exec.h"
#include "run/transport.h"
#include "util/bytebuf.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUESTED EXEC_REQUESTED

/* One chunk this worker needs from another: the bounding box (global
 * coordinates, [lo, hi) at box + off) of every region its tasks read from
 * it. Only that box travels, so a rechunk moves what the new chunks need,
 * not whole chunks. */
typedef struct pending {
    int64_t ls, id, off;
    int owner;
} pending;

typedef struct request_walk {
    exec *e;
    pending *v;
    int64_t n, cap;
    int64_t *box, nbox, capbox;
    ts_status st;
} request_walk;

/* A chunk this worker's tasks read (plan_reads): nothing to do if it is
 * here, else it is requested from its owner. */
static void request_chunk(void *ud, int ls, int64_t id, const int64_t *lo, const int64_t *hi)
{
    request_walk *w = ud;
    exec *e = w->e;
    const plan_stage *lst = &e->plan->stages[ls];
    int nd = lst->out->ndim;
    if (w->st != TS_OK || e->chunks[ls][id])
        return; /* computed here */
    int owner = plan_chunk_owner(lst, e->nworkers, id);
    if (owner == e->me) {
        w->st = err_set(e->err, TS_ERR_RUNTIME, "internal: chunk %lld of %s missing on its owner",
                        (long long)id, node_label(lst->out));
        return;
    }
    if (!grow_reserve(&w->v, &w->cap, w->n + 1, sizeof *w->v, 64) ||
        !grow_reserve(&w->box, &w->capbox, w->nbox + 2 * nd, sizeof *w->box, 256)) {
        w->st = err_set(e->err, TS_ERR_MEMORY, "out of memory requesting chunks");
        return;
    }
    w->v[w->n++] = (pending){.ls = ls, .id = id, .off = w->nbox, .owner = owner};
    for (int d = 0; d < nd; d++) {
        w->box[w->nbox + d] = lo[d];
        w->box[w->nbox + nd + d] = hi[d];
    }
    w->nbox += 2 * nd;
    e->chunks[ls][id] = REQUESTED;
}

/* Requests, per owner, the parts of leaf chunks this worker's tasks read
 * and does not hold: [stage][chunk][box start][box size] each, in the
 * order of w->v (which the caller keeps, and frees with walk_fini). */
static ts_status build_requests(exec *e, int s, bytebuf *req, request_walk *w)
{
    ts_status rc = plan_reads(e->plan, s, e->me, request_chunk, w, e->err);
    if (rc != TS_OK)
        return rc;
    for (int64_t i = 0; w->st == TS_OK && i < w->n; i++) {
        const pending *pd = &w->v[i];
        int nd = e->plan->stages[pd->ls].out->ndim;
        const int64_t *lo = w->box + pd->off, *hi = lo + nd;
        bytebuf *b = &req[pd->owner];
        bytebuf_put_i64(b, pd->ls);
        bytebuf_put_i64(b, pd->id);
        bytebuf_put(b, lo, (size_t)nd * sizeof *lo);
        for (int d = 0; d < nd; d++)
            bytebuf_put_i64(b, hi[d] - lo[d]);
    }
    return w->st;
}

static void walk_fini(request_walk *w)
{
    free(w->v);
    free(w->box);
}

/* One side's boxes of a transfer, grouped by peer: by_peer[p] lists n[p]
 * boxes; their shapes live in geom (3 x ndim int64 a box). */
typedef struct box_lists {
    transport_box *v;
    transport_box **by_peer;
    int64_t *n;
    int64_t *geom;
} box_lists;

static bool lists_init(box_lists *l, int W, int64_t nboxes, int64_t ngeom)
{
    l->v = malloc((size_t)(nboxes ? nboxes : 1) * sizeof *l->v);
    l->by_peer = malloc((size_t)W * sizeof *l->by_peer);
    l->n = calloc((size_t)W, sizeof *l->n);
    l->geom = malloc((size_t)(ngeom ? ngeom : 1) * sizeof *l->geom);
    return l->v && l->by_peer && l->n && l->geom;
}

static void lists_fini(box_lists *l)
{
    free(l->v);
    free(l->by_peer);
    free(l->n);
    free(l->geom);
}

/* Box k of l (the next of peer p): base buffer, the chunk's shape and
 * [lo, lo + size) in global coordinates, made relative to the chunk. */
static void put_box(box_lists *l, int64_t k, int64_t *g, void *base, const node *x, int64_t c,
                    const int64_t *lo, const int64_t *size)
{
    int nd = x->ndim;
    int64_t cstart[TS_MAXDIM];
    exec_chunk_box(x, c, cstart, g);
    for (int d = 0; d < nd; d++) {
        g[nd + d] = lo[d] - cstart[d];
        g[2 * nd + d] = size[d];
    }
    l->v[k] = (transport_box){.base = base,
                              .dims = g,
                              .start = g + nd,
                              .size = g + 2 * nd,
                              .ndim = nd,
                              .esz = (int)ts_dtype_size(x->dtype)};
}

/* The owner's side: what each peer asked for (requests at in + in_off[p]),
 * as boxes of the chunks held here. A request for a chunk not held here or
 * outside it is refused (it would be a planner bug). */
static ts_status send_boxes(exec *e, const unsigned char *in, const int64_t *in_off, box_lists *l)
{
    int W = e->nworkers;
    int64_t nboxes = 0, ngeom = 0;
    for (int pass = 0; pass < 2; pass++) {
        int64_t k = 0, *g = l->geom;
        for (int p = 0; p < W; p++) {
            if (pass)
                l->by_peer[p] = l->v + k;
            bytereader r;
            bytereader_init(&r, in + in_off[p], (size_t)(in_off[p + 1] - in_off[p]));
            while (r.pos < r.len && !r.failed) {
                int64_t ls = bytereader_i64(&r), c = bytereader_i64(&r);
                if (ls < 0 || ls >= e->plan->nstages || c < 0 || c >= node_nchunks(e->plan->stages[ls].out))
                    return err_set(e->err, TS_ERR_RUNTIME, "internal: a request for chunk %lld of stage %lld",
                                   (long long)c, (long long)ls);
                const node *x = e->plan->stages[ls].out;
                int nd = x->ndim;
                const int64_t *lo = bytereader_skip(&r, (size_t)nd * sizeof(int64_t));
                const int64_t *size = bytereader_skip(&r, (size_t)nd * sizeof(int64_t));
                void *held = (void *)exec_chunk(e, (int)ls, c);
                if (!lo || !size || !held)
                    return err_set(e->err, TS_ERR_RUNTIME,
                                   "internal: worker %d asked for chunk %lld of %s, which is not here", p,
                                   (long long)c, node_label(x));
                if (pass == 0) {
                    nboxes++;
                    ngeom += 3 * nd;
                    continue;
                }
                int64_t lov[TS_MAXDIM], sizev[TS_MAXDIM], cstart[TS_MAXDIM], csize[TS_MAXDIM];
                memcpy(lov, lo, (size_t)nd * sizeof *lov); /* the request bytes need not be aligned */
                memcpy(sizev, size, (size_t)nd * sizeof *sizev);
                exec_chunk_box(x, c, cstart, csize);
                for (int d = 0; d < nd; d++)
                    if (lov[d] < cstart[d] || sizev[d] < 0 || lov[d] + sizev[d] > cstart[d] + csize[d])
                        return err_set(e->err, TS_ERR_RUNTIME,
                                       "internal: worker %d asked for a box outside chunk %lld of %s", p,
                                       (long long)c, node_label(x));
                put_box(l, k++, g, held, x, c, lov, sizev);
                g += 3 * nd;
                l->n[p]++;
            }
            if (r.failed)
                return err_set(e->err, TS_ERR_RUNTIME, "internal: a truncated chunk request from worker %d",
                               p);
        }
        if (pass == 0 && !lists_init(l, W, nboxes, ngeom))
            return err_set(e->err, TS_ERR_MEMORY, "out of memory answering chunk requests");
    }
    return TS_OK;
}

/* The reader's side: a chunk-sized buffer from the budget for every
 * requested chunk (bufs[i] for w->v[i]) and the box in it that arrives,
 * grouped by owner in request order (the order the owner answers in). */
static ts_status recv_boxes(exec *e, const request_walk *w, void **bufs, box_lists *l)
{
    int W = e->nworkers;
    int64_t ngeom = 0;
    for (int64_t i = 0; i < w->n; i++)
        ngeom += 3 * e->plan->stages[w->v[i].ls].out->ndim;
    if (!lists_init(l, W, w->n, ngeom))
        return err_set(e->err, TS_ERR_MEMORY, "out of memory receiving chunks");
    for (int64_t i = 0; i < w->n; i++)
        l->n[w->v[i].owner]++;
    int64_t *next = malloc((size_t)W * sizeof *next);
    if (!next)
        return err_set(e->err, TS_ERR_MEMORY, "out of memory receiving chunks");
    for (int p = 0, k = 0; p < W; k += (int)l->n[p], p++) {
        l->by_peer[p] = l->v + k;
        next[p] = k;
    }
    int64_t *g = l->geom;
    ts_status st = TS_OK;
    for (int64_t i = 0; i < w->n && st == TS_OK; i++) {
        const pending *pd = &w->v[i];
        const node *x = e->plan->stages[pd->ls].out;
        int64_t cstart[TS_MAXDIM], csize[TS_MAXDIM], size[TS_MAXDIM];
        const int64_t *lo = w->box + pd->off, *hi = lo + x->ndim;
        exec_chunk_box(x, pd->id, cstart, csize);
        char what[96];
        snprintf(what, sizeof what, "a received chunk of %s", node_label(x));
        bufs[i] = mem_alloc(e->mem, exec_box_nelems(x->ndim, csize) * (int64_t)ts_dtype_size(x->dtype), what,
                            e->err);
        if (!bufs[i]) {
            st = e->err->status;
            break;
        }
        for (int d = 0; d < x->ndim; d++)
            size[d] = hi[d] - lo[d];
        put_box(l, next[pd->owner]++, g, bufs[i], x, pd->id, lo, size);
        g += 3 * x->ndim;
    }
    free(next);
    return st;
}

/* Notes that chunk c of stage ls arrived into buf (freed when the stage
 * ends, exec_fetch_drop). */
static ts_status keep_fetched(exec *e, int64_t ls, int64_t c, void *buf)
{
    /* fetched holds (stage, chunk) pairs; capfetched counts pairs. */
    if (!grow_reserve(&e->fetched, &e->capfetched, e->nfetched + 1, 2 * sizeof *e->fetched, 64))
        return err_set(e->err, TS_ERR_MEMORY, "out of memory receiving a chunk");
    e->fetched[2 * e->nfetched] = ls;
    e->fetched[2 * e->nfetched + 1] = c;
    e->nfetched++;
    e->chunks[ls][c] = buf;
    return TS_OK;
}

/* The requests to each owner, as one exchange of byte lists. */
static ts_status send_requests(exec *e, bytebuf *out, bool failed, unsigned char **in, int64_t *in_off,
                               bool *any_failed)
{
    void **send = malloc((size_t)e->nworkers * sizeof *send);
    int64_t *len = malloc((size_t)e->nworkers * sizeof *len);
    ts_status st = TS_OK;
    if (!send || !len)
        failed = true, st = err_set(e->err, TS_ERR_MEMORY, "out of memory exchanging chunks");
    for (int p = 0; send && len && p < e->nworkers; p++) {
        send[p] = out[p].data;
        len[p] = (int64_t)out[p].len;
        failed = failed || out[p].failed;
    }
    ts_status xs =
        transport_exchange(e->comm, send, len, failed, in, in_off, any_failed, e->sent_to, e->mem, e->err);
    free(send);
    free(len);
    return st != TS_OK ? st : xs;
}

ts_status exec_fetch_leaves(exec *e, int s, bool failed, bool *any_failed)
{
    int W = e->nworkers;
    bytebuf *out = calloc((size_t)W, sizeof *out);
    int64_t *in_off = malloc((size_t)(W + 1) * sizeof *in_off);
    request_walk w = {.e = e, .st = TS_OK};
    if (!out || !in_off) {
        free(out);
        free(in_off);
        return err_set(e->err, TS_ERR_MEMORY, "out of memory fetching chunks");
    }
    ts_status st = TS_OK;
    if (!failed && (st = build_requests(e, s, out, &w)) != TS_OK)
        failed = true;
    unsigned char *in = NULL;
    ts_status xs = send_requests(e, out, failed, &in, in_off, any_failed);
    for (int p = 0; p < W; p++)
        bytebuf_fini(&out[p]);
    free(out);
    box_lists sends = {0}, recvs = {0};
    void **bufs = NULL;
    if (xs == TS_OK && !*any_failed) {
        /* Both sides set up, then agree, then the boxes move. */
        ts_status ps = send_boxes(e, in, in_off, &sends);
        bufs = calloc((size_t)(w.n ? w.n : 1), sizeof *bufs);
        if (ps == TS_OK)
            ps = bufs ? recv_boxes(e, &w, bufs, &recvs) : err_set(e->err, TS_ERR_MEMORY, "out of memory");
        bool ready = ps == TS_OK;
        double t0 = trace_now();
        xs = transport_move(e->comm, sends.by_peer, sends.n, recvs.by_peer, recvs.n, 0, !ready, any_failed,
                            e->sent_to, e->err);
        xs = xs != TS_OK ? xs : ps;
        e->stats.move_s += trace_now() - t0;
    }
    mem_free(e->mem, in);
    for (int64_t i = 0; bufs && i < w.n; i++) {
        ts_status ks = xs == TS_OK && !*any_failed && bufs[i] ? keep_fetched(e, w.v[i].ls, w.v[i].id, bufs[i])
                                                              : TS_ERR_RUNTIME;
        if (ks != TS_OK)
            mem_free(e->mem, bufs[i]);
        if (xs == TS_OK && !*any_failed)
            xs = ks;
    }
    free(bufs);
    lists_fini(&sends);
    lists_fini(&recvs);
    walk_fini(&w);
    free(in_off);
    return st != TS_OK ? st : xs;
}

void exec_fetch_drop(exec *e)
{
    for (int64_t i = 0; i < e->nfetched; i++) {
        int64_t ls = e->fetched[2 * i], c = e->fetched[2 * i + 1];
        if (e->chunks[ls][c] != REQUESTED)
            mem_free(e->mem, e->chunks[ls][c]);
        e->chunks[ls][c] = NULL;
    }
    e->nfetched = 0;
}
