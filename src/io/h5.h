/* h5.h — tessera's HDF5 seam: describing, reading and writing chunked
 * datasets. HDF5 errors become ts_status with a message naming the file
 * and dataset here and nowhere else; HDF5's own error printing is off.
 *
 * Reading is local: any rank opens the file read-only on its own and reads
 * the boxes its tasks need. Writing is collective over the workers'
 * communicator (parallel HDF5 through MPI-IO): the file and datasets are
 * created together, every worker writes the chunks it owns, and a dataset
 * is marked complete only after every chunk is written and flushed. */
#ifndef TS_IO_H5_H
#define TS_IO_H5_H

#include <mpi.h>

#include "tessera.h"
#include "util/err.h"

/* ------------------------------------------------------------ describe */

typedef enum h5_mark {
    H5_MARK_NONE,       /* not written by tessera (h5py, netCDF, ...) */
    H5_MARK_INCOMPLETE, /* tessera started writing it and did not finish */
    H5_MARK_COMPLETE
} h5_mark;

typedef struct h5_meta {
    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    bool chunked;
    int64_t chunk[TS_MAXDIM]; /* storage chunk shape when chunked */
    bool filtered;            /* chunks pass through filters (gzip, shuffle, ...) */
    h5_mark mark;
} h5_meta;

/* Local. Opens path read-only and describes dataset (an absolute or
 * relative path inside the file, "/tas" or "grp/x"). Errors, each naming
 * path and dataset: the file is missing or unreadable (TS_ERR_IO, with
 * strerror), it is not an HDF5 file or is corrupt (TS_ERR_IO), the dataset
 * is missing (TS_ERR_IO, listing up to 10 datasets the file does have), the
 * dtype is none of tessera's five (TS_ERR_DTYPE, naming the file's type,
 * e.g. "uint16" or "compound")). bool is HDF5's enum of int8 that h5py
 * writes for numpy bool. */
ts_status h5_describe(const char *path, const char *dataset, h5_meta *out, ts_err *err);

/* ---------------------------------------------------------------- read */

typedef struct h5_reader h5_reader;

/* Local. Keeps the file and dataset open for repeated reads. */
ts_status h5_reader_open(const char *path, const char *dataset, h5_reader **out, ts_err *err);
void h5_reader_close(h5_reader *r);

/* Local. Reads of r from now on bypass HDF5's chunk cache: each read
 * takes just its box from the file. For unfiltered data read once, such
 * as a staged rechunk's copy: HDF5 1.10 otherwise holds every cached chunk
 * a read touches, and keeps the memory of evicted ones (measured: reading
 * 100 (10000, 50) boxes of (3334, 50) chunks grew by 134 MiB cached,
 * 4 MiB not). */
ts_status h5_reader_uncache(h5_reader *r, ts_err *err);

/* Reads the box [start, start + count) into buf, C-contiguous, converted
 * to dtype want (HDF5 converts; want is the dataset's own dtype in
 * tessera's use). ndim == 0 reads the one element of a scalar dataset. */
ts_status h5_reader_read(h5_reader *r, int ndim, const int64_t *start, const int64_t *count, ts_dtype want,
                         void *buf, ts_err *err);

/* --------------------------------------------------------------- write */

typedef struct h5_attr {
    const char *name;
    enum {
        H5_ATTR_INT,
        H5_ATTR_FLOAT,
        H5_ATTR_STRING
    } kind;
    int64_t i;
    double f;
    const char *s;
} h5_attr;

/* One dataset to write. Every worker passes the same description. */
typedef struct h5_target {
    const char *path;
    const char *dataset;
    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    int64_t chunk[TS_MAXDIM]; /* storage chunk shape (each >= 1, <= shape where shape > 0) */
    bool overwrite;           /* replace an existing dataset; else it is an error */
    int gzip_level;           /* 0: no filters; 1-9: shuffle + deflate at that level */
    int nattrs;
    const h5_attr *attrs;    /* the user's attributes and tessera's provenance */
    const char *const *dims; /* ndim names of dimension scales, or NULL: dim_0, dim_1, ... */
    int64_t nrecord;         /* chunks of the array stored: the record has one byte each (0: no record) */
    bool resume;             /* continue an existing dataset and its record (the caller checked it
                                is this store's) instead of creating it; created if missing */
} h5_target;

typedef struct h5_writer h5_writer;

/* Collective over comm. Creates (or opens) every file and creates every
 * dataset of targets, with its attributes, dimension scales and the mark
 * "incomplete"; intermediate groups are created. On any rank's failure
 * every rank returns the same failure and nothing is left half-created
 * that could pass for complete. */
ts_status h5_writer_create(MPI_Comm comm, int ntargets, const h5_target *targets, h5_writer **out,
                           ts_err *err);

/* Whether writes to target t must be collective (compressed datasets:
 * parallel HDF5 filters need collective I/O). */
bool h5_writer_collective(const h5_writer *w, int t);

/* Writes the box [start, start + count) of target t from buf (C-contiguous,
 * the target's dtype). Independent when !h5_writer_collective(w, t): call
 * it any number of times. Collective otherwise: every rank of comm calls it
 * the same number of times for t, passing count == NULL (nothing to write
 * this round) when it has no box. */
ts_status h5_writer_write(h5_writer *w, int t, const int64_t *start, const int64_t *count, const void *buf,
                          ts_err *err);

/* The record of stored chunks. While a store runs, each dataset has a
 * companion "<dataset>.tessera_chunks" (H5_RECORD_SUFFIX): one byte per
 * chunk of the array being stored, in C order, 1 once that chunk is in the
 * file. It never claims a chunk that is not: an independently written
 * chunk is recorded right after its write returned (the bytes are in the
 * file then, even if the process is killed next), a collectively written
 * (compressed) one only after a flush (h5_writer_sync), since until then
 * HDF5 holds its place in the file in memory. The record is deleted when
 * the dataset is marked complete. */

/* Local: whether the record held chunk c of target t when the writer
 * opened it (resume; every chunk of a dataset already complete). */
bool h5_writer_stored(const h5_writer *w, int t, int64_t c);

/* Local: chunk c of target t is written (h5_writer_write returned TS_OK
 * for all of it on this rank): record it now, or at the next sync for
 * collective targets. */
ts_status h5_writer_record(h5_writer *w, int t, int64_t c, ts_err *err);

/* Collective: flushes every file, then records the collectively written
 * chunks waiting for it. Returns the agreed status. */
ts_status h5_writer_sync(h5_writer *w, ts_err *err);

/* Collective. own: this rank's status (TS_OK: it wrote everything it
 * owns). Flushes and records what was written; marks every dataset
 * complete (and deletes its record) only if every rank passed TS_OK.
 * Closes and frees w in every case. Returns the agreed status: a rank
 * that passed TS_ERR_STOPPED makes it TS_ERR_STOPPED, another failure
 * TS_ERR_RUNTIME, unless a write or flush failed (that failure). */
ts_status h5_writer_finish(h5_writer *w, ts_status own, ts_err *err);

/* ------------------------------------------------------------ memory */

/* What HDF5 and MPI-IO allocate themselves, outside tessera's pool, for the
 * seam's reads and writes. The property lists the seam creates bound each
 * (h5_read.c, h5_write.c); these functions say by how much, so the plan
 * counts it beside the pool (h5_mem.c has the measurements behind them). */

/* Chunk cache of one reader of a filtered dataset, at most. */
#define H5_READ_CACHE_MAX_NBYTES (16 << 20)
/* HDF5's type conversion buffer and its background buffer, each. */
#define H5_TCONV_NBYTES (1 << 20)
/* MPI-IO's collective buffer per aggregator (the cb_buffer_size hint). */
#define H5_MPIO_CB_NBYTES (4 << 20)

/* Local. The chunk cache a reader of m keeps: 0 for unfiltered datasets
 * (HDF5 then reads each box straight into the caller's buffer); for
 * filtered ones a row of storage chunks, at most H5_READ_CACHE_MAX_NBYTES,
 * and 0 when one chunk is larger than that. */
int64_t h5_read_cache_nbytes(const h5_meta *m);

/* Local. Bytes HDF5 holds for one open reader of m while it reads: its
 * cache, plus decompression buffers when filtered, plus conversion. */
int64_t h5_read_lib_nbytes(const h5_meta *m);

/* Local. Bytes HDF5 and MPI-IO hold while a box of target t is written. */
int64_t h5_write_lib_nbytes(const h5_target *t);

/* ------------------------------------------------------------ resume */

#define H5_RECORD_SUFFIX ".tessera_chunks"
#define H5_FINGERPRINT_ATTR "tessera_graph" /* what computed the dataset (hex digest) */
#define H5_SEED_ATTR "tessera_seed"         /* the run seed of the run that stored it */

/* What a resume needs to know of a dataset already in a file. */
typedef struct h5_stored {
    h5_meta meta;
    int gzip_level;       /* deflate level, 0 when not compressed */
    char fingerprint[40]; /* H5_FINGERPRINT_ATTR, "" when absent */
    bool has_seed;
    int64_t seed;    /* H5_SEED_ATTR */
    int64_t nrecord; /* length of the record, -1 when there is none */
    int64_t nstored; /* chunks the record holds */
} h5_stored;

/* Local. Describes dataset of path for a resume. *exists is false (and
 * TS_OK returned) when the file or the dataset does not exist; other
 * errors as h5_describe's. */
ts_status h5_stored_describe(const char *path, const char *dataset, h5_stored *out, bool *exists,
                             ts_err *err);

/* ---------------------------------------------------------------- info */

/* Local. The text of `tessera info FILE`: every dataset (recursively) with
 * shape, dtype, storage chunks, compression filters, attributes, and its
 * tessera mark ("complete", "INCOMPLETE: tessera did not finish writing
 * it", or "not written by tessera"). Returns a malloc'd string or NULL
 * with err set. */
char *h5_info(const char *path, ts_err *err);

#endif
