/* options.c — parsing `tessera` command lines. A setting comes from its
 * flag if given, else from its TESSERA_* variable if set, else from
 * ts_config_init; a bad variable is only an error when it is used, and an
 * empty one counts as unset. Nothing here prints or exits: main decides,
 * so every rank ends the same way. */
#include "cli/options.h"
#include "cli/resources.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RUN_HELP "see 'tessera run --help'"
#define MAIN_HELP "see 'tessera --help'"

static int usage(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int usage(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return CLI_USAGE_STATUS;
}

/* One run setting: the flag's text if given, else the variable's. */
typedef struct setting {
    const char *flag;  /* "--chunk-size" */
    const char *env;   /* "TESSERA_CHUNK_SIZE" */
    const char *value; /* from the flag, or NULL */
} setting;

enum {
    CHUNK_SIZE,
    MEMORY,
    THREADS,
    SPILL_DIR,
    SEED,
    REPORT,
    METRICS,
    PROGRESS,
    STYLE,
    QUIET, /* from here on: flags without a value */
    DRY_RUN,
    RESUME,
    NSETTINGS
};

static bool parse_size(const char *text, int64_t *out)
{
    return ts_parse_nbytes(text, out) == TS_OK && *out > 0;
}

static bool parse_threads(const char *text, int *out)
{
    char *end = NULL;
    if (*text < '0' || *text > '9')
        return false;
    long v = strtol(text, &end, 10);
    if (*end != '\0' || v < 1 || v > TS_MAX_THREADS_PER_RANK)
        return false;
    *out = (int)v;
    return true;
}

static bool parse_seed(const char *text, uint64_t *out)
{
    char *end = NULL;
    if (*text < '0' || *text > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

static bool parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = true;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (strcmp(text, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_style(const char *text, int *out)
{
    static const char *const names[] = {"auto", "bar", "lines"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

static bool parse_seconds(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v > 0) || v > 1e9)
        return false;
    *out = v;
    return true;
}

/* Applies the settings to cfg; the name in a message is the flag when the
 * value came from it, else the variable. */
static int apply(setting *s, cli_getenv_fn env, void *ud, ts_config *cfg, char *err, size_t errlen)
{
    cli_resources_memory(env, ud, cli_resources_physical_nbytes(), cfg);
    cli_resources_threads(env, ud, cfg);
    cli_resources_spill_dir(env, ud, cfg);
    for (int i = 0; i < NSETTINGS; i++) {
        bool from_flag = s[i].value != NULL;
        const char *text = from_flag ? s[i].value : env(s[i].env, ud);
        const char *name = from_flag ? s[i].flag : s[i].env;
        if (!text || (!from_flag && !*text))
            continue; /* an empty variable counts as unset */
        bool ok = true;
        if (i == CHUNK_SIZE)
            ok = parse_size(text, &cfg->chunk_size_nbytes);
        else if (i == MEMORY) {
            ok = parse_size(text, &cfg->memory_per_rank_nbytes);
            snprintf(cfg->memory_source, sizeof cfg->memory_source, "%s", name);
        } else if (i == THREADS) {
            ok = parse_threads(text, &cfg->threads_per_rank);
            snprintf(cfg->threads_source, sizeof cfg->threads_source, "%s", name);
        } else if (i == SPILL_DIR)
            cfg->spill_dir = text;
        else if (i == RESUME)
            ok = parse_bool(text, &cfg->resume);
        else if (i == SEED)
            ok = cfg->seed_set = parse_seed(text, &cfg->seed);
        else if (i == REPORT)
            cfg->report_path = text;
        else if (i == METRICS)
            cfg->metrics_path = text;
        else if (i == PROGRESS)
            ok = parse_seconds(text, &cfg->progress_interval_s);
        else if (i == STYLE)
            ok = parse_style(text, &cfg->progress_style);
        else if (i == DRY_RUN)
            ok = parse_bool(text, &cfg->dry_run);
        else
            ok = parse_bool(text, &cfg->quiet);
        if (ok)
            continue;
        if (i == STYLE)
            return usage(err, errlen, "tessera: %s expects auto, bar or lines, got '%s'; " RUN_HELP, name,
                         text);
        if (i == PROGRESS)
            return usage(err, errlen, "tessera: %s expects a number of seconds above 0, got '%s'; " RUN_HELP,
                         name, text);
        if (i == SEED)
            return usage(err, errlen, "tessera: %s expects a non-negative integer, got '%s'; " RUN_HELP, name,
                         text);
        if (i == THREADS)
            return usage(err, errlen, "tessera: %s expects a whole number from 1 to %d, got '%s'; " RUN_HELP,
                         name, TS_MAX_THREADS_PER_RANK, text);
        if (i == QUIET || i == DRY_RUN || i == RESUME)
            return usage(err, errlen, "tessera: %s expects 1 or 0, got '%s'; " RUN_HELP, name, text);
        return usage(err, errlen,
                     "tessera: %s expects a positive byte size such as 128MiB or 2GB, got '%s'; " RUN_HELP,
                     name, text);
    }
    return 0;
}

/* "--name=value" or "--name value": returns the value or NULL (then err
 * is set); *i moves past what was used. */
static const char *flag_value(int argc, char *const *argv, int *i, const char *name, char *err, size_t errlen)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (arg[n] == '=')
        return arg + n + 1;
    if (*i + 1 >= argc) {
        usage(err, errlen, "tessera: option '%s' needs a value; " RUN_HELP, name);
        return NULL;
    }
    return argv[++*i];
}

static bool flag_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_run(int argc, char *const *argv, cli_getenv_fn env, void *ud, cli_options *out, char *err,
                     size_t errlen, bool graph)
{
    setting s[NSETTINGS] = {
        [CHUNK_SIZE] = {"--chunk-size", "TESSERA_CHUNK_SIZE", NULL},
        [MEMORY] = {"--memory-per-rank", "TESSERA_MEMORY_PER_RANK", NULL},
        [THREADS] = {"--threads-per-rank", "TESSERA_THREADS_PER_RANK", NULL},
        [SPILL_DIR] = {"--spill-dir", "TESSERA_SPILL_DIR", NULL},
        [SEED] = {"--seed", "TESSERA_SEED", NULL},
        [REPORT] = {"--report", "TESSERA_REPORT", NULL},
        [METRICS] = {"--metrics", "TESSERA_METRICS", NULL},
        [PROGRESS] = {"--progress-interval", "TESSERA_PROGRESS_INTERVAL", NULL},
        [STYLE] = {"--progress", "TESSERA_PROGRESS", NULL},
        [QUIET] = {"--quiet", "TESSERA_QUIET", NULL},
        [DRY_RUN] = {"--dry-run", "TESSERA_DRY_RUN", NULL},
        [RESUME] = {"--resume", "TESSERA_RESUME", NULL},
    };
    int i = 2;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break; /* the script ("-" is not supported, but Lua says so) */
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            out->command = CLI_RUN_HELP;
            return 0;
        }
        if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            s[QUIET].value = "1";
            continue;
        }
        if (strcmp(arg, "--dry-run") == 0) {
            s[DRY_RUN].value = "1";
            continue;
        }
        if (strcmp(arg, "--resume") == 0) {
            s[RESUME].value = "1";
            continue;
        }
        if (graph && (strcmp(arg, "-o") == 0 || flag_is(arg, "--output"))) {
            out->cfg.graph_path = flag_value(argc, argv, &i, arg[1] == 'o' ? "-o" : "--output", err, errlen);
            if (!out->cfg.graph_path)
                return CLI_USAGE_STATUS;
            continue;
        }
        int which = -1;
        for (int k = 0; k < QUIET; k++)
            if (flag_is(arg, s[k].flag))
                which = k;
        if (which < 0 && (flag_is(arg, "--quiet") || flag_is(arg, "--dry-run") || flag_is(arg, "--resume")))
            return usage(err, errlen, "tessera: option '%.*s' takes no value; " RUN_HELP,
                         (int)strcspn(arg, "="), arg);
        if (which < 0)
            return usage(err, errlen, "tessera: unknown option '%s'; " RUN_HELP, arg);
        s[which].value = flag_value(argc, argv, &i, s[which].flag, err, errlen);
        if (!s[which].value)
            return CLI_USAGE_STATUS;
    }
    if (i >= argc)
        return usage(
            err, errlen,
            "tessera: missing the script to run (tessera run [options] SCRIPT [-- ARGS]); " RUN_HELP);
    out->script_index = i;
    out->cfg.script_path = argv[i];
    int next = i + 1;
    /* tessera graph job.lua -o g.dot: the output may follow the script. */
    if (graph && next < argc && (strcmp(argv[next], "-o") == 0 || flag_is(argv[next], "--output"))) {
        out->cfg.graph_path =
            flag_value(argc, argv, &next, argv[next][1] == 'o' ? "-o" : "--output", err, errlen);
        if (!out->cfg.graph_path)
            return CLI_USAGE_STATUS;
        next++;
    }
    out->args_index = next < argc && strcmp(argv[next], "--") == 0 ? next + 1 : next;
    int rc = apply(s, env, ud, &out->cfg, err, errlen);
    if (rc == 0 && graph) {
        if (!out->cfg.graph_path)
            return usage(
                err, errlen,
                "tessera: graph needs an output file (tessera graph SCRIPT -o graph.dot); " MAIN_HELP);
        /* A graph is a dry run that draws each plan. */
        out->cfg.dry_run = true;
        out->cfg.quiet = true;
    }
    return rc;
}

int cli_options_parse(int argc, char *const *argv, cli_getenv_fn env, void *ud, cli_options *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    ts_config_init(&out->cfg);
    out->command = CLI_RUN;
    if (err && errlen)
        err[0] = '\0';
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd)
        return usage(err, errlen, "tessera: missing command (tessera run [options] SCRIPT); " MAIN_HELP);
    if (strcmp(cmd, "run") == 0)
        return parse_run(argc, argv, env, ud, out, err, errlen, false);
    if (strcmp(cmd, "graph") == 0)
        return parse_run(argc, argv, env, ud, out, err, errlen, true);
    if (strcmp(cmd, "info") == 0) {
        if (argc != 3)
            return usage(err, errlen, "tessera: info takes one file (tessera info FILE); " MAIN_HELP);
        out->command = CLI_INFO;
        out->script_index = 2;
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        out->command = CLI_HELP;
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        out->command = CLI_VERSION;
        return 0;
    }
    if (cmd[0] == '-')
        return usage(err, errlen,
                     "tessera: unknown option '%s' (options go after the command: tessera run [options] "
                     "SCRIPT); " MAIN_HELP,
                     cmd);
    return usage(err, errlen,
                 "tessera: unknown command '%s' (expected run, graph, info, --help or --version); " MAIN_HELP,
                 cmd);
}

bool cli_options_is_rank0(cli_getenv_fn env, void *ud)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = env(vars[i], ud);
        if (v && *v)
            return strcmp(v, "0") == 0;
    }
    return true;
}

void cli_options_print_help(FILE *out)
{
    fputs("usage: tessera <command> [options]\n"
          "\n"
          "Chunked N-d array computing for MPI clusters: a Lua script builds arrays\n"
          "with require \"tessera\" and tessera computes them on every rank.\n"
          "\n"
          "commands:\n"
          "  run [options] SCRIPT [-- ARGS]  run a Lua script (see 'tessera run --help')\n"
          "  graph [options] SCRIPT -o FILE  write the planned graph of every compute and store\n"
          "                                  of SCRIPT as Graphviz DOT, without running them\n"
          "  info FILE                       list the datasets of an HDF5/netCDF-4 file: shape,\n"
          "                                  dtype, chunks, compression, attributes, and whether\n"
          "                                  tessera finished writing them\n"
          "  --help                          show this overview\n"
          "  --version                       show the versions of tessera, Lua, MPI, HDF5\n"
          "\n"
          "examples:\n"
          "  tessera run job.lua\n"
          "  mpirun -np 4 tessera run --memory-per-rank 4GiB job.lua -- input.h5\n"
          "  srun tessera run job.lua\n",
          out);
}

void cli_options_print_run_help(FILE *out)
{
    ts_config d;
    ts_config_init(&d);
    char chunk[32];
    ts_format_nbytes(d.chunk_size_nbytes, chunk, sizeof chunk);
    fprintf(out,
            "usage: tessera run [options] SCRIPT [--] [ARGS...]\n"
            "\n"
            "Runs the Lua script SCRIPT on rank 0; the other ranks execute the work it\n"
            "computes. ARGS reach the script as arg[1..n] (arg[0] is SCRIPT) and as '...'.\n"
            "Options come before SCRIPT. Each can also be set by an environment variable;\n"
            "a flag overrides its variable.\n"
            "\n"
            "options:\n"
            "  --chunk-size SIZE       target size of 'auto' chunks (default %s)\n"
            "                          env TESSERA_CHUNK_SIZE\n"
            "  --memory-per-rank SIZE  memory budget of each rank; default: from SLURM\n"
            "                          (SLURM_MEM_PER_CPU x CPUs per task, or\n"
            "                          SLURM_MEM_PER_NODE / tasks on the node), else 80%% of\n"
            "                          the node's memory / ranks on the node\n"
            "                          env TESSERA_MEMORY_PER_RANK\n"
            "  --threads-per-rank N    threads that run each worker's tasks; default:\n"
            "                          SLURM_CPUS_PER_TASK, else OMP_NUM_THREADS, else 1\n"
            "                          env TESSERA_THREADS_PER_RANK\n"
            "  --spill-dir DIR         where rechunks too big for the ranks' memory stage\n"
            "                          through a temporary HDF5 file; default: SLURM_TMPDIR,\n"
            "                          else TMPDIR, else /tmp  env TESSERA_SPILL_DIR\n"
            "  --resume                stores skip the chunks that an interrupted run of the\n"
            "                          same script already wrote (a requeued SLURM job,\n"
            "                          SLURM_RESTART_COUNT > 0, resumes by itself)\n"
            "                          env TESSERA_RESUME=1\n"
            "  --seed N                seed of random arrays made without a seed option\n"
            "                          (default: a fresh seed per run, shown in the banner;\n"
            "                          under SLURM one of the job and step, so a requeued\n"
            "                          job draws the same numbers) env TESSERA_SEED\n"
            "  --report FILE           write a self-contained HTML performance report (task\n"
            "                          stream, memory, bytes moved, plan); rewritten every few\n"
            "                          seconds while the job runs (default none)\n"
            "                          env TESSERA_REPORT\n"
            "  --metrics FILE          the same figures as JSON (default none)\n"
            "                          env TESSERA_METRICS\n"
            "  --progress-interval S   seconds between progress lines when stderr is not a\n"
            "                          terminal, as in a batch log (default 10; a terminal\n"
            "                          gets a live bar) env TESSERA_PROGRESS_INTERVAL\n"
            "  --progress STYLE        auto: a live bar when stderr is a terminal, else lines;\n"
            "                          bar or lines to choose (under mpirun, stderr is never a\n"
            "                          terminal: use bar there) env TESSERA_PROGRESS\n"
            "  --dry-run               print the plan of every compute and store instead of\n"
            "                          running it (results are zeros) env TESSERA_DRY_RUN=1\n"
            "  -q, --quiet             no banner, progress or summary on stderr (default off)\n"
            "                          env TESSERA_QUIET=1\n"
            "  -h, --help              show this help\n"
            "\n"
            "SIZE is a byte count as Dask writes it: 4096, 512KiB, 128MiB, 2GiB (powers of\n"
            "1024) or 500kB, 2G, 1.5GB (powers of 1000).\n"
            "SIGTERM, SIGINT or SIGUSR1 (to every rank, or to mpirun, which forwards SIGUSR1)\n"
            "stops the run: no task starts, what was stored is flushed and recorded, and the\n"
            "run ends with status 75; run it again with --resume to finish it.\n"
            "Exit status: 0 on success, 1 if the script failed, 2 for a usage error, 75 if\n"
            "stopped by a signal (resume it).\n",
            chunk);
}
