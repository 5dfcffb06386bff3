/* Which GPUs a sweep uses (bench/gpus.h), without a GPU: CUDA_VISIBLE_DEVICES resolved the way
 * CUDA reads it (indices, UUID prefixes, the list ending at the first entry that names no
 * device), --gpus selections and their refusals, and the choice of a GPU for a point by its
 * device memory (an idle card with room, else wait for a busy one, else infeasible). */
#include <stdio.h>
#include <string.h>

#include "gpus.h"

#include "check.h"

static const char *const uuids[] = {"GPU-aaaa1111-0000", "GPU-bbbb2222-0000", "GPU-aaaa3333-0000"};

/* Resolves visible against the three devices; writes the indices as "0,2" to out. */
static const char *resolve(const char *visible, char out[64]) {
    unsigned idx[8];
    size_t n = sb_gpus_visible(visible, uuids, 3, idx, 8);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) snprintf(out + strlen(out), 64 - strlen(out), "%s%u", i ? "," : "", idx[i]);
    return out;
}

int main(void) {
    char got[64];
    CHECK(!strcmp(resolve(NULL, got), "0,1,2"), "unset: every device (%s)", got);
    CHECK(!strcmp(resolve("2,0", got), "2,0"), "indices in CUDA_VISIBLE_DEVICES's order (%s)", got);
    CHECK(!strcmp(resolve("GPU-bbbb,0", got), "1,0"), "a UUID prefix (%s)", got);
    CHECK(!strcmp(resolve("GPU-aaaa,1", got), ""), "a prefix of two UUIDs names no device: the list ends (%s)", got);
    CHECK(!strcmp(resolve("1,7,0", got), "1"), "an index past the devices ends the list (%s)", got);
    CHECK(!strcmp(resolve("0,0,1", got), "0"), "a device named twice ends the list (%s)", got);
    CHECK(!strcmp(resolve("", got), "") && !strcmp(resolve("-1", got), ""), "\"\" and -1: no device");
    CHECK(!strcmp(resolve("GPU-aaaa3333-0000", got), "2"), "a whole UUID (%s)", got);

    sb_gpu_info visible[3], out[SB_MAX_GPUS];
    for (unsigned i = 0; i < 3; i++) {
        memset(&visible[i], 0, sizeof visible[i]);
        visible[i].index = 2 - i; /* as CUDA_VISIBLE_DEVICES=2,1,0 lists them */
        snprintf(visible[i].uuid, sizeof visible[i].uuid, "%s", uuids[2 - i]);
    }
    char err[256] = "";
    CHECK(sb_gpus_select("all", visible, 3, out, err, sizeof err) == 3 && out[0].index == 2 && out[2].index == 0,
          "all: the visible ones in their order");
    CHECK(sb_gpus_select("0,2", visible, 3, out, err, sizeof err) == 2 && out[0].index == 0 && out[1].index == 2 &&
              !strcmp(out[1].uuid, uuids[2]),
          "a list: those NVML indices, in its order");
    CHECK(sb_gpus_select("1,3", visible, 3, out, err, sizeof err) == -1 && strstr(err, "no GPU 3 here (GPUs: 2, 1, 0"),
          "a GPU that is not there: %s", err);
    static const char *const bad[] = {"", "x", "0,", ",1", "1,,2", "-1", "64", "0 1", "0,1,0", "all,1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK(sb_gpus_spec_check(bad[i], err, sizeof err) == -1 && strchr(err, '\n') == NULL && err[0],
              "--gpus '%s' refused in one line (%s)", bad[i], err);
    }
    CHECK(sb_gpus_spec_check("all", err, sizeof err) == 0 && sb_gpus_spec_check("0,5,63", err, sizeof err) == 0,
          "good specs pass");

    /* a point on two cards of 80 and 40 GiB free (and a third whose memory NVML could not say) */
    sb_gpu_info cards[3];
    memset(cards, 0, sizeof cards);
    cards[0].memory_free = 80ull << 30;
    cards[1].memory_free = 40ull << 30;
    int busy[3] = {0, 0, 0};
    CHECK(sb_gpus_pick(cards, busy, 2, 30ull << 30) == 0, "the first idle card with room");
    busy[0] = 1;
    CHECK(sb_gpus_pick(cards, busy, 2, 30ull << 30) == 1, "the next idle card with room");
    CHECK(sb_gpus_pick(cards, busy, 2, 60ull << 30) == SB_GPU_WAIT, "only the busy card has room: wait");
    CHECK(sb_gpus_pick(cards, busy, 2, 90ull << 30) == SB_GPU_NONE, "no card has room: infeasible");
    CHECK(sb_gpus_pick(cards, busy, 3, 90ull << 30) == 2, "a card of unknown memory is taken as having room");
    CHECK(sb_gpus_pick(cards, busy, 0, 1) == SB_GPU_NONE, "no GPU at all");
    return check_finish("test_gpus");
}
