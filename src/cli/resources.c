/* resources.c — what a rank may use when no flag or TESSERA_* variable says:
 * the memory budget from SLURM's allocation, else a share of the node's
 * physical memory; threads from SLURM's CPUs per task, else OMP_NUM_THREADS;
 * the spill directory from SLURM_TMPDIR, else TMPDIR. Each result names its
 * source, which the banner prints, so a user can see why a budget is what
 * it is. Local and pure over the environment it is given. */
#include "cli/resources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1024LL * 1024)

/* A positive integer, or 0 when text is absent or not one. */
static int64_t positive(const char *text)
{
    if (!text || *text < '0' || *text > '9')
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    /* SLURM writes memory in MiB, sometimes with an "M" suffix. */
    if (errno != 0 || (*end != '\0' && strcmp(end, "M") != 0) || v <= 0)
        return 0;
    return v;
}

/* The count of tasks on node `node` in SLURM's compressed list, such as
 * "2(x3),1" (nodes 0-2 run 2 tasks, node 3 runs 1); 0 if unreadable. */
int64_t cli_resources_tasks_on_node(const char *list, int64_t node)
{
    if (!list)
        return 0;
    const char *p = list;
    while (*p) {
        char *end;
        long long count = strtoll(p, &end, 10);
        if (end == p || count <= 0)
            return 0;
        long long repeat = 1;
        if (end[0] == '(' && end[1] == 'x') {
            repeat = strtoll(end + 2, &end, 10);
            if (repeat <= 0 || *end != ')')
                return 0;
            end++;
        }
        if (node < repeat)
            return count;
        node -= repeat;
        if (*end != ',')
            return 0;
        p = end + 1;
    }
    return 0;
}

static int64_t tasks_here(cli_getenv_fn env, void *ud)
{
    int64_t per_node = positive(env("SLURM_NTASKS_PER_NODE", ud));
    if (per_node)
        return per_node;
    int64_t node = positive(env("SLURM_NODEID", ud));
    const char *lists[] = {"SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE"};
    for (int i = 0; i < 2; i++) {
        int64_t n = cli_resources_tasks_on_node(env(lists[i], ud), node);
        if (n)
            return n;
    }
    return 0; /* not under SLURM */
}

static int64_t ranks_here(cli_getenv_fn env, void *ud)
{
    const char *vars[] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "PMIX_LOCAL_SIZE", "MPI_LOCALNRANKS"};
    for (int i = 0; i < 3; i++) {
        int64_t n = positive(env(vars[i], ud));
        if (n)
            return n;
    }
    /* srun --mpi=pmix sets none of those, but SLURM says how many tasks
     * of the step share the node. */
    int64_t n = tasks_here(env, ud);
    return n ? n : 1;
}

void cli_resources_memory(cli_getenv_fn env, void *ud, int64_t phys_nbytes, ts_config *cfg)
{
    int64_t per_cpu = positive(env("SLURM_MEM_PER_CPU", ud));
    int64_t per_node = positive(env("SLURM_MEM_PER_NODE", ud));
    if (per_cpu) {
        int64_t cpus = positive(env("SLURM_CPUS_PER_TASK", ud));
        cpus = cpus ? cpus : 1;
        cfg->memory_per_rank_nbytes = per_cpu * cpus * MiB;
        snprintf(cfg->memory_source, sizeof cfg->memory_source,
                 "SLURM_MEM_PER_CPU=%lld x %lld CPU%s per task", (long long)per_cpu, (long long)cpus,
                 cpus == 1 ? "" : "s");
        return;
    }
    if (per_node) {
        int64_t tasks = tasks_here(env, ud);
        tasks = tasks ? tasks : 1;
        cfg->memory_per_rank_nbytes = per_node * MiB / tasks;
        snprintf(cfg->memory_source, sizeof cfg->memory_source,
                 "SLURM_MEM_PER_NODE=%lld / %lld task%s on the node", (long long)per_node, (long long)tasks,
                 tasks == 1 ? "" : "s");
        return;
    }
    if (phys_nbytes <= 0)
        return; /* keep ts_config_init's default and its source */
    /* Leave a fifth of the node to the system, the page cache and HDF5. */
    int64_t ranks = ranks_here(env, ud);
    cfg->memory_per_rank_nbytes = phys_nbytes / 5 * 4 / ranks;
    char phys[32];
    ts_format_nbytes(phys_nbytes, phys, sizeof phys);
    snprintf(cfg->memory_source, sizeof cfg->memory_source,
             "80%% of %s physical memory / %lld rank%s on the node", phys, (long long)ranks,
             ranks == 1 ? "" : "s");
}

void cli_resources_threads(cli_getenv_fn env, void *ud, ts_config *cfg)
{
    const char *vars[] = {"SLURM_CPUS_PER_TASK", "OMP_NUM_THREADS"};
    for (int i = 0; i < 2; i++) {
        int64_t n = positive(env(vars[i], ud));
        if (n && n <= TS_MAX_THREADS_PER_RANK) {
            cfg->threads_per_rank = (int)n;
            snprintf(cfg->threads_source, sizeof cfg->threads_source, "%s", vars[i]);
            return;
        }
    }
}

void cli_resources_spill_dir(cli_getenv_fn env, void *ud, ts_config *cfg)
{
    const char *vars[] = {"SLURM_TMPDIR", "TMPDIR"};
    for (int i = 0; i < 2; i++) {
        const char *dir = env(vars[i], ud);
        if (dir && *dir) {
            cfg->spill_dir = dir;
            return;
        }
    }
}

int64_t cli_resources_physical_nbytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (int64_t)pages * page : 0;
}
