/* slice_text.c — the index text of x:slice("5:100:3, ..., None, -1") read
 * into ts_index items. A cursor walks the text once; the first mistake
 * stops it with a message that quotes the text and names the item and the
 * character position (both 1-based), and nothing past idx[cap) is written. */
#include "array/slice_text.h"

#include <stdbool.h>
#include <string.h>

typedef struct cursor {
    const char *s;
    size_t pos;
    int item;
    ts_err *err;
} cursor;

static ts_status fail(cursor *t, const char *what)
{
    return err_set(t->err, TS_ERR_ARG, "bad slice \"%s\": %s in item %d (position %d)", t->s, what, t->item,
                   (int)t->pos + 1);
}

static void skip_space(cursor *t)
{
    while (t->s[t->pos] == ' ' || t->s[t->pos] == '\t' || t->s[t->pos] == '\n')
        t->pos++;
}

static bool at_digit(const cursor *t) { return t->s[t->pos] >= '0' && t->s[t->pos] <= '9'; }

/* An optional sign and decimal digits that fit int64 (-2^63 does not:
 * its magnitude is read first). */
static ts_status read_int(cursor *t, int64_t *out)
{
    bool neg = t->s[t->pos] == '-';
    if (t->s[t->pos] == '-' || t->s[t->pos] == '+')
        t->pos++;
    if (!at_digit(t))
        return fail(t, "expected digits after the sign");
    uint64_t v = 0;
    while (at_digit(t)) {
        uint64_t d = (uint64_t)(t->s[t->pos] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            return fail(t, "integer too large");
        v = v * 10 + d;
        t->pos++;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return TS_OK;
}

/* Whether word w starts at the cursor and is not the start of a longer
 * name ("None" but not "Nonesuch"). */
static bool at_word(const cursor *t, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(t->s + t->pos, w, n) != 0)
        return false;
    char c = t->s[t->pos + n];
    return !(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static bool item_end(const cursor *t) { return t->s[t->pos] == ',' || t->s[t->pos] == '\0'; }

/* "..." or None, already recognised at the cursor. */
static ts_status marker_item(cursor *t, ts_index *out)
{
    out->kind = t->s[t->pos] == '.' ? TS_INDEX_ELLIPSIS : TS_INDEX_NEWAXIS;
    t->pos += out->kind == TS_INDEX_ELLIPSIS ? 3 : 4;
    skip_space(t);
    return item_end(t) ? TS_OK : fail(t, "expected ',' or the end of the text");
}

/* One item: an integer, start:stop:step with any part empty, ..., None. */
static ts_status read_item(cursor *t, ts_index *out)
{
    memset(out, 0, sizeof *out);
    skip_space(t);
    if (strncmp(t->s + t->pos, "...", 3) == 0 || at_word(t, "None"))
        return marker_item(t, out);
    int64_t part[3] = {0, 0, 0};
    bool has[3] = {false, false, false};
    int ncolon = 0;
    for (;;) {
        skip_space(t);
        char c = t->s[t->pos];
        if (c == '-' || c == '+' || at_digit(t)) {
            if (has[ncolon])
                return fail(t, "expected ':' or ',' between integers");
            ts_status st = read_int(t, &part[ncolon]);
            if (st != TS_OK)
                return st;
            has[ncolon] = true;
        } else if (c == ':') {
            if (ncolon == 2)
                return fail(t, "too many ':'");
            ncolon++;
            t->pos++;
        } else if (item_end(t)) {
            break;
        } else {
            return fail(t, "expected an integer, ':', '...', None or ','");
        }
    }
    if (ncolon == 0 && !has[0])
        return fail(t, "expected an integer, a slice such as 1:10:2, '...' or None");
    if (ncolon == 0) {
        out->kind = TS_INDEX_INT;
        out->i = part[0];
        return TS_OK;
    }
    if (has[2] && part[2] == 0)
        return fail(t, "slice step cannot be zero");
    out->kind = TS_INDEX_SLICE;
    out->start = part[0], out->stop = part[1], out->step = part[2];
    out->has_start = has[0], out->has_stop = has[1], out->has_step = has[2];
    return TS_OK;
}

ts_status slice_text_parse(const char *text, int first_item, int cap, ts_index *idx, int *nidx, ts_err *err)
{
    cursor t = {text ? text : "", 0, first_item, err};
    int n = 0;
    *nidx = 0;
    skip_space(&t);
    while (t.s[t.pos] != '\0') {
        t.item = first_item + n;
        if (n == cap)
            return fail(&t, "more items than the caller has room for");
        ts_status st = read_item(&t, &idx[n++]);
        if (st != TS_OK)
            return st;
        if (t.s[t.pos] == ',') {
            t.pos++;
            skip_space(&t);
        }
    }
    *nidx = n;
    return TS_OK;
}
