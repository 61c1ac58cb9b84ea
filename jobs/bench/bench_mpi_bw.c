/* bench_mpi_bw.c — MPI point-to-point bandwidth between ranks 0 and 1 on
 * this machine, the baseline for "a rechunk of computed data runs at no
 * less than half the MPI bandwidth". Both ranks send 64 MiB to each other
 * at once (Isend + Irecv, separate buffers touched beforehand), as a
 * rechunk's exchange does; bytes count once per direction. The fastest of
 * three rounds of 8 is kept. Also prints the older baseline,
 * MPI_Sendrecv_replace, which copies through a temporary buffer and so
 * shows about half the bandwidth, and the same Isend/Irecv into receive
 * buffers mapped afresh each time, as a rechunk's new chunks are: the
 * kernel then zeroes and maps every page the transfer touches.
 * Run: mpirun -np 2 build/jobs/bench/bench_mpi_bw */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum {
    NBYTES = 64 << 20,
    REPS = 8,
    ROUNDS = 3
};

enum mode {
    ISEND_IRECV,
    SENDRECV_REPLACE,
    FRESH_RECEIVE
};

static double both_ways(char *out, char *in, int peer, enum mode mode)
{
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int r = 0; r < REPS; r++) {
        if (mode == SENDRECV_REPLACE) {
            MPI_Sendrecv_replace(out, NBYTES, MPI_BYTE, peer, 0, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            continue;
        }
        char *to = in;
        if (mode == FRESH_RECEIVE) {
            to = mmap(NULL, NBYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (to == MAP_FAILED)
                to = in;
        }
        MPI_Request req[2];
        MPI_Irecv(to, NBYTES, MPI_BYTE, peer, 0, MPI_COMM_WORLD, &req[0]);
        MPI_Isend(out, NBYTES, MPI_BYTE, peer, 0, MPI_COMM_WORLD, &req[1]);
        MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
        if (to != in)
            munmap(to, NBYTES);
    }
    double dt = MPI_Wtime() - t0, worst;
    MPI_Allreduce(&dt, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return worst;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char *out = malloc(NBYTES), *in = malloc(NBYTES);
    if (size != 2 || !out || !in) {
        if (rank == 0)
            fprintf(stderr, "bench_mpi_bw: run with 2 ranks\n");
        MPI_Finalize();
        return 1;
    }
    memset(out, rank, NBYTES);
    memset(in, rank, NBYTES);
    double best[3] = {1e30, 1e30, 1e30};
    for (int k = 0; k < ROUNDS; k++)
        for (int m = 0; m < 3; m++) {
            double t = both_ways(out, in, 1 - rank, (enum mode)m);
            best[m] = t < best[m] ? t : best[m];
        }
    double nbytes = (double)NBYTES * REPS * 2;
    if (rank == 0)
        printf("BENCH name=mpi_bandwidth bytes=%.0f seconds=%.4f gbps=%.3f sendrecv_replace_gbps=%.3f "
               "fresh_receive_gbps=%.3f\n",
               nbytes, best[ISEND_IRECV], nbytes / best[ISEND_IRECV] / 1e9,
               nbytes / best[SENDRECV_REPLACE] / 1e9, nbytes / best[FRESH_RECEIVE] / 1e9);
    free(out);
    free(in);
    MPI_Finalize();
    return 0;
}
