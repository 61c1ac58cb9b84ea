/* report.c — the start banner, from public getters. */
#include "cli/report.h"

void cli_report_banner(const ts_ctx *ctx, FILE *out)
{
    const ts_config *cfg = ts_ctx_config(ctx);
    char mem[32], chunk[32];
    ts_format_nbytes(cfg->memory_per_rank_nbytes, mem, sizeof mem);
    ts_format_nbytes(cfg->chunk_size_nbytes, chunk, sizeof chunk);
    int n = ts_ctx_nranks(ctx);
    if (n > 1)
        fprintf(out, "tessera %s: %d ranks (rank 0 schedules, %d worker%s compute)", TS_VERSION_STRING, n,
                n - 1, n - 1 == 1 ? "" : "s");
    else
        fprintf(out, "tessera %s: 1 rank (schedules and computes)", TS_VERSION_STRING);
    const char *note = ts_ctx_threads_note(ctx);
    fprintf(out, ", %d thread%s per rank (%s%s%s), memory %s per rank (%s), auto chunks %s, seed %llu%s\n",
            cfg->threads_per_rank, cfg->threads_per_rank == 1 ? "" : "s", cfg->threads_source,
            note[0] ? "; " : "", note, mem, cfg->memory_source, chunk, (unsigned long long)ts_ctx_seed(ctx),
            cfg->seed_set ? "" : " (repeat with --seed)");
    if (cfg->resume)
        fprintf(out, "tessera: resuming: stores continue the datasets an interrupted run of this script "
                     "left incomplete\n");
}
