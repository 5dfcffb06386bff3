/* The fib AIR's LogUp aux columns built on the device from the device main traces: a launcher
 * callable from C in gpu_trace.h's style (threads per block and stream explicit, grid-stride
 * loops, every launch checked, a CUDA error returned with the failing kernel and its launch
 * configuration in *site; a shape the kernels cannot index refused before anything is queued with
 * cudaErrorInvalidValue and site->launch = "not launched: <why>"). The kernels compute every
 * value with the host's functions (prover/logup_row.h), so the columns and sums they write are the
 * bytes of the AIR's gen_aux. Not wired into `prove` yet.
 *
 * Stream use: the launcher queues its kernels on s only, in order, reads nothing back and
 * allocates nothing (the caller passes sb_gpu_logup_scratch_bytes of device scratch). */
#ifndef SB_GPU_LOGUP_H
#define SB_GPU_LOGUP_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "fp3.h"
#include "gpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rows of a chunk, one thread's work (one field inversion a chunk) when the caller has no reason
 * to choose: 32 rows give 2^18 threads at 2^23 rows. Not measured yet. */
#define SB_LOGUP_CHUNK_ROWS 32

/* Bytes of device scratch sb_gpu_logup_aux needs for a cpu table of 2^log_rows rows cut in
 * chunks of chunk_rows rows (the chunks' totals of all three tables); 0 for chunk_rows 0. */
size_t sb_gpu_logup_scratch_bytes(unsigned log_rows, unsigned chunk_rows);

/* Queues the aux columns and claimed sums of every table (gen_aux of sb_air_fib(), byte for byte)
 * for the statement pub (2^pub->log_steps cpu rows; its ROM is built here on the host) and
 * challenges (host, FIB_N_CHALLENGES):
 *   cpu, program, range            the device main traces as gen_main lays them out (row-major:
 *                                  2^log_steps x FIB_CPU_COLS, 16 x FIB_PROG_MAIN_COLS, 2^16 x
 *                                  FIB_RANGE_COLS)
 *   cpu_aux, program_aux, range_aux  device outputs, rows x n_aux fp3 (FIB_CPU_AUX_COLS, 1, 1)
 *   claimed                        device output, FIB_N_TABLES sums
 *   bad                            device flag: set to 0, then to 1 when a denominator is 0 (the
 *                                  outputs are then not the columns); the caller reads it once
 *                                  s gets there
 *   scratch                        device, sb_gpu_logup_scratch_bytes(log_steps, chunk_rows) bytes
 *   chunk_rows                     rows a thread inverts together (SB_LOGUP_CHUNK_ROWS, or any >= 1)
 *   tpb (--tpb logup)              a multiple of 32 up to 1024; logup_terms takes 174 registers
 *                                  (ptxas, sm_90), so above 352 it fails to launch (an error in
 *                                  *site, as keccak's 1024 does)
 * Three kernels: logup_terms (one thread a chunk of any table), logup_scan (one block a table:
 * the chunks' totals scanned into their offsets, the claimed sums), logup_sums (one thread a chunk). */
cudaError_t sb_gpu_logup_aux(const sb_public *pub, const fp3_t *challenges, const uint64_t *cpu,
                             const uint64_t *program, const uint64_t *range, fp3_t *cpu_aux, fp3_t *program_aux,
                             fp3_t *range_aux, fp3_t *claimed, uint32_t *bad, void *scratch, unsigned chunk_rows,
                             unsigned tpb, unsigned max_blocks, cudaStream_t s, sb_gpu_site *site);

/* Loads the LogUp kernels into the current context (at backend creation, so that no proof pays
 * the lazy module load). Returns a CUDA error or cudaSuccess. */
cudaError_t sb_gpu_logup_load(void);

/* The kernel of --tpb group SB_K_LOGUP (logup_terms, the largest) for cudaFuncGetAttributes;
 * NULL for another id. */
const void *sb_gpu_logup_kernel(int k);

#ifdef __cplusplus
}
#endif

#endif
