/* grow.h — room in a malloc'd array that doubles its capacity, so that
 * appending n elements one by one costs O(n) copying in all. */
#ifndef TS_UTIL_GROW_H
#define TS_UTIL_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes the array at *items (address of a T * holding *cap elements of
 * elem_nbytes each; NULL with *cap 0 to start) hold at least need
 * elements: the capacity becomes first if it was 0, then doubles until it
 * is enough (first > 0). Returns false when out of memory (or the size overflows),
 * leaving *items and *cap as they were; the caller frees *items. */
bool grow_reserve(void *items, int64_t *cap, int64_t need, size_t elem_nbytes, int64_t first);

#endif
