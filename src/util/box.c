/* box.c — row-by-row copies between a packed box and the array around it.
 * Row r of the box (r in C order over all axes but the last) starts in the
 * array at flat offset sum_d (start[d] + index_d(r)) * stride_d. Worked
 * example: array 4 x 5, box start (1, 2) size (2, 3): rows r = 0, 1 start
 * at (1 + 0) * 5 + 2 = 7 and (1 + 1) * 5 + 2 = 12, 3 elements each. */
#include "util/box.h"

#include <stdbool.h>
#include <string.h>

/* Flat offset in the array (shaped outer) of row r of the box. */
static int64_t row_offset(int ndim, const int64_t *outer, const int64_t *start, const int64_t *size,
                          int64_t r)
{
    if (ndim == 0)
        return 0;
    int64_t off = start[ndim - 1], stride = outer[ndim - 1];
    for (int d = ndim - 2; d >= 0; d--) {
        off += (start[d] + r % size[d]) * stride;
        r /= size[d];
        stride *= outer[d];
    }
    return off;
}

/* Copies the box row by row between the array (shaped outer) and the
 * packed values; dst_is_outer says which of dst and src is the array. */
static void copy_rows(void *dst, const void *src, bool dst_is_outer, int ndim, const int64_t *outer,
                      const int64_t *start, const int64_t *size, size_t esz)
{
    int64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= size[d];
    if (total == 0)
        return;
    int64_t rowlen = ndim ? size[ndim - 1] : 1, nrows = total / rowlen;
    for (int64_t r = 0; r < nrows; r++) {
        size_t outer_off = (size_t)row_offset(ndim, outer, start, size, r) * esz;
        size_t packed_off = (size_t)(r * rowlen) * esz;
        memcpy((unsigned char *)dst + (dst_is_outer ? outer_off : packed_off),
               (const unsigned char *)src + (dst_is_outer ? packed_off : outer_off), (size_t)rowlen * esz);
    }
}

void box_put(void *dst, int ndim, const int64_t *dst_shape, const int64_t *start, const int64_t *size,
             const void *src, size_t esz)
{
    copy_rows(dst, src, true, ndim, dst_shape, start, size, esz);
}

void box_take(void *dst, int ndim, const int64_t *src_shape, const int64_t *start, const int64_t *size,
              const void *src, size_t esz)
{
    copy_rows(dst, src, false, ndim, src_shape, start, size, esz);
}
