/* delayed_serialize.h — a delayed graph as the bytes of one job: the
 * kernels and call bytes it uses (each distinct one once: the tasks of one
 * Lua wrapper share its function), the values of the arrays tasks read
 * (computed before), and the tasks in dependency order. run/dgraph.h reads
 * them back. */
#ifndef TS_ARRAY_DELAYED_SERIALIZE_H
#define TS_ARRAY_DELAYED_SERIALIZE_H

#include "array/delayed.h"
#include "util/bytebuf.h"

#define DELAYED_JOB_MAGIC 0x4c445354u /* "TSDL" */

/* order: the tasks (delayed_order), arrays and their computed values
 * (values[k] holds arrays[k]; only dtype, ndim, shape and data are used);
 * targets[i] are among order. */
ts_status delayed_serialize(int64_t n, delayed *const *order, int64_t narrays, node *const *arrays,
                            const ts_block *values, int ntargets, delayed *const *targets, bytebuf *out,
                            ts_err *err);

#endif
