/* runlog.h — what a run did, as the driver collects it from the workers:
 * the input of the end-of-run summary, the HTML report and the metrics
 * JSON. Everything here lives on rank 0 and is owned by the runlog. Sizes
 * stay bounded however many tasks run: workers send segments (runs of
 * consecutive tasks of one operation), at most RUNLOG_MAX_SEGMENTS per
 * worker per compute, and memory samples thinned to RUNLOG_MAX_MEM. Times
 * are seconds since the run started (the driver's clock; workers' clocks
 * are aligned to it at the start of each compute). */
#ifndef TS_DIAG_RUNLOG_H
#define TS_DIAG_RUNLOG_H

#include <stdbool.h>
#include <stdint.h>

#define RUNLOG_MAX_SEGMENTS 2000
#define RUNLOG_MAX_MEM 400

/* One lane's run of consecutive tasks of one operation. */
typedef struct runlog_segment {
    int32_t rank;       /* world rank of the worker */
    int32_t thread;     /* 0 until threads per rank land */
    int32_t op;         /* index into the compute's ops */
    int32_t compute;    /* index into the runlog's computes */
    int64_t first_task; /* index of the first task in its stage */
    int64_t ntasks;     /* 1: a single task (hover shows it) */
    int64_t elems;      /* elements these tasks evaluated */
    double t0, t1;
} runlog_segment;

/* One operation of a compute: a stage of its plan. */
typedef struct runlog_op {
    char label[48];  /* "normal -> mean", "store /dest", ... */
    char kind[16];   /* "map", "reduce" */
    char shape[96];  /* "(20000, 20000)" of what its tasks evaluate */
    char chunks[96]; /* "(2000, 2000)" largest chunk */
    int64_t ntasks;
    int64_t *task_first; /* nworkers + 1: worker w ran [task_first[w], task_first[w+1]) */
    bool placed;         /* tasks went to their readers: task_first counts them, not ranges of them */
    double busy_s;       /* task time summed over workers */
    int64_t elems;
    int color; /* palette index shared with graphs: a hash of label */
} runlog_op;

typedef struct runlog_compute {
    char what[32]; /* "compute" or "store" */
    int line;      /* script line, 0 if unknown */
    double t0, t1;
    int nops;
    runlog_op *ops;
    int64_t ntasks;
    int64_t elems;
    int64_t bytes_moved;   /* between workers */
    double move_s;         /* wall seconds the slowest worker spent moving them */
    int64_t bytes_results; /* to rank 0 */
    int64_t bytes_stored;
    int64_t bytes_read;     /* from files */
    int64_t bytes_computed; /* values the tasks evaluated (generated and computed) */
} runlog_compute;

typedef struct runlog_mem {
    int32_t rank;
    double t;
    int64_t rss_nbytes;
} runlog_mem;

/* Per-rank totals over the run. */
typedef struct runlog_rank {
    double busy_s; /* time in tasks */
    int64_t tasks;
    int64_t peak_rss_nbytes;     /* measured (VmHWM) */
    int64_t planned_peak_nbytes; /* planned peak RSS (core_plan_peak); 0: no plan estimate yet */
    double cpu_s;                /* rank 0: its own CPU time */
} runlog_rank;

typedef struct runlog {
    char script[256];
    char version[32];
    int nranks, nworkers; /* workers are world ranks 1..nworkers (or rank 0 alone) */
    int64_t budget_nbytes;
    uint64_t seed;
    double t_now; /* seconds since start when last updated */
    bool finished;
    int exit_status;
    int ncomputes;
    runlog_compute *computes;
    int64_t nseg;
    runlog_segment *seg;
    int64_t nmem;
    runlog_mem *mem;
    int64_t *moved;     /* nranks x nranks: moved[i * nranks + j] bytes from rank i to j */
    runlog_rank *ranks; /* nranks */
    /* progress of the compute running now (valid while running) */
    bool running;
    int64_t progress_tasks, progress_total;
    int64_t progress_elems, progress_bytes_stored;
} runlog;

/* Starts an empty log for a run; false when out of memory. Every array
 * below is owned by the log and freed by runlog_fini. */
bool runlog_init(runlog *log, const char *script, const char *version, int nranks, int nworkers,
                 int64_t budget_nbytes, uint64_t seed);
void runlog_fini(runlog *log);

/* Appends a compute with nops zeroed ops (task_first arrays of nworkers + 1
 * allocated); NULL when out of memory. */
runlog_compute *runlog_add_compute(runlog *log, const char *what, int line, int nops);
bool runlog_add_segments(runlog *log, const runlog_segment *seg, int64_t n);
bool runlog_add_mem(runlog *log, const runlog_mem *mem, int64_t n);

/* The end of compute c: its t1, or now while it is the one running. */
double runlog_compute_end(const runlog *log, int c);

/* Totals over the run's computes (and busy time over its ranks), for the
 * summary, the report and the metrics alike. */
typedef struct runlog_totals {
    int64_t tasks, elems;
    int64_t bytes_moved, bytes_results, bytes_stored, bytes_read, bytes_computed;
    double compute_s, busy_s, move_s;
} runlog_totals;
void runlog_sum(const runlog *log, runlog_totals *t);

/* Renders the report: one self-contained HTML file (inline SVG and a little
 * JavaScript, no network). Returns a malloc'd string or NULL (diag/report_html.c). */
char *report_html(const runlog *log);

/* The same figures as JSON (diag/metrics_json.c). */
char *metrics_json(const runlog *log);

/* Palette index of an operation label: the same label always gets the same
 * colour in the report and in graphs. */
int runlog_color(const char *label);

/* The report's palette: n colours as "#rrggbb". */
const char *runlog_palette(int color);

#endif
