/* resources.h — defaults of a rank's memory budget, threads and spill
 * directory taken from the batch system or the machine, each with the name
 * of its source. Local; called by the option parser only for settings that
 * no flag or TESSERA_* variable gave. */
#ifndef TS_CLI_RESOURCES_H
#define TS_CLI_RESOURCES_H

#include <stdint.h>

#include "cli/options.h"

/* SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK, else SLURM_MEM_PER_NODE / tasks
 * on this node, else 80% of phys_nbytes / ranks on this node (no change if
 * phys_nbytes is 0). Sets memory_per_rank_nbytes and memory_source. */
void cli_resources_memory(cli_getenv_fn env, void *ud, int64_t phys_nbytes, ts_config *cfg);

/* SLURM_CPUS_PER_TASK, else OMP_NUM_THREADS; else threads stay as they are. */
void cli_resources_threads(cli_getenv_fn env, void *ud, ts_config *cfg);

/* SLURM_TMPDIR, else TMPDIR; else spill_dir stays as it is. */
void cli_resources_spill_dir(cli_getenv_fn env, void *ud, ts_config *cfg);

/* The tasks on node `node` of a SLURM list such as "2(x3),1"; 0 if unreadable. */
int64_t cli_resources_tasks_on_node(const char *list, int64_t node);

/* The machine's physical memory in bytes, or 0 if unknown. */
int64_t cli_resources_physical_nbytes(void);

#endif
