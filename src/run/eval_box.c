/* eval_box.c — evaluating a program over a box. A file region, an
 * order-keeping view and a concatenation at the root write straight into
 * the destination (with strides when it is a part of a larger box), so a
 * stack of batches rechunked and stored, or a chunk of a stored array,
 * needs no buffer besides the chunk itself. Everything else is staged:
 * eval_begin_box reads each region once into a buffer from the program's
 * pool, and strips read it from there until eval_end_box gives it back.
 * Invariant: staging lives from eval_begin_box to eval_end_box only. */
#include "run/eval_internal.h"
#include "array/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t nelems(int ndim, const int64_t *size)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= size[d];
    return n;
}

void eval_prog_use_pool(eval_prog *p, mem_pool *m)
{
    if (!p)
        return;
    p->mem = m;
    for (int i = 0; i < p->nslots; i++) {
        eval_prog_use_pool(p->slots[i].child, m);
        eval_prog_use_pool(p->slots[i].part[0], m);
        eval_prog_use_pool(p->slots[i].part[1], m);
    }
}

void eval_release_staging(eval_prog *p)
{
    for (int i = 0; i < p->nslots; i++) {
        eval_slot *s = &p->slots[i];
        mem_free(p->mem, s->boxbuf);
        s->boxbuf = NULL;
        for (int k = 0; k < 2; k++) {
            mem_free(p->mem, s->pbuf[k]);
            s->pbuf[k] = NULL;
        }
    }
}

void eval_end_box(eval_prog *p) { eval_release_staging(p); }

static void *staging(eval_prog *p, const node *x, int64_t n, ts_err *err)
{
    char what[96];
    snprintf(what, sizeof what, "the region of %s a task reads", node_label(x));
    return mem_alloc(p->mem, (n > 0 ? n : 1) * (int64_t)ts_dtype_size(x->dtype), what, err);
}

/* The box of slot s's node for the root box (broadcast axes: [0, 1)). */
static void slot_box(const eval_slot *s, const int64_t *start, const int64_t *size, int64_t *bstart,
                     int64_t *bsize)
{
    for (int d = 0; d < s->x->ndim; d++) {
        bool bcast = s->x->shape[d] == 1;
        bstart[d] = bcast ? 0 : start[d + s->axis_off];
        bsize[d] = bcast ? 1 : size[d + s->axis_off];
    }
}

bool eval_view_in_order(const node *x)
{
    int last = -1;
    for (int k = 0; k < x->inputs[0]->ndim; k++) {
        int src = x->p.view.src[k];
        if (src < 0)
            continue;
        if (x->p.view.mul[k] != 1 || src <= last)
            return false;
        last = src;
    }
    return true;
}

bool eval_view_unread_single(const node *x, const int64_t *size)
{
    bool read[TS_MAXDIM] = {false};
    for (int k = 0; k < x->inputs[0]->ndim; k++)
        if (x->p.view.src[k] >= 0)
            read[x->p.view.src[k]] = true;
    for (int d = 0; d < x->ndim; d++)
        if (!read[d] && size[d] > 1)
            return false;
    return true;
}

ts_status eval_begin_box(eval_prog *p, const int64_t *start, const int64_t *size, ts_err *err)
{
    eval_release_staging(p); /* a box left unended */
    for (int i = 0; i < p->nslots; i++) {
        eval_slot *s = &p->slots[i];
        if (!s->reader && !s->child && !s->part[0])
            continue;
        const node *x = s->x;
        int64_t bstart[TS_MAXDIM], bsize[TS_MAXDIM];
        slot_box(s, start, size, bstart, bsize);
        ts_status st;
        if (s->part[0]) {
            region_concat_parts(x, bstart, bsize, s->pstart, s->psize, s->phave);
            for (int k = 0; k < 2; k++) {
                if (!s->phave[k])
                    continue;
                if (!(s->pbuf[k] = staging(p, x, nelems(x->ndim, s->psize[k]), err)))
                    return err->status;
                int64_t before = s->part[k]->bytes_read;
                if ((st = eval_box_into(s->part[k], s->pstart[k], s->psize[k], s->pbuf[k], err)) != TS_OK)
                    return st;
                p->bytes_read += s->part[k]->bytes_read - before;
            }
        } else if (s->reader) {
            for (int d = 0; d < x->ndim; d++) {
                s->box_start[d] = bstart[d];
                s->box_size[d] = bsize[d];
            }
            int64_t n = nelems(x->ndim, bsize);
            if (!(s->boxbuf = staging(p, x, n, err)))
                return err->status;
            if (n > 0) {
                st = h5_reader_read(s->reader, x->ndim, s->box_start, s->box_size, x->dtype, s->boxbuf, err);
                if (st != TS_OK)
                    return st;
                p->bytes_read += n * (int64_t)ts_dtype_size(x->dtype);
            }
        } else {
            /* The input's values over the region this box reads, once. */
            int64_t n = region_view_image(x, bstart, bsize, s->box_start, s->box_size);
            if (!(s->boxbuf = staging(p, x->inputs[0], n, err)))
                return err->status;
            int64_t before = s->child->bytes_read;
            st = eval_box_into(s->child, s->box_start, s->box_size, s->boxbuf, err);
            if (st != TS_OK)
                return st;
            p->bytes_read += s->child->bytes_read - before;
        }
    }
    return TS_OK;
}

/* Whether strides (elements, per axis) lay the box out in C order. */
static bool c_contiguous(int nd, const int64_t *size, const int64_t *stride)
{
    int64_t expect = 1;
    for (int d = nd - 1; d >= 0; d--) {
        if (size[d] == 1)
            continue;
        if (stride[d] != expect)
            return false;
        expect *= size[d];
    }
    return true;
}

/* n values of a strip to dst, every `inner` elements. */
static void put_strip(ts_dtype dtype, const void *data, int step, int64_t n, unsigned char *dst,
                      int64_t inner)
{
    if (inner == 1) {
        eval_expand(dtype, data, step, n, dst);
        return;
    }
    size_t esz = ts_dtype_size(dtype);
    const unsigned char *src = data;
    for (int64_t j = 0; j < n; j++)
        memcpy(dst + (size_t)(j * inner) * esz, src + (size_t)(step ? j : 0) * esz, esz);
}

/* The general way: stage the box, then evaluate it strip by strip. */
static ts_status box_strips(eval_prog *p, const int64_t *start, const int64_t *size, unsigned char *dst,
                            const int64_t *stride, ts_err *err)
{
    const node *x = p->slots[p->nslots - 1].x;
    int nd = x->ndim;
    size_t esz = ts_dtype_size(x->dtype);
    ts_status st = eval_begin_box(p, start, size, err);
    int64_t rowlen = nd ? size[nd - 1] : 1, nrows = nelems(nd, size) / rowlen;
    int64_t coords[TS_MAXDIM], inner = nd ? stride[nd - 1] : 1;
    for (int64_t r = 0; r < nrows && st == TS_OK; r++) {
        int64_t rem = r, off = 0;
        for (int d = nd - 2; d >= 0; d--) {
            coords[d] = start[d] + rem % size[d];
            off += (coords[d] - start[d]) * stride[d];
            rem /= size[d];
        }
        for (int64_t q = 0; q < rowlen && st == TS_OK; q += EVAL_STRIP) {
            int64_t len = rowlen - q < EVAL_STRIP ? rowlen - q : EVAL_STRIP;
            if (nd)
                coords[nd - 1] = start[nd - 1] + q;
            const void *data;
            int step;
            if ((st = eval_strip(p, coords, len, &data, &step, err)) == TS_OK)
                put_strip(x->dtype, data, step, len, dst + (size_t)(off + q * inner) * esz, inner);
        }
    }
    eval_end_box(p);
    return st;
}

/* Evaluates p's root over the box into dst, element (i0, i1, ...) of the
 * box at dst + sum(ik * stride[k]) elements. */
static ts_status box_into(eval_prog *p, const int64_t *start, const int64_t *size, unsigned char *dst,
                          const int64_t *stride, ts_err *err)
{
    eval_slot *s = &p->slots[p->nslots - 1];
    const node *x = s->x;
    int64_t n = nelems(x->ndim, size);
    if (n == 0)
        return TS_OK;
    if (s->reader && c_contiguous(x->ndim, size, stride)) {
        ts_status st = h5_reader_read(s->reader, x->ndim, start, size, x->dtype, dst, err);
        if (st == TS_OK)
            p->bytes_read += n * (int64_t)ts_dtype_size(x->dtype);
        return st;
    }
    if (s->child && eval_view_in_order(x) && eval_view_unread_single(x, size)) {
        /* Input axis k follows view axis src[k] at step 1: same values in
         * the same order, so the view's strides carry over. */
        int64_t istart[TS_MAXDIM], isize[TS_MAXDIM], istride[TS_MAXDIM];
        region_view_image(x, start, size, istart, isize);
        for (int k = 0; k < x->inputs[0]->ndim; k++)
            istride[k] = x->p.view.src[k] >= 0 ? stride[x->p.view.src[k]] : 0;
        int64_t before = s->child->bytes_read;
        ts_status st = box_into(s->child, istart, isize, dst, istride, err);
        p->bytes_read += s->child->bytes_read - before;
        return st;
    }
    if (s->part[0]) {
        /* Part 1 begins where part 0 ends along the axis, in dst too. */
        int64_t pstart[2][TS_MAXDIM], psize[2][TS_MAXDIM];
        bool have[2];
        region_concat_parts(x, start, size, pstart, psize, have);
        int axis = x->p.concat.axis;
        ts_status st = TS_OK;
        for (int k = 0; k < 2 && st == TS_OK; k++) {
            if (!have[k])
                continue;
            int64_t at = k == 0 ? 0 : psize[0][axis] * stride[axis];
            int64_t before = s->part[k]->bytes_read;
            st = box_into(s->part[k], pstart[k], psize[k], dst + (size_t)at * ts_dtype_size(x->dtype), stride,
                          err);
            p->bytes_read += s->part[k]->bytes_read - before;
        }
        return st;
    }
    return box_strips(p, start, size, dst, stride, err);
}

ts_status eval_box_into(eval_prog *p, const int64_t *start, const int64_t *size, void *dst, ts_err *err)
{
    const node *x = p->slots[p->nslots - 1].x;
    int64_t stride[TS_MAXDIM], n = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        stride[d] = n;
        n *= size[d];
    }
    return box_into(p, start, size, dst, stride, err);
}
