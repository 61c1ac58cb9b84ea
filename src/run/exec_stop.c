/* exec_stop.c — a worker stops starting tasks once the run is stopping
 * (a signal reached some rank; see session_stop.c). A task that started
 * finishes; what it produced is written and recorded as usual, so nothing
 * stored is lost and nothing unwritten is claimed. */
#include "run/exec.h"

ts_status exec_stop_check(exec *e)
{
    if (!e->stopping && e->should_stop && e->should_stop(e->stop_ud))
        e->stopping = true;
    if (!e->stopping)
        return TS_OK;
    return err_set(e->err, TS_ERR_STOPPED, "stopped on request before every task had run");
}
