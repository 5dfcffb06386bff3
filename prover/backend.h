/* The backend interface: every heavy operation of the prover goes through it,
 * so the prover never knows whether the CPU or the GPU did the work.
 *
 * Ownership: a backend owns its fallback log and counters; the caller owns
 * each sb_matrix it asks a backend to fill and must hand it back with
 * ops->release. Thread safety: ops may be called concurrently from several
 * threads (--tp) on distinct matrices, each call with its own sb_op. */
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

#include "fp3.h"
#include "merkle.h"

typedef struct sb_backend sb_backend;
struct sb_round_ops; /* Rounds 2-4 operations: rounds.h */
struct sb_air;       /* air.h */
struct sb_public;

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
    SB_K_TRACE,   /* Round 1: the cpu table expanded from an execution record */
    SB_K_MULT,    /* Round 1: the program and range tables' multiplicities */
    SB_K_LOGUP,   /* Round 1: the LogUp aux columns and claimed sums of every table */
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
    unsigned cpu_rounds;       /* GPU backend: bit k-1 keeps round k (1..4) on the CPU, or SB_CPU_ROUNDS_DEFAULT;
                                * creating the backend resolves it with STARKBENCH_CPU_ROUNDS (gpu_backend.h) */
} sb_backend_config;

/* cfg.cpu_rounds: the backend's default placement (the GPU backend's sb_gpu_device_ops). */
#define SB_CPU_ROUNDS_DEFAULT (~0u)

/* Fills cfg with the defaults (auto backend, threshold 0, default tpb, default placement). */
void sb_backend_config_default(sb_backend_config *cfg);

/* One call of a backend operation: the table and round range it belongs to (for fallback
 * records and placement) and the caller's own error buffer, so concurrent calls (--tp) never
 * share one. */
typedef struct sb_op {
    const char *table; /* "cpu", "program", "range"; "" for work outside any table */
    const char *op;    /* the range it runs in (docs/ARCHITECTURE.md "Ranges"), e.g. "R1 main commit" */
    char err[256];     /* one-line reason when the operation returns -1 (or NULL) */
} sb_op;

/* How a committed matrix's Merkle leaves are formed (docs/PROTOCOL.md). */
typedef enum sb_leaf_layout {
    SB_LEAVES_ROWS = 0, /* leaf k = row bitrev(k) over log2(rows) bits: rows leaves (LDE commitments) */
    SB_LEAVES_PAIRS = 1 /* leaf k = row k || row k + rows/2: rows/2 leaves (FRI layers) */
} sb_leaf_layout;

/* A matrix held by a backend: rows x cols base elements (an ext3 column is 3), row-major, the
 * values of cols polynomials of degree < n = rows / blowup at the points offset * w_rows^i
 * (values over H: blowup 1, offset 1; a coset LDE: offset 7). It lives on the host, on the
 * device or both; to_host copies it to the host once, when asked. Committed, it carries its
 * root and its tree (host or device). The caller owns every sb_matrix a backend fills and
 * hands it back with ops->release. Zero-initialised = empty. */
typedef struct sb_matrix {
    size_t rows, cols;
    size_t n;              /* rows / blowup */
    unsigned blowup;
    uint64_t offset;
    uint64_t *host;        /* host values, or NULL while they live only on the device */
    merkle_tree tree;      /* host tree, nodes NULL unless committed on the host */
    int committed;         /* root and a tree (host or device) are valid */
    sb_leaf_layout leaves; /* the committed tree's layout */
    sb_digest root;
    void *device;          /* backend-private device state, NULL for a host-only matrix */
} sb_matrix;

/* Returns the number of leaves of m's tree under its layout, and the values in one leaf. */
static inline size_t sb_matrix_leaves(const sb_matrix *m) {
    return m->leaves == SB_LEAVES_PAIRS ? m->rows / 2 : m->rows;
}
static inline size_t sb_matrix_leaf_width(const sb_matrix *m) {
    return m->leaves == SB_LEAVES_PAIRS ? 2 * m->cols : m->cols;
}

typedef struct sb_backend_ops {
    const char *name;
    unsigned mem_spaces; /* bit s: the backend allocates in sb_mem_space s (sb_backend_mem) */
    /* Round 1: every table's main trace for pub: main[t] (t < air->n_tables) becomes the values
     * over H of table t (2^log_rows x n_main, blowup 1, offset 1) in the backend's memory, ready
     * for lde_matrix. blowup is the LDE's to come (placement only: --gpu-threshold counts LDE
     * rows). Returns 0, or -1 with op->err (the machine does not run, or its record is corrupt). */
    int (*main_trace)(sb_backend *be, sb_op *op, const struct sb_air *air, const struct sb_public *pub,
                      unsigned blowup, sb_matrix *main);
    /* Round 1: every table's LogUp aux trace (values over H, 3 n_aux columns) into aux[t] and its
     * claimed sum into claimed[t], from main (main_trace's) and the challenges. Returns 0, or -1
     * with op->err. */
    /* (fails with SB_AUX_TRACE_ZERO when a LogUp denominator is 0) */
    int (*aux_trace)(sb_backend *be, sb_op *op, const struct sb_air *air, const struct sb_public *pub,
                     unsigned blowup, sb_matrix *main, const fp3_t *challenges, sb_matrix *aux, fp3_t *claimed);
    /* Round 1: the coset LDE (offset 7) of the host row-major trace (n x cols) into out, which
     * lives in the backend's memory. Returns 0, or -1 with op->err. */
    int (*lde)(sb_backend *be, sb_op *op, const uint64_t *trace, size_t n, size_t cols, unsigned blowup,
               sb_matrix *out);
    /* The coset LDE of a matrix of values over H (in: blowup 1, offset 1), e.g. the composition
     * parts, into out; in stays where it lives. Returns 0, or -1 with op->err. */
    int (*lde_matrix)(sb_backend *be, sb_op *op, sb_matrix *in, unsigned blowup, sb_matrix *out);
    /* A backend matrix holding a copy of the host values (rows x cols, canonical: < p; the
     * polynomials of degree < rows / blowup at offset * w_rows^i). Returns 0, or -1 with op->err. */
    int (*from_host)(sb_backend *be, sb_op *op, const uint64_t *values, size_t rows, size_t cols, unsigned blowup,
                     uint64_t offset, sb_matrix *out);
    /* Builds m's Merkle tree over its bit-reversed rows (SB_LEAVES_ROWS) and sets m->root.
     * Returns 0, or -1 with op->err. */
    int (*commit)(sb_backend *be, sb_op *op, sb_matrix *m);
    /* Returns m's host values (copied back once when m lives on the device; m keeps them).
     * NULL with op->err on failure. */
    const uint64_t *(*to_host)(sb_backend *be, sb_op *op, sb_matrix *m);
    /* Opens the n leaves leaves[0..n) of committed m: rows[i * w ..] = leaf leaves[i]'s values
     * (w = sb_matrix_leaf_width: row bitrev(leaf), or the pair), paths[i * log2(L) ..] = its
     * authentication path, leaf level first (L = sb_matrix_leaves). One call per matrix: a GPU
     * matrix gathers everything in one copy. Returns 0, or -1 with op->err (nothing usable
     * written) when m is not committed or a leaf is out of range. */
    int (*open_many)(sb_backend *be, sb_op *op, sb_matrix *m, const size_t *leaves, size_t n, uint64_t *rows,
                     sb_digest *paths);
    /* Frees everything m holds (host and device) and zeroes it. */
    void (*release)(sb_backend *be, sb_matrix *m);
    /* Waits until the work this backend queued for table's operations is done (range-sync
     * timing: a range's time holds its own table's GPU work, never another table's, with
     * --tp); table "" waits for all of it. */
    void (*sync)(sb_backend *be, const char *table);
    /* Frees be->impl and whatever it holds (streams, pools); NULL means free(be->impl). */
    void (*destroy)(sb_backend *be);
    /* The heavy operations of Rounds 2-4 (rounds.h). */
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

/* aux_trace's failure when a LogUp denominator is 0 (a challenge equal to a message), on every backend. */
#define SB_AUX_TRACE_ZERO "the AIR could not generate its LogUp trace (a zero denominator)"

/* The memory a backend allocates, by where it lives. */
typedef enum sb_mem_space { SB_MEM_HOST = 0, SB_MEM_DEVICE = 1, SB_MEM_SPACES = 2 } sb_mem_space;
/* Ranges that can watch the peaks at once (one per table in flight, plus the outer ones). */
#define SB_MEM_WATCHERS 32

struct sb_backend {
    const sb_backend_ops *ops;
    sb_backend_config cfg;
    void *impl;                  /* backend-private state */
    atomic_uint_fast64_t cpu_ops; /* operations that ran on the CPU path */
    atomic_uint_fast64_t gpu_ops; /* operations that ran on the GPU path */
    pthread_mutex_t lock;        /* guards the fallback log */
    size_t n_fallbacks;          /* may exceed SB_MAX_FALLBACKS: the count is exact, the log keeps the first ones */
    sb_fallback fallbacks[SB_MAX_FALLBACKS];
    /* Bytes of the live allocations the backend made (matrices, trees, an operation's scratch;
     * not a pool's reserve), now and at their highest, per space (sb_backend_mem). */
    atomic_uint_fast64_t mem_now[SB_MEM_SPACES], mem_peak[SB_MEM_SPACES];
    atomic_uint_fast64_t mem_watching; /* bit w: watcher w in use */
    atomic_uint_fast64_t mem_watch[SB_MEM_WATCHERS][SB_MEM_SPACES];
};

/* Creates the backend cfg asks for. SB_BACKEND_GPU without a usable device returns NULL
 * and writes a one-line reason to err; SB_BACKEND_AUTO picks the GPU where one is usable. */
sb_backend *sb_backend_create(const sb_backend_config *cfg, char *err, size_t errlen);
void sb_backend_destroy(sb_backend *be);

/* Initialises the common part of a backend (counters, lock, log). */
void sb_backend_init_common(sb_backend *be, const sb_backend_ops *ops, const sb_backend_config *cfg);

/* The operation names STARKBENCH_INJECT_SILENT_FALLBACK accepts (kernels/gpu_backend.h). */
#define SB_INJECT_NAMES_LIST "trace, lde, upload, commit, open, composition, ood, deep, fri, grind or all"
#define SB_INJECT_NAMES 11
extern const char *const sb_inject_names[SB_INJECT_NAMES];
/* Returns 1 when name is one of them. */
int sb_inject_name_valid(const char *name);

/* Counts bytes the backend allocated (bytes > 0) or freed (bytes < 0) in space s, raising the
 * peaks (thread-safe). */
void sb_backend_mem(sb_backend *be, sb_mem_space s, int64_t bytes);
/* Starts watching the peaks from now on. Returns a watcher, or -1 when all are in use. */
int sb_backend_mem_watch(sb_backend *be);
/* Stops watcher w and writes each space's highest bytes while it watched. */
void sb_backend_mem_unwatch(sb_backend *be, int w, uint64_t peak[SB_MEM_SPACES]);

/* Parses a comma-separated list of rounds ("R2,R4"; R1..R4), or "none", into a mask, bit k-1 for
 * round k (sb_backend_config.cpu_rounds; none: 0). Returns 0, or -1 when list is empty or names
 * anything else. */
int sb_rounds_parse(const char *list, unsigned *mask);

/* Records a fallback (thread-safe). Any argument may be NULL. */
void sb_backend_record_fallback(sb_backend *be, const sb_op *op, const char *kernel, const char *launch,
                                const char *error);

/* The CPU implementation; the GPU backend reuses its entries where it has no kernel. */
extern const sb_backend_ops sb_cpu_ops;
sb_backend *sb_cpu_backend_create(const sb_backend_config *cfg);

/* Makes m an empty host matrix of the given shape with its values allocated (64-byte aligned,
 * uninitialised). The CPU operations' outputs, and a GPU matrix's host copy, are made with it.
 * Returns 0, or -1 with op->err (bad shape, out of memory). */
int sb_matrix_host_alloc(sb_backend *be, sb_op *op, sb_matrix *m, size_t rows, size_t cols, unsigned blowup,
                         uint64_t offset);

/* Builds m's Merkle tree on the host from its values (to_host) in the given layout
 * (SB_LEAVES_ROWS: the LDE commitment, SB_LEAVES_PAIRS: a FRI layer's, 3 columns) and sets
 * m->root, m->leaves, m->committed. The CPU commit and FRI fold make their trees with it, and the
 * GPU backend its host trees for openings on the CPU path; it counts no operation (the caller's
 * does). Returns 0, or -1 with op->err. */
int sb_matrix_host_tree(sb_backend *be, sb_op *op, sb_matrix *m, sb_leaf_layout layout);

/* Writes a one-line reason into op->err (printf format) and returns -1. */
int sb_op_fail(sb_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Provided by kernels/ when CUDA is compiled in (otherwise: NULL, "built without CUDA"). */
sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen);
/* Returns 1 when a usable CUDA device exists and writes its name; 0 otherwise. */
int sb_gpu_available(char *name, size_t len);

#endif
