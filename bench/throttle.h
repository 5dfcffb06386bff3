/* Throttled repetitions: a repetition during which the GPU slowed itself down measures the
 * card's cooling or power limit, not the code. The sweep child marks such a repetition with
 * the metric "throttled" = 1 (0 otherwise; only GPU repetitions with NVML are judged), and the
 * statistics leave marked repetitions out unless the sweep ran with --keep-throttled
 * (results context keep_throttled). The results files keep every value as measured. */
#ifndef SB_THROTTLE_H
#define SB_THROTTLE_H

#include <stddef.h>

#include "results.h"

/* NVML clocks-event (throttle) reasons that mark a repetition: software power cap (0x4),
 * hardware slowdown (0x8), software and hardware thermal slowdown (0x20, 0x40) and hardware
 * power brake (0x80). GPU idle (0x1) and the application or sync-boost settings do not. */
#define SB_THROTTLE_REASONS 0xECull
#define SB_THROTTLE_GPU_IDLE 0x1ull
/* A busy SM clock under this fraction of the reference clock marks a repetition too. */
#define SB_THROTTLE_CLOCK_FRACTION 0.9

/* Returns 1 when a repetition is throttled: reasons (NVML bit mask, the OR over its samples)
 * holds a bit of SB_THROTTLE_REASONS, or busy_clock_mhz (the lowest SM clock sampled while the
 * GPU was not idle) is under SB_THROTTLE_CLOCK_FRACTION of ref_clock_mhz (the card's maximum SM
 * clock, or the clock --lock-clocks set). A NAN reading says nothing. */
int sb_throttled(double reasons, double busy_clock_mhz, double ref_clock_mhz);

/* Counts p's repetitions whose metric "throttled" is 1. */
size_t sb_point_count_throttled(const sb_point *p);

/* Excludes p's throttled repetitions from its statistics: their real and CPU time and every
 * metric but "throttled" and "nvml:*" become NAN, after the measured values are kept in the
 * raw arrays (which the writer prefers). Idempotent. */
void sb_point_exclude_throttled(sb_point *p);

#endif
