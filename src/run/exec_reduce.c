/* exec_reduce.c — reduction stages. Each task reduces one chunk of the
 * expression to a partial of its output chunk (of every reduction that
 * shares the pass: x:mean() and x:std() read x once); a worker combines the tasks
 * it runs along the canonical tree (plan_tree_split) and sends the maximal
 * subtrees it completed to the output chunk's owner, which completes the
 * tree. The combine order is thus fixed by chunk indices alone: results are
 * bit-identical for any number of workers. Every partial comes from the
 * rank's pool (the packed ones are charged to it), as exec_mem.c plans. */
#include "run/counter.h"
#include "run/eval.h"
#include "run/exec.h"
#include "run/pool.h"
#include "run/transport.h"
#include "util/bytebuf.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one thread needs to run reduction tasks: its own program (eval
 * programs keep per-evaluation scratch), strip buffer and error. */
typedef struct rthread {
    eval_prog *prog;
    unsigned char *strip; /* EVAL_STRIP values, expanded */
    ts_err err;
} rthread;

/* Most tasks per thread of a reduction's window (see take_task). */
#define REDUCE_AHEAD 8

/* A task partial computed ahead by the pool, waiting for the tree walk. */
typedef struct ahead {
    reduce_field *fields; /* owned until taken */
    ts_status status;
    double t0, t1;
    int64_t nelems;
} ahead;

typedef struct rstage {
    exec *e;
    const plan_stage *st;
    rthread *threads; /* pool_nthreads(e->pool) of them */
    int nthreads;
    reduce_set set; /* one kind per stage of the pass */
    int stage_of_kind[PLAN_MAXGROUP];
    bool flat[PLAN_MAXGROUP]; /* argmin/argmax over everything */
    int ndim;                 /* of the expression */
    uint32_t axes;            /* reduced axes of the expression */
    int64_t expr_stride[TS_MAXDIM];
    /* Tasks [ahead_lo, ahead_hi) of output ahead_o, computed in parallel
     * before the canonical tree (walked in task order) asks for them; the
     * window never passes ahead_end, the end of this worker's tasks of o. */
    int64_t ahead_o, ahead_lo, ahead_hi, ahead_end, ahead_nout;
    ahead *window;
    int64_t task_nbytes;  /* a task's partial and staging (exec_mem.c), for the window */
    int64_t fixed_nbytes; /* the partials and finals the stage planned (exec_mem.c) */
    int64_t charged;      /* bytes of packed partials counted in the pool */
    char what[96];        /* "a partial of ...", for the pool's messages */
} rstage;

/* A completed subtree [lo, hi) of output chunk o's reduced tasks. */
typedef struct subtree {
    int64_t o, lo, hi, n;
    reduce_field *fields; /* nfields * n, owned */
} subtree;

typedef struct subtrees {
    subtree *v;
    int64_t len, cap;
} subtrees;

static bool subtrees_push(subtrees *s, subtree t)
{
    if (!grow_reserve(&s->v, &s->cap, s->len + 1, sizeof *s->v, 16))
        return false;
    s->v[s->len++] = t;
    return true;
}

static void subtrees_fini(subtrees *s, mem_pool *mem)
{
    for (int64_t i = 0; i < s->len; i++)
        mem_free(mem, s->v[i].fields);
    free(s->v);
    *s = (subtrees){0};
}

static int64_t out_chunk_nelems(const plan_stage *st, int64_t o)
{
    int64_t start[TS_MAXDIM], size[TS_MAXDIM];
    exec_chunk_box(st->out, o, start, size);
    return exec_box_nelems(st->out->ndim, size);
}

/* One strip of the expression at coords into values (expanded). */
static ts_status strip_at(rstage *r, rthread *th, const int64_t *coords, int64_t len, const void **vals)
{
    const void *data;
    int step;
    ts_status st = eval_strip(th->prog, coords, len, &data, &step, &th->err);
    if (st != TS_OK)
        return st;
    if (step) {
        *vals = data;
    } else {
        eval_expand(r->st->expr->dtype, data, 0, len, th->strip);
        *vals = th->strip;
    }
    return TS_OK;
}

static int64_t flat_index(const rstage *r, const int64_t *coords)
{
    int64_t f = 0;
    for (int d = 0; d < r->ndim; d++)
        f += coords[d] * r->expr_stride[d];
    return f;
}

/* Splits a box into the axes listed in `which` (a mask) and iterates their
 * coordinates in C order: it = 0 .. count-1 sets coords for those axes. */
static int64_t count_of(const int64_t *size, int ndim, uint32_t which)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        if (which & (1u << d))
            n *= size[d];
    return n;
}

static void set_coords(int64_t it, const int64_t *start, const int64_t *size, int ndim, uint32_t which,
                       int64_t *coords)
{
    for (int d = ndim - 1; d >= 0; d--)
        if (which & (1u << d)) {
            coords[d] = start[d] + it % size[d];
            it /= size[d];
        }
}

/* Task partial when the last axis is reduced: each output element gets its
 * strips' partials through a scalar counter. */
static ts_status task_last_reduced(rstage *r, rthread *th, const int64_t *start, const int64_t *size,
                                   reduce_field *dst, int64_t nout)
{
    int nd = r->ndim, last = nd - 1;
    uint32_t all = nd ? (uint32_t)((1ull << nd) - 1) : 0;
    uint32_t kept = all & ~r->axes, red_outer = nd ? r->axes & ~(1u << last) : 0;
    int64_t nkept = count_of(size, nd, kept), nred = count_of(size, nd, red_outer);
    int64_t rowlen = nd ? size[last] : 1;
    counter c;
    ts_status st = counter_init(&c, &r->set, 1, &th->err);
    int64_t coords[TS_MAXDIM];
    for (int64_t o = 0; o < nkept && st == TS_OK; o++) {
        set_coords(o, start, size, nd, kept, coords);
        for (int64_t q = 0; q < nred && st == TS_OK; q++) {
            set_coords(q, start, size, nd, red_outer, coords);
            for (int64_t p = 0; p < rowlen && st == TS_OK; p += EVAL_STRIP) {
                int64_t len = rowlen - p < EVAL_STRIP ? rowlen - p : EVAL_STRIP;
                if (nd)
                    coords[last] = start[last] + p;
                const void *vals;
                st = strip_at(r, th, coords, len, &vals);
                if (st != TS_OK)
                    break;
                reduce_field *slot = counter_slot(&c);
                for (int j = 0; j < r->set.nkinds; j++) {
                    int64_t base = r->flat[j] ? flat_index(r, coords) : nd ? coords[last] : 0;
                    reduce_strip(&r->set.kinds[j], vals, len, base, 1, slot + r->set.field0[j], 1, 0);
                }
                if (!counter_push(&c))
                    st = err_set(&th->err, TS_ERR_MEMORY, "out of memory for reduction partials");
            }
        }
        counter_fold(&c, dst, nout, o);
    }
    counter_fini(&c);
    return st;
}

/* Task partial when the last axis is kept: rows of values become vectors of
 * partials combined through a vector counter, a strip-wide slice at a time. */
static ts_status task_last_kept(rstage *r, rthread *th, const int64_t *start, const int64_t *size,
                                reduce_field *dst, int64_t nout)
{
    int nd = r->ndim, last = nd - 1;
    uint32_t kept_outer = ~r->axes & ((1u << last) - 1);
    int64_t nkept = count_of(size, nd, kept_outer), nred = count_of(size, nd, r->axes);
    int64_t rowlen = size[last];
    int axis = -1; /* argmin/argmax: the reduced axis gives the index */
    for (int d = 0; d < nd; d++)
        if (r->axes & (1u << d))
            axis = d;
    counter c;
    ts_status st = counter_init(&c, &r->set, EVAL_STRIP < rowlen ? EVAL_STRIP : rowlen, &th->err);
    int64_t coords[TS_MAXDIM];
    for (int64_t o = 0; o < nkept && st == TS_OK; o++) {
        set_coords(o, start, size, nd, kept_outer, coords);
        for (int64_t p = 0; p < rowlen && st == TS_OK; p += EVAL_STRIP) {
            int64_t len = rowlen - p < EVAL_STRIP ? rowlen - p : EVAL_STRIP;
            c.n = len;
            coords[last] = start[last] + p;
            for (int64_t q = 0; q < nred && st == TS_OK; q++) {
                set_coords(q, start, size, nd, r->axes, coords);
                const void *vals;
                st = strip_at(r, th, coords, len, &vals);
                if (st != TS_OK)
                    break;
                int64_t base = axis >= 0 ? coords[axis] : 0;
                reduce_field *slot = counter_slot(&c);
                for (int j = 0; j < r->set.nkinds; j++)
                    reduce_values(&r->set.kinds[j], vals, len, base, 0, slot + r->set.field0[j] * len, len,
                                  0);
                if (!counter_push(&c))
                    st = err_set(&th->err, TS_ERR_MEMORY, "out of memory for reduction partials");
            }
            counter_fold(&c, dst, nout, o * rowlen + p);
        }
    }
    counter_fini(&c);
    return st;
}

/* A partial of nout output elements, from the pool. */
static reduce_field *partial_alloc(rstage *r, int64_t nout, ts_err *err)
{
    return mem_alloc(r->e->mem, r->set.nfields * (nout ? nout : 1) * (int64_t)sizeof(reduce_field), r->what,
                     err);
}

/* The partial of task (o, k) into a new buffer of nout elements, on one
 * thread of the pool (no MPI, no shared state but the chunks it reads). */
static void run_task(rstage *r, rthread *th, int64_t o, int64_t k, int64_t nout, ahead *a)
{
    const plan_stage *st = r->st;
    int64_t start[TS_MAXDIM], size[TS_MAXDIM];
    exec_task_box(st, o * st->nred + k, start, size);
    a->t0 = trace_now();
    a->fields = partial_alloc(r, nout, &th->err);
    if (!a->fields) {
        a->status = th->err.status;
        return;
    }
    a->nelems = exec_box_nelems(r->ndim, size);
    ts_status rc = a->nelems ? eval_begin_box(th->prog, start, size, &th->err) : TS_OK;
    if (rc == TS_OK && a->nelems == 0)
        reduce_set_identity(&r->set, a->fields, nout, nout);
    else if (rc == TS_OK && (r->ndim == 0 || (r->axes & (1u << (r->ndim - 1)))))
        rc = task_last_reduced(r, th, start, size, a->fields, nout);
    else if (rc == TS_OK)
        rc = task_last_kept(r, th, start, size, a->fields, nout);
    eval_end_box(th->prog);
    a->t1 = trace_now();
    a->status = rc;
    if (rc != TS_OK) {
        mem_free(r->e->mem, a->fields);
        a->fields = NULL;
    }
}

static void run_ahead_job(void *ud, int thread, int64_t job)
{
    rstage *r = ud;
    rthread *th = &r->threads[thread];
    ahead *a = &r->window[job];
    *a = (ahead){.status = TS_OK};
    if (th->err.status != TS_OK) { /* this thread failed earlier in the window */
        a->status = th->err.status;
        return;
    }
    run_task(r, th, r->ahead_o, r->ahead_lo + job, r->ahead_nout, a);
}

static void drop_window(rstage *r)
{
    for (int64_t i = 0; i < r->ahead_hi - r->ahead_lo; i++)
        mem_free(r->e->mem, r->window[i].fields);
    r->ahead_lo = r->ahead_hi = 0;
}

/* Task (o, k)'s partial: from the window, or after computing the next
 * window of tasks from k on the pool. Tasks are recorded in task
 * order, and the first failure in task order is the one reported. */
static ts_status take_task(rstage *r, int64_t o, int64_t k, int64_t nout, reduce_field **out)
{
    exec *e = r->e;
    if (o != r->ahead_o || k < r->ahead_lo || k >= r->ahead_hi) {
        drop_window(r);
        ts_status sc = exec_stop_check(e); /* no new tasks once the run is stopping */
        if (sc != TS_OK)
            return sc;
        /* Two tasks per thread, fewer when the budget has less room; up
         * to REDUCE_AHEAD per thread when there is room to spare beyond
         * everything the stage planned. The pool waits for the slowest
         * thread at the end of a window, so short windows leave threads
         * idle when tasks take uneven time. */
        int64_t n = 2 * (int64_t)r->nthreads, most = REDUCE_AHEAD * (int64_t)r->nthreads;
        if (e->mem && e->mem->limit_nbytes > 0 && r->task_nbytes > 0) {
            int64_t room = mem_pool_room(e->mem);
            int64_t fit = room / r->task_nbytes;
            if (fit < n) {
                n = fit < 1 ? 1 : fit;
            } else {
                /* Beyond the planned window, a task holds only its partial. */
                int64_t partial = r->set.nfields * (nout ? nout : 1) * (int64_t)sizeof(reduce_field);
                int64_t spare = (room - r->fixed_nbytes - n * r->task_nbytes) / partial;
                if (spare > 0)
                    n += spare < most - n ? spare : most - n;
            }
        } else {
            n = most;
        }
        r->ahead_o = o;
        r->ahead_nout = nout;
        r->ahead_lo = k;
        r->ahead_hi = k + n < r->ahead_end ? k + n : r->ahead_end;
        pool_run(e->pool, r->ahead_hi - r->ahead_lo, run_ahead_job, r);
        int s = (int)(r->st - e->plan->stages);
        for (int64_t i = 0; i < r->ahead_hi - r->ahead_lo; i++) {
            ahead *a = &r->window[i];
            if (a->status != TS_OK) {
                for (int t = 0; t < r->nthreads; t++)
                    if (r->threads[t].err.status != TS_OK) {
                        *e->err = r->threads[t].err;
                        break;
                    }
                drop_window(r);
                return e->err->status != TS_OK ? e->err->status : a->status;
            }
            exec_task_done(e, s, o * r->st->nred + r->ahead_lo + i, a->nelems, a->t0, a->t1);
        }
    }
    ahead *a = &r->window[k - r->ahead_lo];
    *out = a->fields;
    a->fields = NULL;
    return TS_OK;
}

/* Value of the canonical subtree [lo, hi) of output o, all tasks local. */
static ts_status subtree_value(rstage *r, int64_t o, int64_t lo, int64_t hi, int64_t nout, reduce_field **out)
{
    if (hi - lo == 1)
        return take_task(r, o, lo, nout, out);
    int64_t mid = plan_tree_split(lo, hi);
    reduce_field *left, *right;
    ts_status st = subtree_value(r, o, lo, mid, nout, &left);
    if (st != TS_OK)
        return st;
    st = subtree_value(r, o, mid, hi, nout, &right);
    if (st != TS_OK) {
        mem_free(r->e->mem, left);
        return st;
    }
    reduce_set_combine(&r->set, left, nout, right, nout, nout);
    mem_free(r->e->mem, right);
    *out = left;
    return TS_OK;
}

/* Emits the maximal canonical subtrees inside [a, b). */
static ts_status cover(rstage *r, int64_t o, int64_t lo, int64_t hi, int64_t a, int64_t b, int64_t nout,
                       subtrees *done)
{
    if (hi <= a || lo >= b)
        return TS_OK;
    if (a <= lo && hi <= b) {
        subtree t = {.o = o, .lo = lo, .hi = hi, .n = nout};
        ts_status st = subtree_value(r, o, lo, hi, nout, &t.fields);
        if (st == TS_OK && !subtrees_push(done, t)) {
            mem_free(r->e->mem, t.fields);
            st = err_set(r->e->err, TS_ERR_MEMORY, "out of memory for reduction partials");
        }
        return st;
    }
    int64_t mid = plan_tree_split(lo, hi);
    ts_status st = cover(r, o, lo, mid, a, b, nout, done);
    return st != TS_OK ? st : cover(r, o, mid, hi, a, b, nout, done);
}

/* Completes [lo, hi) of one output from the subtrees received for it;
 * NULL when a part is missing, or with err set when the budget refused. */
static reduce_field *assemble(rstage *r, subtree *const *parts, int64_t nparts, int64_t lo, int64_t hi,
                              bool *owned, ts_err *err)
{
    for (int64_t i = 0; i < nparts; i++)
        if (parts[i]->lo == lo && parts[i]->hi == hi) {
            *owned = false;
            return parts[i]->fields;
        }
    if (hi - lo <= 1)
        return NULL;
    int64_t mid = plan_tree_split(lo, hi);
    bool lown, rown;
    reduce_field *left = assemble(r, parts, nparts, lo, mid, &lown, err);
    reduce_field *right = left ? assemble(r, parts, nparts, mid, hi, &rown, err) : NULL;
    if (!left || !right) {
        if (left && lown)
            mem_free(r->e->mem, left);
        return NULL;
    }
    int64_t n = parts[0]->n;
    reduce_field *sum = left;
    if (!lown) {
        sum = partial_alloc(r, n, err);
        if (!sum) {
            if (rown)
                mem_free(r->e->mem, right);
            return NULL;
        }
        memcpy(sum, left, (size_t)(r->set.nfields * n) * sizeof *sum);
    }
    reduce_set_combine(&r->set, sum, n, right, n, n);
    if (rown)
        mem_free(r->e->mem, right);
    *owned = true;
    return sum;
}

static int cmp_subtree(const void *a, const void *b)
{
    const subtree *x = *(subtree *const *)a, *y = *(subtree *const *)b;
    return x->o < y->o ? -1 : x->o > y->o ? 1 : (x->lo > y->lo) - (x->lo < y->lo);
}

static ts_status finish_outputs(rstage *r, subtrees *mine, subtrees *recv)
{
    const plan_stage *st = r->st;
    exec *e = r->e;
    int64_t n = mine->len + recv->len;
    subtree **all = malloc((size_t)(n ? n : 1) * sizeof *all);
    if (!all)
        return err_set(e->err, TS_ERR_MEMORY, "out of memory finishing a reduction");
    for (int64_t i = 0; i < mine->len; i++)
        all[i] = &mine->v[i];
    for (int64_t i = 0; i < recv->len; i++)
        all[mine->len + i] = &recv->v[i];
    qsort(all, (size_t)n, sizeof *all, cmp_subtree);
    int64_t count = 1;
    for (int d = 0; d < r->ndim; d++)
        if (r->axes & (1u << d))
            count *= st->expr->shape[d];
    ts_status rc = TS_OK;
    for (int64_t i = 0; i < n && rc == TS_OK;) {
        int64_t j = i;
        while (j < n && all[j]->o == all[i]->o)
            j++;
        int64_t o = all[i]->o, nout = all[i]->n;
        bool owned;
        ts_err aerr;
        err_clear(&aerr);
        reduce_field *fields = assemble(r, all + i, j - i, 0, st->nred, &owned, &aerr);
        if (!fields && aerr.status != TS_OK)
            rc = err_set(e->err, aerr.status, "%s", aerr.msg);
        else if (!fields)
            rc = err_set(e->err, TS_ERR_RUNTIME, "internal: incomplete partials for chunk %lld of %s",
                         (long long)o, node_label(st->out));
        for (int k = 0; rc == TS_OK && k < r->set.nkinds; k++) {
            int s = r->stage_of_kind[k];
            const node *out = e->plan->stages[s].out;
            char what[96];
            snprintf(what, sizeof what, "a chunk of %s", node_label(out));
            unsigned char *buf = mem_alloc(e->mem, nout * (int64_t)ts_dtype_size(out->dtype), what, e->err);
            if (!buf) {
                rc = e->err->status;
                break;
            }
            reduce_finalize(&r->set.kinds[k], fields + r->set.field0[k] * nout, nout, nout, count,
                            out->p.reduce.ddof, out->dtype, buf);
            e->chunks[s][o] = buf;
        }
        if (fields && owned)
            mem_free(e->mem, fields);
        i = j;
    }
    free(all);
    return rc;
}

static void pack(bytebuf *b, const subtree *t, int nfields)
{
    int64_t hdr[4] = {t->o, t->lo, t->hi, t->n};
    bytebuf_put(b, hdr, sizeof hdr);
    bytebuf_put(b, t->fields, (size_t)(nfields * t->n) * sizeof(reduce_field));
}

static ts_status unpack(rstage *r, const unsigned char *data, int64_t len, subtrees *recv)
{
    bytereader rd;
    bytereader_init(&rd, data, (size_t)len);
    while (rd.pos < rd.len) {
        int64_t hdr[4];
        bytereader_get(&rd, hdr, sizeof hdr);
        subtree t = {.o = hdr[0], .lo = hdr[1], .hi = hdr[2], .n = hdr[3]};
        size_t nb = (size_t)(r->set.nfields * t.n) * sizeof(reduce_field);
        t.fields = partial_alloc(r, t.n, r->e->err);
        if (!t.fields)
            return r->e->err->status;
        bytereader_get(&rd, t.fields, nb);
        if (rd.failed || !subtrees_push(recv, t)) {
            mem_free(r->e->mem, t.fields);
            return err_set(r->e->err, TS_ERR_RUNTIME, "corrupt or unstorable partials message");
        }
    }
    return TS_OK;
}

static ts_status threads_init(rstage *r)
{
    exec *e = r->e;
    r->nthreads = pool_nthreads(e->pool);
    r->threads = calloc((size_t)r->nthreads, sizeof *r->threads);
    r->window = calloc((size_t)(REDUCE_AHEAD * r->nthreads), sizeof *r->window);
    if (!r->threads || !r->window)
        return err_set(e->err, TS_ERR_MEMORY, "out of memory for a reduction");
    for (int t = 0; t < r->nthreads; t++) {
        rthread *th = &r->threads[t];
        err_clear(&th->err);
        th->strip = malloc(EVAL_STRIP * 8);
        if (!th->strip)
            return err_set(e->err, TS_ERR_MEMORY, "out of memory for a reduction");
        ts_status rc = eval_prog_create(r->st->expr, &r->st->leaves, exec_chunk_lookup, e, &th->prog, e->err);
        if (rc != TS_OK)
            return rc;
        eval_prog_use_pool(th->prog, e->mem);
    }
    return TS_OK;
}

static void threads_fini(rstage *r)
{
    if (r->window)
        drop_window(r);
    for (int t = 0; r->threads && t < r->nthreads; t++) {
        rthread *th = &r->threads[t];
        if (th->prog)
            r->e->stats.bytes_read += eval_prog_bytes_read(th->prog);
        eval_prog_destroy(th->prog);
        free(th->strip);
    }
    free(r->threads);
    free(r->window);
}

/* Tasks [t0, t1) of this worker, contiguous. */
static ts_status compute_run(rstage *r, subtrees *mine, bytebuf *out, int64_t t0, int64_t t1)
{
    const plan_stage *st = r->st;
    exec *e = r->e;
    ts_status rc = TS_OK;
    for (int64_t o = t0 / st->nred; t0 < t1 && o <= (t1 - 1) / st->nred && rc == TS_OK; o++) {
        int64_t a = t0 > o * st->nred ? t0 - o * st->nred : 0;
        int64_t b = t1 < (o + 1) * st->nred ? t1 - o * st->nred : st->nred;
        int64_t nout = out_chunk_nelems(st, o);
        int owner = plan_chunk_owner(st, e->nworkers, o);
        subtrees local = {0};
        r->ahead_end = b;
        rc = cover(r, o, 0, st->nred, a, b, nout, &local);
        drop_window(r);
        for (int64_t i = 0; i < local.len; i++) {
            if (owner == e->me && rc == TS_OK) {
                if (!subtrees_push(mine, local.v[i]))
                    rc = err_set(e->err, TS_ERR_MEMORY, "out of memory for reduction partials");
                else
                    local.v[i].fields = NULL;
            } else if (rc == TS_OK) {
                /* The packed copy replaces the partial in the budget. */
                size_t before = out[owner].len;
                pack(&out[owner], &local.v[i], r->set.nfields);
                mem_free(e->mem, local.v[i].fields);
                local.v[i].fields = NULL;
                int64_t grown = (int64_t)(out[owner].len - before);
                rc = mem_charge(e->mem, grown, "reduction partials to send", e->err);
                r->charged += rc == TS_OK ? grown : 0;
            }
        }
        subtrees_fini(&local, e->mem);
    }
    return rc;
}

/* This worker's tasks, as runs of consecutive tasks: one run, its block,
 * unless the stage was placed next to its readers (then one task is one
 * output chunk). */
static ts_status compute_share(rstage *r, subtrees *mine, bytebuf *out)
{
    const plan_stage *st = r->st;
    int64_t i = st->task_first[r->e->me], end = st->task_first[r->e->me + 1];
    ts_status rc = TS_OK;
    while (i < end && rc == TS_OK) {
        int64_t t0 = plan_task_at(st, i), n = 1;
        while (i + n < end && plan_task_at(st, i + n) == t0 + n)
            n++;
        rc = compute_run(r, mine, out, t0, t0 + n);
        i += n;
    }
    return rc;
}

ts_status exec_reduce_stage(exec *e, int s, bool failed, bool *any_failed)
{
    const plan_stage *st = &e->plan->stages[s];
    rstage r = {.e = e, .st = st, .ndim = st->expr->ndim, .axes = st->out->p.reduce.axes};
    exec_stage_mem need;
    exec_stage_mem_get(e->plan, s, e->me, e->stores, pool_nthreads(e->pool), &need);
    r.task_nbytes = need.task_nbytes;
    r.fixed_nbytes = need.fixed_nbytes;
    snprintf(r.what, sizeof r.what, "a partial of %s", node_label(st->out));
    _Static_assert(PLAN_MAXGROUP <= REDUCE_SET_MAX, "a pass must hold every reduction of its group");
    for (int m = 0; m < st->nmembers; m++) {
        const node *out = e->plan->stages[st->members[m]].out;
        int k = reduce_set_add(&r.set, out->p.reduce.op, st->expr->dtype);
        r.stage_of_kind[k] = st->members[m];
        r.flat[k] = out->p.reduce.flat;
    }
    int64_t stride = 1;
    for (int d = r.ndim - 1; d >= 0; d--) {
        r.expr_stride[d] = stride;
        stride *= st->expr->shape[d];
    }
    ts_status rc = TS_OK;
    int W = e->nworkers;
    bytebuf *out = calloc((size_t)W, sizeof *out);
    int64_t *in_off = malloc((size_t)(W + 1) * sizeof *in_off);
    void **send = malloc((size_t)W * sizeof *send);
    int64_t *len = malloc((size_t)W * sizeof *len);
    subtrees mine = {0}, recv = {0};
    if (!out || !in_off || !send || !len)
        rc = err_set(e->err, TS_ERR_MEMORY, "out of memory for a reduction");
    if (!failed && rc == TS_OK)
        rc = threads_init(&r);
    if (!failed && rc == TS_OK)
        rc = compute_share(&r, &mine, out);
    unsigned char *in = NULL;
    for (int p = 0; out && send && len && p < W; p++) {
        send[p] = out[p].data;
        len[p] = (int64_t)out[p].len;
        if (out[p].failed)
            rc = rc != TS_OK ? rc : err_set(e->err, TS_ERR_MEMORY, "out of memory packing partials");
    }
    ts_status xs = TS_OK;
    if (send && len && in_off)
        xs = transport_exchange(e->comm, send, len, failed || rc != TS_OK, &in, in_off, any_failed,
                                e->sent_to, e->mem, e->err);
    if (rc == TS_OK)
        rc = xs;
    for (int p = 0; rc == TS_OK && !*any_failed && p < W; p++)
        rc = unpack(&r, in + in_off[p], in_off[p + 1] - in_off[p], &recv);
    if (rc == TS_OK && !*any_failed)
        rc = finish_outputs(&r, &mine, &recv);
    mem_free(e->mem, in);
    for (int p = 0; out && p < W; p++)
        bytebuf_fini(&out[p]);
    free(out);
    free(in_off);
    free(send);
    free(len);
    mem_uncharge(e->mem, r.charged);
    subtrees_fini(&mine, e->mem);
    subtrees_fini(&recv, e->mem);
    threads_fini(&r);
    return rc;
}
