/* The fib AIR's main trace built on the device from an execution record (prover/exec_record.h):
 * launchers callable from C in gpu_rounds.h's style (threads per block and stream explicit,
 * grid-stride loops, every launch checked, a CUDA error returned with the failing kernel and its
 * launch configuration in *site; a shape a kernel cannot index refused before anything is queued
 * with cudaErrorInvalidValue and site->launch = "not launched: <why>"). The kernels compute every
 * value with the host's functions (prover/trace_row.h, prover/rv64_step.h), so the tables they
 * write are the bytes of sb_air_fib_gen_main_program. Not wired into `prove` (docs/ARCHITECTURE.md
 * "Trace on the device (issue 14)" says what a GPU session runs first).
 *
 * Stream use: each launcher queues its kernels on s only, in order, and reads nothing back. */
#ifndef SB_GPU_TRACE_H
#define SB_GPU_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "exec_record.h"
#include "gpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queues the expansion of rec (its program and shape; rec->snapshots is not read) into the cpu
 * table: one thread a segment re-executes it from snapshots[i] (device, 2^(log_rows - log_k)
 * states: rec->snapshots copied) and writes its 2^log_k rows of cpu (device, 2^log_rows x
 * FIB_CPU_COLS), inverse witnesses included (Montgomery's trick over the segment). *bad (device)
 * is set to 0, then to 1 when some segment's pc leaves the program: the caller reads it once s
 * gets there. tpb (--tpb trace): a multiple of 32 up to 1024. */
cudaError_t sb_gpu_trace_expand(const sb_exec_record *rec, const rv64_state *snapshots, uint64_t *cpu, uint32_t *bad,
                                unsigned tpb, unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);

/* Queues the program and range tables of a cpu table of 2^log_rows rows (device): program
 * (2^FIB_LOG_PROGRAM x FIB_PROG_MAIN_COLS) and range (2^FIB_LOG_RANGE x FIB_RANGE_COLS) get
 * their values and multiplicities (sb_air_fib_count_multiplicities: rows of the rom_len-word
 * ROM, rom_len <= 2^FIB_LOG_PROGRAM), the counts by atomic additions, one thread a cpu row.
 * tpb (--tpb mult): a multiple of 32 up to 1024. */
cudaError_t sb_gpu_trace_multiplicities(const uint64_t *cpu, unsigned log_rows, size_t rom_len, uint64_t *program,
                                        uint64_t *range, unsigned tpb, unsigned max_blocks, cudaStream_t s,
                                        sb_gpu_site *site);

/* Loads the trace kernels into the current context (at backend creation, so that no proof pays
 * the lazy module load). Returns a CUDA error or cudaSuccess. */
cudaError_t sb_gpu_trace_load(void);

/* The kernel of --tpb group k (SB_K_TRACE: the expansion; SB_K_MULT: the counts) for
 * cudaFuncGetAttributes; NULL for another id. */
const void *sb_gpu_trace_kernel(int k);

#ifdef __cplusplus
}
#endif

#endif
