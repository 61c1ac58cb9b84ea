/* exec.h — a worker's execution of a plan: its share of every stage's
 * tasks, the peer-to-peer fetches of materialised chunks other workers
 * hold, and the exchange of reduction partials. All workers call
 * exec_run together; each stage ends with every worker agreeing whether
 * some worker failed, so all stop at the same point and none hangs. */
#ifndef TS_RUN_EXEC_H
#define TS_RUN_EXEC_H

#include <mpi.h>

#include "plan/plan.h"
#include "run/mem.h"
#include "run/pool.h"
#include "run/store.h"
#include "run/trace.h"

typedef struct exec_stats {
    int64_t tasks;          /* tasks this worker ran */
    int64_t bytes_sent;     /* bytes this worker sent to other workers */
    int64_t elems_computed; /* elements evaluated by its tasks */
    int64_t bytes_stored;   /* bytes it wrote to files */
    int64_t bytes_read;     /* bytes its tasks read from files */
    int64_t bytes_computed; /* bytes of values its tasks evaluated */
    int64_t chunks_skipped; /* stored chunks not computed again (resume) */
    double move_s;          /* wall seconds moving boxes of chunks between workers (the slowest, summed) */
} exec_stats;

/* Called now and then during a compute with this worker's progress so far. */
typedef void (*exec_progress_fn)(void *ud, const exec_stats *so_far);

typedef struct exec {
    MPI_Comm comm; /* the workers */
    int me, nworkers;
    const plan *plan;
    const store_list *stores; /* targets written to files (may be empty) */
    int nresults;             /* targets [0, nresults) go back to the driver */
    void ***chunks;           /* chunks[stage][chunk]: buffers held here, owned */
    bool *keep;               /* keep[stage]: its chunks are read later or returned */
    h5_writer *writer;
    exec_stats stats;
    int64_t *sent_to; /* bytes sent to each worker, owned */
    trace *trace;     /* where tasks are recorded, or NULL; borrowed */
    pool *pool;       /* the threads that run tasks (NULL: the caller alone); borrowed */
    mem_pool *mem;    /* the rank's budget, where chunk buffers come from (NULL: unlimited); borrowed */
    exec_progress_fn progress;
    void *progress_ud;
    double last_progress;
    /* Chunks received for the stage running now (stage, chunk pairs):
     * only the parts its tasks read arrived, so they are freed when the
     * stage ends rather than kept for later stages. */
    int64_t *fetched;
    int64_t nfetched, capfetched;
    /* Stopping on request: asked between tasks (may be NULL; called on the
     * MPI thread). Once stopping, no task starts; in collective store
     * rounds the workers agree on it, and from then on write nothing. */
    bool (*should_stop)(void *ud);
    void *stop_ud;
    bool stopping;    /* sticky */
    bool rounds_over; /* agreed in a collective store round: no more writes */
    double last_sync; /* trace_now() of the last flush of collective stores */
    ts_err *err;
    const struct registry *kernels; /* this rank's kernels (map_blocks); borrowed */
} exec;

/* e->chunks holds this mark for a chunk requested from its owner and not
 * (yet) received: never a buffer. */
extern const char exec_requested_mark;
#define EXEC_REQUESTED ((void *)(uintptr_t)&exec_requested_mark)

/* Fetches the parts of earlier stages' chunks that stage s's tasks here
 * read and other workers own, peer to peer (exec_fetch.c). Collective over
 * the workers; failed and *any_failed as for exec_reduce_stage. */
ts_status exec_fetch_leaves(exec *e, int s, bool failed, bool *any_failed);

/* Frees what the running stage fetched (see exec.fetched). Local. */
void exec_fetch_drop(exec *e);

/* Between tasks: TS_ERR_STOPPED (with its message) once the run is
 * stopping, else TS_OK. Local (exec_stop.c). */
ts_status exec_stop_check(exec *e);

/* Whether task t of map stage s need not run: its chunk is only stored,
 * and every store of s already holds it (an interrupted run wrote it;
 * resume). Counts the skip. Local. */
bool exec_store_skip(exec *e, int s, int64_t t);

/* A task of stage s (its index t in the stage) evaluated elems elements
 * between t0 and t1 (trace_now clock): recorded, and progress reported
 * every tenth of a second (less often on very many workers). */
void exec_task_done(exec *e, int s, int64_t t, int64_t elems, double t0, double t1);

ts_status exec_init(exec *e, const plan *p, const store_list *stores, int nresults, MPI_Comm comm,
                    ts_err *err);
void exec_fini(exec *e);

/* Collective over e->comm. failed: this worker could not start (it still
 * takes part, so the others stop with it). Returns this worker's status; a
 * failure on another worker returns TS_ERR_RUNTIME with *peer_failed set. */
ts_status exec_run(exec *e, bool failed, bool *peer_failed);

/* What stage s needs on a worker besides the chunks it keeps
 * (exec_mem.c); the plan check and the workers use the same figures. */
typedef struct exec_stage_mem {
    int64_t task_nbytes;  /* from the pool, per task running: its chunk or partial and its staging */
    int64_t fixed_nbytes; /* from the pool, once: a reduction's partials waiting and its final chunks */
    int64_t lib_nbytes;   /* outside the pool: HDF5 and MPI-IO buffers of the stage's reads and writes */
    int64_t max_tasks;    /* tasks at once when the budget has room: 2 per thread */
} exec_stage_mem;

/* Local. Stage s (a reduction: the pass it leads) on worker w with
 * nthreads task threads; stores: the compute's stores (may be NULL). */
void exec_stage_mem_get(const plan *p, int s, int w, const store_list *stores, int nthreads,
                        exec_stage_mem *out);

/* Tasks to run at once with room bytes free in the pool: 1 to max_tasks. */
int64_t exec_stage_tasks_at_once(const exec_stage_mem *m, int64_t room);

/* Bytes of x's largest chunk. */
int64_t exec_max_chunk_nbytes(const node *x);

/* Geometry of chunk `chunk` (flat C-order index) of x. */
void exec_chunk_box(const node *x, int64_t chunk, int64_t *start, int64_t *size);
int64_t exec_box_nelems(int ndim, const int64_t *size);

/* The stage's held buffer of chunk c of its output, or NULL. */
const void *exec_chunk(const exec *e, int stage, int64_t c);

/* Reduction stage tasks of this worker and the partial exchange
 * (exec_reduce.c). */
ts_status exec_reduce_stage(exec *e, int s, bool failed, bool *any_failed);

/* Cumulative sum/product stages (exec_scan.c); collective over workers. */
ts_status exec_scan_stage(exec *e, int s, bool failed, bool *any_failed);

/* Box of task t of stage s (its expression's chunk). */
void exec_task_box(const plan_stage *st, int64_t t, int64_t *start, int64_t *size);

/* Writes the chunks of stage s this worker owns to every store of s
 * (exec_store.c); collective rounds where compression needs them. */
ts_status exec_store_owned(exec *e, int s, bool failed);

/* Collective: opens every store's file and dataset (h5_writer_create). */
ts_status exec_store_open(exec *e, bool failed);

/* One collective round for stage s: writes chunk c from buf (c < 0: this
 * worker writes nothing this round). */
ts_status exec_store_round(exec *e, int s, int64_t c, const void *buf);

/* Whether stage s's output goes to a file with collective writes. */
bool exec_store_collective(const exec *e, int s);

/* Writes chunk c of stage s from buf to every store of s (independent
 * writes only). */
ts_status exec_store_chunk(exec *e, int s, int64_t c, const void *buf);

/* Stores a batch of stage s's chunks in task order: round j is chunk
 * at position first + j of the stage's order (plan_task_at), its buffer
 * bufs[j] for j < n (NULL where none was made);
 * every round joins a collective store even without a chunk or after a
 * failure. Takes the buffers: each is kept in e->chunks when a later
 * stage reads it, else freed. rc is the batch's status so far (nothing is
 * written after a failure); returns it, or the first store failure. */
ts_status exec_store_batch(exec *e, int s, int64_t first, int64_t nrounds, int64_t n, void **bufs,
                           ts_status rc);

/* map_blocks / map_overlap stages (exec_map.c): run the kernel on this
 * worker's blocks, storing each batch as it is made; and the boxes of
 * earlier stages' chunks they read. */
ts_status exec_map_blocks_stage(exec *e, int s, bool failed);

/* The chunk getter given to eval programs: ud is the exec. */
const void *exec_chunk_lookup(void *ud, const node *leaf, int64_t chunk);

#endif
