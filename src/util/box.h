/* box.h — copies between an N-d box and a C-order array that holds it:
 * plain memory copying, one contiguous row (the box's last axis) per
 * memcpy. The box's elements are packed in C order on the other side. */
#ifndef TS_UTIL_BOX_H
#define TS_UTIL_BOX_H

#include <stddef.h>
#include <stdint.h>

/* Copies src, the box's values packed in C order, into the box
 * [start, start + size) of dst, a C-order array of ndim axes shaped
 * dst_shape, with elements of esz bytes. The box must lie inside dst. */
void box_put(void *dst, int ndim, const int64_t *dst_shape, const int64_t *start, const int64_t *size,
             const void *src, size_t esz);

/* The reverse: copies the box [start, start + size) of src, shaped
 * src_shape, into dst packed in C order. */
void box_take(void *dst, int ndim, const int64_t *src_shape, const int64_t *start, const int64_t *size,
              const void *src, size_t esz);

#endif
