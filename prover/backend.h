/* The backend interface: every heavy operation of the prover goes through it,
 * so the prover never knows whether the CPU or the GPU did the work.
 *
 * Ownership: a backend owns its fallback log and counters; the caller owns
 * each sb_commitment it asks a backend to fill and must hand it back with
 * ops->release. Thread safety: ops may be called concurrently from several
 * threads (--tp) on distinct commitments. */
#ifndef SB_BACKEND_H
#define SB_BACKEND_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
/* C++ callers (bench/micro) include this inside extern "C": std::atomic has the layout of C11's _Atomic. */
extern "C++" {
#include <atomic>
}
typedef std::atomic<uint_fast64_t> atomic_uint_fast64_t;
#else
#include <stdatomic.h>
#endif

#include "merkle.h"

typedef struct sb_backend sb_backend;
struct sb_round_ops; /* Rounds 2-4 operations: rounds.h */

typedef enum sb_backend_kind { SB_BACKEND_CPU = 0, SB_BACKEND_GPU = 1, SB_BACKEND_AUTO = 2 } sb_backend_kind;

/* GPU kernel groups whose threads-per-block is a parameter (`--tpb NAME=N`). The pipeline has
 * no separate bit-reversal pass (the inverse NTT's order feeds the forward NTT) and no
 * transpose (no round reads the LDE by columns), so neither has a name here. */
typedef enum sb_kernel_id {
    SB_K_NTT,    /* NTT passes (DIF, DIT) and twiddle tables */
    SB_K_SCALE,  /* the fused pass: last inverse levels, coset scaling, first forward levels */
    SB_K_KECCAK, /* Keccak-256 leaves over rows */
    SB_K_MERKLE, /* Merkle tree levels and openings */
    SB_K_COMPOSE, /* Round 2: the composition rows of a fib table, the split's scaling */
    SB_K_OOD,     /* Round 3: OOD weights, column dot products, their reduction */
    SB_K_DEEP,    /* Round 4: DEEP composition rows */
    SB_K_FRI,     /* Round 4: FRI folds (with the layer's leaves) and openings */
    SB_K_POW,     /* Round 4: the grinding search */
    SB_K_COUNT
} sb_kernel_id;

extern const char *const sb_kernel_names[SB_K_COUNT];
extern const unsigned sb_kernel_default_tpb[SB_K_COUNT];
/* Returns the kernel id for a short name, or -1. */
int sb_kernel_lookup(const char *name);

#define SB_THRESHOLD_NEVER UINT64_MAX

typedef struct sb_backend_config {
    sb_backend_kind kind;
    unsigned threads;          /* CPU threads; 0 = OpenMP default */
    uint64_t gpu_threshold;    /* LDE rows below which a table stays on the CPU; 0 = always GPU; SB_THRESHOLD_NEVER = never */
    unsigned tpb[SB_K_COUNT];  /* threads per block; 0 = the kernel's default */
    int device;                /* CUDA device ordinal */
} sb_backend_config;

/* Fills cfg with the defaults (auto backend, threshold 0, default tpb). */
void sb_backend_config_default(sb_backend_config *cfg);

/* Names the table and round range an operation belongs to (for fallback records). */
typedef struct sb_op {
    const char *table; /* "cpu", "program", "range" */
    const char *op;    /* a range name of DESIGN.md, e.g. "R1 main commit" */
} sb_op;

/* A committed matrix: the coset LDE of a row-major base matrix and its Merkle tree. */
typedef struct sb_commitment {
    size_t n;          /* trace rows */
    size_t cols;       /* base columns (3M for an ext3 matrix of M columns) */
    unsigned blowup;
    size_t lde_n;      /* blowup * n */
    sb_digest root;    /* valid after ops->commit */
    uint64_t *lde;     /* host row-major lde_n x cols, or NULL while it lives only on the device; use sb_lde_host */
    merkle_tree tree;  /* host tree, nodes NULL while it lives only on the device */
    void *device;      /* backend-private device state, NULL for the CPU path */
} sb_commitment;

typedef struct sb_backend_ops {
    const char *name;
    /* Computes the coset LDE of trace (row-major n x cols) into c. Returns 0 or -1 (error message in be). */
    int (*lde)(sb_backend *be, const sb_op *op, const uint64_t *trace, size_t n, size_t cols,
               unsigned blowup, sb_commitment *c);
    /* Builds c's Merkle tree over its bit-reversed LDE rows and sets c->root. Returns 0 or -1. */
    int (*commit)(sb_backend *be, const sb_op *op, sb_commitment *c);
    /* Returns the host row-major LDE of c (a GPU commitment copies it back once). NULL on failure. */
    const uint64_t *(*lde_host)(sb_backend *be, sb_commitment *c);
    /* Opens the n leaves leaves[0..n): rows[i*cols ..] = LDE row bitrev(leaves[i]) (n x cols values),
     * paths[i*log2(lde_n) ..] = its authentication path, leaf level first (n x log2(lde_n) digests).
     * One call per commitment: a GPU commitment gathers everything in one copy. Returns 0, or -1
     * (nothing usable written) when c is not committed or a leaf is out of range. */
    int (*open_many)(sb_backend *be, sb_commitment *c, const size_t *leaves, size_t n, uint64_t *rows,
                     sb_digest *paths);
    /* Frees everything c holds (host and device) and zeroes it. */
    void (*release)(sb_backend *be, sb_commitment *c);
    /* Waits until all work queued by this backend is done (range-sync timing). */
    void (*sync)(sb_backend *be);
    /* Frees be->impl and whatever it holds (streams, pools); NULL means free(be->impl). */
    void (*destroy)(sb_backend *be);
    /* The heavy operations of Rounds 2-4 (rounds.h); a backend without its own kernels
     * for them points at sb_cpu_round_ops, which reads LDEs through sb_lde_host. */
    const struct sb_round_ops *rounds;
} sb_backend_ops;

/* One recorded fallback: a GPU operation that failed and was redone on the CPU. */
typedef struct sb_fallback {
    char table[16];
    char op[32];
    char kernel[48];
    char launch[64];  /* e.g. "grid=(4096,1,1) block=(1024,1,1)" */
    char error[160];  /* the CUDA error string */
} sb_fallback;

#define SB_MAX_FALLBACKS 64

struct sb_backend {
    const sb_backend_ops *ops;
    sb_backend_config cfg;
    void *impl;                  /* backend-private state */
    atomic_uint_fast64_t cpu_ops; /* operations that ran on the CPU path */
    atomic_uint_fast64_t gpu_ops; /* operations that ran on the GPU path */
    pthread_mutex_t lock;        /* guards the fallback log */
    size_t n_fallbacks;          /* may exceed SB_MAX_FALLBACKS: the count is exact, the log keeps the first ones */
    sb_fallback fallbacks[SB_MAX_FALLBACKS];
    char last_error[256];        /* one-line reason of the last op that returned -1 (written under lock) */
};

/* Creates the backend cfg asks for. SB_BACKEND_GPU without a usable device returns NULL
 * and writes a one-line reason to err; SB_BACKEND_AUTO picks the GPU where one is usable. */
sb_backend *sb_backend_create(const sb_backend_config *cfg, char *err, size_t errlen);
void sb_backend_destroy(sb_backend *be);

/* Initialises the common part of a backend (counters, lock, log). */
void sb_backend_init_common(sb_backend *be, const sb_backend_ops *ops, const sb_backend_config *cfg);

/* Records a fallback (thread-safe). Any argument may be NULL. */
void sb_backend_record_fallback(sb_backend *be, const sb_op *op, const char *kernel, const char *launch,
                                const char *error);

/* The CPU implementation; the GPU backend reuses its entries where it has no kernel. */
extern const sb_backend_ops sb_cpu_ops;
sb_backend *sb_cpu_backend_create(const sb_backend_config *cfg);

/* Provided by kernels/ when CUDA is compiled in (otherwise: NULL, "built without CUDA"). */
sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen);
/* Returns 1 when a usable CUDA device exists and writes its name; 0 otherwise. */
int sb_gpu_available(char *name, size_t len);

static inline const uint64_t *sb_lde_host(sb_backend *be, sb_commitment *c) { return be->ops->lde_host(be, c); }

#endif
