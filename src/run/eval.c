/* eval.c — the strip interpreter. Slots are the expression's nodes in
 * topological order (inputs first); each strip runs every slot once, so a
 * node used twice (x * x) is computed once. Coordinates map from the root to
 * a node by right alignment, with broadcast axes (length 1) pinned to 0. */
#include "run/eval_internal.h"
#include "kernels/cast.h"
#include "kernels/elementwise.h"
#include "kernels/rng.h"

#include <stdlib.h>
#include <string.h>

static void scalar_to(ts_dtype dt, ts_scalar v, void *dst)
{
    double f = v.kind == TS_SCALAR_FLOAT ? v.f : v.kind == TS_SCALAR_INT ? (double)v.i : (double)v.b;
    int64_t i = v.kind == TS_SCALAR_INT ? v.i : v.kind == TS_SCALAR_BOOL ? v.b : 0;
    if (v.kind == TS_SCALAR_FLOAT) {
        cast_strip(TS_FLOAT64, &f, 0, dt, dst, 1);
    } else {
        cast_strip(TS_INT64, &i, 0, dt, dst, 1);
    }
}

static ts_dtype input_compute_dtype(const node *x, int i)
{
    switch (x->op) {
    case NODE_UNARY: return x->p.unary.compute;
    case NODE_BINARY: return x->p.binary.compute;
    case NODE_WHERE: return i == 0 ? TS_BOOL : x->p.where.compute;
    default: return x->inputs[i]->dtype; /* astype converts itself */
    }
}

static int add_slot(eval_prog *p, node *x, const ptrmap *leaves, ptrmap *seen, ts_err *err)
{
    int64_t idx;
    if (ptrmap_get(seen, x, &idx))
        return (int)idx;
    eval_slot s = {.x = x};
    s.leaf = ptrmap_get(leaves, x, &idx);
    if (!s.leaf && x->op != NODE_VIEW && x->op != NODE_CONCAT) {
        for (int i = 0; i < x->ninputs; i++) {
            s.in[i] = add_slot(p, x->inputs[i], leaves, seen, err);
            if (s.in[i] < 0)
                return -1;
        }
    }
    if (p->nslots == p->cap) {
        int ncap = p->cap ? 2 * p->cap : 16;
        eval_slot *ns = realloc(p->slots, (size_t)ncap * sizeof *ns);
        if (!ns) {
            err_set(err, TS_ERR_MEMORY, "out of memory compiling an expression");
            return -1;
        }
        p->slots = ns;
        p->cap = ncap;
    }
    p->slots[p->nslots] = s;
    if (!ptrmap_put(seen, x, p->nslots)) {
        err_set(err, TS_ERR_MEMORY, "out of memory compiling an expression");
        return -1;
    }
    return p->nslots++;
}

/* Whether slot s's strip is read by no slot but `reader` (the root is
 * read by the caller of eval_strip). */
static bool read_only_by(const eval_prog *p, const eval_slot *s, const eval_slot *reader)
{
    if (s == &p->slots[p->nslots - 1])
        return false;
    for (int i = 0; i < p->nslots; i++) {
        const eval_slot *t = &p->slots[i];
        if (t == reader || t->leaf || t->x->op == NODE_VIEW || t->x->op == NODE_CONCAT)
            continue;
        for (int k = 0; k < t->x->ninputs; k++)
            if (&p->slots[t->in[k]] == s)
                return false;
    }
    return true;
}

/* The input slot whose strip buffer s may compute into, or -1. Each
 * elementwise kernel writes out[k] only after reading its inputs' k-th
 * values, so out may be an input's buffer once nothing else reads that
 * input: then a chain (random * 2 + 1) works in one strip that stays in
 * L1 instead of one buffer per node. Only buffers a slot computed itself
 * qualify (a leaf's or view's strip may point into chunk data), of the
 * same element size, and not astype's (cast_strip may memcpy). Inputs
 * come before s, so their buffers are set up already. */
static int buffer_donor(const eval_prog *p, const eval_slot *s)
{
    const node *x = s->x;
    if (s->scalar || !(x->op == NODE_UNARY || x->op == NODE_BINARY || x->op == NODE_WHERE))
        return -1;
    for (int i = 0; i < x->ninputs; i++) {
        const eval_slot *in = &p->slots[s->in[i]];
        node_op op = in->x->op;
        bool computed = op == NODE_RANDOM || op == NODE_ARANGE || op == NODE_LINSPACE || op == NODE_UNARY ||
                        op == NODE_BINARY || op == NODE_WHERE;
        if (computed && !in->leaf && !in->scalar && in->buf &&
            ts_dtype_size(in->x->dtype) == ts_dtype_size(x->dtype) && read_only_by(p, in, s))
            return s->in[i];
    }
    return -1;
}

static ts_status setup_slot(eval_prog *p, eval_slot *s, ts_err *err)
{
    node *x = s->x;
    s->axis_off = p->root_ndim - x->ndim;
    int64_t st = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        s->stride[d] = st;
        st *= x->shape[d];
    }
    s->scalar = x->ndim == 0 || x->shape[x->ndim - 1] == 1;
    if (x->op == NODE_FULL || x->op == NODE_SCALAR) {
        scalar_to(x->dtype, x->p.full.value, s->value);
        s->scalar = true;
    }
    /* Elementwise nodes whose inputs are all one repeated value are one
     * too. (Views and concatenations evaluate their inputs in programs of
     * their own: their in[] are not slots here.) */
    bool all_inputs_scalar = x->ninputs > 0 && !s->leaf && x->op != NODE_VIEW && x->op != NODE_CONCAT;
    for (int i = 0; i < x->ninputs && !s->leaf; i++)
        all_inputs_scalar = all_inputs_scalar && p->slots[s->in[i]].scalar;
    if (all_inputs_scalar)
        s->scalar = true;
    size_t esz = ts_dtype_size(x->dtype);
    if (x->op == NODE_HDF5 && !s->leaf) {
        ts_status rs = h5_reader_open(x->path, x->dataset, &s->reader, err);
        return rs == TS_OK && x->p.hdf5.uncached ? h5_reader_uncache(s->reader, err) : rs;
    }
    if (x->op == NODE_VIEW || x->op == NODE_CONCAT || s->leaf) {
        /* Views gather strips; leaves and concatenations copy strips that
         * cross chunks or the seam. */
        s->buf = malloc(EVAL_STRIP * esz);
        if (!s->buf)
            return err_set(err, TS_ERR_MEMORY, "out of memory for strip buffers");
        if (x->op == NODE_VIEW && !s->leaf)
            return eval_prog_create(x->inputs[0], p->leaves, p->get, p->ud, &s->child, err);
        for (int k = 0; x->op == NODE_CONCAT && !s->leaf && k < 2; k++) {
            ts_status ps = eval_prog_create(x->inputs[k], p->leaves, p->get, p->ud, &s->part[k], err);
            if (ps != TS_OK)
                return ps;
        }
        return TS_OK;
    }
    if (!s->leaf && !(x->op == NODE_FULL || x->op == NODE_SCALAR)) {
        int donor = buffer_donor(p, s);
        if (donor >= 0) {
            s->buf = p->slots[donor].buf;
            s->buf_borrowed = true;
        } else {
            s->buf = malloc(EVAL_STRIP * esz);
        }
        if (!s->buf)
            return err_set(err, TS_ERR_MEMORY, "out of memory for strip buffers");
        for (int i = 0; i < x->ninputs; i++) {
            ts_dtype want = input_compute_dtype(x, i);
            if (x->op != NODE_ASTYPE && want != x->inputs[i]->dtype) {
                s->cast[i] = malloc(EVAL_STRIP * ts_dtype_size(want));
                if (!s->cast[i])
                    return err_set(err, TS_ERR_MEMORY, "out of memory for strip buffers");
            }
        }
    }
    return TS_OK;
}

ts_status eval_prog_create(node *root, const ptrmap *leaves, eval_chunk_fn get, void *ud, eval_prog **out,
                           ts_err *err)
{
    eval_prog *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(err, TS_ERR_MEMORY, "out of memory compiling an expression");
    p->root_ndim = root->ndim;
    p->leaves = leaves;
    p->get = get;
    p->ud = ud;
    ptrmap seen;
    ptrmap_init(&seen);
    ts_status st = add_slot(p, root, leaves, &seen, err) < 0 ? err->status : TS_OK;
    ptrmap_fini(&seen);
    for (int i = 0; i < p->nslots && st == TS_OK; i++)
        st = setup_slot(p, &p->slots[i], err);
    if (st != TS_OK) {
        eval_prog_destroy(p);
        return st;
    }
    *out = p;
    return TS_OK;
}

void eval_prog_destroy(eval_prog *p)
{
    if (!p)
        return;
    eval_release_staging(p);
    for (int i = 0; i < p->nslots; i++) {
        h5_reader_close(p->slots[i].reader);
        eval_prog_destroy(p->slots[i].child);
        for (int k = 0; k < 2; k++)
            eval_prog_destroy(p->slots[i].part[k]);
        if (!p->slots[i].buf_borrowed)
            free(p->slots[i].buf);
        for (int j = 0; j < NODE_MAXIN; j++)
            free(p->slots[i].cast[j]);
    }
    free(p->slots);
    free(p);
}

/* Coordinates of x for root coordinates rc. */
static void node_coords(const eval_slot *s, const int64_t *rc, int64_t *xc)
{
    for (int d = 0; d < s->x->ndim; d++)
        xc[d] = s->x->shape[d] == 1 ? 0 : rc[d + s->axis_off];
}

static void gen_random(const node *x, uint64_t first, int64_t n, void *out)
{
    const double a = x->p.random.a, b = x->p.random.b;
    uint64_t seed = x->p.random.seed;
    uint32_t stream = x->p.random.stream;
    switch (x->p.random.kind) {
    case TS_RANDOM_INTEGERS: {
        uint64_t range = (uint64_t)((int64_t)b - (int64_t)a);
        if (x->dtype == TS_INT32)
            rng_integers_i32(seed, stream, first, n, (int64_t)a, range, out);
        else
            rng_integers_i64(seed, stream, first, n, (int64_t)a, range, out);
        return;
    }
    case TS_RANDOM_NORMAL:
    case TS_RANDOM_STANDARD_NORMAL: {
        double loc = x->p.random.kind == TS_RANDOM_NORMAL ? a : 0.,
               scale = x->p.random.kind == TS_RANDOM_NORMAL ? b : 1.;
        if (x->dtype == TS_FLOAT32) {
            float *o = out;
            rng_normal_f32(seed, stream, first, n, o);
            if (loc != 0. || scale != 1.)
                for (int64_t i = 0; i < n; i++)
                    o[i] = (float)(loc + scale * (double)o[i]);
        } else {
            double *o = out;
            rng_normal_f64(seed, stream, first, n, o);
            if (loc != 0. || scale != 1.)
                for (int64_t i = 0; i < n; i++)
                    o[i] = loc + scale * o[i];
        }
        return;
    }
    default: {
        double lo = x->p.random.kind == TS_RANDOM_UNIFORM ? a : 0.;
        double width = x->p.random.kind == TS_RANDOM_UNIFORM ? b - a : 1.;
        if (x->dtype == TS_FLOAT32) {
            float *o = out;
            rng_uniform_f32(seed, stream, first, n, o);
            if (lo != 0. || width != 1.)
                for (int64_t i = 0; i < n; i++)
                    o[i] = (float)(lo + width * (double)o[i]);
        } else {
            double *o = out;
            rng_uniform_f64(seed, stream, first, n, o);
            if (lo != 0. || width != 1.)
                for (int64_t i = 0; i < n; i++)
                    o[i] = lo + width * o[i];
        }
        return;
    }
    }
}

static void gen_range(const node *x, int64_t i0, int64_t n, void *out)
{
    if (x->op == NODE_ARANGE && x->dtype == TS_INT64) {
        int64_t *o = out;
        for (int64_t i = 0; i < n; i++)
            o[i] = (int64_t)((uint64_t)x->p.arange.istart + (uint64_t)(i0 + i) * (uint64_t)x->p.arange.istep);
    } else if (x->op == NODE_ARANGE) {
        double *o = out;
        for (int64_t i = 0; i < n; i++)
            o[i] = x->p.arange.fstart + (double)(i0 + i) * x->p.arange.fstep;
    } else {
        double *o = out;
        for (int64_t i = 0; i < n; i++)
            o[i] = (double)(i0 + i) * x->p.linspace.step + x->p.linspace.start;
        if (x->p.linspace.endpoint && x->p.linspace.num > 1 && i0 + n == x->p.linspace.num)
            o[n - 1] = x->p.linspace.stop;
    }
}

/* The strip of a materialised leaf at xc: in place when it lies in one
 * chunk, else copied piece by piece (a rechunk's task box may span several
 * chunks of its input along the last axis). */
static ts_status leaf_strip(eval_prog *p, eval_slot *s, const int64_t *xc, int64_t len, ts_err *err)
{
    const node *x = s->x;
    size_t esz = ts_dtype_size(x->dtype);
    int nd = x->ndim;
    int64_t n = s->scalar ? 1 : len, done = 0;
    int64_t c[TS_MAXDIM];
    for (int d = 0; d < nd; d++)
        c[d] = xc[d];
    while (done < n) {
        int64_t chunk = 0, off = 0, room = n - done;
        for (int d = 0; d < nd; d++) {
            int64_t k = node_chunk_of(x, d, c[d]);
            chunk = chunk * x->chunks[d].n + k;
            off = off * x->chunks[d].sizes[k] + (c[d] - x->offsets[d][k]);
            if (d == nd - 1 && x->offsets[d][k + 1] - c[d] < room)
                room = x->offsets[d][k + 1] - c[d];
        }
        const unsigned char *data = p->get(p->ud, x, chunk);
        if (!data)
            return err_set(err, TS_ERR_RUNTIME, "internal: chunk %lld of a %s result is not available here",
                           (long long)chunk, node_label(x));
        if (done == 0 && room == n) {
            s->cur = data + off * (int64_t)esz;
            s->step = s->scalar ? 0 : 1;
            return TS_OK;
        }
        memcpy((unsigned char *)s->buf + (size_t)done * esz, data + off * (int64_t)esz, (size_t)room * esz);
        done += room;
        if (nd)
            c[nd - 1] += room;
    }
    s->cur = s->buf;
    s->step = s->scalar ? 0 : 1;
    return TS_OK;
}

/* The strip of a concatenation: from the part holding it, or in two
 * pieces when it crosses the seam along the last axis. */
static void concat_strip(eval_slot *s, const int64_t *xc, int64_t len)
{
    const node *x = s->x;
    int axis = x->p.concat.axis, last = x->ndim - 1;
    int64_t split = x->p.concat.split, n = s->scalar ? 1 : len;
    size_t esz = ts_dtype_size(x->dtype);
    int64_t done = 0, c[TS_MAXDIM];
    for (int d = 0; d < x->ndim; d++)
        c[d] = xc[d];
    while (done < n) {
        int k = c[axis] < split ? 0 : 1;
        int64_t off = 0, room = n - done;
        for (int d = 0; d < x->ndim; d++) {
            int64_t v = c[d] - (d == axis && k == 1 ? split : 0);
            off = off * s->psize[k][d] + (v - s->pstart[k][d]);
        }
        if (axis == last && k == 0 && split - c[axis] < room)
            room = split - c[axis];
        const unsigned char *src = (const unsigned char *)s->pbuf[k] + off * (int64_t)esz;
        if (done == 0 && room == n) {
            s->cur = src;
            s->step = s->scalar ? 0 : 1;
            return;
        }
        memcpy((unsigned char *)s->buf + (size_t)done * esz, src, (size_t)room * esz);
        done += room;
        c[last] += room;
    }
    s->cur = s->buf;
    s->step = s->scalar ? 0 : 1;
}

/* A view's strip: gathered from its input's values over the box (strided
 * or reversed reads become a contiguous strip; a contiguous one is used in
 * place). */
static void view_strip(eval_slot *s, const int64_t *xc, int64_t len)
{
    const node *x = s->x, *in = x->inputs[0];
    size_t esz = ts_dtype_size(x->dtype);
    int last = x->ndim - 1;
    int64_t off = 0, jstep = 0, stride = 1;
    for (int k = in->ndim - 1; k >= 0; k--) {
        int src = x->p.view.src[k];
        int64_t ic = x->p.view.add[k] + (src >= 0 ? x->p.view.mul[k] * xc[src] : 0);
        off += (ic - s->box_start[k]) * stride;
        if (src >= 0 && src == last)
            jstep = x->p.view.mul[k] * stride;
        stride *= s->box_size[k];
    }
    const unsigned char *base = (const unsigned char *)s->boxbuf + off * (int64_t)esz;
    int64_t n = s->scalar ? 1 : len;
    if (jstep == 1 || n == 1) {
        s->cur = base;
        s->step = s->scalar ? 0 : 1;
        return;
    }
    switch (esz) { /* a strided or reversed gather, by element size */
    case 8:
        for (int64_t j = 0; j < n; j++)
            ((uint64_t *)s->buf)[j] = ((const uint64_t *)(const void *)base)[j * jstep];
        break;
    case 4:
        for (int64_t j = 0; j < n; j++)
            ((uint32_t *)s->buf)[j] = ((const uint32_t *)(const void *)base)[j * jstep];
        break;
    default:
        for (int64_t j = 0; j < n; j++)
            ((uint8_t *)s->buf)[j] = base[j * jstep];
        break;
    }
    s->cur = s->buf;
    s->step = 1;
}

/* A strip of a file region read by eval_begin_box. */
static void box_strip(eval_slot *s, const int64_t *xc)
{
    int64_t off = 0;
    for (int d = 0; d < s->x->ndim; d++)
        off = off * s->box_size[d] + (xc[d] - s->box_start[d]);
    s->cur = (const unsigned char *)s->boxbuf + off * (int64_t)ts_dtype_size(s->x->dtype);
    s->step = s->scalar ? 0 : 1;
}

/* A strip of values held in the node: C-contiguous, so in place. */
static ts_status data_strip(eval_slot *s, const int64_t *xc, ts_err *err)
{
    const node *x = s->x;
    if (!x->blob)
        return err_set(err, TS_ERR_RUNTIME, "internal: the values of a %s array are not here", node_label(x));
    int64_t off = 0;
    for (int d = 0; d < x->ndim; d++)
        off += xc[d] * s->stride[d];
    s->cur = (const unsigned char *)x->blob + off * (int64_t)ts_dtype_size(x->dtype);
    s->step = s->scalar ? 0 : 1;
    return TS_OK;
}

/* Input i of s converted to its compute dtype. */
static const void *input_values(eval_slot *s, eval_slot *in, int i, int64_t len)
{
    if (!s->cast[i])
        return in->cur;
    int64_t n = in->step ? len : 1;
    cast_strip(in->x->dtype, in->cur, 1, input_compute_dtype(s->x, i), s->cast[i], n);
    return s->cast[i];
}

static ts_status run_slot(eval_prog *p, eval_slot *s, const int64_t *rc, int64_t len, ts_err *err)
{
    node *x = s->x;
    int64_t xc[TS_MAXDIM];
    node_coords(s, rc, xc);
    if (s->leaf)
        return leaf_strip(p, s, xc, len, err);
    int64_t n = s->scalar ? 1 : len;
    s->step = s->scalar ? 0 : 1;
    s->cur = s->buf;
    switch (x->op) {
    case NODE_FULL:
    case NODE_SCALAR: s->cur = s->value; return TS_OK;
    case NODE_HDF5: box_strip(s, xc); return TS_OK;
    case NODE_DATA: return data_strip(s, xc, err);
    case NODE_VIEW: view_strip(s, xc, len); return TS_OK;
    case NODE_CONCAT: concat_strip(s, xc, len); return TS_OK;
    case NODE_ARANGE:
    case NODE_LINSPACE: gen_range(x, x->ndim ? xc[0] : 0, n, s->buf); return TS_OK;
    case NODE_RANDOM: {
        uint64_t flat = 0;
        for (int d = 0; d < x->ndim; d++)
            flat += (uint64_t)(xc[d] * s->stride[d]);
        gen_random(x, flat, n, s->buf);
        return TS_OK;
    }
    case NODE_ASTYPE: {
        eval_slot *in = &p->slots[s->in[0]];
        cast_strip(in->x->dtype, in->cur, 1, x->dtype, s->buf, in->step ? n : 1);
        return TS_OK;
    }
    case NODE_UNARY: {
        eval_slot *in = &p->slots[s->in[0]];
        int rc_ =
            ew_unary(x->p.unary.op, x->p.unary.compute, input_values(s, in, 0, len), in->step, n, s->buf);
        return rc_ ? err_set(err, TS_ERR_RUNTIME, "%s: %s", node_label(x), ew_errmsg(rc_)) : TS_OK;
    }
    case NODE_BINARY: {
        eval_slot *a = &p->slots[s->in[0]], *b = &p->slots[s->in[1]];
        const void *av = input_values(s, a, 0, len), *bv = input_values(s, b, 1, len);
        int rc_ = ew_binary(x->p.binary.op, x->p.binary.compute, av, a->step, bv, b->step, n, s->buf);
        return rc_ ? err_set(err, TS_ERR_RUNTIME, "%s: %s", node_label(x), ew_errmsg(rc_)) : TS_OK;
    }
    case NODE_WHERE: {
        eval_slot *c = &p->slots[s->in[0]], *a = &p->slots[s->in[1]], *b = &p->slots[s->in[2]];
        const void *cv = input_values(s, c, 0, len), *av = input_values(s, a, 1, len);
        const void *bv = input_values(s, b, 2, len);
        ew_where(x->dtype, cv, c->step, av, a->step, bv, b->step, n, s->buf);
        return TS_OK;
    }
    default: return err_set(err, TS_ERR_RUNTIME, "internal: %s cannot be evaluated blockwise", node_label(x));
    }
}

ts_status eval_strip(eval_prog *p, const int64_t *coords, int64_t len, const void **data, int *step,
                     ts_err *err)
{
    for (int i = 0; i < p->nslots; i++) {
        ts_status st = run_slot(p, &p->slots[i], coords, len, err);
        if (st != TS_OK)
            return st;
    }
    eval_slot *root = &p->slots[p->nslots - 1];
    *data = root->cur;
    *step = root->step;
    return TS_OK;
}

int64_t eval_prog_bytes_read(const eval_prog *prog) { return prog->bytes_read; }

void eval_expand(ts_dtype dtype, const void *data, int step, int64_t n, void *dst)
{
    size_t esz = ts_dtype_size(dtype);
    if (step) {
        if (dst != data)
            memcpy(dst, data, (size_t)n * esz);
        return;
    }
    switch (esz) {
    case 1: memset(dst, *(const uint8_t *)data, (size_t)n); break;
    case 4:
        for (int64_t i = 0; i < n; i++)
            ((uint32_t *)dst)[i] = *(const uint32_t *)data;
        break;
    default:
        for (int64_t i = 0; i < n; i++)
            ((uint64_t *)dst)[i] = *(const uint64_t *)data;
        break;
    }
}
