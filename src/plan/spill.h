/* spill.h — the numbers behind the two-step rechunk through a temporary
 * HDF5 file (Pangeo rechunker's idea): which rechunks read a materialised
 * or stored array, what reading it in memory costs a worker, and the
 * intermediate chunk shape of the temporary dataset. Pure functions of the
 * plan and of chunk lists: no I/O, no MPI; core/spill.c decides and runs. */
#ifndef TS_PLAN_SPILL_H
#define TS_PLAN_SPILL_H

#include "plan/plan.h"

/* A rechunk whose input is an earlier stage's output (materialised) or an
 * HDF5 dataset (stored), read by the tasks of stage `stage`. Borrowed. */
typedef struct spill_candidate {
    int stage;
    node *rechunk;    /* a NODE_VIEW made by rechunk */
    node *source;     /* rechunk->inputs[0] */
    int source_stage; /* the stage that materialises source, or -1 when stored */
} spill_candidate;

/* Every candidate of plan p, stage by stage; *out is malloc'd (NULL when
 * *n is 0). Local. */
ts_status spill_candidates(const plan *p, spill_candidate **out, int *n, ts_err *err);

/* Bytes worker w receives for stage c->stage from other workers' chunks
 * of a materialised source: each source chunk its tasks touch and it does
 * not own arrives whole (run/exec.c fetch_leaves keeps one chunk-sized
 * buffer per touched chunk for the whole stage). An upper bound when the
 * rechunk's chunks are not the stage's tasks. */
int64_t spill_fetch_nbytes(const plan *p, const spill_candidate *c, int w);

/* Bytes of source chunks each worker owns (what it holds of the source
 * while the source stays in memory): held has p->nworkers entries, all 0
 * for a stored source. */
void spill_source_held(const plan *p, const spill_candidate *c, int64_t *held);

/* Largest bytes, over the chunks of target, of the chunks of a regular
 * grid (chunk shape `grid`) that one target chunk touches. HDF5 1.10
 * keeps every storage chunk one read touches in memory until the read
 * ends (measured: a (10000, 50) column read from (100, 5000) row chunks
 * holds all 100 of them, 381 MiB), so this is what one task's read of a
 * chunked dataset costs besides its own buffer. */
int64_t spill_touched_nbytes(const node *target, const int64_t *grid);

/* The intermediate (storage) chunk shape of the temporary dataset for
 * rechunking source (chunks of up to src_chunk) into target's chunks.
 * Writes are the source's chunks, reads the target's; see spill.c. */
void spill_intermediate_chunks(const node *target, const int64_t *src_chunk, int64_t *out);

/* Whether every chunk of x is made of whole cells of a regular grid
 * (cell shape grid; a last cell may be cut by the array's end): reading a
 * chunk of x then never reads part of a cell another chunk reads too. */
bool spill_whole_chunks(const node *x, const int64_t *grid);

/* Largest chunk of x along each axis. */
void spill_max_chunk(const node *x, int64_t *shape);

#endif
