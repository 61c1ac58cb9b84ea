/* delayed.c — making, sharing and ordering delayed tasks. Release and
 * ordering walk with explicit stacks, so a chain of a million tasks cannot
 * overflow the C stack. */
#include "array/delayed.h"
#include "util/ptrmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *copy_bytes(const void *src, int64_t n)
{
    void *p = malloc((size_t)(n > 0 ? n : 1));
    if (p && n > 0)
        memcpy(p, src, (size_t)n);
    return p;
}

ts_status delayed_create(const char *kernel, const void *ud, int64_t ud_nbytes, int nargs,
                         const ts_delayed_arg *args, const char *label, double cost_s, delayed **out,
                         ts_err *err)
{
    *out = NULL;
    delayed *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(err, TS_ERR_MEMORY, "out of memory making a delayed task");
    d->refcount = 1;
    d->cost_s = cost_s;
    snprintf(d->label, sizeof d->label, "%s", label && label[0] ? label : kernel);
    d->kernel = copy_bytes(kernel, (int64_t)strlen(kernel) + 1);
    d->ud = copy_bytes(ud, ud_nbytes);
    d->ud_nbytes = ud_nbytes;
    d->args = calloc((size_t)(nargs > 0 ? nargs : 1), sizeof *d->args);
    if (!d->kernel || !d->ud || !d->args) {
        ts_delayed_release(d);
        return err_set(err, TS_ERR_MEMORY, "out of memory making a delayed task");
    }
    for (int i = 0; i < nargs; i++) {
        delayed_arg *a = &d->args[i];
        a->kind = args[i].kind;
        if (a->kind == TS_ARG_BYTES) {
            a->bytes = copy_bytes(args[i].data, (int64_t)args[i].nbytes);
            a->nbytes = (int64_t)args[i].nbytes;
            if (!a->bytes) {
                d->nargs = i;
                ts_delayed_release(d);
                return err_set(err, TS_ERR_MEMORY, "out of memory making a delayed task");
            }
        } else if (a->kind == TS_ARG_DELAYED) {
            a->task = ts_delayed_retain(args[i].delayed);
        } else {
            a->array = ts_array_retain(args[i].array);
        }
        d->nargs = i + 1;
    }
    *out = d;
    return TS_OK;
}

ts_delayed *ts_delayed_retain(ts_delayed *d)
{
    if (d)
        d->refcount++;
    return d;
}

void ts_delayed_release(ts_delayed *d)
{
    if (!d || --d->refcount > 0)
        return;
    /* Tasks whose last reference goes are freed from a worklist. */
    int64_t n = 1, cap = 16;
    delayed **stack = malloc((size_t)cap * sizeof *stack);
    delayed *single = d;
    if (!stack) {
        stack = &single;
        cap = 1;
    }
    stack[0] = d;
    while (n > 0) {
        delayed *t = stack[--n];
        for (int i = 0; i < t->nargs; i++) {
            delayed_arg *a = &t->args[i];
            free(a->bytes);
            ts_array_release(a->array);
            if (!a->task || --a->task->refcount > 0)
                continue;
            if (n == cap && stack != &single) {
                delayed **ns = realloc(stack, (size_t)cap * 2 * sizeof *ns);
                if (ns) {
                    stack = ns;
                    cap *= 2;
                }
            }
            if (n < cap)
                stack[n++] = a->task;
        }
        free(t->args);
        free(t->kernel);
        free(t->ud);
        free(t);
    }
    if (stack != &single)
        free(stack);
}

typedef struct frame {
    delayed *t;
    int next; /* the next argument to visit */
} frame;

ts_status delayed_order(int ntargets, delayed *const *targets, delayed ***order, int64_t *n, node ***arrays,
                        int64_t *narrays, ts_err *err)
{
    ptrmap seen;
    ptrmap_init(&seen);
    int64_t cap = 16, acap = 4, sp = 0, scap = 16;
    *n = *narrays = 0;
    *order = malloc((size_t)cap * sizeof **order);
    *arrays = malloc((size_t)acap * sizeof **arrays);
    frame *stack = malloc((size_t)scap * sizeof *stack);
    bool ok = *order && *arrays && stack;
    for (int i = 0; ok && i < ntargets; i++) {
        int64_t v;
        if (ptrmap_get(&seen, targets[i], &v))
            continue;
        ok = ptrmap_put(&seen, targets[i], 0);
        stack[sp++] = (frame){targets[i], 0};
        while (ok && sp > 0) {
            frame *f = &stack[sp - 1];
            if (f->next == f->t->nargs) {
                if (*n == cap) {
                    delayed **no = realloc(*order, (size_t)cap * 2 * sizeof *no);
                    ok = no != NULL;
                    if (ok) {
                        *order = no;
                        cap *= 2;
                    }
                }
                if (ok)
                    (*order)[(*n)++] = f->t;
                sp--;
                continue;
            }
            delayed_arg *a = &f->t->args[f->next++];
            if (a->kind == TS_ARG_ARRAY && !ptrmap_get(&seen, a->array, &v)) {
                ok = ptrmap_put(&seen, a->array, 0);
                if (ok && *narrays == acap) {
                    node **na = realloc(*arrays, (size_t)acap * 2 * sizeof *na);
                    ok = na != NULL;
                    if (ok) {
                        *arrays = na;
                        acap *= 2;
                    }
                }
                if (ok)
                    (*arrays)[(*narrays)++] = a->array;
            }
            if (a->kind != TS_ARG_DELAYED || ptrmap_get(&seen, a->task, &v))
                continue;
            ok = ptrmap_put(&seen, a->task, 0);
            if (ok && sp == scap) {
                frame *ns = realloc(stack, (size_t)scap * 2 * sizeof *ns);
                ok = ns != NULL;
                if (ok) {
                    stack = ns;
                    scap *= 2;
                }
            }
            if (ok)
                stack[sp++] = (frame){a->task, 0};
        }
    }
    free(stack);
    ptrmap_fini(&seen);
    if (!ok) {
        free(*order);
        free(*arrays);
        *order = NULL;
        *arrays = NULL;
        return err_set(err, TS_ERR_MEMORY, "out of memory ordering delayed tasks");
    }
    return TS_OK;
}
