/* eval_whole.c — eager evaluation of a small expression in the calling
 * thread, for math on local arrays: no plan, no MPI, no shared state, so
 * several threads may evaluate at once. Elementwise operations and views
 * go through the strip evaluator; a reduction at the root reduces its
 * evaluated input with the reduce kernels, combining strips left to right
 * in C order of the reduced elements. */
#include "run/eval.h"
#include "kernels/reduce.h"

#include <stdlib.h>
#include <string.h>

static ts_status eval_all(node *x, void *dst, ts_err *err)
{
    ptrmap none;
    ptrmap_init(&none);
    eval_prog *prog;
    ts_status st = eval_prog_create(x, &none, NULL, NULL, &prog, err);
    if (st == TS_OK) {
        int64_t start[TS_MAXDIM] = {0};
        st = eval_box_into(prog, start, x->shape, dst, err);
        eval_prog_destroy(prog);
    }
    ptrmap_fini(&none);
    return st;
}

/* Reduces values (x's shape, C order) over the axes in r->p.reduce. */
static ts_status reduce_values_into(const node *r, const node *x, const void *values, void *dst, ts_err *err)
{
    uint32_t axes = r->p.reduce.axes;
    int nd = x->ndim;
    int64_t stride[TS_MAXDIM], nout = 1, nred = 1;
    for (int64_t d = nd - 1, s = 1; d >= 0; d--) {
        stride[d] = s;
        s *= x->shape[d];
    }
    for (int d = 0; d < nd; d++) {
        if (axes & (1u << d))
            nred *= x->shape[d];
        else
            nout *= x->shape[d];
    }
    reduce_kind k;
    reduce_kind_init(&k, r->p.reduce.op, x->dtype);
    size_t esz = ts_dtype_size(x->dtype);
    reduce_field *acc = malloc((size_t)(nout ? nout : 1) * (size_t)k.nfields * sizeof *acc);
    unsigned char *strip = malloc(EVAL_STRIP * esz);
    if (!acc || !strip) {
        free(acc);
        free(strip);
        return err_set(err, TS_ERR_MEMORY, "out of memory for a reduction");
    }
    reduce_field tmp[REDUCE_MAXFIELDS];
    const unsigned char *v = values;
    for (int64_t o = 0; o < nout; o++) {
        /* The offset of output o's first element: o spread over the kept axes. */
        int64_t base = 0, rem = o;
        for (int d = nd - 1; d >= 0; d--)
            if (!(axes & (1u << d))) {
                base += (rem % x->shape[d]) * stride[d];
                rem /= x->shape[d];
            }
        if (nred == 0) {
            reduce_identity(&k, acc + o, nout, 1);
            continue;
        }
        int64_t c[TS_MAXDIM] = {0}, off = base;
        for (int64_t done = 0; done < nred;) {
            int64_t len = nred - done < EVAL_STRIP ? nred - done : EVAL_STRIP;
            for (int64_t j = 0; j < len; j++) {
                memcpy(strip + (size_t)j * esz, v + (size_t)off * esz, esz);
                /* odometer over the reduced axes, last fastest */
                for (int d = nd - 1; d >= 0; d--) {
                    if (!(axes & (1u << d)))
                        continue;
                    off += stride[d];
                    if (++c[d] < x->shape[d])
                        break;
                    off -= c[d] * stride[d];
                    c[d] = 0;
                }
            }
            if (done == 0) {
                reduce_strip(&k, strip, len, 0, 1, acc, nout, o);
            } else {
                reduce_strip(&k, strip, len, done, 1, tmp, 1, 0);
                reduce_combine(&k, acc + o, nout, tmp, 1, 1);
            }
            done += len;
        }
    }
    reduce_finalize(&k, acc, nout, nout, nred, r->p.reduce.ddof, r->dtype, dst);
    free(acc);
    free(strip);
    return TS_OK;
}

ts_status eval_whole(node *x, void *dst, ts_err *err)
{
    if (x->op != NODE_REDUCE)
        return eval_all(x, dst, err);
    node *in = x->inputs[0];
    int64_t n = 1;
    for (int d = 0; d < in->ndim; d++)
        n *= in->shape[d];
    void *values = malloc((size_t)(n ? n : 1) * ts_dtype_size(in->dtype));
    if (!values)
        return err_set(err, TS_ERR_MEMORY, "out of memory for a %lld-element reduction", (long long)n);
    ts_status st = eval_all(in, values, err);
    if (st == TS_OK)
        st = reduce_values_into(x, in, values, dst, err);
    free(values);
    return st;
}
