/* node.h — a lazy array is one node of the expression DAG: an operation,
 * its inputs, and the shape, dtype and chunks of its result. Nodes are
 * immutable once made and reference counted; a node owns references to its
 * inputs and its chunk lists. */
#ifndef TS_ARRAY_NODE_H
#define TS_ARRAY_NODE_H

#include "tessera.h"
#include "array/chunks.h"
#include "util/err.h"

typedef enum node_op {
    NODE_FULL,     /* every element the same value (ones, zeros, full) */
    NODE_ARANGE,   /* start + i * step */
    NODE_LINSPACE, /* i * step + start, last = stop when endpoint */
    NODE_RANDOM,   /* counter-based random values of the flat index */
    NODE_SCALAR,   /* 0-d weak scalar from a script */
    NODE_UNARY,
    NODE_BINARY,
    NODE_WHERE,
    NODE_ASTYPE,
    NODE_REDUCE,
    NODE_HDF5,       /* a dataset of an HDF5 file, read region by region */
    NODE_VIEW,       /* slice, transpose, new/squeezed axes, broadcast, rechunk */
    NODE_CONCAT,     /* inputs[0] then inputs[1] along one axis */
    NODE_SCAN,       /* cumulative sum or product along one axis (materialised) */
    NODE_RESHAPE,    /* the same values in a new shape; chunk t is its input's chunk t (materialised) */
    NODE_DATA,       /* values held in the node (a local array, a delayed task's result) */
    NODE_MAP_BLOCKS, /* a kernel run block by block over aligned inputs (materialised) */
    NODE_NOPS
} node_op;

typedef union node_params {
    struct {
        ts_scalar value;
    } full; /* also NODE_SCALAR */
    struct {
        double fstart, fstep;
        int64_t istart, istep;
    } arange;
    struct {
        double start, step, stop;
        int64_t num;
        bool endpoint;
    } linspace;
    struct {
        ts_random_kind kind;
        double a, b;
        uint64_t seed;
        uint32_t stream;
    } random;
    struct {
        ts_unary_op op;
        ts_dtype compute;
    } unary;
    struct {
        ts_binary_op op;
        ts_dtype compute;
    } binary;
    struct {
        ts_dtype compute;
    } where; /* inputs: cond, a, b */
    struct {
        ts_reduce_op op;
        uint32_t axes; /* bit k set: input axis k is reduced */
        bool keepdims;
        int ddof;
        bool flat; /* argmin/argmax over all axes: flat index */
    } reduce;
    /* Input axis k of a view reads coordinate add[k] + mul[k] * c, where c
     * is the view's coordinate on axis src[k] (src[k] < 0: always add[k]).
     * x[2:10:3].T on a 2-D x: src = {1, 0}, mul = {3, 1}, add = {2, 0}. */
    struct {
        int src[TS_MAXDIM];
        int64_t mul[TS_MAXDIM];
        int64_t add[TS_MAXDIM];
        char what[16]; /* "slice", "transpose", ... for labels */
    } view;
    struct {
        int axis;
        int64_t split;
    } concat; /* split: inputs[0]'s length on axis */
    struct {
        int axis;
        bool prod;
    } scan;
    struct {
        int64_t lib_nbytes; /* what HDF5 holds for one open reader (h5_read_lib_nbytes) */
        bool uncached;      /* read without HDF5's chunk cache (a staged rechunk's copy) */
    } hdf5;
    /* The loop runs over the chunk grid of the inputs aligned to loop_ndim
     * axes (right-aligned, as NumPy broadcasts). Output axis d follows loop
     * axis out_src[d] (-1: a new axis). With overlap, input boxes are the
     * output box grown by depth[a] on each side of loop axis a: in padded
     * inputs (padded: the boundary was added at build time) or clamped to
     * the input ('none'); the kernel's block is then trimmed back. */
    struct {
        int loop_ndim;
        int out_src[TS_MAXDIM];
        bool overlap, padded;
        int64_t depth[TS_MAXDIM];
        char label[24]; /* "map_blocks", "map_overlap" or the user's name */
    } map;
} node_params;

#define NODE_MAXIN 8

struct ts_array {
    int refcount;
    node_op op;
    ts_dtype dtype;
    bool weak; /* a script scalar (NODE_SCALAR) */
    int ndim;
    int64_t shape[TS_MAXDIM];
    chunks_axis chunks[TS_MAXDIM]; /* owned */
    int64_t *offsets[TS_MAXDIM];   /* owned; n + 1 prefix sums of chunks */
    int ninputs;
    struct ts_array *inputs[NODE_MAXIN]; /* owned references */
    node_params p;
    char *path, *dataset; /* NODE_HDF5: owned */
    /* NODE_DATA: the C-contiguous values (owned unless blob_borrowed);
     * NODE_MAP_BLOCKS: the kernel's call bytes (owned). */
    void *blob;
    int64_t blob_nbytes;
    bool blob_borrowed;
    char *kernel;               /* NODE_MAP_BLOCKS: registered kernel name, owned */
    struct ts_delayed *delayed; /* NODE_DATA of ts_array_from_delayed: the task (a reference);
                                   blob stays NULL until the task has been computed */
};

typedef struct ts_array node;

/* Makes a node with one reference, taking new references to inputs and
 * ownership of chunks (which must hold ndim normalised axes). */
ts_status node_create(node_op op, ts_dtype dtype, int ndim, const int64_t *shape, chunks_axis *chunks,
                      int ninputs, node *const *inputs, const node_params *params, node **out, ts_err *err);

/* The chunk index along axis holding element index i (binary search). */
int64_t node_chunk_of(const node *x, int axis, int64_t i);

/* Total chunks and the product of per-axis counts; 1 for a 0-d array. */
int64_t node_nchunks(const node *x);

/* Number of nodes reachable from x (its graph layers) and the sum of their
 * chunk counts (the tasks of an unoptimised graph, as Dask counts them). */
void node_graph_size(const node *x, int64_t *nlayers, int64_t *ntasks);

/* A short operation name for summaries ("normal", "add", "mean"). */
const char *node_label(const node *x);

#endif
