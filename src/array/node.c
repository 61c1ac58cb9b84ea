/* node.c — making, sharing and inspecting expression nodes. */
#include "array/delayed.h"
#include "array/node.h"
#include "util/ptrmap.h"

#include <stdlib.h>
#include <string.h>

ts_status node_create(node_op op, ts_dtype dtype, int ndim, const int64_t *shape, chunks_axis *chunks,
                      int ninputs, node *const *inputs, const node_params *params, node **out, ts_err *err)
{
    node *x = calloc(1, sizeof *x);
    if (!x) {
        chunks_axis_free(chunks, ndim);
        return err_set(err, TS_ERR_MEMORY, "out of memory making an array node");
    }
    x->refcount = 1;
    x->op = op;
    x->dtype = dtype;
    x->ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        x->shape[d] = shape[d];
        x->chunks[d] = chunks[d];
        chunks[d].sizes = NULL;
        x->offsets[d] = malloc((size_t)(x->chunks[d].n + 1) * sizeof(int64_t));
        if (!x->offsets[d]) {
            ts_array_release(x);
            return err_set(err, TS_ERR_MEMORY, "out of memory making an array node");
        }
        x->offsets[d][0] = 0;
        for (int64_t c = 0; c < x->chunks[d].n; c++)
            x->offsets[d][c + 1] = x->offsets[d][c] + x->chunks[d].sizes[c];
    }
    x->ninputs = ninputs;
    for (int i = 0; i < ninputs; i++)
        x->inputs[i] = ts_array_retain(inputs[i]);
    if (params)
        x->p = *params;
    *out = x;
    return TS_OK;
}

ts_array *ts_array_retain(ts_array *x)
{
    if (x)
        x->refcount++;
    return x;
}

void ts_array_release(ts_array *x)
{
    /* Iterative over the input chains so a long expression cannot overflow
     * the C stack when its last reference goes. */
    while (x && --x->refcount == 0) {
        for (int d = 0; d < x->ndim; d++) {
            free(x->chunks[d].sizes);
            free(x->offsets[d]);
        }
        for (int i = 1; i < x->ninputs; i++)
            ts_array_release(x->inputs[i]);
        free(x->path);
        free(x->dataset);
        if (!x->blob_borrowed)
            free(x->blob);
        free(x->kernel);
        ts_delayed_release(x->delayed);
        node *next = x->ninputs > 0 ? x->inputs[0] : NULL;
        free(x);
        x = next;
    }
}

int64_t node_chunk_of(const node *x, int axis, int64_t i)
{
    const int64_t *off = x->offsets[axis];
    int64_t lo = 0, hi = x->chunks[axis].n - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (off[mid] <= i)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int64_t node_nchunks(const node *x)
{
    int64_t n = 1;
    for (int d = 0; d < x->ndim; d++)
        n *= x->chunks[d].n;
    return n;
}

static void graph_walk(const node *x, ptrmap *seen, int64_t *nlayers, int64_t *ntasks)
{
    int64_t dummy;
    if (ptrmap_get(seen, x, &dummy))
        return;
    ptrmap_put(seen, x, 0);
    if (x->op != NODE_SCALAR) {
        (*nlayers)++;
        *ntasks += node_nchunks(x);
    }
    for (int i = 0; i < x->ninputs; i++)
        graph_walk(x->inputs[i], seen, nlayers, ntasks);
}

void node_graph_size(const node *x, int64_t *nlayers, int64_t *ntasks)
{
    ptrmap seen;
    ptrmap_init(&seen);
    *nlayers = 0;
    *ntasks = 0;
    graph_walk(x, &seen, nlayers, ntasks);
    ptrmap_fini(&seen);
}

const char *node_label(const node *x)
{
    static const char *const random_names[] = {"random", "uniform", "normal", "standard_normal", "integers"};
    switch (x->op) {
    case NODE_FULL: return "full";
    case NODE_ARANGE: return "arange";
    case NODE_LINSPACE: return "linspace";
    case NODE_RANDOM: return random_names[x->p.random.kind];
    case NODE_SCALAR: return "scalar";
    case NODE_UNARY: return ts_unary_name(x->p.unary.op);
    case NODE_BINARY: return ts_binary_name(x->p.binary.op);
    case NODE_WHERE: return "where";
    case NODE_ASTYPE: return "astype";
    case NODE_REDUCE: return ts_reduce_name(x->p.reduce.op);
    case NODE_HDF5: return "from_hdf5";
    case NODE_VIEW: return x->p.view.what;
    case NODE_CONCAT: return "concatenate";
    case NODE_SCAN: return x->p.scan.prod ? "cumprod" : "cumsum";
    case NODE_RESHAPE: return "reshape";
    case NODE_DATA: return x->delayed ? "from_delayed" : "values";
    case NODE_MAP_BLOCKS: return x->p.map.label;
    default: return "?";
    }
}

ts_dtype ts_array_dtype(const ts_array *x) { return x->dtype; }
int ts_array_ndim(const ts_array *x) { return x->ndim; }
const int64_t *ts_array_shape(const ts_array *x) { return x->shape; }

int64_t ts_array_size(const ts_array *x)
{
    int64_t n = 1;
    for (int d = 0; d < x->ndim; d++)
        n *= x->shape[d];
    return n;
}

int64_t ts_array_nbytes(const ts_array *x) { return ts_array_size(x) * (int64_t)ts_dtype_size(x->dtype); }

int64_t ts_array_numblocks(const ts_array *x, int axis)
{
    return axis >= 0 && axis < x->ndim ? x->chunks[axis].n : 0;
}

const int64_t *ts_array_chunks(const ts_array *x, int axis)
{
    return axis >= 0 && axis < x->ndim ? x->chunks[axis].sizes : NULL;
}

int64_t ts_array_npartitions(const ts_array *x) { return node_nchunks(x); }
