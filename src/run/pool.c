/* pool.c — a fixed set of threads that take jobs of a batch from a shared
 * counter. A batch is published under the mutex with a generation number;
 * each thread takes job indices until none are left, and the last thread
 * to finish wakes the caller. */
#include "run/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct pool {
    int nthreads;
    pthread_t *threads; /* nthreads - 1 helpers */
    pthread_mutex_t mu;
    pthread_cond_t work; /* a new batch, or stop */
    pthread_cond_t done; /* the batch's last job finished */
    uint64_t generation;
    bool stop;
    /* The batch running now. */
    pool_job_fn fn;
    void *ud;
    int64_t njobs, next, finished;
};

/* Takes and runs jobs of the current batch until none are left. */
static void take_jobs(pool *p, int thread)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int64_t job = p->next < p->njobs ? p->next++ : -1;
        pthread_mutex_unlock(&p->mu);
        if (job < 0)
            return;
        p->fn(p->ud, thread, job);
        pthread_mutex_lock(&p->mu);
        if (++p->finished == p->njobs)
            pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

typedef struct helper_arg {
    pool *p;
    int thread;
} helper_arg;

static void *helper_main(void *arg)
{
    helper_arg a = *(helper_arg *)arg;
    free(arg);
    pool *p = a.p;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->work, &p->mu);
        bool stop = p->stop;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL;
        take_jobs(p, a.thread);
    }
}

ts_status pool_create(int nthreads, pool **out, ts_err *err)
{
    *out = NULL;
    pool *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(err, TS_ERR_MEMORY, "out of memory creating the thread pool");
    p->nthreads = nthreads > 1 ? nthreads : 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (p->nthreads > 1) {
        p->threads = calloc((size_t)(p->nthreads - 1), sizeof *p->threads);
        if (!p->threads) {
            pool_destroy(p);
            return err_set(err, TS_ERR_MEMORY, "out of memory creating the thread pool");
        }
    }
    for (int i = 1; i < p->nthreads; i++) {
        helper_arg *a = malloc(sizeof *a);
        if (a)
            *a = (helper_arg){.p = p, .thread = i};
        if (!a || pthread_create(&p->threads[i - 1], NULL, helper_main, a) != 0) {
            free(a);
            p->nthreads = i; /* join only those started */
            pool_destroy(p);
            return err_set(err, TS_ERR_RUNTIME, "cannot start thread %d of the pool", i);
        }
    }
    *out = p;
    return TS_OK;
}

void pool_destroy(pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->nthreads && p->threads; i++)
        pthread_join(p->threads[i - 1], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int pool_nthreads(const pool *p) { return p ? p->nthreads : 1; }

void pool_run(pool *p, int64_t njobs, pool_job_fn fn, void *ud)
{
    if (njobs <= 0)
        return;
    if (!p || p->nthreads == 1 || njobs == 1) {
        for (int64_t j = 0; j < njobs; j++)
            fn(ud, 0, j);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ud = ud;
    p->njobs = njobs;
    p->next = 0;
    p->finished = 0;
    p->generation++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    take_jobs(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->finished < p->njobs)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
