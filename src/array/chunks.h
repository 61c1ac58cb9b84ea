/* chunks.h — chunk specifications turned into block sizes, with the rules of
 * Dask 2022.12's normalize_chunks / auto_chunks, and the common refinement
 * of several chunkings (Dask's common_blockdim). Every chunking this module
 * hands out covers its axis exactly: n >= 1 blocks whose sizes add up to the
 * axis length, all positive except on an axis of length 0, which is (0,)
 * (or the zeros an explicit list gives, (0, 0), as Dask accepts them). */
#ifndef TS_ARRAY_CHUNKS_H
#define TS_ARRAY_CHUNKS_H

#include <stdint.h>

#include "tessera.h"
#include "util/err.h"

/* Dask's default array.chunk-size, used when neither the spec nor the caller
 * gives a target for "auto" axes. */
#define CHUNKS_DEFAULT_LIMIT_NBYTES ((int64_t)134217728)

/* The chunk sizes along one axis: n blocks whose sizes add up to the axis length. */
typedef struct chunks_axis {
    int64_t n;
    int64_t *sizes;
} chunks_axis;

/* Normalises spec for an array of this shape and itemsize, like
 * dask.array.core.normalize_chunks(spec, shape, limit=..., dtype=...,
 * previous_chunks=previous). Local.
 *
 * spec->naxes is 0 ("auto" everywhere) or ndim. A SIZE of -1 means FULL, as
 * -1 does in Dask. The target of AUTO axes is spec->limit_nbytes, else
 * default_limit_nbytes, else CHUNKS_DEFAULT_LIMIT_NBYTES.
 *
 * previous may be NULL; if given it has ndim axes, each either the full
 * chunking of an earlier array or just one chunk size (as Dask accepts an
 * HDF5 dataset's chunk shape). With previous, AUTO axes follow Dask's rule
 * that keeps the aspect of the previous chunks (used by rechunk).
 *
 * On success out[0..ndim-1] hold malloc'd size lists the caller frees with
 * chunks_axis_free. On failure out holds nothing to free (n = 0, sizes =
 * NULL) and err says what was wrong and what was expected; the status is
 * TS_ERR_CHUNKS for a spec that does not fit the shape, TS_ERR_ARG for
 * arguments no user spec can produce, TS_ERR_MEMORY if allocation fails. */
ts_status chunks_normalize(const ts_chunkspec *spec, int ndim, const int64_t *shape, size_t itemsize,
                           int64_t default_limit_nbytes, const chunks_axis *previous, chunks_axis *out,
                           ts_err *err);

/* chunks_normalize for rechunk: axes whose bit (1u << axis) is set in
 * keep_axes keep previous[axis] unchanged, whatever spec says there. This
 * is what Dask's rechunk does for axes a dict leaves out or sets to None
 * (and for None in a tuple); ts_chunkspec has no kind for it, so the caller
 * says it here. The kept chunks count as explicit sizes for the AUTO axes'
 * byte budget, exactly as in Dask. keep_axes != 0 needs previous. */
ts_status chunks_normalize_keep(const ts_chunkspec *spec, uint32_t keep_axes, int ndim, const int64_t *shape,
                                size_t itemsize, int64_t default_limit_nbytes, const chunks_axis *previous,
                                chunks_axis *out, ts_err *err);

/* Frees the size lists of axes[0..ndim-1] and leaves them empty (n = 0,
 * sizes = NULL), so freeing twice is harmless. Accepts NULL. */
void chunks_axis_free(chunks_axis *axes, int ndim);

/* out becomes one block of len elements, or a copy of src, with a size
 * list of its own (freed by chunks_axis_free). Local. */
ts_status chunks_axis_single(int64_t len, chunks_axis *out, ts_err *err);
ts_status chunks_axis_copy(const chunks_axis *src, chunks_axis *out, ts_err *err);

/* The common refinement of nin chunkings of the same axis (Dask's
 * common_blockdim, as unify_chunks uses it for elementwise operations
 * between arrays chunked differently): every block boundary of every input
 * is a boundary of the result, and there are no others. When only one input
 * has more than one block, the result is that input, as in Dask.
 *   (3, 3) and (2, 4)       -> (2, 1, 3)
 *   (6,) and (2, 2, 2)      -> (2, 2, 2)
 * A length-1 axis that is broadcast is not passed here: all inputs must
 * cover the same length, else TS_ERR_CHUNKS. On success *out holds a
 * malloc'd list the caller frees with chunks_axis_free(out, 1). Local. */
ts_status chunks_common_refinement(int nin, const chunks_axis *in, chunks_axis *out, ts_err *err);

#endif
