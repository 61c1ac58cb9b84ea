/* serialize.h — the expression DAG as bytes, for the driver's broadcast.
 * The size grows with the number of nodes and the runs of distinct chunk
 * sizes, never with the number of chunks of a regular grid. Every rank runs
 * the same executable, so node parameters travel as their in-memory bytes. */
#ifndef TS_ARRAY_SERIALIZE_H
#define TS_ARRAY_SERIALIZE_H

#include "array/node.h"
#include "util/bytebuf.h"
#include "util/ptrmap.h"

/* Appends the DAG reachable from targets to buf. */
ts_status dag_serialize(int ntargets, node *const *targets, bytebuf *buf, ts_err *err);

/* The same, with every node that replace maps (node -> node, the value
 * an intptr_t) written as its replacement: the graph a worker rebuilds
 * reads the replacement wherever the original was used. NULL: none. */
ts_status dag_serialize_replacing(int ntargets, node *const *targets, const ptrmap *replace, bytebuf *buf,
                                  ts_err *err);

/* Rebuilds it; *targets is a malloc'd array of ntargets new references the
 * caller releases (then frees the array). */
ts_status dag_deserialize(const void *data, size_t len, int *ntargets, node ***targets, ts_err *err);

#endif
