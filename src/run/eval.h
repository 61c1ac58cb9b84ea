/* eval.h — fused evaluation of an elementwise expression, one strip at a
 * time. A strip is up to EVAL_STRIP consecutive elements along the last axis
 * of the expression's root; every node of the expression computes its strip
 * into a small buffer that stays in cache, so a chain generate -> math ->
 * reduce never makes a chunk-sized intermediate. Materialised inputs (the
 * results of earlier stages) are read in place from their chunks. */
#ifndef TS_RUN_EVAL_H
#define TS_RUN_EVAL_H

#include "array/node.h"
#include "run/mem.h"
#include "util/ptrmap.h"

#define EVAL_STRIP 2048

/* Returns the C-contiguous buffer of chunk `chunk` (flat C-order index in
 * the leaf's chunk grid) of a materialised leaf, or NULL if it is missing. */
typedef const void *(*eval_chunk_fn)(void *ud, const node *leaf, int64_t chunk);

typedef struct eval_prog eval_prog;

/* Compiles root into a program. Nodes in `leaves` are read through get
 * instead of being evaluated (root itself may be one). */
ts_status eval_prog_create(node *root, const ptrmap *leaves, eval_chunk_fn get, void *ud, eval_prog **out,
                           ts_err *err);
void eval_prog_destroy(eval_prog *prog);

/* Takes the staging buffers of boxes (a file region, the region a view's
 * input gives, a concatenation's parts) from m, so they count against the
 * rank's budget, in this program and the programs of its views' inputs
 * and parts. Call right after eval_prog_create; m is borrowed (NULL, the
 * default: malloc, outside any budget). */
void eval_prog_use_pool(eval_prog *prog, mem_pool *m);

/* Starts a task over the box [start, start + size) of the root: reads the
 * regions of files (NODE_HDF5 sources) the box needs, once, so strips of
 * the box read them from memory. Call before the box's eval_strip calls,
 * and eval_end_box after the last. */
ts_status eval_begin_box(eval_prog *prog, const int64_t *start, const int64_t *size, ts_err *err);

/* Ends the box eval_begin_box started: its staging goes back to the pool. */
void eval_end_box(eval_prog *prog);

/* Evaluates the root over the box [start, start + size) into dst
 * (C-contiguous, the root's dtype), starting and ending the box itself.
 * A file region, a view that keeps the order of its input's elements
 * (rechunk, expand_dims, squeeze, a slice of step 1) and a concatenation
 * at the root, and such nodes under them, write into dst directly; other
 * expressions stage what eval_begin_box reads (eval_box.c). */
ts_status eval_box_into(eval_prog *prog, const int64_t *start, const int64_t *size, void *dst, ts_err *err);

/* Plan time: an upper bound of the staging bytes one box of at most size
 * (per axis of root) holds while root is evaluated into a C-contiguous
 * buffer (eval_box_into; strips false) or through eval_begin_box and
 * strips (strips true). Nodes in leaves are read in place (eval_staging.c). */
int64_t eval_staging_nbytes(const node *root, const ptrmap *leaves, const int64_t *size, bool strips);

/* Bytes read from files by eval_begin_box so far. */
int64_t eval_prog_bytes_read(const eval_prog *prog);

/* Evaluates the root at coords (root index space), len <= EVAL_STRIP
 * elements along the last axis (len = 1 for a 0-d root). On success *data
 * points at the values (valid until the next call) and *step is 1, or 0 when
 * the whole strip is one repeated value. */
ts_status eval_strip(eval_prog *prog, const int64_t *coords, int64_t len, const void **data, int *step,
                     ts_err *err);

/* Evaluates the whole of x into dst (C-contiguous, x's dtype) in the
 * calling thread: elementwise nodes and views over sources, or one
 * reduction of such an expression at the root (eval_whole.c). */
ts_status eval_whole(node *x, void *dst, ts_err *err);

/* Fills dst with the n values of a strip, expanding a repeated value. */
void eval_expand(ts_dtype dtype, const void *data, int step, int64_t n, void *dst);

#endif
