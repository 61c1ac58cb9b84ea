/* requeue.h — what a SLURM job needs to pick up where an interrupted run
 * of it stopped: a requeued job (SLURM_RESTART_COUNT > 0) resumes its
 * stores, and a run given no seed takes one from its job and step, which
 * stay the same when the job is requeued, so the resumed run draws the
 * same random numbers. Local, over the environment it is given. */
#ifndef TS_CLI_REQUEUE_H
#define TS_CLI_REQUEUE_H

#include "cli/options.h"

/* Sets cfg->resume when SLURM_RESTART_COUNT > 0, unless --resume or
 * TESSERA_RESUME decided; sets cfg->seed from SLURM_JOB_ID and
 * SLURM_STEP_ID when no --seed or TESSERA_SEED was given. */
void cli_requeue_apply(cli_getenv_fn env, void *ud, ts_config *cfg);

/* The seed of a job and step (as cli_requeue_apply derives it). */
uint64_t cli_requeue_seed(const char *job_id, const char *step_id);

#endif
