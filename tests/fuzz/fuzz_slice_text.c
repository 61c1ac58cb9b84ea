/* fuzz_slice_text.c — libFuzzer harness of the index-text parser behind
 * x:slice("..."). Any text either fails with a TS_ERR_ARG message or gives
 * at most cap well-formed items; accepted items printed back as text parse
 * to the same items (so nothing is misread), and a cap below the item count
 * fails without writing past the buffer (ASan watches the heap copy). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array/slice_text.h"
#include "fuzz_input.h"

static void require(int ok, const char *what, const char *text)
{
    if (!ok) {
        fprintf(stderr, "fuzz_slice_text: %s for text \"%s\"\n", what, text);
        fuzz_crash();
    }
}

/* Items as Python text: "3", "1:10:2", ":", "...", "None". */
static void print_items(const ts_index *idx, int n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < n && len < cap; k++) {
        const ts_index *x = &idx[k];
        const char *sep = k ? ", " : "";
        int w = 0;
        if (x->kind == TS_INDEX_INT)
            w = snprintf(buf + len, cap - len, "%s%" PRId64, sep, x->i);
        else if (x->kind == TS_INDEX_ELLIPSIS)
            w = snprintf(buf + len, cap - len, "%s...", sep);
        else if (x->kind == TS_INDEX_NEWAXIS)
            w = snprintf(buf + len, cap - len, "%sNone", sep);
        else {
            char a[24] = "", b[24] = "", c[26] = "";
            if (x->has_start)
                snprintf(a, sizeof a, "%" PRId64, x->start);
            if (x->has_stop)
                snprintf(b, sizeof b, "%" PRId64, x->stop);
            if (x->has_step)
                snprintf(c, sizeof c, ":%" PRId64, x->step);
            w = snprintf(buf + len, cap - len, "%s%s:%s%s", sep, a, b, c);
        }
        len += w > 0 ? (size_t)w : 0;
    }
}

static int same_item(const ts_index *a, const ts_index *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == TS_INDEX_INT)
        return a->i == b->i;
    if (a->kind != TS_INDEX_SLICE)
        return 1;
    return a->has_start == b->has_start && a->has_stop == b->has_stop && a->has_step == b->has_step &&
           (!a->has_start || a->start == b->start) && (!a->has_stop || a->stop == b->stop) &&
           (!a->has_step || a->step == b->step);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* The first byte shrinks the room below the comma bound now and then. */
    int shrink = data[0] % 4 == 0 ? data[0] / 4 % 3 + 1 : 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    int bound = 1;
    for (const char *p = text; *p; p++)
        bound += *p == ',';
    int cap = bound - shrink > 0 ? bound - shrink : 0;
    ts_index *idx = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *idx);
    ts_err err;
    err_clear(&err);
    int n = -1;
    ts_status st = slice_text_parse(text, 1, cap, idx, &n, &err);
    if (st != TS_OK) {
        require(st == TS_ERR_ARG && err.status == TS_ERR_ARG, "a failure other than TS_ERR_ARG", text);
        require(strncmp(err.msg, "bad slice \"", 11) == 0, "a message without the text", text);
    } else {
        require(n >= 0 && n <= cap, "more items than room", text);
        for (int k = 0; k < n; k++) {
            require(idx[k].kind >= TS_INDEX_INT && idx[k].kind <= TS_INDEX_ELLIPSIS, "an unknown kind", text);
            require(idx[k].kind != TS_INDEX_SLICE || !idx[k].has_step || idx[k].step != 0, "a zero step",
                    text);
        }
        char again[8192];
        print_items(idx, n, again, sizeof again);
        if (strlen(again) + 1 < sizeof again) {
            ts_index *back = malloc((size_t)(n > 0 ? n : 1) * sizeof *back);
            int m = -1;
            require(slice_text_parse(again, 1, n, back, &m, &err) == TS_OK, "printed items do not parse",
                    text);
            require(m == n, "printed items parse to another count", text);
            for (int k = 0; k < n; k++)
                require(same_item(&idx[k], &back[k]), "printed items parse to other items", text);
            free(back);
        }
    }
    free(idx);
    free(text);
    return 0;
}
