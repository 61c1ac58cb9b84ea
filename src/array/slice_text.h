/* slice_text.h — NumPy index text such as "5:100:3, ..., None, -1" read into
 * ts_index items, with no Lua in sight: x:slice("...") and the fuzzer call
 * the same parser. It only reads the text; whether the items fit an array
 * is ts_array_slice's business. */
#ifndef TS_ARRAY_SLICE_TEXT_H
#define TS_ARRAY_SLICE_TEXT_H

#include "tessera.h"
#include "util/err.h"

/* Parses text into idx[0..cap) and sets *nidx. Items are separated by
 * commas, a trailing comma is allowed (as in Python's x[1,]), spaces,
 * tabs and newlines are ignored around them; an item is an integer,
 * start:stop:step with any part empty, "..." or None. The comma count plus
 * one is always room enough. Messages number the items from first_item:
 *   bad slice "1:2:3:4": too many ':' in item 1 (position 6)
 * Errors: TS_ERR_ARG (text) and TS_ERR_ARG when cap is too small. Local;
 * idx and *nidx are unspecified after a failure. */
ts_status slice_text_parse(const char *text, int first_item, int cap, ts_index *idx, int *nidx, ts_err *err);

#endif
