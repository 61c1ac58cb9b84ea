/* test_cli_options.c — the `tessera` command line: commands, run options
 * from flags and TESSERA_* variables (flags win), script arguments, and the
 * usage errors. The parser's source is compiled into this test (the test
 * links only tessera_core, and the CLI is not part of it). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.c"
#include "cli/resources.c"

#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define ERRLEN 512

/* PARSE(env, args...) parses "tessera args..." into the test's opts and err. */

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_env(const char *name, void *ud)
{
    const char *const *kv = ud;
    for (int i = 0; kv && kv[i]; i += 2)
        if (strcmp(kv[i], name) == 0)
            return kv[i + 1];
    return NULL;
}

static int parse_env(const char *const *env, int argc, char **argv, cli_options *opts, char *err)
{
    return cli_options_parse(argc, argv, fake_env, (void *)env, opts, err, ERRLEN);
}

#define ARGV(...) ((char *[]){"tessera", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof ARGV(__VA_ARGS__) / sizeof(char *)) - 1)
#define PARSE(env, ...) parse_env(env, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &opts, err)

START_TEST(defaults_come_from_ts_config_init)
{
    cli_options opts;
    char err[ERRLEN];
    ts_config d;
    ts_config_init(&d);
    ck_assert_int_eq(PARSE(NULL, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.command, CLI_RUN);
    ck_assert_str_eq(opts.cfg.script_path, "job.lua");
    ck_assert_int_eq(opts.script_index, 2);
    ck_assert_int_eq(opts.args_index, 3);
    ck_assert_int_eq(opts.cfg.chunk_size_nbytes, d.chunk_size_nbytes);
    /* Without SLURM, a share of the machine: 80% of its memory / ranks here. */
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, cli_resources_physical_nbytes() / 5 * 4);
    ck_assert_ptr_nonnull(strstr(opts.cfg.memory_source, "physical memory / 1 rank on the node"));
    ck_assert_int_eq(opts.cfg.threads_per_rank, 1);
    ck_assert_str_eq(opts.cfg.spill_dir, d.spill_dir);
    ck_assert(!opts.cfg.resume);
    ck_assert(!opts.cfg.seed_set);
    ck_assert(!opts.cfg.quiet);
}
END_TEST

START_TEST(flags_set_the_config)
{
    cli_options opts;
    char err[ERRLEN];
    ck_assert_int_eq(PARSE(NULL, "run", "--chunk-size", "64MiB", "--memory-per-rank=2GiB", "--seed", "42",
                           "-q", "job.lua"),
                     0);
    ck_assert_int_eq(opts.cfg.chunk_size_nbytes, 64 * MiB);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, 2 * GiB);
    ck_assert(opts.cfg.seed_set);
    ck_assert_uint_eq(opts.cfg.seed, 42);
    ck_assert(opts.cfg.quiet);
    ck_assert_int_eq(opts.script_index, 8);
}
END_TEST

START_TEST(seed_takes_the_whole_uint64_range)
{
    cli_options opts;
    char err[ERRLEN];
    ck_assert_int_eq(PARSE(NULL, "run", "--seed=18446744073709551615", "job.lua"), 0);
    ck_assert_uint_eq(opts.cfg.seed, UINT64_MAX);
    ck_assert_int_eq(PARSE(NULL, "run", "--seed=18446744073709551616", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_ptr_nonnull(strstr(err, "--seed expects a non-negative integer, got '18446744073709551616'"));
}
END_TEST

START_TEST(environment_fills_what_flags_leave)
{
    cli_options opts;
    char err[ERRLEN];
    const char *env[] = {"TESSERA_CHUNK_SIZE",
                         "32MiB",
                         "TESSERA_MEMORY_PER_RANK",
                         "3GiB",
                         "TESSERA_SEED",
                         "7",
                         "TESSERA_QUIET",
                         "1",
                         NULL};
    ck_assert_int_eq(PARSE(env, "run", "--memory-per-rank", "512MiB", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.chunk_size_nbytes, 32 * MiB);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, 512 * MiB);
    ck_assert_uint_eq(opts.cfg.seed, 7);
    ck_assert(opts.cfg.seed_set && opts.cfg.quiet);
}
END_TEST

START_TEST(a_flag_hides_a_bad_variable)
{
    cli_options opts;
    char err[ERRLEN];
    const char *env[] = {"TESSERA_CHUNK_SIZE", "lots", NULL};
    ck_assert_int_eq(PARSE(env, "run", "--chunk-size", "1MiB", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.chunk_size_nbytes, MiB);
    ck_assert_int_eq(PARSE(env, "run", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: TESSERA_CHUNK_SIZE expects a positive byte size such as 128MiB or 2GB, "
                          "got 'lots'; see 'tessera run --help'");
}
END_TEST

START_TEST(quiet_and_empty_variables)
{
    cli_options opts;
    char err[ERRLEN];
    const char *off[] = {"TESSERA_QUIET", "0", NULL};
    ck_assert_int_eq(PARSE(off, "run", "job.lua"), 0);
    ck_assert(!opts.cfg.quiet);
    const char *empty[] = {"TESSERA_SEED", "", "TESSERA_CHUNK_SIZE", "", NULL};
    ck_assert_int_eq(PARSE(empty, "run", "job.lua"), 0);
    ck_assert(!opts.cfg.seed_set);
    ck_assert_int_eq(PARSE(NULL, "run", "--seed=", "job.lua"), CLI_USAGE_STATUS);
    const char *bad[] = {"TESSERA_QUIET", "maybe", NULL};
    ck_assert_int_eq(PARSE(bad, "run", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: TESSERA_QUIET expects 1 or 0, got 'maybe'; see 'tessera run --help'");
}
END_TEST

START_TEST(usage_errors_name_the_option)
{
    cli_options opts;
    char err[ERRLEN];
    ck_assert_int_eq(PARSE(NULL, "run", "--chunksize", "1MiB", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: unknown option '--chunksize'; see 'tessera run --help'");
    ck_assert_int_eq(PARSE(NULL, "run", "job.lua", "--seed"), 0); /* after SCRIPT: the script's */
    ck_assert_int_eq(PARSE(NULL, "run", "--seed"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: option '--seed' needs a value; see 'tessera run --help'");
    ck_assert_int_eq(PARSE(NULL, "run", "--seed", "-3", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err,
                     "tessera: --seed expects a non-negative integer, got '-3'; see 'tessera run --help'");
    ck_assert_int_eq(PARSE(NULL, "run", "--chunk-size=0", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_ptr_nonnull(strstr(err, "--chunk-size expects a positive byte size"));
    ck_assert_int_eq(PARSE(NULL, "run", "--memory-per-rank", "1XB", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_ptr_nonnull(
        strstr(err, "--memory-per-rank expects a positive byte size such as 128MiB or 2GB, got '1XB'"));
    ck_assert_int_eq(PARSE(NULL, "run", "--quiet=1", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: option '--quiet' takes no value; see 'tessera run --help'");
    ck_assert_int_eq(PARSE(NULL, "run", "--quiet"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: missing the script to run (tessera run [options] SCRIPT [-- ARGS]); "
                          "see 'tessera run --help'");
}
END_TEST

START_TEST(memory_from_slurm_and_launchers)
{
    cli_options opts;
    char err[ERRLEN];
    const char *per_cpu[] = {"SLURM_MEM_PER_CPU", "300", "SLURM_CPUS_PER_TASK", "2", NULL};
    ck_assert_int_eq(PARSE(per_cpu, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, 600 * MiB);
    ck_assert_str_eq(opts.cfg.memory_source, "SLURM_MEM_PER_CPU=300 x 2 CPUs per task");
    /* SLURM_CPUS_PER_TASK also sets the threads. */
    ck_assert_int_eq(opts.cfg.threads_per_rank, 2);
    ck_assert_str_eq(opts.cfg.threads_source, "SLURM_CPUS_PER_TASK");

    const char *per_node[] = {
        "SLURM_MEM_PER_NODE", "1024", "SLURM_TASKS_PER_NODE", "4(x2),2", "SLURM_NODEID", "2", NULL};
    ck_assert_int_eq(PARSE(per_node, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, 512 * MiB);
    ck_assert_str_eq(opts.cfg.memory_source, "SLURM_MEM_PER_NODE=1024 / 2 tasks on the node");

    /* The flag and the variable win over SLURM. */
    ck_assert_int_eq(PARSE(per_cpu, "run", "--memory-per-rank", "256MiB", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, 256 * MiB);
    ck_assert_str_eq(opts.cfg.memory_source, "--memory-per-rank");
    const char *both[] = {"SLURM_MEM_PER_CPU", "300", "TESSERA_MEMORY_PER_RANK", "1GiB", NULL};
    ck_assert_int_eq(PARSE(both, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, GiB);
    ck_assert_str_eq(opts.cfg.memory_source, "TESSERA_MEMORY_PER_RANK");

    const char *mpirun[] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "4", NULL};
    ck_assert_int_eq(PARSE(mpirun, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, cli_resources_physical_nbytes() / 5 * 4 / 4);
    /* srun --mpi=pmix without a memory limit: SLURM's step says who shares the node. */
    const char *srun[] = {"SLURM_STEP_TASKS_PER_NODE", "3", "SLURM_NODEID", "0", NULL};
    ck_assert_int_eq(PARSE(srun, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.memory_per_rank_nbytes, cli_resources_physical_nbytes() / 5 * 4 / 3);
    ck_assert_ptr_nonnull(strstr(opts.cfg.memory_source, "physical memory / 3 ranks on the node"));

    ck_assert_int_eq(cli_resources_tasks_on_node("2(x3),1", 0), 2);
    ck_assert_int_eq(cli_resources_tasks_on_node("2(x3),1", 3), 1);
    ck_assert_int_eq(cli_resources_tasks_on_node("2(x3),1", 4), 0);
    ck_assert_int_eq(cli_resources_tasks_on_node("x", 0), 0);
}
END_TEST

START_TEST(threads_spill_dir_and_resume)
{
    cli_options opts;
    char err[ERRLEN];
    const char *omp[] = {"OMP_NUM_THREADS", "3", "SLURM_TMPDIR", "/scratch/job", "TMPDIR", "/tmp/x", NULL};
    ck_assert_int_eq(PARSE(omp, "run", "job.lua"), 0);
    ck_assert_int_eq(opts.cfg.threads_per_rank, 3);
    ck_assert_str_eq(opts.cfg.threads_source, "OMP_NUM_THREADS");
    ck_assert_str_eq(opts.cfg.spill_dir, "/scratch/job");
    ck_assert_int_eq(PARSE(omp, "run", "--threads-per-rank=2", "--spill-dir", "/d", "--resume", "job.lua"),
                     0);
    ck_assert_int_eq(opts.cfg.threads_per_rank, 2);
    ck_assert_str_eq(opts.cfg.threads_source, "--threads-per-rank");
    ck_assert_str_eq(opts.cfg.spill_dir, "/d");
    ck_assert(opts.cfg.resume);
    const char *tmp[] = {"TMPDIR", "/tmp/x", "TESSERA_RESUME", "1", NULL};
    ck_assert_int_eq(PARSE(tmp, "run", "job.lua"), 0);
    ck_assert_str_eq(opts.cfg.spill_dir, "/tmp/x");
    ck_assert(opts.cfg.resume);

    ck_assert_int_eq(PARSE(NULL, "run", "--threads-per-rank", "0", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: --threads-per-rank expects a whole number from 1 to 256, got '0'; see "
                          "'tessera run --help'");
    const char *bad[] = {"TESSERA_THREADS_PER_RANK", "many", NULL};
    ck_assert_int_eq(PARSE(bad, "run", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_ptr_nonnull(strstr(err, "TESSERA_THREADS_PER_RANK expects a whole number"));
    ck_assert_int_eq(PARSE(NULL, "run", "--resume=1", "job.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: option '--resume' takes no value; see 'tessera run --help'");
}
END_TEST

START_TEST(commands)
{
    cli_options opts;
    char err[ERRLEN];
    ck_assert_int_eq(PARSE(NULL, "--help"), 0);
    ck_assert_int_eq(opts.command, CLI_HELP);
    ck_assert_int_eq(PARSE(NULL, "--version"), 0);
    ck_assert_int_eq(opts.command, CLI_VERSION);
    ck_assert_int_eq(PARSE(NULL, "run", "--seed", "1", "--help"), 0);
    ck_assert_int_eq(opts.command, CLI_RUN_HELP);
    ck_assert_int_eq(PARSE(NULL, "jog", "x.lua"), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: unknown command 'jog' (expected run, graph, info, --help or --version); "
                          "see 'tessera --help'");
    char *only[] = {"tessera", NULL};
    ck_assert_int_eq(parse_env(NULL, 1, only, &opts, err), CLI_USAGE_STATUS);
    ck_assert_str_eq(err, "tessera: missing command (tessera run [options] SCRIPT); see 'tessera --help'");
}
END_TEST

START_TEST(script_arguments)
{
    cli_options opts;
    char err[ERRLEN];
    ck_assert_int_eq(PARSE(NULL, "run", "job.lua", "--", "a", "b"), 0);
    ck_assert_int_eq(opts.script_index, 2);
    ck_assert_int_eq(opts.args_index, 4);
    ck_assert_int_eq(PARSE(NULL, "run", "job.lua", "a", "--quiet"), 0);
    ck_assert_int_eq(opts.args_index, 3);
    ck_assert(!opts.cfg.quiet);
    ck_assert_int_eq(PARSE(NULL, "run", "-q", "--", "-odd.lua", "x"), 0);
    ck_assert_int_eq(opts.script_index, 4);
    ck_assert_str_eq(opts.cfg.script_path, "-odd.lua");
    ck_assert_int_eq(opts.args_index, 5);
}
END_TEST

START_TEST(rank0_from_launcher_variables)
{
    ck_assert(cli_options_is_rank0(fake_env, NULL));
    const char *ompi1[] = {"OMPI_COMM_WORLD_RANK", "1", NULL};
    ck_assert(!cli_options_is_rank0(fake_env, (void *)ompi1));
    const char *slurm0[] = {"SLURM_PROCID", "0", NULL};
    ck_assert(cli_options_is_rank0(fake_env, (void *)slurm0));
    const char *pmix2[] = {"PMIX_RANK", "2", "SLURM_PROCID", "0", NULL};
    ck_assert(!cli_options_is_rank0(fake_env, (void *)pmix2));
}
END_TEST

static Suite *cli_options_suite(void)
{
    Suite *s = suite_create("cli_options");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, defaults_come_from_ts_config_init);
    tcase_add_test(tc, flags_set_the_config);
    tcase_add_test(tc, seed_takes_the_whole_uint64_range);
    tcase_add_test(tc, environment_fills_what_flags_leave);
    tcase_add_test(tc, a_flag_hides_a_bad_variable);
    tcase_add_test(tc, quiet_and_empty_variables);
    tcase_add_test(tc, usage_errors_name_the_option);
    tcase_add_test(tc, memory_from_slurm_and_launchers);
    tcase_add_test(tc, threads_spill_dir_and_resume);
    tcase_add_test(tc, commands);
    tcase_add_test(tc, script_arguments);
    tcase_add_test(tc, rank0_from_launcher_variables);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_options_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
