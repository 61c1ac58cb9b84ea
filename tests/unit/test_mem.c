/* test_mem.c — the rank's budget pool: it refuses a buffer past the limit
 * minus what is reserved for libraries, says so in the message, gives
 * room back on free; a freed large buffer is reused by the next buffer of
 * its size (no new pages) and leaves the resident set when a buffer of
 * another size, a reservation or the budget needs it (the budget is
 * checked against the kernel's RSS, not malloc's books); with
 * mem_malloc_configure, a large block malloc'd by a library leaves it too. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/mem.h"

#define MiB (INT64_C(1) << 20)

static int64_t rss_nbytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

/* Under ASan or valgrind malloc is theirs (quarantines keep freed blocks). */
static bool own_malloc(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return false;
#endif
#endif
    const char *pre = getenv("LD_PRELOAD");
    return !(pre && strstr(pre, "vgpreload"));
}

START_TEST(test_limit_and_message)
{
    mem_pool m;
    mem_pool_init(&m, 10 * MiB);
    ts_err err;
    err_clear(&err);
    void *a = mem_alloc(&m, 4 * MiB, "a chunk of ones", &err);
    void *b = mem_alloc(&m, 4 * MiB, "a chunk of ones", &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    void *c = mem_alloc(&m, 4 * MiB, "a chunk of ones", &err);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.status, TS_ERR_MEMORY);
    ck_assert_msg(strstr(err.msg, "memory budget exceeded: a chunk of ones needs 4.00 MiB") != NULL, "%s",
                  err.msg);
    ck_assert_msg(strstr(err.msg, "raise --memory-per-rank or use smaller chunks") != NULL, "%s", err.msg);
    mem_free(&m, a);
    err_clear(&err);
    c = mem_alloc(&m, 4 * MiB, "a chunk of ones", &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_ge(atomic_load(&m.peak_nbytes), 8 * MiB);
    mem_free(&m, b);
    mem_free(&m, c);
    ck_assert_int_eq(atomic_load(&m.used_nbytes), 0);
    mem_pool_fini(&m);
}
END_TEST

START_TEST(test_reserve)
{
    mem_pool m;
    mem_pool_init(&m, 10 * MiB);
    ck_assert_int_eq(mem_pool_room(&m), 10 * MiB);
    mem_pool_reserve(&m, 6 * MiB);
    ck_assert_int_eq(mem_pool_room(&m), 4 * MiB);
    ts_err err;
    err_clear(&err);
    ck_assert_ptr_null(mem_alloc(&m, 5 * MiB, "a partial", &err));
    ck_assert_msg(strstr(err.msg, "of this rank's 4.00 MiB for data") != NULL, "%s", err.msg);
    mem_pool_reserve(&m, 0);
    void *p = mem_alloc(&m, 5 * MiB, "a partial", &err);
    ck_assert_ptr_nonnull(p);
    mem_free(&m, p);
    mem_pool_fini(&m);
    mem_pool_init(&m, 0); /* no limit */
    ck_assert_int_eq(mem_pool_room(&m), INT64_MAX);
    mem_pool_fini(&m);
}
END_TEST

START_TEST(test_small_and_large_aligned)
{
    mem_pool m;
    mem_pool_init(&m, 0);
    ts_err err;
    err_clear(&err);
    int64_t sizes[] = {0, 1, 1000, MEM_MAP_MIN_NBYTES - 64, MEM_MAP_MIN_NBYTES, 5 * MiB + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = mem_alloc(&m, sizes[i], "a buffer", &err);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq((uintptr_t)p % 64, 0);
        if (sizes[i])
            memset(p, 0xab, (size_t)sizes[i]);
        mem_free(&m, p);
    }
    ck_assert_int_eq(atomic_load(&m.used_nbytes), 0);
    mem_pool_fini(&m);
}
END_TEST

START_TEST(test_freed_buffer_reused_then_released)
{
    if (!own_malloc()) /* the pool takes buffers from malloc under ASan */
        return;
    mem_pool m;
    mem_pool_init(&m, 0);
    ts_err err;
    err_clear(&err);
    int64_t before = rss_nbytes();
    unsigned char *first = NULL;
    /* The same size again: the kept mapping, its pages already resident. */
    for (int round = 0; round < 3; round++) {
        unsigned char *p = mem_alloc(&m, 48 * MiB, "a chunk", &err);
        ck_assert_ptr_nonnull(p);
        if (round == 0)
            first = p;
        ck_assert_ptr_eq(p, first);
        memset(p, 1, (size_t)(48 * MiB));
        ck_assert_int_ge(rss_nbytes() - before, 40 * MiB);
        ck_assert_msg(rss_nbytes() - before < 56 * MiB, "round %d: %lld bytes resident", round,
                      (long long)(rss_nbytes() - before));
        mem_free(&m, p);
        ck_assert_int_eq(atomic_load(&m.used_nbytes), 0);
    }
    /* Another size: the kept one goes before the new one maps. */
    unsigned char *q = mem_alloc(&m, 8 * MiB, "a partial", &err);
    ck_assert_ptr_nonnull(q);
    ck_assert_msg(rss_nbytes() - before < 8 * MiB, "%lld bytes still resident",
                  (long long)(rss_nbytes() - before));
    mem_free(&m, q);
    mem_pool_trim(&m);
    ck_assert_int_eq(atomic_load(&m.cached_nbytes), 0);
    mem_pool_fini(&m);
}
END_TEST

START_TEST(test_kept_buffers_give_way)
{
    mem_pool m;
    mem_pool_init(&m, 10 * MiB);
    ts_err err;
    err_clear(&err);
    void *a = mem_alloc(&m, 6 * MiB, "a chunk", &err);
    ck_assert_ptr_nonnull(a);
    mem_free(&m, a);
    /* Kept or not, the freed bytes are room: for a buffer ... */
    ck_assert_int_eq(mem_pool_room(&m), 10 * MiB);
    void *b = mem_alloc(&m, 9 * MiB, "a chunk", &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(atomic_load(&m.cached_nbytes), 0);
    mem_free(&m, b);
    /* ... and for a library's reservation. */
    mem_pool_reserve(&m, 4 * MiB);
    ck_assert_int_le(atomic_load(&m.used_nbytes) + atomic_load(&m.cached_nbytes), 6 * MiB);
    mem_pool_reserve(&m, 0);
    /* Never more kept than the limit has room for beside the buffers. */
    void *c = mem_alloc(&m, 5 * MiB, "a chunk", &err), *d = mem_alloc(&m, 4 * MiB, "a chunk", &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(d);
    mem_free(&m, c);
    mem_free(&m, d);
    ck_assert_int_le(atomic_load(&m.cached_nbytes), 10 * MiB);
    mem_pool_fini(&m);
}
END_TEST

START_TEST(test_malloc_configure)
{
    if (!own_malloc())
        return;
    mem_malloc_configure();
    int64_t before = rss_nbytes();
    /* Default glibc would serve the second block from its heap after the
     * first was freed, and keep it resident after its free. */
    for (int round = 0; round < 2; round++) {
        unsigned char *p = malloc((size_t)(16 * MiB));
        ck_assert_ptr_nonnull(p);
        memset(p, 1, (size_t)(16 * MiB));
        free(p);
    }
    ck_assert_msg(rss_nbytes() - before < 4 * MiB, "%lld bytes still resident",
                  (long long)(rss_nbytes() - before));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, test_limit_and_message);
    tcase_add_test(tc, test_reserve);
    tcase_add_test(tc, test_small_and_large_aligned);
    tcase_add_test(tc, test_freed_buffer_reused_then_released);
    tcase_add_test(tc, test_kept_buffers_give_way);
    tcase_add_test(tc, test_malloc_configure);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
