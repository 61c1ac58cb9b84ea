/* delayed.h — delayed tasks: a registered kernel called once on its
 * arguments (bytes, other tasks' results, arrays computed first). Tasks are
 * immutable once made and reference counted like array nodes; a task owns
 * its bytes and references to the tasks and arrays it reads. */
#ifndef TS_ARRAY_DELAYED_H
#define TS_ARRAY_DELAYED_H

#include "array/node.h"

#define DELAYED_LABEL_MAX 48

typedef struct delayed_arg {
    ts_arg_kind kind;
    void *bytes; /* TS_ARG_BYTES: owned */
    int64_t nbytes;
    struct ts_delayed *task; /* TS_ARG_DELAYED: a reference */
    node *array;             /* TS_ARG_ARRAY: a reference */
} delayed_arg;

struct ts_delayed {
    int refcount;
    char *kernel; /* registered name, owned */
    void *ud;     /* the call's bytes, owned */
    int64_t ud_nbytes;
    int nargs;
    delayed_arg *args; /* owned */
    double cost_s;     /* estimated seconds; <= 0: unknown */
    char label[DELAYED_LABEL_MAX];
};

typedef struct ts_delayed delayed;

/* Makes a task with one reference: copies kernel, ud and BYTES args, takes
 * new references to TASK and ARRAY args. */
ts_status delayed_create(const char *kernel, const void *ud, int64_t ud_nbytes, int nargs,
                         const ts_delayed_arg *args, const char *label, double cost_s, delayed **out,
                         ts_err *err);

/* The tasks reachable from targets, each after the tasks it reads (a
 * malloc'd array the caller frees; borrowed pointers), and the distinct
 * arrays they read (likewise, NULL when none). */
ts_status delayed_order(int ntargets, delayed *const *targets, delayed ***order, int64_t *n, node ***arrays,
                        int64_t *narrays, ts_err *err);

#endif
