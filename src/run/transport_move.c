/* transport_move.c — peer-to-peer transfer of boxes of N-d buffers, in
 * place: MPI reads each box from the sender's buffer and writes it into the
 * receiver's buffer (derived datatypes), so no byte is packed, staged or
 * unpacked by tessera and no transfer buffer is taken from the budget. The
 * boxes for one peer form a stream cut into messages of at most
 * TRANSPORT_MESSAGE_NBYTES; both sides cut the same way because matching
 * boxes have the same sizes, so messages pair up in order. */
#include "run/transport.h"
#include "util/grow.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define TRANSPORT_TAG 31

/* One part of a box that fits in a message: dims before `level` are fixed
 * at the coordinates `outer` (C order over the box's sizes of those dims),
 * dim `level` spans [i0, i0 + n) of the box, later dims are whole. level
 * -1: the whole box. */
typedef struct piece {
    int64_t box, outer, i0, n;
    int level;
} piece;

/* What moves between this rank and one peer in one direction. */
typedef struct stream {
    const transport_box *boxes;
    piece *v;
    int64_t n, cap;
    int64_t *msg_first; /* message m is pieces [msg_first[m], msg_first[m + 1]) */
    int64_t nmsg, msgcap, next;
    int64_t nbytes;
} stream;

static int64_t box_nbytes(const transport_box *b)
{
    int64_t n = b->esz;
    for (int d = 0; d < b->ndim; d++)
        n *= b->size[d];
    return n;
}

static bool push_piece(stream *s, piece p)
{
    if (!grow_reserve(&s->v, &s->cap, s->n + 1, sizeof *s->v, 16))
        return false;
    s->v[s->n++] = p;
    return true;
}

/* Cuts box p.box below level p.level - 1 into pieces of at most limit
 * bytes. Worked example, limit 100 bytes, a box of 3 x 40 x 2 bytes (240):
 * a slab of dim 0 is 80 bytes, one fits, so pieces are rows 0, 1, 2 of
 * dim 0 (80 bytes each). With limit 50, a slab of dim 1 (2 bytes) fits 25
 * times: pieces (0, [0,25)), (0, [25,40)), (1, [0,25)), ... */
static bool split_box(stream *s, int64_t b, int level, int64_t outer, int64_t limit)
{
    const transport_box *x = &s->boxes[b];
    int64_t slab = x->esz;
    for (int d = level + 1; d < x->ndim; d++)
        slab *= x->size[d];
    if (slab <= limit || level == x->ndim - 1) {
        int64_t k = limit / slab > 0 ? limit / slab : 1;
        for (int64_t i0 = 0; i0 < x->size[level]; i0 += k)
            if (!push_piece(s, (piece){.box = b,
                                       .outer = outer,
                                       .i0 = i0,
                                       .n = x->size[level] - i0 < k ? x->size[level] - i0 : k,
                                       .level = level}))
                return false;
        return true;
    }
    for (int64_t i = 0; i < x->size[level]; i++)
        if (!split_box(s, b, level + 1, outer * x->size[level] + i, limit))
            return false;
    return true;
}

static int64_t piece_nbytes(const stream *s, const piece *p)
{
    const transport_box *x = &s->boxes[p->box];
    if (p->level < 0)
        return box_nbytes(x);
    int64_t n = x->esz * p->n;
    for (int d = p->level + 1; d < x->ndim; d++)
        n *= x->size[d];
    return n;
}

/* Pieces of every non-empty box, then messages: a piece of at least
 * TRANSPORT_ALONE_NBYTES goes alone (MPI moves a contiguous one with a
 * single copy where it can, which it cannot do for a message of several
 * pieces); smaller ones are grouped while they fit in limit bytes. So a
 * stream takes at most nbytes / TRANSPORT_ALONE_NBYTES messages plus one
 * per limit bytes of small pieces, however many chunks it comes from. */
static bool stream_build(stream *s, const transport_box *boxes, int64_t nboxes, int64_t limit)
{
    *s = (stream){.boxes = boxes};
    for (int64_t b = 0; b < nboxes; b++) {
        int64_t nb = box_nbytes(&boxes[b]);
        s->nbytes += nb;
        if (nb == 0)
            continue;
        if (!(nb <= limit ? push_piece(s, (piece){.box = b, .level = -1}) : split_box(s, b, 0, 0, limit)))
            return false;
    }
    int64_t room = 0;
    bool alone = false; /* the open message holds one large piece */
    for (int64_t i = 0; i <= s->n; i++) {
        int64_t nb = i < s->n ? piece_nbytes(s, &s->v[i]) : 0;
        if (i < s->n && s->nmsg > 0 && nb <= room && !alone && nb < TRANSPORT_ALONE_NBYTES) {
            room -= nb;
            continue;
        }
        alone = nb >= TRANSPORT_ALONE_NBYTES;
        /* Piece i starts a message (or, i = n, closes the last one). */
        if (!grow_reserve(&s->msg_first, &s->msgcap, s->nmsg + 2, sizeof *s->msg_first, 8))
            return false;
        s->msg_first[s->nmsg] = i;
        if (i < s->n)
            s->nmsg++;
        room = limit - nb;
    }
    return true;
}

static void stream_fini(stream *s)
{
    free(s->v);
    free(s->msg_first);
}

/* The datatype of piece p at absolute address *addr. Trailing dims the
 * piece spans wholly in the buffer merge into one contiguous run; each
 * outer dim of extent > 1 adds a strided level. */
static int piece_type(const stream *s, const piece *p, MPI_Aint *addr, MPI_Datatype *type)
{
    const transport_box *x = &s->boxes[p->box];
    int nd = x->ndim;
    int64_t at[TS_MAXDIM], ext[TS_MAXDIM], stride[TS_MAXDIM];
    int64_t outer = p->outer, acc = x->esz;
    for (int d = nd - 1; d >= 0; d--) {
        stride[d] = acc;
        acc *= x->dims[d];
        if (p->level < 0 || d > p->level) {
            at[d] = 0;
            ext[d] = x->size[d];
        } else if (d == p->level) {
            at[d] = p->i0;
            ext[d] = p->n;
        } else {
            at[d] = outer % x->size[d];
            ext[d] = 1;
            outer /= x->size[d];
        }
    }
    int64_t off = 0;
    for (int d = 0; d < nd; d++)
        off += (x->start[d] + at[d]) * stride[d];
    int k = nd; /* dims [k, nd) form one contiguous run */
    int64_t run = x->esz;
    while (k > 0 && (k == nd || ext[k] == x->dims[k])) {
        run *= ext[k - 1];
        k--;
    }
    MPI_Datatype t;
    int rc = MPI_Type_contiguous((int)run, MPI_BYTE, &t);
    for (int d = k - 1; d >= 0 && rc == MPI_SUCCESS; d--) {
        if (ext[d] == 1)
            continue;
        MPI_Datatype v;
        rc = MPI_Type_create_hvector((int)ext[d], 1, (MPI_Aint)stride[d], t, &v);
        MPI_Type_free(&t);
        t = v;
    }
    if (rc == MPI_SUCCESS)
        rc = MPI_Get_address((unsigned char *)x->base + off, addr);
    if (rc != MPI_SUCCESS && t != MPI_DATATYPE_NULL)
        MPI_Type_free(&t);
    *type = t;
    return rc;
}

/* Posts message m of s to or from peer: one struct of its pieces at their
 * absolute addresses, sent from or received into MPI_BOTTOM. */
static int post(const stream *s, int64_t m, bool sending, int peer, MPI_Comm comm, MPI_Request *req)
{
    int64_t first = s->msg_first[m], n = s->msg_first[m + 1] - first;
    MPI_Aint *addr = malloc((size_t)n * sizeof *addr);
    MPI_Datatype *types = malloc((size_t)n * sizeof *types);
    int *ones = malloc((size_t)n * sizeof *ones);
    int rc = addr && types && ones ? MPI_SUCCESS : MPI_ERR_NO_MEM;
    int64_t made = 0;
    for (; rc == MPI_SUCCESS && made < n; made++) {
        ones[made] = 1;
        rc = piece_type(s, &s->v[first + made], &addr[made], &types[made]);
    }
    /* One piece goes as it is (a contiguous one then moves with a single
     * copy where MPI can); several as a struct at absolute addresses. */
    MPI_Datatype msg = MPI_DATATYPE_NULL;
    void *buf = MPI_BOTTOM;
    if (rc == MPI_SUCCESS && n == 1) {
        msg = types[0];
        types[0] = MPI_DATATYPE_NULL;
        buf = (void *)(uintptr_t)addr[0];
    } else if (rc == MPI_SUCCESS) {
        rc = MPI_Type_create_struct((int)n, ones, addr, types, &msg);
    }
    if (rc == MPI_SUCCESS)
        rc = MPI_Type_commit(&msg);
    if (rc == MPI_SUCCESS)
        rc = sending ? MPI_Isend(buf, 1, msg, peer, TRANSPORT_TAG, comm, req)
                     : MPI_Irecv(buf, 1, msg, peer, TRANSPORT_TAG, comm, req);
    /* Freeing a type after posting is allowed: the transfer keeps it. */
    if (msg != MPI_DATATYPE_NULL)
        MPI_Type_free(&msg);
    for (int64_t i = 0; i < made && types; i++)
        if (types[i] != MPI_DATATYPE_NULL)
            MPI_Type_free(&types[i]);
    free(addr);
    free(types);
    free(ones);
    return rc;
}

static ts_status mpi_failed(int rc, const char *what, ts_err *err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (rc == MPI_ERR_NO_MEM)
        return err_set(err, TS_ERR_MEMORY, "out of memory %s", what);
    MPI_Error_string(rc, msg, &len);
    return err_set(err, TS_ERR_MPI, "MPI failed during %s: %s", what, msg);
}

/* Keeps TRANSPORT_DEPTH messages posted per peer and direction until every
 * stream is through. Request slot (dir, p, k) is index (dir * W + p) * D + k.
 * Polls like transport_wait: it spins only while messages complete, and
 * sleeps between polls while a peer is not there yet. */
static ts_status run_streams(MPI_Comm comm, int W, stream *st, MPI_Request *req, int *done, ts_err *err)
{
    int me, nreq = 2 * W * TRANSPORT_DEPTH;
    MPI_Comm_rank(comm, &me);
    for (int i = 0; i < nreq; i++)
        req[i] = MPI_REQUEST_NULL;
    /* Receives first, so senders find them posted; sends start with the
     * next rank up, so not every rank sends to rank 0 first. */
    for (int dir = 0; dir < 2; dir++)
        for (int q = 0; q < W; q++) {
            int p = (me + 1 + q) % W;
            stream *s = &st[dir * W + p];
            for (int k = 0; k < TRANSPORT_DEPTH && s->next < s->nmsg; k++) {
                int rc = post(s, s->next++, dir == 1, p, comm, &req[(dir * W + p) * TRANSPORT_DEPTH + k]);
                if (rc != MPI_SUCCESS)
                    return mpi_failed(rc, "posting a data transfer", err);
            }
        }
    struct timespec nap = {0, 50 * 1000L};
    int idle = 0;
    for (;;) {
        int ndone = 0;
        int rc = MPI_Testsome(nreq, req, &ndone, done, MPI_STATUSES_IGNORE);
        if (rc != MPI_SUCCESS)
            return mpi_failed(rc, "a data transfer", err);
        if (ndone == MPI_UNDEFINED)
            return TS_OK; /* every request is done and none is left to post */
        for (int i = 0; i < ndone; i++) {
            int slot = done[i], sp = slot / TRANSPORT_DEPTH;
            stream *s = &st[sp];
            if (s->next < s->nmsg &&
                (rc = post(s, s->next++, sp >= W, sp % W, comm, &req[slot])) != MPI_SUCCESS)
                return mpi_failed(rc, "posting a data transfer", err);
        }
        idle = ndone > 0 ? 0 : idle + 1;
        if (idle > 64)
            nanosleep(&nap, NULL);
    }
}

ts_status transport_move(MPI_Comm comm, transport_box *const *send, const int64_t *nsend,
                         transport_box *const *recv, const int64_t *nrecv, int64_t msg_nbytes, bool failed,
                         bool *any_failed, int64_t *sent_to, ts_err *err)
{
    int W, me;
    MPI_Comm_size(comm, &W);
    MPI_Comm_rank(comm, &me);
    int64_t limit = msg_nbytes > 0 ? msg_nbytes : TRANSPORT_MESSAGE_NBYTES;
    limit = limit < INT_MAX ? limit : INT_MAX;
    stream *st = calloc((size_t)2 * (size_t)W, sizeof *st);
    MPI_Request *req = malloc((size_t)2 * (size_t)W * TRANSPORT_DEPTH * sizeof *req);
    int *done = malloc((size_t)2 * (size_t)W * TRANSPORT_DEPTH * sizeof *done);
    ts_status rc = TS_OK;
    bool broken = !st || !req || !done;
    /* st[p]: what comes from p; st[W + p]: what goes to p. A rank that
     * failed may have no lists; it only takes part in the agreement. */
    for (int p = 0; !failed && !broken && p < W; p++)
        broken = !stream_build(&st[p], recv[p], nrecv[p], limit) ||
                 !stream_build(&st[W + p], send[p], nsend[p], limit);
    if (broken)
        rc = err_set(err, TS_ERR_MEMORY, "out of memory planning a data transfer");
    /* Every rank learns of a failure before any data moves, so no rank
     * waits for a transfer a failed peer never posts. */
    int mine = failed || rc != TS_OK, any = 0;
    MPI_Request ar;
    ts_status ws = TS_OK;
    if (MPI_Iallreduce(&mine, &any, 1, MPI_INT, MPI_MAX, comm, &ar) != MPI_SUCCESS)
        ws = err_set(err, TS_ERR_MPI, "MPI_Iallreduce failed");
    else
        ws = transport_wait(&ar, 50, "agreeing on a data transfer", err);
    *any_failed = any || ws != TS_OK;
    if (rc == TS_OK)
        rc = ws;
    if (rc == TS_OK && !*any_failed) {
        rc = run_streams(comm, W, st, req, done, err);
        for (int p = 0; rc == TS_OK && p < W; p++)
            if (p != me)
                sent_to[p] += st[W + p].nbytes;
    }
    for (int i = 0; st && i < 2 * W; i++)
        stream_fini(&st[i]);
    free(st);
    free(req);
    free(done);
    return rc;
}
