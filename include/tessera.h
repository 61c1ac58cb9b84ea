/* tessera.h — the public C API of tessera: chunked N-d arrays on MPI clusters.
 *
 * A program builds lazy arrays on the driver (rank 0), then asks for results
 * with ts_compute(); the other ranks sit in ts_ctx_serve() and execute the
 * plans the driver broadcasts. Everything the Lua module can do goes through
 * this header, so a C program linking libtessera can do the same.
 *
 * Conventions
 *  - Functions return ts_status; the message of the last failure is kept in
 *    the context (ts_ctx_errmsg). Nothing here exits or aborts.
 *  - "create"/"destroy" own memory; ts_array values are reference counted
 *    (retain/release). Destroy and release functions accept NULL.
 *  - "Driver" functions are called on rank 0 only and communicate with
 *    nobody, except ts_compute, which is collective with ts_ctx_serve on the
 *    workers. "Collective" functions are called by every rank.
 */
#ifndef TESSERA_H
#define TESSERA_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TS_VERSION_STRING "0.1.0"
#define TS_MAXDIM 32

#if defined(__GNUC__)
#define TS_API __attribute__((visibility("default")))
#else
#define TS_API
#endif

typedef enum ts_status {
    TS_OK = 0,
    TS_ERR_ARG,     /* a bad argument value or type */
    TS_ERR_SHAPE,   /* shapes that cannot be used together */
    TS_ERR_DTYPE,   /* a dtype that is not supported here */
    TS_ERR_CHUNKS,  /* a chunk specification that does not fit the shape */
    TS_ERR_AXIS,    /* an axis out of range or repeated */
    TS_ERR_MEMORY,  /* a memory budget or allocation failure */
    TS_ERR_IO,      /* a file could not be read or written */
    TS_ERR_MPI,     /* communication failed */
    TS_ERR_RUNTIME, /* a failure while executing a plan on some rank */
    TS_ERR_STOPPED  /* stopped on request (ts_config.stop_flag: a signal, a time limit);
                       what was stored is recorded, and a run with resume finishes it */
} ts_status;

/* Element types, in NumPy's names. The order is used by promotion. */
typedef enum ts_dtype {
    TS_BOOL = 0,
    TS_INT32,
    TS_INT64,
    TS_FLOAT32,
    TS_FLOAT64,
    TS_NDTYPES
} ts_dtype;

TS_API const char *ts_dtype_name(ts_dtype dtype); /* "float64", ... */
TS_API ts_status ts_dtype_from_name(const char *name, ts_dtype *out);
TS_API size_t ts_dtype_size(ts_dtype dtype); /* bytes per element */

/* A scalar written in a script. Like a Python scalar it is "weak": it does
 * not widen an array's dtype of the same kind (float32 array * 2.5 stays
 * float32, int32 array + 1 stays int32). */
typedef enum ts_scalar_kind {
    TS_SCALAR_BOOL,
    TS_SCALAR_INT,
    TS_SCALAR_FLOAT
} ts_scalar_kind;
typedef struct ts_scalar {
    ts_scalar_kind kind;
    bool b;
    int64_t i;
    double f;
} ts_scalar;

/* ---------------------------------------------------------------- config */

typedef struct ts_config {
    int64_t chunk_size_nbytes;      /* target of "auto" chunks; 128 MiB */
    int64_t memory_per_rank_nbytes; /* budget of each rank; 1 GiB */
    char memory_source[96];         /* where the budget came from, for the banner */
    int threads_per_rank;           /* threads that run each worker's tasks; 1 */
    char threads_source[48];        /* where the thread count came from */
    const char *spill_dir;          /* temporary HDF5 files of staged rechunks; "/tmp"; borrowed */
    bool resume;                    /* stores skip the chunks an interrupted run completed */
    uint64_t seed;                  /* default seed of unseeded random arrays */
    bool seed_set;                  /* false: the driver draws one at start */
    bool quiet;                     /* no banner, progress or summary on stderr */
    const char *script_path;        /* for messages and provenance; borrowed */
    const char *report_path;        /* HTML performance report, or NULL; borrowed */
    const char *metrics_path;       /* the same figures as JSON, or NULL; borrowed */
    double progress_interval_s;     /* a progress line this often when stderr is no terminal; 10 */
    int progress_style;             /* 0 auto (a bar on a terminal, else lines), 1 bar, 2 lines */
    bool dry_run;                   /* compute and store describe their plans instead of running */
    const char *graph_path;         /* with dry_run: append each plan's layers graph (DOT) here */
    /* Read between tasks and while waiting: once *stop_flag is non-zero (a
     * signal handler sets it, e.g. to the signal's number), every rank stops
     * starting tasks, stores record what they wrote, and the compute or store
     * running returns TS_ERR_STOPPED, as does every later one. NULL: never.
     * Borrowed; each rank reads its own, and one rank's stop reaches all. */
    const volatile sig_atomic_t *stop_flag;
} ts_config;

/* The most threads a rank may run tasks on. */
#define TS_MAX_THREADS_PER_RANK 256

/* Fills *cfg with the defaults above. Local. */
TS_API void ts_config_init(ts_config *cfg);

/* Parses a byte count such as "128MiB", "2G", "1.5 GB" or "4096", as
 * Dask's parse_bytes does: KiB, MiB, GiB, TiB are powers of 1024; k/K, M,
 * G, T (with or without B) powers of 1000, so "2G" is 2e9 bytes. Local. */
TS_API ts_status ts_parse_nbytes(const char *text, int64_t *out);

/* Formats a byte count the way Dask prints it ("30.52 MiB") into buf. */
TS_API void ts_format_nbytes(int64_t nbytes, char *buf, size_t buflen);

/* --------------------------------------------------------------- context */

typedef struct ts_ctx ts_ctx;

/* Collective over MPI_COMM_WORLD. Initialises MPI if the caller has not.
 * With one rank, that rank is driver and worker at once. The config is
 * copied; only the driver's config matters for planning. */
TS_API ts_status ts_ctx_create(const ts_config *cfg, int *argc, char ***argv, ts_ctx **out);

/* Collective. Finalises MPI if ts_ctx_create initialised it. */
TS_API void ts_ctx_destroy(ts_ctx *ctx);

TS_API int ts_ctx_rank(const ts_ctx *ctx);
TS_API int ts_ctx_nranks(const ts_ctx *ctx);
TS_API int ts_ctx_nworkers(const ts_ctx *ctx);
TS_API bool ts_ctx_is_driver(const ts_ctx *ctx);
TS_API const ts_config *ts_ctx_config(const ts_ctx *ctx);

/* The seed that unseeded random arrays derive from (printed in the banner so
 * a run can be repeated with --seed). */
TS_API uint64_t ts_ctx_seed(const ts_ctx *ctx);

/* What the start banner says about the CPUs of the workers' threads, or ""
 * when there is nothing to say: that the launcher bound each worker to
 * fewer CPUs than it has threads and tessera widened the mask to CPUs the
 * job holds on that node (mpirun binds to one core at two ranks or fewer),
 * or that the threads outnumber those CPUs. */
TS_API const char *ts_ctx_threads_note(const ts_ctx *ctx);

/* What the driver has computed so far in this run (driver only). */
typedef struct ts_run_stats {
    int64_t computes;       /* ts_compute calls that succeeded */
    int64_t tasks;          /* chunk tasks run by all workers */
    int64_t elems_computed; /* elements evaluated by those tasks */
    int64_t bytes_moved;    /* bytes sent between workers */
    int64_t bytes_results;  /* bytes of results gathered on the driver */
    double compute_seconds; /* wall time inside ts_compute */
    int64_t chunks_resumed; /* chunks of stores skipped: an interrupted run had stored them (resume) */
} ts_run_stats;
TS_API void ts_ctx_stats(const ts_ctx *ctx, ts_run_stats *out);

/* Driver: the end-of-run summary (wall time, tasks, bytes generated, read,
 * stored and moved, memory and busy share per rank, throughput). A
 * malloc'd string the caller frees. */
TS_API char *ts_ctx_summary(ts_ctx *ctx);

/* Driver: whether a compute or store of this run was stopped on request
 * (it failed with TS_ERR_STOPPED), and the first non-zero value of a stop
 * flag seen (the signal's number when a handler stored it; 0 if the stop
 * came from another rank's flag). */
TS_API bool ts_ctx_stopped(const ts_ctx *ctx, int *flag_value);

/* Message of the last failed call on this context ("" if none). */
TS_API const char *ts_ctx_errmsg(const ts_ctx *ctx);

/* Workers (every rank but the driver, when there are several): execute the
 * plans the driver sends until it calls ts_ctx_shutdown, then return the
 * exit status the driver passed. Waits without spinning a core. */
TS_API int ts_ctx_serve(ts_ctx *ctx);

/* Driver: tell every worker to return from ts_ctx_serve with exit_status.
 * Call exactly once, also after a failed script, so no rank hangs. */
TS_API ts_status ts_ctx_shutdown(ts_ctx *ctx, int exit_status);

/* ---------------------------------------------------------- lazy arrays */

typedef struct ts_array ts_array;

/* Chunk specifications as Dask's normalize_chunks understands them.
 * Per axis: AUTO ("auto"), SIZE (a block size), FULL (-1 or None: the whole
 * axis), LIST (explicit sizes that add up to the axis). */
typedef enum ts_chunk_kind {
    TS_CHUNK_AUTO = 0,
    TS_CHUNK_SIZE,
    TS_CHUNK_FULL,
    TS_CHUNK_LIST,
    TS_CHUNK_KEEP /* rechunk: keep the array's chunks on this axis */
} ts_chunk_kind;
typedef struct ts_axis_chunks {
    ts_chunk_kind kind;
    int64_t size;         /* TS_CHUNK_SIZE */
    const int64_t *sizes; /* TS_CHUNK_LIST; borrowed */
    int64_t nsizes;
} ts_axis_chunks;
typedef struct ts_chunkspec {
    int naxes; /* 0: "auto" on every axis */
    ts_axis_chunks axis[TS_MAXDIM];
    int64_t limit_nbytes; /* target of "auto" axes; 0: the config's */
} ts_chunkspec;

typedef struct ts_create_opts {
    const ts_chunkspec *chunks; /* NULL: "auto" */
    ts_dtype dtype;
    bool dtype_set; /* false: the function's NumPy default */
    uint64_t seed;
    bool seed_set; /* false: derived from the context's seed */
} ts_create_opts;

/* Creation. All are driver-local and build a node without computing. */
TS_API ts_status ts_array_full(ts_ctx *ctx, int ndim, const int64_t *shape, ts_scalar value,
                               const ts_create_opts *opts, ts_array **out);
TS_API ts_status ts_array_arange(ts_ctx *ctx, ts_scalar start, ts_scalar stop, ts_scalar step,
                                 const ts_create_opts *opts, ts_array **out);
TS_API ts_status ts_array_linspace(ts_ctx *ctx, double start, double stop, int64_t num, bool endpoint,
                                   const ts_create_opts *opts, ts_array **out);

typedef enum ts_random_kind {
    TS_RANDOM_RANDOM,          /* uniform on [0, 1) */
    TS_RANDOM_UNIFORM,         /* uniform on [a, b) */
    TS_RANDOM_NORMAL,          /* mean a, standard deviation b */
    TS_RANDOM_STANDARD_NORMAL, /* mean 0, standard deviation 1 */
    TS_RANDOM_INTEGERS         /* integers in [a, b) */
} ts_random_kind;

/* Element i (flat C-order index) depends only on the seed and i. */
TS_API ts_status ts_array_random(ts_ctx *ctx, ts_random_kind kind, double a, double b, int ndim,
                                 const int64_t *shape, const ts_create_opts *opts, ts_array **out);

/* A 0-d weak scalar array (see ts_scalar), for mixing scalars into math. */
TS_API ts_status ts_array_scalar(ts_ctx *ctx, ts_scalar value, ts_array **out);

typedef enum ts_unary_op {
    TS_NEGATIVE,
    TS_SQRT,
    TS_EXP,
    TS_LOG,
    TS_LOG10,
    TS_LOG1P,
    TS_EXPM1,
    TS_SIN,
    TS_COS,
    TS_TAN,
    TS_ARCSIN,
    TS_ARCCOS,
    TS_ARCTAN,
    TS_SINH,
    TS_COSH,
    TS_TANH,
    TS_ABS,
    TS_FLOOR,
    TS_CEIL,
    TS_ROUND,
    TS_SIGN,
    TS_ISNAN,
    TS_ISFINITE,
    TS_LOGICAL_NOT,
    TS_NUNARY
} ts_unary_op;

typedef enum ts_binary_op {
    TS_ADD,
    TS_SUBTRACT,
    TS_MULTIPLY,
    TS_TRUE_DIVIDE,
    TS_FLOOR_DIVIDE,
    TS_REMAINDER,
    TS_POWER,
    TS_MINIMUM,
    TS_MAXIMUM,
    TS_EQUAL,
    TS_NOT_EQUAL,
    TS_LESS,
    TS_LESS_EQUAL,
    TS_GREATER,
    TS_GREATER_EQUAL,
    TS_LOGICAL_AND,
    TS_LOGICAL_OR,
    TS_NBINARY
} ts_binary_op;

/* NumPy names of the operations ("sqrt", "add", ...). */
TS_API const char *ts_unary_name(ts_unary_op op);
TS_API const char *ts_binary_name(ts_binary_op op);

/* Elementwise operations with NumPy broadcasting and dtype rules. */
TS_API ts_status ts_array_unary(ts_ctx *ctx, ts_unary_op op, ts_array *x, ts_array **out);
TS_API ts_status ts_array_binary(ts_ctx *ctx, ts_binary_op op, ts_array *a, ts_array *b, ts_array **out);
TS_API ts_status ts_array_where(ts_ctx *ctx, ts_array *cond, ts_array *a, ts_array *b, ts_array **out);
/* lo or hi may be NULL for no bound. */
TS_API ts_status ts_array_clip(ts_ctx *ctx, ts_array *x, ts_array *lo, ts_array *hi, ts_array **out);
TS_API ts_status ts_array_astype(ts_ctx *ctx, ts_array *x, ts_dtype dtype, ts_array **out);

typedef enum ts_reduce_op {
    TS_SUM,
    TS_PROD,
    TS_MEAN,
    TS_MIN,
    TS_MAX,
    TS_VAR,
    TS_STD,
    TS_ANY,
    TS_ALL,
    TS_ARGMIN,
    TS_ARGMAX,
    TS_NREDUCE
} ts_reduce_op;

TS_API const char *ts_reduce_name(ts_reduce_op op);

typedef struct ts_reduce_opts {
    int naxes;           /* -1: every axis (axis=None); else how many in axes */
    int axes[TS_MAXDIM]; /* negative counts from the end, as in NumPy */
    bool keepdims;
    int ddof; /* var and std */
} ts_reduce_opts;

/* Reductions with NumPy's result dtypes. argmin/argmax take one axis or
 * none (then the index is into the flattened array). */
TS_API ts_status ts_array_reduce(ts_ctx *ctx, ts_reduce_op op, ts_array *x, const ts_reduce_opts *opts,
                                 ts_array **out);

/* ------------------------------------------------ structural views */

/* One item of NumPy basic indexing: x[3], x[1:10:2], x[::-1], x[None],
 * x[...]. Slice bounds follow Python: negative counts from the end,
 * missing means the whole axis in the step's direction. */
typedef enum ts_index_kind {
    TS_INDEX_INT,
    TS_INDEX_SLICE,
    TS_INDEX_NEWAXIS,
    TS_INDEX_ELLIPSIS
} ts_index_kind;
typedef struct ts_index {
    ts_index_kind kind;
    int64_t i;                 /* TS_INDEX_INT */
    int64_t start, stop, step; /* TS_INDEX_SLICE */
    bool has_start, has_stop, has_step;
} ts_index;

/* Views: no data moves; tasks read exactly the region they need from the
 * source (generated, read from a file, or computed). Chunks follow Dask:
 * a slice keeps the pieces of the source's chunks, a transpose permutes
 * them, a new axis has one chunk of 1. */
TS_API ts_status ts_array_slice(ts_ctx *ctx, ts_array *x, int nidx, const ts_index *idx, ts_array **out);
/* Reads NumPy index text such as "5:100:3, ..., None, -1" into idx[0..cap)
 * and sets *nidx (a trailing comma is allowed, as in x[1,]); the number of
 * commas plus one is always room enough. Messages number the items from
 * first_item and name the position. Errors: TS_ERR_ARG, the message in
 * errmsg. Local, and needs no context (tasks on workers parse too). */
TS_API ts_status ts_index_parse(const char *text, int first_item, int cap, ts_index *idx, int *nidx,
                                char *errmsg, size_t errlen);
/* axes: a permutation of 0..ndim-1 (negative allowed), or NULL to reverse. */
TS_API ts_status ts_array_transpose(ts_ctx *ctx, ts_array *x, const int *axes, ts_array **out);
TS_API ts_status ts_array_expand_dims(ts_ctx *ctx, ts_array *x, int axis, ts_array **out);
/* naxes < 0: every axis of length 1. */
TS_API ts_status ts_array_squeeze(ts_ctx *ctx, ts_array *x, int naxes, const int *axes, ts_array **out);
/* chunks NULL: the source's chunks on its axes, whole new axes otherwise. */
TS_API ts_status ts_array_broadcast_to(ts_ctx *ctx, ts_array *x, int ndim, const int64_t *shape,
                                       const ts_chunkspec *chunks, ts_array **out);
/* New chunks for the same values (Dask's rechunk; "auto" uses the current
 * chunks as a guide, TS_CHUNK_KEEP keeps an axis). */
TS_API ts_status ts_array_rechunk(ts_ctx *ctx, ts_array *x, const ts_chunkspec *spec, ts_array **out);
/* NumPy's concatenate and stack; chunks along axis are the inputs' chunks
 * one after another (as in Dask). vstack, hstack and dstack are these
 * after atleast_2d/3d (expand_dims). */
TS_API ts_status ts_array_concatenate(ts_ctx *ctx, int n, ts_array *const *xs, int axis, ts_array **out);
TS_API ts_status ts_array_stack(ts_ctx *ctx, int n, ts_array *const *xs, int axis, ts_array **out);

/* Contractions with NumPy's semantics, computed without materialising the
 * product: einsum of 1 to 3 operands (letters a-z, A-Z; "->" optional;
 * no repeated letter within an operand, no ellipsis), tensordot over
 * paired axes, dot, matmul (1-d, 2-d, and stacks of the same rank), and
 * outer of 1-d arrays. diff: n-th differences along axis. */
TS_API ts_status ts_array_einsum(ts_ctx *ctx, const char *spec, int n, ts_array *const *xs, ts_array **out);
TS_API ts_status ts_array_tensordot(ts_ctx *ctx, ts_array *a, ts_array *b, int naxes, const int *a_axes,
                                    const int *b_axes, ts_array **out);
TS_API ts_status ts_array_dot(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out);
TS_API ts_status ts_array_matmul(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out);
TS_API ts_status ts_array_outer(ts_ctx *ctx, ts_array *a, ts_array *b, ts_array **out);
TS_API ts_status ts_array_diff(ts_ctx *ctx, ts_array *x, int n, int axis, ts_array **out);
/* Cumulative sum / product along axis (a blocked scan: each chunk scans,
 * then adds the totals of the chunks before it, in chunk order). */
TS_API ts_status ts_array_cumulative(ts_ctx *ctx, ts_array *x, int axis, bool prod, ts_array **out);
/* NumPy's reshape (one -1 allowed) with Dask's chunk rules: the input is
 * rechunked so every output chunk is one input chunk in the same order. */
TS_API ts_status ts_array_reshape(ts_ctx *ctx, ts_array *x, int ndim, const int64_t *shape, ts_array **out);

TS_API ts_array *ts_array_retain(ts_array *x);
TS_API void ts_array_release(ts_array *x);

TS_API ts_dtype ts_array_dtype(const ts_array *x);
TS_API int ts_array_ndim(const ts_array *x);
TS_API const int64_t *ts_array_shape(const ts_array *x);
TS_API int64_t ts_array_size(const ts_array *x);
TS_API int64_t ts_array_nbytes(const ts_array *x);
/* Number of chunks along axis, and their sizes (owned by x). */
TS_API int64_t ts_array_numblocks(const ts_array *x, int axis);
TS_API const int64_t *ts_array_chunks(const ts_array *x, int axis);
TS_API int64_t ts_array_npartitions(const ts_array *x);

/* The lazy summary printed for print(x): bytes, shape, chunks, tasks,
 * layers, dtype. Returns a malloc'd string the caller frees. */
TS_API char *ts_array_summary(const ts_array *x);

/* ---------------------------------------------------------- computing */

typedef struct ts_local ts_local;

/* Driver; collective with ts_ctx_serve on the workers. Computes n arrays in
 * one plan (shared work is done once) and returns n local arrays owned by
 * the caller. Refused before any work if the results do not fit the
 * driver's memory budget. */
TS_API ts_status ts_compute(ts_ctx *ctx, int n, ts_array *const *arrays, ts_local **results);

/* ------------------------------------------------------- HDF5 files */

/* An attribute to store with a dataset. */
typedef struct ts_attr {
    const char *name;
    ts_scalar_kind kind; /* TS_SCALAR_INT, TS_SCALAR_FLOAT; or a string when s != NULL */
    int64_t i;
    double f;
    const char *s;
} ts_attr;

typedef struct ts_store_opts {
    const ts_chunkspec *chunks; /* storage chunks; NULL: the array's chunk size */
    bool overwrite;             /* replace an existing dataset (else it is an error) */
    int gzip_level;             /* 0: uncompressed; 1-9: shuffle + gzip */
    int nattrs;
    const ts_attr *attrs;
    const char *const *dims; /* ndim dimension names, or NULL: dim_0, dim_1, ... */
} ts_store_opts;

/* Driver; collective with ts_ctx_serve. Computes n arrays in one plan and
 * writes array i to dataset datasets[i] of HDF5 file paths[i] (created if
 * missing). The workers create the files together and write the chunks they
 * compute; nothing passes through rank 0. Each dataset is marked complete
 * only once every chunk is written and flushed. opts apply to every target
 * (chunks, dims: to arrays of matching ndim). */
TS_API ts_status ts_store(ts_ctx *ctx, int n, ts_array *const *arrays, const char *const *paths,
                          const char *const *datasets, const ts_store_opts *opts);

typedef struct ts_load_opts {
    const ts_chunkspec *chunks; /* NULL: the file's storage chunks ("auto" if contiguous) */
    bool allow_incomplete;      /* read a dataset tessera did not finish writing */
} ts_load_opts;

/* Driver-local: a lazy array of an HDF5 (or netCDF-4) dataset. Only the
 * regions tasks need are read, by the ranks that run them. */
TS_API ts_status ts_array_from_hdf5(ts_ctx *ctx, const char *path, const char *dataset,
                                    const ts_load_opts *opts, ts_array **out);

/* Local: the listing of `tessera info FILE` (every dataset: shape, dtype,
 * chunks, compression, attributes, completion). A malloc'd string the
 * caller frees, or NULL with the reason written into errbuf. */
TS_API char *ts_hdf5_info(const char *path, char *errbuf, size_t errlen);

/* Driver-local: the plan of computing n arrays, without computing them —
 * its stages after fusion, each worker's share, an estimate of the bytes
 * that will move between workers and to rank 0, and of each worker's peak
 * memory. A malloc'd string the caller frees (NULL with the error set). */
TS_API char *ts_describe(ts_ctx *ctx, int n, ts_array *const *arrays);

/* Driver-local: the planned graph of computing n arrays, after fusion, as
 * Graphviz DOT text. Layers: one cluster per stage holding the operations
 * fused into it; tasks: one node per task (refused above 10,000 tasks).
 * Colours are the report's, per operation, or per rank (color_by_rank).
 * A malloc'd string the caller frees (NULL with the error set). */
typedef struct ts_graph_opts {
    bool tasks;         /* task level instead of layers */
    bool color_by_rank; /* tasks coloured by the rank that runs them (else by order) */
} ts_graph_opts;
TS_API char *ts_graph_dot(ts_ctx *ctx, int n, ts_array *const *arrays, const ts_graph_opts *opts);

/* A computed array, C-contiguous, on the driver. */
TS_API void ts_local_destroy(ts_local *v);
TS_API ts_dtype ts_local_dtype(const ts_local *v);
TS_API int ts_local_ndim(const ts_local *v);
TS_API const int64_t *ts_local_shape(const ts_local *v);
TS_API int64_t ts_local_size(const ts_local *v);
TS_API const void *ts_local_data(const ts_local *v);
/* Element at a flat C-order index. */
TS_API ts_status ts_local_get(const ts_local *v, int64_t flat_index, ts_scalar *out);
/* A copy of v[i] along axis 0 (NumPy's v[i] for an N-d array, N >= 1),
 * owned by the caller; i must be in [0, shape[0]). NULL when out of memory
 * or out of range. */
TS_API ts_local *ts_local_index(const ts_local *v, int64_t i);
/* NumPy-style repr ("array([1., 2.])"), summarised with '...' above 1000
 * elements. Returns a malloc'd string the caller frees. */
TS_API char *ts_local_repr(const ts_local *v);
/* Writes a NumPy .npy file (format 1.0). */
TS_API ts_status ts_local_save_npy(ts_ctx *ctx, const ts_local *v, const char *path);

typedef struct ts_plot_opts {
    const char *title;
    const char *xlabel;
    const char *ylabel;
    int width_px, height_px; /* 0: 640 x 480 */
} ts_plot_opts;
/* Writes a line plot (1-D) or an image with a colour bar (2-D) of v to path: ".svg" written by tessera itself, ".png" through libpng/cairo if built in. Errors: other extensions, ndim not 1 or 2, empty arrays, unwritable path (TS_ERR_IO with strerror). bool plots as 0/1; NaN/inf are skipped (lines break; image pixels drawn in a "missing" colour). */
TS_API ts_status ts_local_plot(ts_ctx *ctx, const ts_local *v, const char *path, const ts_plot_opts *opts);

/* ------------------------------------------------ math on local arrays */

/* Eager NumPy math on local arrays in the calling thread: no context, no
 * MPI, so tasks running on several threads may call these at once. Each
 * returns a new local array the caller owns; on failure it returns the
 * status with the message (NumPy's words where NumPy has them) in errmsg.
 * The rules (broadcasting, dtype promotion, weak scalars, result dtypes)
 * and kernels are those of the lazy operations above. Local. */
/* A new local array of this shape with uninitialised values (NULL when out
 * of memory); ts_local_data_mut gives the values to fill. */
TS_API ts_local *ts_local_create(ts_dtype dtype, int ndim, const int64_t *shape);
TS_API void *ts_local_data_mut(ts_local *v);
/* A 0-d local array holding a weak scalar (see ts_scalar). */
TS_API ts_local *ts_local_scalar(ts_scalar value);
TS_API ts_local *ts_local_copy(const ts_local *v);
/* Local arrays made as ts_array_full and ts_array_arange make lazy ones
 * (the same dtype rules); opts->chunks and seeds are ignored. */
TS_API ts_status ts_local_full(int ndim, const int64_t *shape, ts_scalar value, const ts_create_opts *opts,
                               ts_local **out, char *errmsg, size_t errlen);
TS_API ts_status ts_local_arange(ts_scalar start, ts_scalar stop, ts_scalar step, const ts_create_opts *opts,
                                 ts_local **out, char *errmsg, size_t errlen);
TS_API ts_status ts_local_unary(ts_unary_op op, const ts_local *x, ts_local **out, char *errmsg,
                                size_t errlen);
TS_API ts_status ts_local_binary(ts_binary_op op, const ts_local *a, const ts_local *b, ts_local **out,
                                 char *errmsg, size_t errlen);
TS_API ts_status ts_local_where(const ts_local *cond, const ts_local *a, const ts_local *b, ts_local **out,
                                char *errmsg, size_t errlen);
TS_API ts_status ts_local_astype(const ts_local *x, ts_dtype dtype, ts_local **out, char *errmsg,
                                 size_t errlen);
TS_API ts_status ts_local_reduce(ts_reduce_op op, const ts_local *x, const ts_reduce_opts *opts,
                                 ts_local **out, char *errmsg, size_t errlen);
/* NumPy basic indexing and transposes, as ts_array_slice / transpose. */
TS_API ts_status ts_local_slice(const ts_local *x, int nidx, const ts_index *idx, ts_local **out,
                                char *errmsg, size_t errlen);
TS_API ts_status ts_local_transpose(const ts_local *x, const int *axes, ts_local **out, char *errmsg,
                                    size_t errlen);
TS_API ts_status ts_local_reshape(const ts_local *x, int ndim, const int64_t *shape, ts_local **out,
                                  char *errmsg, size_t errlen);

/* ------------------------------------------- custom tasks: C kernels
 *
 * A kernel is user code that runs on the workers: map_blocks calls it once
 * per output block, a delayed task once. Function pointers differ between
 * the processes of a job (address-space randomisation, and a worker never
 * ran the driver's code that took the address), so kernels travel by name:
 * every rank registers the same names with ts_kernel_register — workers
 * before ts_ctx_serve, the driver before it builds a graph that uses them —
 * and a graph records the name the driver's registry holds for the function
 * pointer it was given. What a call needs besides its inputs travels as
 * bytes: the ud/ud_nbytes given when the graph is built are copied into the
 * graph, and each rank's kernel gets a pointer to its own copy. The
 * rank_ud given at registration stays on its rank (state such as an
 * interpreter); it is never sent. */

/* A block of a C-contiguous array handed to or filled by a kernel. */
typedef struct ts_block {
    ts_dtype dtype;
    int ndim;
    int64_t shape[TS_MAXDIM];
    void *data;               /* inputs: read only; outputs: to be filled */
    int64_t index[TS_MAXDIM]; /* block index in the output's chunk grid */
    int64_t start[TS_MAXDIM]; /* global coordinates of element 0 */
} ts_block;

/* Local: copies v (C order) into the box of b that starts at start (in
 * b's own coordinates) and has v's shape; v has b's dtype and ndim and
 * the box lies inside b. For a kernel that made a smaller block than b. */
TS_API void ts_block_put_local(ts_block *b, const int64_t *start, const ts_local *v);

/* One map_blocks call. Inputs are the blocks of the aligned input arrays
 * (grown by the overlap depth for map_overlap); out has the block's shape
 * and dtype set and must be filled (for map_overlap its shape is the grown
 * block's, which tessera trims to keep_shape elements from keep_start).
 * On failure write a message into errmsg. */
typedef struct ts_block_call {
    void *rank_ud;
    const void *ud;
    size_t ud_nbytes;
    int nin;
    const ts_block *in;
    ts_block *out;
    const int64_t *keep_start; /* map_overlap: global start and shape of what is kept; */
    const int64_t *keep_shape; /* NULL for map_blocks */
    int thread;                /* which of this rank's executing threads makes the call (0 today) */
    char *errmsg;
    size_t errlen;
} ts_block_call;
typedef ts_status (*ts_block_fn)(const ts_block_call *call);

/* An argument of a delayed task: bytes given when the task was made or
 * made by another task (kernel: the name of the kernel that made them), or
 * a computed array. */
typedef struct ts_value {
    const void *data;
    size_t nbytes;
    const char *kernel; /* NULL: bytes given at build time */
    bool is_array;
    ts_block array; /* is_array: the whole computed array (index and start are 0) */
} ts_value;

/* One delayed task. The kernel leaves its result in result/result_nbytes,
 * a malloc'd buffer tessera frees. cancelled becomes nonzero when another
 * task failed; a long kernel may poll it and return early. */
typedef struct ts_task_call {
    void *rank_ud;
    const void *ud;
    size_t ud_nbytes;
    int nargs;
    const ts_value *args;
    int64_t task;      /* its number in the compute, for messages */
    const char *label; /* its name (ts_delayed_opts.label) */
    int thread;
    const volatile int *cancelled;
    void *result;
    size_t result_nbytes;
    char *errmsg;
    size_t errlen;
} ts_task_call;
typedef ts_status (*ts_task_fn)(ts_task_call *call);

/* Fills into (dtype, ndim and shape set) with the values of a task result,
 * for ts_array_from_delayed. Without one, the result bytes must be exactly
 * the C-contiguous values. */
typedef ts_status (*ts_decode_fn)(void *rank_ud, const void *result, size_t nbytes, ts_block *into,
                                  char *errmsg, size_t errlen);

typedef struct ts_kernel {
    ts_block_fn block;   /* map_blocks; may be NULL */
    ts_task_fn task;     /* delayed; may be NULL */
    ts_decode_fn decode; /* may be NULL */
    void *rank_ud;
    void (*release)(void *rank_ud); /* called by ts_ctx_destroy; may be NULL */
} ts_kernel;

/* Local, on every rank: registers (a copy of) k under name (at most 63
 * bytes; a name registers once). */
TS_API ts_status ts_kernel_register(ts_ctx *ctx, const char *name, const ts_kernel *k);

typedef enum ts_boundary {
    TS_BOUNDARY_REFLECT, /* mirrored, the edge repeated (NumPy pad 'symmetric') */
    TS_BOUNDARY_PERIODIC,
    TS_BOUNDARY_NEAREST, /* the edge value repeated */
    TS_BOUNDARY_NONE,    /* no halo beyond the array's edges */
    TS_BOUNDARY_CONSTANT /* boundary_value */
} ts_boundary;

typedef struct ts_map_blocks_opts {
    ts_dtype dtype; /* of the result */
    bool dtype_set; /* false: the first input's dtype */
    /* Output chunks, as Dask's map_blocks reads them: per axis a block
     * size every block has (TS_CHUNK_SIZE) or explicit sizes (TS_CHUNK_LIST);
     * NULL or TS_CHUNK_AUTO/KEEP: the aligned inputs' chunks (1 on new axes). */
    const ts_chunkspec *chunks;
    int ndrop; /* input axes the kernel removes (each becomes one block) */
    int drop_axis[TS_MAXDIM];
    int nnew; /* output axes the kernel adds */
    int new_axis[TS_MAXDIM];
    /* map_overlap: a halo of depth[d] elements on each side of axis d */
    bool overlap;
    int64_t depth[TS_MAXDIM];
    ts_boundary boundary;
    double boundary_value;
    const char *label; /* the operation's name in reports ("map_blocks") */
} ts_map_blocks_opts;

/* Driver-local: the array whose block i is kernel(blocks i of xs). The xs
 * are aligned as Dask aligns them: right-aligned axes, chunks unified by
 * rechunking to the common refinement, length-1 axes broadcast. kernel must
 * be registered (its block function) on every rank. */
TS_API ts_status ts_array_map_blocks(ts_ctx *ctx, int n, ts_array *const *xs, ts_block_fn kernel,
                                     const void *ud, size_t ud_nbytes, const ts_map_blocks_opts *opts,
                                     ts_array **out);

/* ---------------------------------------------------------- delayed tasks */

typedef struct ts_delayed ts_delayed;

typedef enum ts_arg_kind {
    TS_ARG_BYTES,   /* data/nbytes, copied */
    TS_ARG_DELAYED, /* another task's result */
    TS_ARG_ARRAY    /* a lazy array, computed before the task runs */
} ts_arg_kind;
typedef struct ts_delayed_arg {
    ts_arg_kind kind;
    const void *data;
    size_t nbytes;
    ts_delayed *delayed;
    ts_array *array;
} ts_delayed_arg;

typedef struct ts_delayed_opts {
    const char *label; /* a name for messages and reports (at most 47 bytes) */
    double cost_s;     /* estimated run time; 0: unknown */
} ts_delayed_opts;

/* Driver-local: a lazy call of kernel (registered with its task function on
 * every rank) on args; nothing runs until a compute. opts may be NULL. */
TS_API ts_status ts_delayed_create(ts_ctx *ctx, ts_task_fn kernel, const void *ud, size_t ud_nbytes,
                                   int nargs, const ts_delayed_arg *args, const ts_delayed_opts *opts,
                                   ts_delayed **out);
TS_API ts_delayed *ts_delayed_retain(ts_delayed *d);
TS_API void ts_delayed_release(ts_delayed *d);

typedef struct ts_bytes {
    void *data; /* malloc'd, the caller frees */
    size_t nbytes;
    const char *kernel; /* the kernel that made them (static storage of the registry) */
} ts_bytes;

/* Driver; collective with ts_ctx_serve. Runs the tasks of n delayed results
 * and what they depend on across the workers: rank 0 hands out ready tasks,
 * longest remaining chain first, to workers with room in their bounded
 * queues (at least two tasks each, more for short tasks), preferring the
 * worker that holds a task's inputs; results move between workers peer to
 * peer. The first failing task ends the compute on every worker; its
 * message names the task, the rank and the kernel's message. */
TS_API ts_status ts_compute_delayed(ts_ctx *ctx, int n, ts_delayed *const *tasks, ts_bytes *results);

/* Driver-local: a one-chunk array holding d's result (decoded by its
 * kernel's decode function, or the raw bytes). */
TS_API ts_status ts_array_from_delayed(ts_ctx *ctx, ts_delayed *d, int ndim, const int64_t *shape,
                                       ts_dtype dtype, ts_array **out);

#ifdef __cplusplus
}
#endif
#endif /* TESSERA_H */
