/* The kernels' Keccak code (kernels/keccak_f.cuh) run on the host, so that a machine without a
 * GPU checks it: the permutation on plain halves and on bit-interleaved words against
 * prover/keccak.c, the digest variants that drop unread lanes, the lane conversions, the
 * round constants of both representations, and the big-endian absorb. */
#include <stdio.h>
#include <string.h>

#include "keccak_f.cuh"

#include "check.h"

/* Lane v bit-interleaved, bit by bit: even bits to the low word, odd bits to the high word. */
static uint64_t interleave_reference(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 32; i++) r |= ((v >> (2 * i)) & 1) << i | ((v >> (2 * i + 1)) & 1) << (32 + i);
    return r;
}

static kl interleaved(uint64_t v) { return kl_interleave(kl_of_u64(v)); }
static uint64_t plain(kl l) { return kl_u64(kl_deinterleave(l)); }

static void conversions(void) {
    static const struct {
        uint64_t lane, interleaved;
    } known[] = {
        {0, 0},
        {1, 1},                                      /* the padding's first bit stays in the low word */
        {2, 1ull << 32},                             /* bit 1: the odd word's bit 0 */
        {0x8000000000000000ull, 0x8000000000000000ull}, /* the padding's last bit stays in the high word */
        {0x5555555555555555ull, 0x00000000FFFFFFFFull},
        {0xAAAAAAAAAAAAAAAAull, 0xFFFFFFFF00000000ull},
        {0x0123456789ABCDEFull, 0x0505AFAF11BB11BBull}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        CHECK(interleave_reference(known[i].lane) == known[i].interleaved, "reference of %016llx",
              (unsigned long long)known[i].lane);
        CHECK(kl_u64(interleaved(known[i].lane)) == known[i].interleaved, "kl_interleave(%016llx) = %016llx",
              (unsigned long long)known[i].lane, (unsigned long long)kl_u64(interleaved(known[i].lane)));
    }
    for (int i = 0; i < 100000; i++) {
        const uint64_t v = rnd();
        const kl w = interleaved(v);
        CHECK(kl_u64(w) == interleave_reference(v), "kl_interleave(%016llx)", (unsigned long long)v);
        CHECK(plain(w) == v, "kl_deinterleave(kl_interleave(%016llx))", (unsigned long long)v);
    }
}

/* The round constants of both tables against keccak.h's, and iota's add of the plain high words. */
static void round_constants(void) {
    static const uint64_t rc[24] = KECCAK_ROUND_CONSTANTS;
    for (int r = 0; r < 24; r++) {
        CHECK(keccak_round_constants_host[KECCAK_PLAIN].rc[r].lo == (uint32_t)rc[r] &&
                  keccak_round_constants_host[KECCAK_PLAIN].rc[r].hi == (uint32_t)(rc[r] >> 32),
              "plain round constant %d", r);
        CHECK(kl_u64(keccak_round_constants_host[KECCAK_INTERLEAVED].rc[r]) == interleave_reference(rc[r]),
              "interleaved round constant %d", r);
    }
}

/* keccak_f1600_dev (plain halves) and 24 interleaved rounds against keccak_f1600. */
static void permutations(void) {
    for (int t = 0; t < 64; t++) {
        uint64_t want[25];
        kl p[25], q[25];
        for (int i = 0; i < 25; i++) want[i] = t ? rnd() : 0;
        for (int i = 0; i < 25; i++) p[i] = kl_of_u64(want[i]), q[i] = interleaved(want[i]);
        keccak_f1600(want);
        if (t == 0) CHECK(want[0] == 0xF1258F7940E1DDE7ull, "Keccak-f of zero: lane 0 %016llx", (unsigned long long)want[0]);
        keccak_f1600_dev(p);
        for (int r = 0; r < 24; r++) keccak_round_r<KECCAK_INTERLEAVED>(q, r);
        for (int i = 0; i < 25; i++) {
            CHECK(kl_u64(p[i]) == want[i], "state %d, plain lane %d", t, i);
            CHECK(plain(q[i]) == want[i], "state %d, interleaved lane %d", t, i);
        }
    }
}

/* The digest variants on a tree node's state (two digests, the padding, zeros): lanes 0..3
 * as the full permutation's, plain without the peeled round 0 and interleaved with it. */
static void digests(void) {
    for (int t = 0; t < 64; t++) {
        uint64_t want[25] = {0};
        for (int i = 0; i < 8; i++) want[i] = rnd();
        want[8] = 0x01, want[16] = 0x8000000000000000ull;
        kl p[25], q[25];
        for (int i = 0; i < 25; i++) p[i] = kl_of_u64(want[i]), q[i] = interleaved(want[i]);
        keccak_f1600(want);
        keccak_f1600_digest<0, KECCAK_PLAIN>(p);
        keccak_f1600_digest<1, KECCAK_INTERLEAVED>(q);
        for (int i = 0; i < 4; i++) {
            CHECK(kl_u64(p[i]) == want[i], "node %d, plain digest lane %d", t, i);
            CHECK(plain(q[i]) == want[i], "node %d, interleaved digest lane %d", t, i);
        }
    }
}

/* kl_be: a field element's 8 big-endian bytes read as a little-endian lane. */
static void big_endian_absorb(void) {
    for (int i = 0; i < 1000; i++) {
        const uint64_t v = rnd(), x = rnd();
        uint8_t be[8];
        for (int b = 0; b < 8; b++) be[b] = (uint8_t)(v >> (56 - 8 * b));
        uint64_t want;
        memcpy(&want, be, 8);
        kl l = kl_of_u64(x);
        kl_absorb_be(l, v);
        CHECK(kl_u64(kl_be(v)) == want && kl_u64(l) == (x ^ want), "kl_be(%016llx)", (unsigned long long)v);
    }
}

int main(void) {
    conversions();
    round_constants();
    permutations();
    digests();
    big_endian_absorb();
    return check_finish("test_keccak_f (kernels/keccak_f.cuh on the host)");
}
