/* test_report.c — the HTML report and the metrics JSON rendered from
 * synthetic runlogs: every section is there, text is escaped, the task
 * stream stays bounded for a million tasks and renders fast, the JSON parses
 * and its totals match the runlog. When /usr/bin/chromium exists the page is
 * also loaded headless: its DOM must hold the sections and the screenshot
 * must not be empty. Set TESSERA_KEEP_REPORT=1 to keep the written files. */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag/report_html_internal.h"
#include "diag/runlog.h"

#define MIB ((int64_t)1 << 20)
#define CHROMIUM "/usr/bin/chromium"
#define PYTHON "/usr/bin/python3"

static const char *const section_ids[] = {"id=\"summary\"", "id=\"task-stream\"", "id=\"memory\"",
                                          "id=\"moved\"",   "id=\"ops\"",         "id=\"plan\"",
                                          "id=\"ranks\""};
enum {
    NSECTIONS = (int)(sizeof section_ids / sizeof section_ids[0])
};

/* ------------------------------------------------------ synthetic runs */

typedef struct spec {
    int nranks, ncomputes, segs_per_worker;
    int64_t total_tasks;
    bool running;    /* the last compute is halfway */
    bool interleave; /* every other run of map tasks is a second operation */
} spec;

static const char *const map_labels[] = {"random_normal -> mean", "ones + x -> store /dest",
                                         "cos ** 2 -> sum", "load /in -> rechunk", "arange * 2"};

static void set_op(runlog_op *op, const char *label, const char *kind, int64_t ntasks, int nworkers)
{
    snprintf(op->label, sizeof op->label, "%s", label);
    snprintf(op->kind, sizeof op->kind, "%s", kind);
    snprintf(op->shape, sizeof op->shape, "(20000, 20000)");
    snprintf(op->chunks, sizeof op->chunks, "(2000, 2000)");
    op->ntasks = ntasks;
    op->color = runlog_color(label);
    op->task_first = calloc((size_t)nworkers + 1, sizeof *op->task_first);
    for (int w = 0; w <= nworkers; w++)
        op->task_first[w] = ntasks * w / nworkers;
}

static void add_seg(runlog *log, int rank, int c, int op, int64_t first, int64_t n, double t0, double t1)
{
    runlog_segment *s = &log->seg[log->nseg++];
    *s = (runlog_segment){rank, 0, op, c, first, n, n * 4000000, t0, t1};
    runlog_op *o = &log->computes[c].ops[op];
    o->busy_s += t1 - t0;
    o->elems += s->elems;
    log->computes[c].elems += s->elems;
    log->ranks[rank].busy_s += t1 - t0;
    log->ranks[rank].tasks += n;
}

/* Worker w's share of compute c: segs - 1 runs of its map tasks spread
 * over the compute, then its one reduce task. */
static void worker_segments(runlog *log, const spec *sp, int c, int w, double t_stop)
{
    runlog_compute *k = &log->computes[c];
    int rank = log->nranks > 1 ? w + 1 : 0, nmap = sp->segs_per_worker - 1;
    int64_t lo = k->ops[0].task_first[w], hi = k->ops[0].task_first[w + 1];
    double slot = (k->t1 - k->t0 - 0.35) / nmap;
    for (int s = 0; s < nmap; s++) {
        int64_t a = lo + (hi - lo) * s / nmap, z = lo + (hi - lo) * (s + 1) / nmap;
        double t0 = k->t0 + 0.05 + slot * s;
        if (z <= a || t0 + slot * 0.95 > t_stop)
            continue;
        int op = sp->interleave && s % 2 ? 2 : 0;
        add_seg(log, rank, c, op, a, z - a, t0, t0 + slot * 0.95);
        k->ops[op].ntasks += op ? z - a : 0;
        k->ops[0].ntasks -= op ? z - a : 0;
    }
    if (k->t1 - 0.05 <= t_stop)
        add_seg(log, rank, c, 1, w, 1, k->t1 - 0.25, k->t1 - 0.05);
}

static void memory_samples(runlog *log)
{
    int per_rank = RUNLOG_MAX_MEM / log->nranks;
    per_rank = per_rank > 120 ? 120 : per_rank;
    log->mem = calloc((size_t)log->nranks * (size_t)per_rank, sizeof *log->mem);
    for (int r = 0; r < log->nranks; r++) {
        for (int i = 0; i < per_rank; i++) {
            double t = log->t_now * i / (per_rank - 1);
            double wave = r == 0 ? 0.05 : 0.5 + 0.5 * sin(t * 0.9 + r);
            int64_t rss = 60 * MIB + (int64_t)(wave * (double)(400 + 60 * r) * (double)MIB);
            log->mem[log->nmem++] = (runlog_mem){r, t, rss};
            if (rss > log->ranks[r].peak_rss_nbytes)
                log->ranks[r].peak_rss_nbytes = rss;
        }
    }
}

static void moved_matrix(runlog *log)
{
    int n = log->nranks;
    log->moved = calloc((size_t)n * (size_t)n, sizeof *log->moved);
    int64_t total = 0;
    for (int i = 1; i < n; i++)
        for (int j = 1; j < n; j++)
            if (i != j)
                total += log->moved[i * n + j] = (int64_t)(7 * i + 3 * j) * MIB;
    if (log->ncomputes > 0)
        log->computes[0].bytes_moved = total;
}

static runlog *build(const spec *sp)
{
    runlog *log = calloc(1, sizeof *log);
    snprintf(log->script, sizeof log->script, "/home/user/jobs/normal_mean.lua");
    snprintf(log->version, sizeof log->version, "0.1.0");
    log->nranks = sp->nranks;
    log->nworkers = sp->nranks > 1 ? sp->nranks - 1 : 1;
    log->budget_nbytes = 1024 * MIB;
    log->seed = 42;
    log->ncomputes = sp->ncomputes;
    log->computes = calloc((size_t)sp->ncomputes + 1, sizeof *log->computes);
    log->ranks = calloc((size_t)sp->nranks, sizeof *log->ranks);
    log->seg = calloc((size_t)sp->ncomputes * (size_t)log->nworkers * (size_t)sp->segs_per_worker + 1,
                      sizeof *log->seg);
    int nw = log->nworkers;
    double end = 0.5 + sp->ncomputes * 10.0;
    log->t_now = sp->running ? end - 6.0 : end;
    for (int c = 0; c < sp->ncomputes; c++) {
        runlog_compute *k = &log->computes[c];
        bool last = c == sp->ncomputes - 1;
        snprintf(k->what, sizeof k->what, "%s", c % 2 ? "store" : "compute");
        k->line = 10 + 3 * c;
        k->t0 = 0.5 + c * 10.0;
        k->t1 = sp->running && last ? k->t0 : k->t0 + 8.0;
        int64_t map = (sp->total_tasks - (int64_t)sp->ncomputes * nw) / sp->ncomputes;
        if (last)
            map = sp->total_tasks - (int64_t)sp->ncomputes * nw - map * (sp->ncomputes - 1);
        k->nops = sp->interleave ? 3 : 2;
        k->ops = calloc(3, sizeof *k->ops);
        set_op(&k->ops[0], map_labels[c % 5], "map", map, nw);
        set_op(&k->ops[1], "partial sums", "reduce", nw, nw);
        if (sp->interleave)
            set_op(&k->ops[2], "rechunk -> (2000, 2000)", "map", 0, nw);
        k->ntasks = map + nw;
        k->bytes_results = 8 * nw;
        k->bytes_stored = c % 2 ? map * 32 * MIB : 0;
        k->bytes_read = c == 2 ? 1024 * MIB : 0;
        k->bytes_computed = (map + nw) * 32 * MIB;
        double t1 = k->t1;
        if (sp->running && last)
            k->t1 = k->t0 + 8.0; /* lay the segments out as if it ends */
        for (int w = 0; w < nw; w++)
            worker_segments(log, sp, c, w, log->t_now);
        k->t1 = t1;
    }
    for (int r = 1; r < sp->nranks; r++)
        log->ranks[r].planned_peak_nbytes = 700 * MIB;
    log->ranks[0].cpu_s = 1.25;
    memory_samples(log);
    moved_matrix(log);
    log->finished = !sp->running;
    log->running = sp->running;
    if (sp->running) {
        const runlog_compute *k = &log->computes[sp->ncomputes - 1];
        log->progress_total = k->ntasks;
        for (int64_t i = 0; i < log->nseg; i++)
            if (log->seg[i].compute == sp->ncomputes - 1)
                log->progress_tasks += log->seg[i].ntasks;
        log->progress_elems = log->progress_tasks * 4000000;
    }
    return log;
}

static void destroy(runlog *log)
{
    for (int c = 0; c < log->ncomputes; c++) {
        for (int o = 0; o < log->computes[c].nops; o++)
            free(log->computes[c].ops[o].task_first);
        free(log->computes[c].ops);
    }
    free(log->computes);
    free(log->seg);
    free(log->mem);
    free(log->moved);
    free(log->ranks);
    free(log);
}

/* ------------------------------------------------------------ helpers */

static int64_t count(const char *from, const char *to, const char *needle)
{
    int64_t n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(from, needle); p && (!to || p < to); p = strstr(p + len, needle))
        n++;
    return n;
}

/* The text of one section: from its id to the next section's opening. */
static const char *section_end(const char *html, const char *id)
{
    const char *at = strstr(html, id);
    ck_assert_msg(at != NULL, "no %s", id);
    const char *next = strstr(at + 1, "<section");
    return next ? next : at + strlen(at);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static char *read_all(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    size_t got = fread(text, 1, (size_t)n, f);
    text[got] = '\0';
    fclose(f);
    if (size)
        *size = (long)got;
    return text;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void make_tmpdir(char *dir, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, n, "%s/tessera-report-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
}

static void drop_tmpdir(const char *dir)
{
    const char *keep = getenv("TESSERA_KEEP_REPORT");
    if (keep && *keep && strcmp(keep, "0") != 0)
        printf("report files kept in %s\n", dir);
    else
        nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------- a strict JSON reader */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *jvalue(const char *p, int depth);

static const char *jstring(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
        p++;
    }
    return p + 1;
}

static const char *jnumber(const char *p)
{
    const char *digits = "0123456789";
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p && strchr("123456789", *p))
        while (*p && strchr(digits, *p))
            p++;
    else
        return NULL;
    if (*p == '.') {
        if (!*++p || !strchr(digits, *p))
            return NULL;
        while (*p && strchr(digits, *p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!*p || !strchr(digits, *p))
            return NULL;
        while (*p && strchr(digits, *p))
            p++;
    }
    return p;
}

static const char *jcontainer(const char *p, int depth, char close, bool members)
{
    p = ws(p + 1);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (members) {
            p = jstring(p);
            if (!p || *(p = ws(p)) != ':')
                return NULL;
            p = ws(p + 1);
        }
        p = jvalue(p, depth + 1);
        if (!p)
            return NULL;
        p = ws(p);
        if (*p == close)
            return p + 1;
        if (*p != ',')
            return NULL;
        p = ws(p + 1);
    }
}

/* Returns the end of the value at p, NULL if it is not valid JSON. */
static const char *jvalue(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    if (*p == '{')
        return jcontainer(p, depth, '}', true);
    if (*p == '[')
        return jcontainer(p, depth, ']', false);
    if (*p == '"')
        return jstring(p);
    if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    return jnumber(p);
}

static bool json_valid(const char *text)
{
    const char *end = jvalue(ws(text), 0);
    return end && *ws(end) == '\0';
}

/* The value of member `name` of the object at p (keys hold no escapes). */
static const char *jget(const char *p, const char *name)
{
    ck_assert_msg(p && *p == '{', "not an object at %.40s", p ? p : "(null)");
    p = ws(p + 1);
    while (*p == '"') {
        const char *kend = jstring(p);
        bool hit = (size_t)(kend - p - 2) == strlen(name) && !strncmp(p + 1, name, strlen(name));
        p = ws(ws(kend) + 1);
        if (hit)
            return p;
        p = ws(jvalue(p, 0));
        p = ws(*p == ',' ? p + 1 : p);
    }
    ck_abort_msg("no member \"%s\"", name);
    return NULL;
}

static const char *jindex(const char *p, int i)
{
    ck_assert_msg(*p == '[', "not an array");
    p = ws(p + 1);
    for (int k = 0; k < i; k++)
        p = ws(ws(jvalue(p, 0)) + 1);
    return p;
}

static double jnum(const char *p) { return strtod(p, NULL); }

/* -------------------------------------------------------------- tests */

START_TEST(test_palette)
{
    int hits[64] = {0}, distinct = 0;
    for (int i = 0; i < 200; i++) {
        char label[32];
        snprintf(label, sizeof label, "op %d -> mean", i);
        int c = runlog_color(label);
        ck_assert_int_eq(c, runlog_color(label));
        ck_assert(c >= 0 && c < 64);
        distinct += hits[c]++ == 0;
        const char *hex = runlog_palette(c);
        ck_assert_int_eq(strlen(hex), 7);
        ck_assert_int_eq(hex[0], '#');
        ck_assert_uint_eq(strspn(hex + 1, "0123456789abcdef"), 6);
    }
    ck_assert_msg(distinct >= 10, "200 labels fall on %d colours", distinct);
    ck_assert_int_eq(runlog_palette(-1)[0], '#');
    ck_assert_int_eq(runlog_palette(INT_MIN)[0], '#');
}
END_TEST

START_TEST(test_empty_run)
{
    spec sp = {.nranks = 1, .ncomputes = 0, .segs_per_worker = 2, .total_tasks = 0};
    runlog *log = build(&sp);
    char *html = report_html(log), *json = metrics_json(log);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(json);
    for (int i = 0; i < NSECTIONS; i++)
        ck_assert_msg(strstr(html, section_ids[i]), "no %s", section_ids[i]);
    ck_assert_ptr_nonnull(strstr(html, "No tasks have run yet"));
    ck_assert_ptr_nonnull(strstr(html, "finished, exit status 0"));
    ck_assert_ptr_null(strstr(html, "id=\"progress\""));
    ck_assert_ptr_null(strstr(html, "http-equiv=\"refresh\""));
    ck_assert_int_eq(count(html, NULL, "class=\"seg\""), 0);
    ck_assert_msg(json_valid(json), "invalid JSON: %.300s", json);
    ck_assert_int_eq((int64_t)jnum(jget(jget(json, "totals"), "tasks")), 0);
    ck_assert_int_eq(strncmp(jget(json, "computes"), "[]", 2), 0);
    free(html);
    free(json);
    destroy(log);
}
END_TEST

START_TEST(test_running_compute)
{
    spec sp = {.nranks = 3, .ncomputes = 2, .segs_per_worker = 50, .total_tasks = 10000, .running = true};
    runlog *log = build(&sp);
    ck_assert(log->progress_tasks > 0 && log->progress_tasks < log->progress_total);
    char *html = report_html(log), *json = metrics_json(log);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(strstr(html, "id=\"progress\""));
    char width[64], pct[64];
    double f = (double)log->progress_tasks / (double)log->progress_total;
    snprintf(width, sizeof width, "width:%.1f%%", 100 * f);
    snprintf(pct, sizeof pct, "tasks (%.0f%%)", 100 * f);
    ck_assert_msg(strstr(html, width), "no %s", width);
    ck_assert_msg(strstr(html, pct), "no %s", pct);
    ck_assert_ptr_nonnull(strstr(html, "status running"));
    ck_assert_ptr_nonnull(strstr(html, "http-equiv=\"refresh\""));
    ck_assert(json_valid(json));
    const char *run = jget(json, "run");
    ck_assert_int_eq(strncmp(jget(run, "running"), "true", 4), 0);
    ck_assert_int_eq((int64_t)jnum(jget(jget(run, "progress"), "total")), log->progress_total);
    const char *last = jindex(jget(json, "computes"), 1);
    ck_assert_double_eq_tol(jnum(jget(last, "t1")), log->t_now, 1e-6);
    ck_assert_int_eq(strncmp(jget(last, "running"), "true", 4), 0);
    free(html);
    free(json);
    destroy(log);
}
END_TEST

/* The tooltips of runs that are wide enough to draw on their own. */
START_TEST(test_tooltips)
{
    spec sp = {.nranks = 2, .ncomputes = 1, .segs_per_worker = 3, .total_tasks = 20};
    runlog *log = build(&sp);
    ck_assert_int_eq(log->nseg, 3);
    char *html = report_html(log);
    const char *from = strstr(html, "id=\"task-stream\""), *to = section_end(html, "id=\"task-stream\"");
    /* Two runs of the 19 map tasks with a visible gap, then the reduce task. */
    ck_assert_int_eq(count(from, to, "class=\"seg\""), 3);
    ck_assert_ptr_nonnull(strstr(from, "random_normal -&gt; mean\ncompute 1 (compute, line 10)\n"
                                       "tasks 0\xE2\x80\x93"
                                       "8 (9)\nelements 36,000,000\n"));
    ck_assert_ptr_nonnull(strstr(from, "tasks 9\xE2\x80\x93"
                                       "18 (10)\nelements 40,000,000\n"));
    ck_assert_ptr_nonnull(strstr(from, "partial sums\ncompute 1 (compute, line 10)\ntask 0\n"));
    ck_assert_ptr_nonnull(strstr(html, "r1&nbsp;0\xE2\x80\x93"
                                       "18"));
    free(html);
    destroy(log);
}
END_TEST

START_TEST(test_million_tasks)
{
    spec sp = {.nranks = 3,
               .ncomputes = 3,
               .segs_per_worker = RUNLOG_MAX_SEGMENTS,
               .total_tasks = 1000000,
               .interleave = true};
    runlog *log = build(&sp);
    ck_assert_int_eq(log->nseg, 3 * 2 * RUNLOG_MAX_SEGMENTS);
    char *html = NULL;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        free(html);
        double t = now_s();
        html = report_html(log);
        best = fmin(best, now_s() - t);
    }
    ck_assert_ptr_nonnull(html);
    for (int i = 0; i < NSECTIONS; i++)
        ck_assert_msg(strstr(html, section_ids[i]), "no %s", section_ids[i]);
    const char *from = strstr(html, "id=\"task-stream\""), *to = section_end(html, "id=\"task-stream\"");
    int64_t segs = count(from, to, "class=\"seg\""), rects = count(html, NULL, "<rect");
    /* Two lanes: merged runs are at least a pixel apart. */
    ck_assert_msg(segs > 0 && segs <= 2 * (REPORT_PLOT_W + 2), "%lld segment rects", (long long)segs);
    ck_assert_msg(rects < 20000, "%lld rects", (long long)rects);
    ck_assert_ptr_nonnull(strstr(from, "runs of tasks merged"));
    ck_assert_ptr_nonnull(strstr(html, "1,000,000</dd>"));
    printf("report: 1e6 tasks in %lld segments -> %lld rects, %zu bytes, %.1f ms\n", (long long)log->nseg,
           (long long)segs, strlen(html), best * 1e3);
    if (!getenv("TESSERA_TEST_UNDER_VALGRIND")) /* jobs/valgrind_unit.sh: 20-50x slower */
        ck_assert_msg(best < 0.1, "report_html took %.1f ms", best * 1e3);
    free(html);
    destroy(log);
}
END_TEST

/* Many lanes: the merge width grows so the whole chart stays bounded. */
START_TEST(test_many_lanes)
{
    spec sp = {
        .nranks = 65, .ncomputes = 4, .segs_per_worker = 400, .total_tasks = 1000000, .interleave = true};
    runlog *log = build(&sp);
    char *html = report_html(log);
    ck_assert_ptr_nonnull(html);
    const char *from = strstr(html, "id=\"task-stream\""), *to = section_end(html, "id=\"task-stream\"");
    int64_t segs = count(from, to, "class=\"seg\""), lanes = count(from, to, "class=\"lane\"");
    ck_assert_int_eq(lanes, 64);
    ck_assert_msg(segs >= lanes && segs < 20000, "%lld segment rects in %lld lanes", (long long)segs,
                  (long long)lanes);
    const char *moved = strstr(html, "id=\"moved\"");
    ck_assert_int_eq(count(moved, section_end(html, "id=\"moved\""), "<tr>"), 1 + 65 + 1);
    printf("report: 64 lanes, %lld segments -> %lld rects, %zu bytes\n", (long long)log->nseg,
           (long long)segs, strlen(html));
    free(html);
    destroy(log);
}
END_TEST

START_TEST(test_render_speed)
{
    spec sp = {.nranks = 5,
               .ncomputes = 10,
               .segs_per_worker = RUNLOG_MAX_SEGMENTS,
               .total_tasks = 4000000,
               .interleave = true};
    runlog *log = build(&sp);
    ck_assert_int_eq(log->nseg, 10 * 4 * RUNLOG_MAX_SEGMENTS);
    double best_html = 1e9, best_json = 1e9;
    size_t nhtml = 0, njson = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t = now_s();
        char *html = report_html(log);
        double t1 = now_s();
        char *json = metrics_json(log);
        double t2 = now_s();
        ck_assert_ptr_nonnull(html);
        ck_assert_ptr_nonnull(json);
        best_html = fmin(best_html, t1 - t);
        best_json = fmin(best_json, t2 - t1);
        nhtml = strlen(html);
        njson = strlen(json);
        free(html);
        free(json);
    }
    printf("report: %lld segments: HTML %zu bytes in %.1f ms, JSON %zu bytes in %.1f ms\n",
           (long long)log->nseg, nhtml, best_html * 1e3, njson, best_json * 1e3);
    if (!getenv("TESSERA_TEST_UNDER_VALGRIND")) { /* jobs/valgrind_unit.sh: 20-50x slower */
        ck_assert_msg(best_html < 0.1, "report_html took %.1f ms", best_html * 1e3);
        ck_assert_msg(best_json < 0.1, "metrics_json took %.1f ms", best_json * 1e3);
    }
    destroy(log);
}
END_TEST

START_TEST(test_escaping)
{
    spec sp = {.nranks = 2, .ncomputes = 1, .segs_per_worker = 3, .total_tasks = 20};
    runlog *log = build(&sp);
    snprintf(log->script, sizeof log->script, "/tmp/a<b>&\"c\".lua");
    snprintf(log->computes[0].ops[0].label, sizeof log->computes[0].ops[0].label, "x<y & \"z\" \xff");
    snprintf(log->computes[0].what, sizeof log->computes[0].what, "store</text>");
    /* A label filling its array without a terminating NUL. */
    memset(log->computes[0].ops[1].kind, 'k', sizeof log->computes[0].ops[1].kind);
    char *html = report_html(log), *json = metrics_json(log);
    ck_assert_ptr_nonnull(strstr(html, "/tmp/a&lt;b&gt;&amp;&quot;c&quot;.lua"));
    ck_assert_ptr_nonnull(strstr(html, "x&lt;y &amp; &quot;z&quot; \xEF\xBF\xBD"));
    ck_assert_ptr_nonnull(strstr(html, "store&lt;/text&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"l\">kkkkkkkkkkkkkkkk</td>"));
    ck_assert_ptr_null(strstr(html, "a<b>"));
    ck_assert_ptr_null(strstr(html, "x<y"));
    ck_assert_ptr_null(strstr(html, "\xff"));
    ck_assert(json_valid(json));
    ck_assert_ptr_nonnull(strstr(json, "\"x<y & \\\"z\\\" \\ufffd\""));
    ck_assert_ptr_nonnull(strstr(json, "\"kind\":\"kkkkkkkkkkkkkkkk\""));
    free(html);
    free(json);
    destroy(log);
}
END_TEST

/* Damaged entries (an index past the computes, NaN times) still render,
 * and nothing non-finite reaches the page or the JSON. */
START_TEST(test_bad_values)
{
    spec sp = {.nranks = 3, .ncomputes = 2, .segs_per_worker = 5, .total_tasks = 100};
    runlog *log = build(&sp);
    log->seg[0].compute = 99;
    log->seg[1].op = -1;
    log->seg[2].t1 = NAN;
    log->mem[3].t = NAN;
    log->computes[1].ops[0].busy_s = INFINITY;
    char *html = report_html(log), *json = metrics_json(log);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(strstr(html, "unknown operation\ncompute 100\n"));
    ck_assert_ptr_null(strstr(html, "nan"));
    ck_assert_ptr_null(strstr(html, "inf"));
    ck_assert(json_valid(json));
    ck_assert_ptr_null(strstr(json, "nan"));
    ck_assert_ptr_null(strstr(json, "inf"));
    free(html);
    free(json);
    destroy(log);
}
END_TEST

START_TEST(test_metrics_totals)
{
    spec sp = {.nranks = 3, .ncomputes = 3, .segs_per_worker = 400, .total_tasks = 1000000};
    runlog *log = build(&sp);
    log->ranks[2].busy_s = NAN;
    log->ranks[0].cpu_s = INFINITY;
    char *json = metrics_json(log);
    ck_assert_msg(json_valid(json), "invalid JSON");
    ck_assert_ptr_null(strstr(json, "nan"));
    ck_assert_ptr_null(strstr(json, "inf"));
    int64_t elems = 0, moved = 0, computed = 0;
    for (int c = 0; c < log->ncomputes; c++) {
        elems += log->computes[c].elems;
        computed += log->computes[c].bytes_computed;
        moved += log->computes[c].bytes_moved;
    }
    const char *totals = jget(json, "totals");
    ck_assert_int_eq((int64_t)jnum(jget(totals, "tasks")), 1000000);
    ck_assert_int_eq(strtoll(jget(totals, "elems"), NULL, 10), elems);
    ck_assert_int_eq(strtoll(jget(totals, "bytes_moved"), NULL, 10), moved);
    ck_assert_int_eq(strtoll(jget(totals, "bytes_computed"), NULL, 10), computed);
    const char *computes = jget(json, "computes");
    for (int c = 0; c < log->ncomputes; c++) {
        const char *k = jindex(computes, c);
        ck_assert_double_eq_tol(jnum(jget(k, "t1")) - jnum(jget(k, "t0")), 8.0, 1e-6);
        const char *op = jindex(jget(k, "ops"), 0);
        const char *part = jindex(jget(op, "partition"), 1);
        ck_assert_int_eq((int)jnum(jget(part, "rank")), 2);
        ck_assert_int_eq((int64_t)jnum(jget(part, "end")), log->computes[c].ops[0].ntasks);
    }
    const char *ranks = jget(json, "ranks");
    ck_assert_double_eq_tol(jnum(jget(jindex(ranks, 1), "busy_s")), log->ranks[1].busy_s, 1e-6);
    ck_assert_int_eq(strncmp(jget(jindex(ranks, 2), "busy_s"), "null", 4), 0);
    ck_assert_int_eq(strncmp(jget(jindex(ranks, 0), "cpu_s"), "null", 4), 0);
    ck_assert_int_eq(strncmp(jget(jindex(ranks, 0), "planned_peak_nbytes"), "null", 4), 0);
    ck_assert_int_eq(strtoll(jget(jindex(ranks, 1), "peak_rss_nbytes"), NULL, 10),
                     log->ranks[1].peak_rss_nbytes);
    ck_assert_int_eq(strtoll(jindex(jindex(jget(json, "moved"), 2), 1), NULL, 10), log->moved[2 * 3 + 1]);
    const char *segs = jget(json, "segments");
    ck_assert_int_eq((int64_t)jnum(jindex(jget(segs, "ntasks"), 5)), log->seg[5].ntasks);
    ck_assert_double_eq_tol(jnum(jindex(jget(segs, "t1"), 7)), log->seg[7].t1, 1e-6);

    /* Python's json module reads it too, and sees the same figures. */
    if (access(PYTHON, X_OK) == 0) {
        char dir[256], path[512], cmd[1200];
        make_tmpdir(dir, sizeof dir);
        snprintf(path, sizeof path, "%s/metrics.json", dir);
        write_file(path, json);
        snprintf(cmd, sizeof cmd,
                 PYTHON
                 " -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d[\"totals\"]; "
                 "print(t[\"tasks\"], t[\"elems\"], t[\"bytes_moved\"], len(d[\"segments\"][\"t0\"]), "
                 "d[\"ranks\"][1][\"busy_s\"], d[\"computes\"][2][\"t1\"] - d[\"computes\"][2][\"t0\"])' %s",
                 path);
        FILE *p = popen(cmd, "r");
        long long tasks = -1, pelems = -1, pmoved = -1, nseg = -1;
        double busy = -1, dur = -1;
        int got = fscanf(p, "%lld %lld %lld %lld %lf %lf", &tasks, &pelems, &pmoved, &nseg, &busy, &dur);
        ck_assert_int_eq(pclose(p), 0);
        ck_assert_int_eq(got, 6);
        ck_assert_int_eq(tasks, 1000000);
        ck_assert_int_eq(pelems, elems);
        ck_assert_int_eq(pmoved, moved);
        ck_assert_int_eq(nseg, log->nseg);
        ck_assert_double_eq_tol(busy, log->ranks[1].busy_s, 1e-6);
        ck_assert_double_eq_tol(dur, 8.0, 1e-6);
        drop_tmpdir(dir);
    } else {
        printf("SKIP: %s absent, JSON checked by the test's own reader only\n", PYTHON);
    }
    free(json);
    destroy(log);
}
END_TEST

/* Loads the report of a finished 3-compute run in headless Chromium. */
START_TEST(test_browser)
{
    spec sp = {.nranks = 3,
               .ncomputes = 3,
               .segs_per_worker = RUNLOG_MAX_SEGMENTS,
               .total_tasks = 1000000,
               .interleave = true};
    runlog *log = build(&sp);
    char *html = report_html(log);
    char dir[256], path[512], cmd[2400];
    make_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/report.html", dir);
    write_file(path, html);
    printf("report: written to %s\n", path);
    if (access(CHROMIUM, X_OK) != 0) {
        printf("SKIP: %s absent, browser check not run\n", CHROMIUM);
        drop_tmpdir(dir);
        free(html);
        destroy(log);
        return;
    }
    const char *flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                        "--disable-background-networking --disable-component-update --disable-sync";
    snprintf(cmd, sizeof cmd,
             "timeout 120 " CHROMIUM " %s --user-data-dir=%s/profile --dump-dom file://%s "
             ">%s/dom.html 2>%s/chromium.log",
             flags, dir, path, dir, dir);
    ck_assert_msg(system(cmd) == 0, "chromium --dump-dom failed, see %s/chromium.log", dir);
    snprintf(cmd, sizeof cmd,
             "cd %s && timeout 120 " CHROMIUM " %s --user-data-dir=%s/profile "
             "--screenshot=%s/shot.png --window-size=1400,2400 file://%s 2>>%s/chromium.log",
             dir, flags, dir, dir, path, dir);
    ck_assert_msg(system(cmd) == 0, "chromium --screenshot failed, see %s/chromium.log", dir);

    snprintf(path, sizeof path, "%s/dom.html", dir);
    char *dom = read_all(path, NULL);
    ck_assert_ptr_nonnull(dom);
    for (int i = 0; i < NSECTIONS; i++)
        ck_assert_msg(strstr(dom, section_ids[i]), "DOM has no %s", section_ids[i]);
    const char *from = strstr(dom, "id=\"task-stream\""), *to = section_end(dom, "id=\"task-stream\"");
    ck_assert_msg(count(from, to, "<rect") > 0, "no rect in the task stream's DOM");
    /* The tooltip script ran: titles became data-tip attributes. */
    ck_assert_ptr_nonnull(strstr(from, "data-tip=\""));
    ck_assert_ptr_nonnull(strstr(dom, "<polyline"));
    snprintf(path, sizeof path, "%s/shot.png", dir);
    long size = 0;
    char *png = read_all(path, &size);
    ck_assert_msg(png != NULL, "no screenshot at %s", path);
    ck_assert_msg(size > 8 && memcmp(png, "\x89PNG", 4) == 0, "screenshot is not a PNG");
    ck_assert_msg(size > 20000, "screenshot only %ld bytes", size);
    printf("report: chromium DOM %zu bytes, screenshot %ld bytes\n", strlen(dom), size);
    free(png);
    free(dom);
    drop_tmpdir(dir);
    free(html);
    destroy(log);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_palette);
    tcase_add_test(tc, test_empty_run);
    tcase_add_test(tc, test_running_compute);
    tcase_add_test(tc, test_tooltips);
    tcase_add_test(tc, test_million_tasks);
    tcase_add_test(tc, test_many_lanes);
    tcase_add_test(tc, test_render_speed);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_bad_values);
    tcase_add_test(tc, test_metrics_totals);
    tcase_add_test(tc, test_browser);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_suite());
    srunner_run_all(sr, CK_NORMAL);
    int nfailed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nfailed == 0 ? 0 : 1;
}
