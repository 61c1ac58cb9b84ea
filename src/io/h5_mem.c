/* h5_mem.c — how much memory HDF5 and MPI-IO take for the seam's reads and
 * writes, outside tessera's pool. Each figure is an upper bound under the
 * property lists h5_read.c and h5_write.c set, measured with massif on
 * HDF5 1.10.8 and Open MPI 4.1 (ompio), (50, 90000) float64 chunks:
 *
 *   unfiltered read, no cache      0 beyond the caller's buffer
 *   gzip read (shuffle + deflate)  the compressed chunk, inflate's output
 *                                  (grown by doubling, up to 2 chunks), then
 *                                  unshuffle's copy: 3 chunks at most
 *   unfiltered independent write   0 (contiguous memory, whole chunks)
 *   gzip collective write          the chunk's copy, shuffle's output and
 *                                  deflate's output: 3 chunks, plus MPI-IO's
 *                                  collective buffer
 *
 * plus, when a read converts (a file of the other byte order), HDF5's
 * conversion and background buffers. Writes never convert: the memory type
 * is the dataset's. */
#include "io/h5.h"

static int64_t chunk_nbytes(const h5_meta *m)
{
    int64_t n = (int64_t)ts_dtype_size(m->dtype);
    for (int d = 0; d < m->ndim; d++)
        n *= m->chunked ? m->chunk[d] : m->shape[d];
    return n;
}

int64_t h5_read_cache_nbytes(const h5_meta *m)
{
    if (!m->chunked || !m->filtered)
        return 0;
    /* A row of storage chunks (all chunks sharing a chunk index on axis 0):
     * a box read row by row then decompresses each chunk once. */
    double row = (double)ts_dtype_size(m->dtype);
    for (int d = 0; d < m->ndim; d++) {
        row *= (double)m->chunk[d];
        if (d > 0 && m->chunk[d] > 0)
            row *= (double)((m->shape[d] + m->chunk[d] - 1) / m->chunk[d]);
    }
    if (chunk_nbytes(m) > H5_READ_CACHE_MAX_NBYTES)
        return 0;
    return row > H5_READ_CACHE_MAX_NBYTES ? H5_READ_CACHE_MAX_NBYTES : (int64_t)row;
}

int64_t h5_read_lib_nbytes(const h5_meta *m)
{
    int64_t n = h5_read_cache_nbytes(m) + 2 * (int64_t)H5_TCONV_NBYTES;
    if (m->chunked && m->filtered)
        n += 3 * chunk_nbytes(m);
    return n;
}

int64_t h5_write_lib_nbytes(const h5_target *t)
{
    /* The writer's memory type is the dataset's (native): nothing converts. */
    int64_t n = 0;
    if (t->gzip_level > 0 && t->ndim > 0) {
        int64_t c = (int64_t)ts_dtype_size(t->dtype);
        for (int d = 0; d < t->ndim; d++)
            c *= t->chunk[d];
        n += 3 * c + H5_MPIO_CB_NBYTES;
    }
    return n;
}
