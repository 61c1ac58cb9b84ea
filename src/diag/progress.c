/* progress.c — drawing the bar and writing the lines. */
#include "diag/progress.h"

#include <string.h>
#include <unistd.h>

#include "tessera.h"

void progress_init(progress *p, FILE *out, bool enabled, int style, double interval_s)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->enabled = enabled;
    /* Under mpirun a rank cannot tell whether mpirun writes to a terminal
     * (its stdout is a pty either way, its stderr a pipe), so auto means a
     * bar only where stderr itself is a terminal; --progress bar asks for
     * it explicitly. */
    p->tty = enabled && (style == 1 || (style == 0 && isatty(fileno(out))));
    p->interval_s = interval_s > 0 ? interval_s : 10.0;
}

void progress_start(progress *p, const char *what, int64_t total_tasks, double now)
{
    snprintf(p->what, sizeof p->what, "%s", what);
    p->t0 = p->last_draw = now;
    p->total_tasks = total_tasks;
    p->tasks = p->bytes_computed = p->bytes_stored = 0;
    p->drawn = false;
}

static void draw(progress *p, double now, bool final)
{
    double el = now - p->t0, frac = p->total_tasks ? (double)p->tasks / (double)p->total_tasks : 1.0;
    char computed[32], stored[32], rate[32], eta[32] = "";
    ts_format_nbytes(p->bytes_computed, computed, sizeof computed);
    ts_format_nbytes(p->bytes_stored, stored, sizeof stored);
    ts_format_nbytes(el > 0 ? (int64_t)((double)p->bytes_computed / el) : 0, rate, sizeof rate);
    if (!final && frac > 0 && frac < 1)
        snprintf(eta, sizeof eta, ", ETA %.0f s", el * (1 - frac) / frac);
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(p->out, "\r%s [%s] %3.0f%% %lld/%lld tasks, %s computed, %s stored, %s/s%s\033[K", p->what,
                bar, 100 * frac, (long long)p->tasks, (long long)p->total_tasks, computed, stored, rate, eta);
        if (final)
            fputc('\n', p->out);
        p->drawn = !final;
    } else {
        fprintf(p->out, "tessera: %s: %3.0f%% (%lld/%lld tasks), %s computed, %s stored, %s/s, %.1f s%s\n",
                p->what, 100 * frac, (long long)p->tasks, (long long)p->total_tasks, computed, stored, rate,
                el, eta);
    }
    fflush(p->out);
    p->last_draw = now;
}

void progress_update(progress *p, int64_t tasks, int64_t bytes_computed, int64_t bytes_stored, double now)
{
    p->tasks = tasks;
    p->bytes_computed = bytes_computed;
    p->bytes_stored = bytes_stored;
    if (!p->enabled)
        return;
    double every = p->tty ? 0.2 : p->interval_s;
    if (now - p->last_draw >= every)
        draw(p, now, false);
}

void progress_finish(progress *p, double now, bool done)
{
    /* Close a bar that is on screen; a batch log gets a last line only for
     * computes long enough to have printed one. A compute that did not
     * finish (stopped, failed) shows the tasks last reported, not 100%. */
    if (p->enabled && (p->drawn || (!p->tty && now - p->t0 >= p->interval_s))) {
        if (done)
            p->tasks = p->total_tasks;
        draw(p, now, true);
    }
    p->drawn = false;
}
