/* Efficiency against the card's floors: the work of each GPU round, from the shape alone, and
 * its achieved rate next to the floor `kernels --floors` measures (and calibrate saves).
 *
 * Work, for a committed matrix of n trace rows and c base columns at blowup b:
 *  - an LDE reads the trace and writes the LDE, 8 c (n + b n) bytes (against the D2D copy
 *    bandwidth), and does c (n/2) log2(n) (1 + b) butterflies (an inverse NTT, then the size-bn
 *    forward NTT whose first log2 b levels are a copy: b NTTs' worth of size n), against the
 *    straightforward butterfly rate;
 *  - a commit hashes b n leaves of 8 c bytes at Keccak's rate of 136 bytes (8 c / 136 + 1
 *    permutations a leaf, padding included) and b n - 1 tree nodes of one permutation each,
 *    against the straightforward Keccak-f rate.
 * The GPU rounds are R1 main LDE and commit (the main columns), R1 aux LDE and commit (the aux
 * columns, 3 per Fp3 column) and R2 commit (the composition parts, 3 SB_COMPOSITION_PARTS
 * columns), of every table the GPU ran (its LDE at or above the threshold). */
#ifndef SB_EFFICIENCY_H
#define SB_EFFICIENCY_H

#include <stddef.h>
#include <stdint.h>

#include "detector.h"
#include "results.h"

typedef struct sb_work {
    double bytes, butterflies, permutations;
} sb_work;

/* The work of the LDE (bytes, butterflies) and of the commit (permutations) of an n x cols
 * matrix at blowup b, as above; the other fields are 0. */
void sb_work_lde(uint64_t n, unsigned cols, unsigned blowup, sb_work *w);
void sb_work_commit(uint64_t n, unsigned cols, unsigned blowup, sb_work *w);

/* One GPU round against one floor. */
typedef struct sb_round_efficiency {
    const char *table;       /* the AIR's table name */
    const char *range;       /* "R1 main LDE", ... */
    const char *unit;        /* "bytes", "butterflies", "permutations" */
    double work;             /* in unit */
    double ms;               /* the round's median time */
    double rate, floor_rate; /* unit per second: achieved, and the floor's */
} sb_round_efficiency;

#define SB_EFFICIENCY_MAX 64

/* Fills out (up to SB_EFFICIENCY_MAX rows) for point p, which must have run on the GPU, against
 * floors f: per GPU table and GPU round one row per work unit (an LDE two: bytes and
 * butterflies). Rounds without a median time are left out. Returns the rows. */
size_t sb_point_efficiency(const sb_point *p, const sb_calib_floors *f, sb_round_efficiency *out);

#endif
