/* report_html.c — the run report: one self-contained HTML page (inline CSS
 * and SVG, a few lines of JavaScript for tooltips, nothing fetched) in the
 * spirit of Dask's performance_report. Every text that comes from the run
 * (script path, labels, shapes) goes through report_escape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag/report_html_internal.h"
#include "tessera.h"

#define DASH "\xE2\x80\x94"
#define NDASH "\xE2\x80\x93"

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;color:#1d2630;"
    "background:#f4f5f7;margin:0}"
    "main{max-width:1380px;margin:0 auto;padding:12px 20px 32px}"
    "header,section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin:12px "
    "0;"
    "overflow-x:auto}"
    "h1{font-size:20px;margin:0 8px 2px 0;display:inline-block}h2{font-size:16px;margin:0 0 4px}"
    "h3{font-size:14px;margin:16px 0 6px}p.note{color:#5a6470;margin:0 0 10px;font-size:13px}"
    ".script{font-family:'DejaVu Sans Mono',monospace;color:#3b4654;word-break:break-all;margin:2px 0 0}"
    ".status{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:600;font-size:13px;"
    "vertical-align:3px}"
    ".ok{background:#e3f4e1;color:#256029}.failed{background:#fde2e1;color:#8a1c1c}"
    ".running{background:#e4ecf7;color:#1f4e8c}"
    "dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:8px "
    "16px;margin:12px 0 0}"
    "dl.facts div{border-left:3px solid #dde1e6;padding-left:8px}"
    "dt{font-size:11px;text-transform:uppercase;color:#6b7480;letter-spacing:.04em}dd{margin:0;font-weight:"
    "600}"
    "nav{font-size:13px;margin-top:10px}nav a{margin-right:14px;color:#2f5d8f;text-decoration:none}"
    "#progress{margin-top:12px}#progress "
    ".bar{height:14px;background:#e8ebef;border-radius:7px;overflow:hidden}"
    "#progress .bar div{height:100%;background:#4e79a7}#progress span{font-size:13px;color:#3b4654}"
    "svg.chart{display:block;max-width:100%;height:auto}"
    "svg text{font:11px system-ui,'DejaVu Sans',sans-serif;fill:#3b4654}"
    ".grid{stroke:#e3e6ea}.boundary{stroke:#5a6470;stroke-dasharray:3 "
    "3}.band0{fill:#fbfbfc}.band1{fill:#f0f2f5}"
    "text.clabel{font-weight:600}rect.seg:hover{stroke:#000;stroke-width:1}"
    ".rss{fill:none;stroke-width:2}.budget{stroke-width:2;stroke-dasharray:8 4}"
    ".planned{stroke-width:1.5;stroke-dasharray:4 3;opacity:.85}"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:8px;font-size:13px}"
    ".key "
    "i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}"
    ".key i.dash{height:0;width:18px;border-top:2px dashed #888;border-radius:0;vertical-align:3px}"
    ".key i.dash.budget{border-top-color:#222}"
    "table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}"
    "th,td{padding:4px 10px;text-align:right;border-bottom:1px solid #eceef1;white-space:nowrap}"
    "th{color:#4a5360;font-weight:600;background:#f6f7f9}.l{text-align:left}"
    "td.part{white-space:normal;text-align:left;font-size:12px;color:#3b4654;max-width:380px}"
    ".hbar{display:inline-block;height:12px;border-radius:2px;vertical-align:-1px;margin-right:8px}"
    "td.barcell{text-align:left;min-width:300px}"
    ".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}"
    ".empty{color:#777;font-style:italic}.muted{color:#a0a8b2}"
    "#tip{position:fixed;pointer-events:none;white-space:pre;background:rgba(25,30,38,.94);color:#fff;"
    "font-size:12px;padding:6px 9px;border-radius:4px;z-index:10}"
    "footer{color:#778;font-size:12px;text-align:center}";

/* SVG <title>s become data-tip attributes shown at once beside the pointer
 * (the browser's own title tooltip waits a second and cannot be styled). */
static const char script[] = "(function(){var tip=document.getElementById('tip');"
                             "document.querySelectorAll('svg title').forEach(function(t){"
                             "t.parentNode.setAttribute('data-tip',t.textContent);t.remove();});"
                             "document.addEventListener('mousemove',function(e){"
                             "var el=e.target.closest?e.target.closest('[data-tip]'):null;"
                             "if(!el){tip.hidden=true;return;}"
                             "tip.textContent=el.getAttribute('data-tip');tip.hidden=false;"
                             "var x=e.clientX+14,y=e.clientY+14;"
                             "if(x+tip.offsetWidth>innerWidth)x=e.clientX-tip.offsetWidth-10;"
                             "if(y+tip.offsetHeight>innerHeight)y=e.clientY-tip.offsetHeight-10;"
                             "tip.style.left=x+'px';tip.style.top=y+'px';});})();";

/* ------------------------------------------------------------- cells */

static void put_bytes(bytebuf *b, int64_t v)
{
    char s[32];
    ts_format_nbytes(v, s, sizeof s);
    report_put(b, s);
}

static void put_count(bytebuf *b, int64_t v)
{
    char s[32];
    report_format_count(v, s, sizeof s);
    report_put(b, s);
}

static void put_seconds(bytebuf *b, double v)
{
    char s[32];
    report_format_seconds(v, s, sizeof s);
    report_put(b, s);
}

static void fact_open(bytebuf *b, const char *name) { report_printf(b, "<div><dt>%s</dt><dd>", name); }

static void fact_close(bytebuf *b) { report_put(b, "</dd></div>"); }

static void fact_bytes(bytebuf *b, const char *name, int64_t v)
{
    fact_open(b, name);
    put_bytes(b, v);
    fact_close(b);
}

static void fact_count(bytebuf *b, const char *name, int64_t v)
{
    fact_open(b, name);
    put_count(b, v);
    fact_close(b);
}

/* ------------------------------------------------------------ header */

static void header_status(bytebuf *b, const runlog *log)
{
    if (log->running || !log->finished)
        report_put(b, "<span class=\"status running\">running</span>");
    else if (log->exit_status == 0)
        report_put(b, "<span class=\"status ok\">finished, exit status 0</span>");
    else
        report_printf(b, "<span class=\"status failed\">finished, exit status %d</span>", log->exit_status);
}

static void header_progress(bytebuf *b, const runlog *log)
{
    double f = log->progress_total > 0 ? (double)log->progress_tasks / (double)log->progress_total : 0.0;
    f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
    report_printf(b, "<div id=\"progress\"><div class=\"bar\"><div style=\"width:%.1f%%\"></div></div><span>",
                  f * 100);
    report_printf(b, "compute %d: ", log->ncomputes);
    put_count(b, log->progress_tasks);
    report_put(b, " / ");
    put_count(b, log->progress_total);
    report_printf(b, " tasks (%.0f%%) \xC2\xB7 ", f * 100);
    put_count(b, log->progress_elems);
    report_put(b, " elements \xC2\xB7 ");
    put_bytes(b, log->progress_bytes_stored);
    report_put(b, " stored</span></div>");
}

static void header(bytebuf *b, const runlog *log)
{
    runlog_totals t;
    runlog_sum(log, &t);
    report_put(b, "<header id=\"summary\"><h1>tessera report</h1>");
    header_status(b, log);
    report_put(b, "<p class=\"script\">");
    report_escape(b, log->script, sizeof log->script);
    report_put(b, "</p><dl class=\"facts\">");
    fact_open(b, "version");
    report_escape(b, log->version, sizeof log->version);
    fact_close(b);
    fact_open(b, "ranks");
    if (log->nworkers < log->nranks)
        report_printf(b, "%d (%d worker%s)", log->nranks, log->nworkers, log->nworkers == 1 ? "" : "s");
    else
        report_printf(b, "%d", log->nranks);
    fact_close(b);
    fact_open(b, "memory budget per rank");
    if (log->budget_nbytes > 0)
        put_bytes(b, log->budget_nbytes);
    else
        report_put(b, DASH);
    fact_close(b);
    fact_open(b, "seed");
    report_printf(b, "%llu", (unsigned long long)log->seed);
    fact_close(b);
    fact_open(b, "wall time");
    put_seconds(b, log->t_now);
    fact_close(b);
    fact_count(b, "computes", log->ncomputes);
    fact_count(b, "tasks", t.tasks);
    fact_count(b, "elements", t.elems);
    fact_bytes(b, "computed", t.bytes_computed);
    fact_bytes(b, "moved between ranks", t.bytes_moved);
    fact_bytes(b, "stored", t.bytes_stored);
    fact_bytes(b, "read from files", t.bytes_read);
    fact_bytes(b, "results to rank 0", t.bytes_results);
    report_put(b, "</dl>");
    if (log->running)
        header_progress(b, log);
    report_put(b, "<nav><a href=\"#task-stream\">Task stream</a><a href=\"#memory\">Memory</a>"
                  "<a href=\"#moved\">Bytes moved</a><a href=\"#ops\">Time per operation</a>"
                  "<a href=\"#plan\">Plan</a><a href=\"#ranks\">Ranks</a></nav></header>");
}

/* ------------------------------------------------------ moved matrix */

static void moved_cell(bytebuf *b, int64_t v, int64_t max)
{
    if (v == 0) {
        report_put(b, "<td class=\"muted\">0</td>");
        return;
    }
    double a = max > 0 ? 0.12 + 0.88 * (double)v / (double)max : 0.0;
    report_printf(b, "<td style=\"background:rgba(78,121,167,%.2f);color:%s\">", a,
                  a > 0.55 ? "#fff" : "#1d2630");
    put_bytes(b, v);
    report_put(b, "</td>");
}

static void moved_section(bytebuf *b, const runlog *log)
{
    int n = log->nranks;
    int64_t max = 0, total = 0;
    for (int i = 0; i < n * n; i++) {
        max = log->moved[i] > max ? log->moved[i] : max;
        total += log->moved[i];
    }
    report_put(b, "<section id=\"moved\"><h2>Bytes moved between ranks</h2>"
                  "<p class=\"note\">Row <i>i</i> sent to column <i>j</i>, peer to peer. Total ");
    put_bytes(b, total);
    report_put(b, ".</p><table id=\"moved-table\"><tr><th class=\"l\">from \\ to</th>");
    for (int j = 0; j < n; j++)
        report_printf(b, "<th>rank %d</th>", j);
    report_put(b, "<th>sent</th></tr>");
    for (int i = 0; i < n; i++) {
        int64_t row = 0;
        report_printf(b, "<tr><th class=\"l\">rank %d</th>", i);
        for (int j = 0; j < n; j++) {
            moved_cell(b, log->moved[i * n + j], max);
            row += log->moved[i * n + j];
        }
        report_put(b, "<th>");
        put_bytes(b, row);
        report_put(b, "</th></tr>");
    }
    report_put(b, "<tr><th class=\"l\">received</th>");
    for (int j = 0; j < n; j++) {
        int64_t col = 0;
        for (int i = 0; i < n; i++)
            col += log->moved[i * n + j];
        report_put(b, "<th>");
        put_bytes(b, col);
        report_put(b, "</th>");
    }
    report_put(b, "<th>");
    put_bytes(b, total);
    report_put(b, "</th></tr></table></section>");
}

/* ---------------------------------------------------- time per op */

/* One row of the time-per-operation chart: ops with the same label summed. */
typedef struct op_total {
    const runlog_op *first;
    double busy_s;
    int64_t tasks, elems;
} op_total;

static int by_busy(const void *pa, const void *pb)
{
    const op_total *a = pa, *b = pb;
    return (a->busy_s < b->busy_s) - (a->busy_s > b->busy_s);
}

static int op_totals(const runlog *log, op_total *out)
{
    int n = 0;
    for (int c = 0; c < log->ncomputes; c++) {
        for (int o = 0; o < log->computes[c].nops; o++) {
            const runlog_op *op = &log->computes[c].ops[o];
            int k = 0;
            while (k < n && strncmp(out[k].first->label, op->label, sizeof op->label) != 0)
                k++;
            if (k == n)
                out[n++] = (op_total){op, 0.0, 0, 0};
            out[k].busy_s += isfinite(op->busy_s) ? op->busy_s : 0.0;
            out[k].tasks += op->ntasks;
            out[k].elems += op->elems;
        }
    }
    qsort(out, (size_t)n, sizeof *out, by_busy);
    return n;
}

static void ops_section(bytebuf *b, const runlog *log)
{
    report_put(b, "<section id=\"ops\"><h2>Time per operation</h2>"
                  "<p class=\"note\">Task time summed over workers and computes.</p>");
    int total_ops = 0;
    for (int c = 0; c < log->ncomputes; c++)
        total_ops += log->computes[c].nops;
    op_total *rows = malloc((size_t)(total_ops ? total_ops : 1) * sizeof *rows);
    if (!rows) {
        b->failed = true;
        return;
    }
    int n = op_totals(log, rows);
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += rows[k].busy_s;
    if (n == 0)
        report_put(b, "<p class=\"empty\">No operations have run yet.</p>");
    else
        report_put(b,
                   "<table id=\"ops-table\"><tr><th class=\"l\">operation</th><th class=\"l\">task time</th>"
                   "<th>share</th><th>tasks</th><th>elements</th></tr>");
    for (int k = 0; k < n; k++) {
        double w = rows[0].busy_s > 0 ? 280.0 * rows[k].busy_s / rows[0].busy_s : 0.0;
        report_printf(b, "<tr><td class=\"l\"><i class=\"sw\" style=\"background:%s\"></i>",
                      runlog_palette(rows[k].first->color));
        report_escape(b, rows[k].first->label, sizeof rows[k].first->label);
        report_printf(
            b, "</td><td class=\"barcell\"><i class=\"hbar\" style=\"width:%.1fpx;background:%s\"></i>", w,
            runlog_palette(rows[k].first->color));
        put_seconds(b, rows[k].busy_s);
        report_printf(b, "</td><td>%.1f%%</td><td>", sum > 0 ? 100.0 * rows[k].busy_s / sum : 0.0);
        put_count(b, rows[k].tasks);
        report_put(b, "</td><td>");
        put_count(b, rows[k].elems);
        report_put(b, "</td></tr>");
    }
    if (n > 0)
        report_put(b, "</table>");
    report_put(b, "</section>");
    free(rows);
}

/* --------------------------------------------------------------- plan */

static void partition_cell(bytebuf *b, const runlog *log, const runlog_op *op)
{
    report_put(b, "<td class=\"part\">");
    if (!op->task_first || log->nworkers <= 0) {
        report_put(b, DASH "</td>");
        return;
    }
    for (int w = 0; w < log->nworkers; w++) {
        int64_t lo = op->task_first[w], hi = op->task_first[w + 1];
        report_printf(b, "%sr%d&nbsp;", w ? " \xC2\xB7 " : "", report_worker_rank(log, w));
        if (hi <= lo)
            report_put(b, "none");
        else if (op->placed)
            report_printf(b, "%lld task%s", (long long)(hi - lo), hi - lo == 1 ? "" : "s");
        else if (hi - lo == 1)
            report_printf(b, "%lld", (long long)lo);
        else
            report_printf(b, "%lld" NDASH "%lld", (long long)lo, (long long)hi - 1);
    }
    if (op->placed)
        report_put(b, " (placed with the tasks that read them)");
    report_put(b, "</td>");
}

static void text_cell(bytebuf *b, const char *s, size_t maxlen)
{
    report_put(b, "<td class=\"l\">");
    report_escape(b, s, maxlen);
    report_put(b, "</td>");
}

static void plan_compute(bytebuf *b, const runlog *log, int c)
{
    const runlog_compute *k = &log->computes[c];
    report_printf(b, "<h3>compute %d: ", c + 1);
    report_escape(b, k->what, sizeof k->what);
    if (k->line > 0)
        report_printf(b, " at line %d", k->line);
    report_put(b, " \xC2\xB7 ");
    put_seconds(b, runlog_compute_end(log, c) - k->t0);
    report_put(b, " \xC2\xB7 ");
    put_count(b, k->ntasks);
    report_put(b, " tasks \xC2\xB7 computed ");
    put_bytes(b, k->bytes_computed);
    report_put(b, " \xC2\xB7 moved ");
    put_bytes(b, k->bytes_moved);
    report_put(b, " \xC2\xB7 results ");
    put_bytes(b, k->bytes_results);
    report_put(b, " \xC2\xB7 stored ");
    put_bytes(b, k->bytes_stored);
    report_put(b, " \xC2\xB7 read ");
    put_bytes(b, k->bytes_read);
    report_put(b,
               "</h3><table class=\"plan-table\"><tr><th class=\"l\">operation</th><th class=\"l\">kind</th>"
               "<th class=\"l\">shape</th><th class=\"l\">chunks</th><th>tasks</th>"
               "<th class=\"l\">partition (rank: tasks)</th><th>task time</th><th>elements</th></tr>");
    for (int o = 0; o < k->nops; o++) {
        const runlog_op *op = &k->ops[o];
        report_printf(b, "<tr><td class=\"l\"><i class=\"sw\" style=\"background:%s\"></i>",
                      runlog_palette(op->color));
        report_escape(b, op->label, sizeof op->label);
        report_put(b, "</td>");
        text_cell(b, op->kind, sizeof op->kind);
        text_cell(b, op->shape, sizeof op->shape);
        text_cell(b, op->chunks, sizeof op->chunks);
        report_put(b, "<td>");
        put_count(b, op->ntasks);
        report_put(b, "</td>");
        partition_cell(b, log, op);
        report_put(b, "<td>");
        put_seconds(b, op->busy_s);
        report_put(b, "</td><td>");
        put_count(b, op->elems);
        report_put(b, "</td></tr>");
    }
    report_put(b, "</table>");
}

static void plan_section(bytebuf *b, const runlog *log)
{
    report_put(b, "<section id=\"plan\"><h2>Plan</h2>");
    if (log->ncomputes == 0)
        report_put(b, "<p class=\"empty\">Nothing has been computed yet.</p>");
    for (int c = 0; c < log->ncomputes; c++)
        plan_compute(b, log, c);
    report_put(b, "</section>");
}

/* -------------------------------------------------------------- ranks */

static void rank_row(bytebuf *b, const runlog *log, int r, double wall)
{
    const runlog_rank *k = &log->ranks[r];
    const char *role = log->nworkers >= log->nranks ? "driver, worker" : (r == 0 ? "driver" : "worker");
    report_printf(b, "<tr><th class=\"l\">rank %d</th><td class=\"l\">%s</td><td>", r, role);
    put_count(b, k->tasks);
    report_put(b, "</td><td>");
    put_seconds(b, k->busy_s);
    report_put(b, "</td><td class=\"barcell\">");
    double share = wall > 0 && isfinite(k->busy_s) ? k->busy_s / wall : NAN;
    if (isfinite(share))
        report_printf(b, "<i class=\"hbar\" style=\"width:%.1fpx;background:%s\"></i>%.1f%%",
                      200.0 * (share > 1.0 ? 1.0 : share), runlog_palette(r), 100.0 * share);
    else
        report_put(b, DASH);
    report_put(b, "</td><td>");
    put_bytes(b, k->peak_rss_nbytes);
    report_put(b, "</td><td>");
    if (k->planned_peak_nbytes > 0)
        put_bytes(b, k->planned_peak_nbytes);
    else
        report_put(b, DASH);
    report_put(b, "</td><td>");
    if (r == 0)
        put_seconds(b, k->cpu_s);
    else
        report_put(b, DASH);
    report_put(b, "</td></tr>");
}

static void ranks_section(bytebuf *b, const runlog *log)
{
    runlog_totals t;
    runlog_sum(log, &t);
    double wall = t.compute_s;
    report_put(b,
               "<section id=\"ranks\"><h2>Ranks</h2><p class=\"note\">Busy share: time in tasks over the ");
    put_seconds(b, wall);
    report_put(
        b, " the computes took. CPU time is measured on rank 0 only.</p>"
           "<table id=\"ranks-table\"><tr><th class=\"l\">rank</th><th class=\"l\">role</th><th>tasks</th>"
           "<th>task time</th><th class=\"l\">busy share</th><th>peak RSS</th><th>planned peak</th>"
           "<th>CPU</th></tr>");
    for (int r = 0; r < log->nranks; r++)
        rank_row(b, log, r, wall);
    report_put(b, "</table></section>");
}

/* --------------------------------------------------------------- page */

static void page(bytebuf *b, const runlog *log)
{
    report_put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\">");
    /* While the run goes on the driver rewrites the file; the page follows. */
    if (!log->finished)
        report_put(b, "<meta http-equiv=\"refresh\" content=\"10\">");
    report_put(b, "<title>tessera report: ");
    report_escape(b, log->script, sizeof log->script);
    report_printf(b, "</title><style>%s</style></head>\n<body><main>", css);
    header(b, log);
    report_put(
        b, "<section id=\"task-stream\"><h2>Task stream</h2><p class=\"note\">One lane per rank and thread; "
           "each bar a run of tasks of one operation (hover for details). Runs too narrow to draw apart are "
           "merged into one bar.</p>");
    report_task_stream(b, log);
    report_put(
        b,
        "</section>\n<section id=\"memory\"><h2>Memory</h2><p class=\"note\">Resident memory per rank over "
        "time, against the budget and the plan's estimate.</p>");
    report_memory(b, log);
    report_put(b, "</section>\n");
    moved_section(b, log);
    ops_section(b, log);
    plan_section(b, log);
    ranks_section(b, log);
    report_put(b, "<footer>tessera ");
    report_escape(b, log->version, sizeof log->version);
    report_put(b, " \xC2\xB7 report written at ");
    put_seconds(b, log->t_now);
    report_printf(b,
                  " into the run \xC2\xB7 self-contained, nothing fetched</footer></main>"
                  "<div id=\"tip\" hidden></div><script>%s</script></body></html>\n",
                  script);
}

char *report_html(const runlog *log)
{
    if (!log || log->nranks <= 0 || !log->ranks || !log->moved)
        return NULL;
    bytebuf b;
    bytebuf_init(&b);
    page(&b, log);
    bytebuf_put(&b, "", 1);
    if (b.failed) {
        bytebuf_fini(&b);
        return NULL;
    }
    return (char *)b.data;
}
