/* plan.h — lowering an expression DAG to stages of chunk tasks.
 *
 * Every reduction and every requested result is materialised: it is the
 * output of one stage. Everything else (sources, elementwise chains) is fused
 * into the tasks that consume it and recomputed there, never stored or sent.
 * A stage's tasks are numbered in a fixed order and split among workers in
 * contiguous blocks, or, for a stage later stages read, placed chunk by
 * chunk with the workers that read them (place.c); the plan is a pure
 * function of the DAG and the worker count, so the driver and every worker
 * derive the same plan from the same broadcast DAG, and only O(operations)
 * bytes ever describe it. */
#ifndef TS_PLAN_PLAN_H
#define TS_PLAN_PLAN_H

#include "array/node.h"
#include "array/region.h"
#include "util/ptrmap.h"

typedef enum stage_kind {
    STAGE_MAP,
    STAGE_REDUCE
} stage_kind;

/* Reductions of the same expression over the same axes share one pass. */
#define PLAN_MAXGROUP 8

typedef struct plan_stage {
    stage_kind kind;
    node *out;     /* the materialised node */
    node *expr;    /* what the tasks evaluate: out (MAP) or its input (REDUCE) */
    ptrmap leaves; /* materialised nodes of earlier stages that expr reads */
    int64_t ntasks;
    /* REDUCE: task t = o * nred + k, where o is the output chunk (C order
     * over the kept axes' chunk grid) and k the C-order index over the
     * reduced axes' chunk grid. MAP: task t is out's chunk t. */
    int64_t nout, nred;
    /* Worker w runs the tasks at positions [task_first[w], task_first[w+1])
     * of the stage's task order (nworkers + 1 entries). The order is
     * 0, 1, 2, ... (contiguous blocks) unless the stage was placed next
     * to its consumers: then order lists each worker's tasks, ascending,
     * and owner[t] is task t's worker (both NULL otherwise). */
    int64_t *task_first;
    int64_t *order;
    int32_t *owner;
    /* What a task evaluates, compiled for region walks down to the leaves
     * (one per input of a map_blocks, else one); NULL without leaves. */
    region_prog *reads[NODE_MAXIN];
    /* REDUCE: the stage whose pass also computes this one (itself when it
     * leads); a leader lists the stages of its pass, itself first. */
    int leader;
    int nmembers;
    int members[PLAN_MAXGROUP];
} plan_stage;

typedef struct plan {
    int nworkers;
    int nstages;
    plan_stage *stages; /* in dependency order */
    ptrmap stage_of;    /* materialised node -> stage index */
    int ntargets;
    node **targets; /* borrowed */
} plan;

/* Builds the plan of targets for nworkers workers. Local and deterministic. */
ts_status plan_create(int ntargets, node *const *targets, int nworkers, plan **out, ts_err *err);
void plan_destroy(plan *p);

/* The first task of worker w in contiguous blocks: w * ntasks / nworkers.
 * 10 tasks, 3 workers: [0,3) [3,6) [6,10). */
int64_t plan_block_first(int64_t ntasks, int nworkers, int w);

/* The task at position i of stage s's order (see task_first). */
static inline int64_t plan_task_at(const plan_stage *s, int64_t i) { return s->order ? s->order[i] : i; }

/* Worker running task t of stage s. */
int plan_task_worker(const plan_stage *s, int nworkers, int64_t t);

/* Worker that holds output chunk c of stage s once the stage is done. */
int plan_chunk_owner(const plan_stage *s, int nworkers, int64_t c);

/* Chunk coordinates of expr for task t (REDUCE and MAP alike). */
void plan_task_coords(const plan_stage *s, int64_t t, int64_t *coords);

/* The canonical combine tree over reduced-chunk indices [0, n): a node
 * [lo, hi) with hi - lo > 1 splits at lo + the largest power of two below
 * hi - lo. For n = 6: [0,6) -> [0,4) [4,6); [0,4) -> [0,2) [2,4); ...
 * Every rank combining its contiguous share along this tree gives the
 * same bits as one rank combining everything. */
int64_t plan_tree_split(int64_t lo, int64_t hi);

/* ---- what tasks read (reads.c) ---- */

/* The box input k of a map_blocks / map_overlap node reads for output
 * block c (the input's coordinates, halo included). */
void plan_map_input_box(const node *out, int k, int64_t c, int64_t *start, int64_t *size);

/* Compiles stage s's region walks (stage.reads) anew from its leaves:
 * plan_create does, and whoever changes the leaves must. */
ts_status plan_compile_reads(plan *p, int s, ts_err *err);

/* What worker w's tasks of stage s read from chunks of earlier stages:
 * fn is called once per such chunk (stage ls, chunk c) with the bounding
 * box [lo, hi) (global coordinates) of all they read from it, in the
 * order first read. This box is what a fetch moves when the chunk is
 * elsewhere. Local. */
typedef void (*plan_read_fn)(void *ud, int ls, int64_t c, const int64_t *lo, const int64_t *hi);
ts_status plan_reads(const plan *p, int s, int w, plan_read_fn fn, void *ud, ts_err *err);

/* Bytes stage s's tasks fetch from chunks that other workers hold (what
 * the exchange before s moves), into *nbytes. Local. */
ts_status plan_fetch_nbytes(const plan *p, int s, int64_t *nbytes, ts_err *err);

/* ---- placement (place.c) ---- */

/* Producers go with their consumers: a stage whose chunks later stages
 * read gets each chunk computed by the worker whose tasks read most of
 * its bytes, keeping every worker within ceil(tasks / workers) tasks; and
 * a later stage recomputes a cheap pure materialised input (a requested
 * result made of generators, file reads and elementwise operations)
 * instead of fetching it, when fetching would move bytes. Called by
 * plan_create. */
ts_status plan_place(plan *p, ts_err *err);

#endif
