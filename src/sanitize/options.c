/* options.c — the sanitizer runtimes' defaults in a TESSERA_SANITIZE build,
 * compiled into every executable (tessera, the unit tests, benchmarks and
 * fuzz harnesses), so ctest, mpirun and a plain shell all run with them and
 * no environment needs setting up. ASAN_OPTIONS, UBSAN_OPTIONS and
 * LSAN_OPTIONS still override any of them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NODELETE */
#endif
#include <dlfcn.h>
#include <glob.h>
#include <stddef.h>
#include <string.h>

/* exitcode 86 keeps a sanitizer report apart from tessera's failure
 * statuses (1, 2). The fast (frame pointer) unwinder records allocation
 * stacks: the full one costs six times the CPU of a whole run, most of it
 * in MPI_Init's allocations. Open MPI's libraries have no frame pointers,
 * so a stack recorded inside them may stop after its first frame; that
 * frame still names the library, which is what lsan.supp matches. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=1:exitcode=86"; }

/* UBSan only prints and goes on unless told to stop: a test must fail. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1:exitcode=86"; }

/* Leaks of MPI, hwloc and fontconfig internals (each line justified in the
 * file); TESSERA_LSAN_SUPPRESSIONS is the file's path in the source tree.
 * Without print_suppressions=0 every rank would print the suppressions it
 * used on stderr, which a --quiet run must keep empty. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "suppressions=" TESSERA_LSAN_SUPPRESSIONS ":print_suppressions=0:exitcode=86";
}

/* MPI_Finalize unloads Open MPI's components (dlclose), and hwloc unloads
 * its plugins (with libxml2 and the rest they pulled in) when Open MPI
 * destroys its topology. What they allocated and never freed then has only
 * unknown modules on top of its stack, which no suppression can name.
 * Loading every such plugin first with RTLD_NODELETE keeps them mapped:
 * their memory stays reachable from their globals, as it is in a normal
 * build, and the rest is named. TESSERA_PLUGIN_GLOBS holds the plugin
 * patterns of Open MPI, PMIx and hwloc, separated by ':' ("" when none
 * were found: another MPI). */
#ifndef TESSERA_FUZZ_HARNESS /* the harnesses never start MPI */
__attribute__((constructor)) static void keep_plugins_loaded(void)
{
    const char *patterns = TESSERA_PLUGIN_GLOBS;
    char pattern[4096];
    while (*patterns) {
        size_t n = strcspn(patterns, ":");
        if (n > 0 && n < sizeof pattern) {
            memcpy(pattern, patterns, n);
            pattern[n] = '\0';
            glob_t g;
            if (glob(pattern, 0, NULL, &g) == 0) {
                for (size_t i = 0; i < g.gl_pathc; i++)
                    dlopen(g.gl_pathv[i],
                           RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE); /* one that fails is skipped */
                globfree(&g);
            }
        }
        patterns += n + (patterns[n] == ':');
    }
}
#endif
