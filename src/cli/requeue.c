/* requeue.c — resume and seed of SLURM jobs that may be requeued. A run's
 * seed is normally drawn afresh; under SLURM it is instead a hash of the
 * job and step ids: still different for every job and step, but the same
 * for a requeued job, whose ids do not change. */
#include "cli/requeue.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix_text(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t cli_requeue_seed(const char *job_id, const char *step_id)
{
    uint64_t h = mix_text(mix_text(0xcbf29ce484222325ull, job_id), ".");
    h = mix_text(h, step_id ? step_id : "");
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    /* Seeds print in decimal; keep them as short as drawn ones. */
    return h % 1000000000000ull;
}

void cli_requeue_apply(cli_getenv_fn env, void *ud, ts_config *cfg)
{
    const char *restarts = env("SLURM_RESTART_COUNT", ud);
    const char *said = env("TESSERA_RESUME", ud);
    if (!cfg->resume && (!said || !*said) && restarts && atoi(restarts) > 0)
        cfg->resume = true;
    const char *job = env("SLURM_JOB_ID", ud);
    if (!cfg->seed_set && job && *job) {
        cfg->seed = cli_requeue_seed(job, env("SLURM_STEP_ID", ud));
        cfg->seed_set = true;
    }
}
