/* dgraph.h — a delayed job as every rank reads it: the kernels, call
 * bytes, array values and tasks of array/delayed_serialize.h, with the
 * dependency structure the scheduler needs (who reads each task's result).
 * Everything points into the job's bytes, which must outlive the graph,
 * except the array values' data: the graph owns aligned copies of those. */
#ifndef TS_RUN_DGRAPH_H
#define TS_RUN_DGRAPH_H

#include "run/registry.h"

typedef struct darg {
    ts_arg_kind kind;
    const void *bytes; /* TS_ARG_BYTES */
    int64_t nbytes;
    int64_t ref; /* TS_ARG_DELAYED: task index; TS_ARG_ARRAY: value index */
} darg;

typedef struct dtask {
    int64_t kernel, ud;
    char label[48];
    double cost_s;
    int nargs;
    int64_t arg0; /* its arguments: args[arg0 .. arg0 + nargs) */
    int ndeps;    /* TASK arguments */
} dtask;

typedef struct dgraph {
    int64_t nkernels;
    char (*kernels)[REGISTRY_NAME_MAX];
    const registry_entry **entry; /* this rank's kernel of each name, or NULL */
    int64_t nuds;
    const void **ud;
    int64_t *ud_nbytes;
    int64_t nvalues;
    ts_block *values;
    int64_t ntasks;
    dtask *tasks;
    darg *args;
    int64_t ntargets;
    int64_t *targets;
    bool *is_target;
    /* consumers of task t: cons[cons_first[t] .. cons_first[t + 1]) */
    int64_t *cons_first, *cons;
} dgraph;

/* Reads a job (bytes of delayed_serialize); kernels are looked up in reg. */
ts_status dgraph_read(dgraph *g, const void *job, size_t len, const registry *reg, ts_err *err);
void dgraph_fini(dgraph *g);

#endif
