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

/* Full stack unwinding at every allocation: Open MPI's libraries have no
 * frame pointers, so the fast unwinder stops inside them and leaks of MPI
 * internals could not be matched by lsan.supp. The fuzz harnesses never
 * start MPI and run twice as many inputs with the fast one. exitcode 86
 * keeps a sanitizer report apart from tessera's failure statuses (1, 2). */
#ifdef TESSERA_FUZZ_HARNESS
#define UNWIND "fast_unwind_on_malloc=1"
#else
#define UNWIND "fast_unwind_on_malloc=0"
#endif
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return UNWIND ":exitcode=86"; }

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

/* MPI_Finalize unloads Open MPI's components (dlclose). What they
 * allocated and never freed then has only unknown modules on top of its
 * stack, and LSan's search for each such frame costs about 2 s per process
 * at exit (every test launches hundreds). Loading every component first
 * with RTLD_NODELETE keeps them mapped: their memory stays reachable from
 * their globals, as it is in a normal build, and the rest is named.
 * TESSERA_MPI_COMPONENT_DIR is Open MPI's pkglibdir ("" for other MPIs). */
#ifndef TESSERA_FUZZ_HARNESS /* the harnesses never start MPI */
__attribute__((constructor)) static void keep_mpi_components(void)
{
    glob_t g;
    if (TESSERA_MPI_COMPONENT_DIR[0] == '\0' || glob(TESSERA_MPI_COMPONENT_DIR "/mca_*.so", 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++)
        dlopen(g.gl_pathv[i], RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE); /* a component that fails is skipped */
    globfree(&g);
}
#endif
