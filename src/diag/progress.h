/* progress.h — the driver's progress display on stderr: a live bar on a
 * terminal (redrawn at most five times a second), or one plain line every
 * interval seconds in a batch log. It only formats; the numbers come from
 * the workers' progress messages. */
#ifndef TS_DIAG_PROGRESS_H
#define TS_DIAG_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress {
    FILE *out;
    bool enabled, tty;
    double interval_s; /* between lines when not a terminal */
    char what[48];     /* "compute 3" */
    double t0, last_draw;
    int64_t total_tasks;
    int64_t tasks, bytes_computed, bytes_stored;
    bool drawn; /* a bar is on screen (needs a newline at the end) */
} progress;

/* style: 0 auto (a bar when out is a terminal), 1 bar, 2 lines. */
void progress_init(progress *p, FILE *out, bool enabled, int style, double interval_s);
void progress_start(progress *p, const char *what, int64_t total_tasks, double now);
void progress_update(progress *p, int64_t tasks, int64_t bytes_computed, int64_t bytes_stored, double now);
/* The last line (or closes the bar); done: the compute ran every task. */
void progress_finish(progress *p, double now, bool done);

#endif
