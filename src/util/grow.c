/* grow.c — capacity doubling for growable arrays. The array pointer is
 * read and written with memcpy, so a T * is never accessed as a void *. */
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

bool grow_reserve(void *items, int64_t *cap, int64_t need, size_t elem_nbytes, int64_t first)
{
    if (need <= *cap)
        return true;
    int64_t ncap = *cap ? 2 * *cap : first;
    while (ncap < need)
        ncap *= 2;
    if ((uint64_t)ncap > SIZE_MAX / elem_nbytes)
        return false;
    void *old, *nv;
    memcpy(&old, items, sizeof old);
    nv = realloc(old, (size_t)ncap * elem_nbytes);
    if (!nv)
        return false;
    memcpy(items, &nv, sizeof nv);
    *cap = ncap;
    return true;
}
