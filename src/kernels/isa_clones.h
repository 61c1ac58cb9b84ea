/* isa_clones.h — KERNEL_ISA_CLONES, put before a loop function to have it
 * built for SSE2, AVX2 and AVX-512; the loader picks the widest the CPU has
 * (an ifunc), so one binary runs everywhere at full width. Only for loops
 * whose bits cannot depend on the width: each element gets the same IEEE
 * operations in the same order (independent lanes or accumulators, no
 * a * b + c the compiler could fuse, libm calls unchanged). */
#ifndef TS_KERNELS_ISA_CLONES_H
#define TS_KERNELS_ISA_CLONES_H

#if defined(__x86_64__)
#define KERNEL_ISA_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define KERNEL_ISA_CLONES
#endif

#endif
