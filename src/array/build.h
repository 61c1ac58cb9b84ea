/* build.h — building expression nodes: validation, NumPy's shape and dtype
 * rules, and chunk normalisation happen here, at graph-build time, so a
 * mistake is reported at the script line that made it. */
#ifndef TS_ARRAY_BUILD_H
#define TS_ARRAY_BUILD_H

#include "array/node.h"

/* What building needs from the context, passed down explicitly. */
typedef struct build_env {
    ts_err *err;
    int64_t chunk_limit_nbytes; /* target of "auto" chunks */
    uint64_t default_seed;      /* seed of unseeded random arrays */
    uint32_t *next_stream;      /* each unseeded random array takes a new stream */
} build_env;

ts_status build_full(build_env *env, int ndim, const int64_t *shape, ts_scalar value,
                     const ts_create_opts *opts, node **out);
ts_status build_arange(build_env *env, ts_scalar start, ts_scalar stop, ts_scalar step,
                       const ts_create_opts *opts, node **out);
ts_status build_linspace(build_env *env, double start, double stop, int64_t num, bool endpoint,
                         const ts_create_opts *opts, node **out);
ts_status build_random(build_env *env, ts_random_kind kind, double a, double b, int ndim,
                       const int64_t *shape, const ts_create_opts *opts, node **out);
ts_status build_scalar(build_env *env, ts_scalar value, node **out);

/* A dataset read from a file; storage_chunk (may be NULL: contiguous) is
 * the default chunking, overridden by chunks. path and dataset are copied. */
ts_status build_hdf5(build_env *env, const char *path, const char *dataset, ts_dtype dtype, int ndim,
                     const int64_t *shape, const int64_t *storage_chunk, const ts_chunkspec *chunks,
                     node **out);

ts_status build_unary(build_env *env, ts_unary_op op, node *x, node **out);
ts_status build_binary(build_env *env, ts_binary_op op, node *a, node *b, node **out);
ts_status build_where(build_env *env, node *cond, node *a, node *b, node **out);
ts_status build_astype(build_env *env, node *x, ts_dtype dtype, node **out);
ts_status build_reduce(build_env *env, ts_reduce_op op, node *x, const ts_reduce_opts *opts, node **out);

ts_status build_slice(build_env *env, node *x, int nidx, const ts_index *idx, node **out);
ts_status build_transpose(build_env *env, node *x, const int *axes, node **out);
ts_status build_expand_dims(build_env *env, node *x, int axis, node **out);
ts_status build_squeeze(build_env *env, node *x, int naxes, const int *axes, node **out);
ts_status build_broadcast_to(build_env *env, node *x, int ndim, const int64_t *shape,
                             const ts_chunkspec *chunks, node **out);
ts_status build_rechunk(build_env *env, node *x, const ts_chunkspec *spec, node **out);
/* NumPy's concatenate (dtypes promoted, shapes equal but on axis) and
 * stack (a new axis). */
ts_status build_concatenate(build_env *env, int n, node *const *xs, int axis, node **out);
ts_status build_stack(build_env *env, int n, node *const *xs, int axis, node **out);
/* Contractions (NumPy semantics) and differences (build_contract.c). */
ts_status build_einsum(build_env *env, const char *spec, int n, node *const *xs, node **out);
ts_status build_tensordot(build_env *env, node *a, node *b, int naxes, const int *a_axes, const int *b_axes,
                          node **out);
ts_status build_dot(build_env *env, node *a, node *b, node **out);
ts_status build_matmul(build_env *env, node *a, node *b, node **out);
ts_status build_outer(build_env *env, node *a, node *b, node **out);
ts_status build_diff(build_env *env, node *x, int n, int axis, node **out);
/* cumsum / cumprod along axis (axis < -ndim: over the flattened array is
 * not supported); result dtype as NumPy's (ints and bool -> int64). */
ts_status build_scan(build_env *env, node *x, int axis, bool prod, node **out);
/* NumPy's reshape (one -1 allowed) with Dask's chunk rules (build_reshape.c). */
ts_status build_reshape(build_env *env, node *x, int ndim, const int64_t *shape, node **out);

/* A one-chunk array over values the caller keeps alive while the node is
 * used (eager math on local arrays; build_data.c). weak marks a 0-d weak
 * scalar. */
ts_status build_data_wrap(build_env *env, ts_dtype dtype, int ndim, const int64_t *shape, const void *data,
                          bool weak, node **out);
/* A one-chunk array of delayed task d's result (values set once d ran). */
struct ts_delayed;
ts_status build_from_delayed(build_env *env, struct ts_delayed *d, int ndim, const int64_t *shape,
                             ts_dtype dtype, node **out);
/* map_blocks / map_overlap (build_map.c): kernel (a registered name) over
 * the blocks of xs aligned as Dask aligns them; ud is copied. */
ts_status build_map_blocks(build_env *env, int n, node *const *xs, const char *kernel, const void *ud,
                           int64_t ud_nbytes, const ts_map_blocks_opts *opts, node **out);

/* "(20000, 20000)" into buf. */
void build_format_shape(int ndim, const int64_t *shape, char *buf, size_t buflen);

#endif
