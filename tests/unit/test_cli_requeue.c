/* test_cli_requeue.c — what a SLURM job that may be requeued gets from its
 * environment: SLURM_RESTART_COUNT > 0 turns resume on (unless --resume or
 * TESSERA_RESUME decided), and an unseeded run takes a seed of its job and
 * step, the same every time for the same ids and different for others.
 * The CLI's sources are compiled in (the CLI is not part of tessera_core). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.c"
#include "cli/requeue.c"
#include "cli/resources.c"

static const char *fake_env(const char *name, void *ud)
{
    const char *const *kv = ud;
    for (int i = 0; kv && kv[i]; i += 2)
        if (strcmp(kv[i], name) == 0)
            return kv[i + 1];
    return NULL;
}

/* Parses "tessera run [flag] job.lua" in env, then applies requeue. */
static cli_options requeue_run(const char *const *env, const char *flag)
{
    cli_options o;
    char err[512];
    char *argv[] = {"tessera", "run", (char *)(flag ? flag : "job.lua"), "job.lua", NULL};
    int argc = flag ? 4 : 3;
    ck_assert_int_eq(cli_options_parse(argc, argv, fake_env, (void *)env, &o, err, sizeof err), 0);
    cli_requeue_apply(fake_env, (void *)env, &o.cfg);
    return o;
}

START_TEST(a_requeued_job_resumes)
{
    const char *none[] = {NULL};
    const char *first[] = {"SLURM_RESTART_COUNT", "0", NULL};
    const char *again[] = {"SLURM_RESTART_COUNT", "2", NULL};
    const char *refused[] = {"SLURM_RESTART_COUNT", "1", "TESSERA_RESUME", "0", NULL};
    ck_assert(!requeue_run(none, NULL).cfg.resume);
    ck_assert(!requeue_run(first, NULL).cfg.resume);
    ck_assert(requeue_run(again, NULL).cfg.resume);
    ck_assert(!requeue_run(refused, NULL).cfg.resume);
    ck_assert(requeue_run(none, "--resume").cfg.resume);
}
END_TEST

START_TEST(an_unseeded_slurm_run_takes_the_seed_of_its_job_and_step)
{
    const char *job[] = {"SLURM_JOB_ID", "4242", "SLURM_STEP_ID", "0", NULL};
    const char *requeued[] = {"SLURM_JOB_ID", "4242", "SLURM_STEP_ID", "0", "SLURM_RESTART_COUNT", "1", NULL};
    const char *step1[] = {"SLURM_JOB_ID", "4242", "SLURM_STEP_ID", "1", NULL};
    const char *other[] = {"SLURM_JOB_ID", "4243", "SLURM_STEP_ID", "0", NULL};
    const char *given[] = {"SLURM_JOB_ID", "4242", "TESSERA_SEED", "7", NULL};
    const char *none[] = {NULL};
    cli_options a = requeue_run(job, NULL), b = requeue_run(requeued, NULL);
    ck_assert(a.cfg.seed_set && b.cfg.seed_set);
    ck_assert_uint_eq(a.cfg.seed, b.cfg.seed);
    ck_assert_uint_eq(a.cfg.seed, cli_requeue_seed("4242", "0"));
    ck_assert_uint_lt(a.cfg.seed, 1000000000000ull);
    ck_assert_uint_ne(a.cfg.seed, requeue_run(step1, NULL).cfg.seed);
    ck_assert_uint_ne(a.cfg.seed, requeue_run(other, NULL).cfg.seed);
    ck_assert_uint_eq(requeue_run(given, NULL).cfg.seed, 7);
    ck_assert_uint_eq(requeue_run(job, "--seed=9").cfg.seed, 9);
    ck_assert(!requeue_run(none, NULL).cfg.seed_set); /* outside SLURM: drawn afresh at start */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_requeue");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, a_requeued_job_resumes);
    tcase_add_test(tc, an_unseeded_slurm_run_takes_the_seed_of_its_job_and_step);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
