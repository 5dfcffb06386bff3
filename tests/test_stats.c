/* Statistics against hand-computed values (bench/stats.h). */
#include <math.h>
#include <stdio.h>

#include "stats.h"

static int failures;

static void expect(const char *what, double got, double want) {
    int ok = isnan(want) ? isnan(got) : fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want));
    if (!ok) {
        fprintf(stderr, "FAIL %s: got %.17g, want %.17g\n", what, got, want);
        failures++;
    }
}

int main(void) {
    sb_stats s;

    /* {2,4,4,4,5,5,7,9}: mean 5, sum of squares 32 -> sample var 32/7; median 4.5;
     * |x-4.5| = {2.5,.5,.5,.5,.5,.5,2.5,4.5} -> MAD 0.5. */
    const double a[] = {9, 4, 2, 5, 4, 7, 4, 5};
    sb_stats_compute(a, 8, &s);
    expect("a.n", (double)s.n, 8);
    expect("a.min", s.min, 2);
    expect("a.max", s.max, 9);
    expect("a.mean", s.mean, 5);
    expect("a.median", s.median, 4.5);
    expect("a.stddev", s.stddev, sqrt(32.0 / 7.0));
    expect("a.mad", s.mad, 0.5);
    expect("a.cv", s.cv, sqrt(32.0 / 7.0) / 5);

    /* Odd count with NANs skipped: {1, 3, 10} -> median 3, mean 14/3,
     * |x-3| = {2,0,7} -> MAD 2, sample var ((11/3)^2 + (5/3)^2 + (16/3)^2)/2 = 201/9. */
    const double b[] = {NAN, 10, 1, NAN, 3};
    sb_stats_compute(b, 5, &s);
    expect("b.n", (double)s.n, 3);
    expect("b.median", s.median, 3);
    expect("b.mean", s.mean, 14.0 / 3);
    expect("b.mad", s.mad, 2);
    expect("b.stddev", s.stddev, sqrt(201.0 / 9));
    expect("b.median()", sb_median(b, 5), 3);

    /* One value: stddev and cv 0 (Google Benchmark's convention). */
    const double c[] = {NAN, 42};
    sb_stats_compute(c, 2, &s);
    expect("c.n", (double)s.n, 1);
    expect("c.median", s.median, 42);
    expect("c.stddev", s.stddev, 0);
    expect("c.cv", s.cv, 0);
    expect("c.mad", s.mad, 0);

    /* No value at all: NAN everywhere. */
    const double d[] = {NAN, NAN};
    sb_stats_compute(d, 2, &s);
    expect("d.n", (double)s.n, 0);
    expect("d.median", s.median, NAN);
    expect("d.stddev", s.stddev, NAN);
    expect("d.median()", sb_median(d, 2), NAN);
    sb_stats_compute(NULL, 0, &s);
    expect("empty.mean", s.mean, NAN);

    /* Negative values and an even count: {-3, -1, 1, 7}: median 0, mean 1,
     * |x| = {3,1,1,7} -> MAD 2, sample var (16+4+0+36)/3. */
    const double e[] = {7, -3, 1, -1};
    sb_stats_compute(e, 4, &s);
    expect("e.median", s.median, 0);
    expect("e.mean", s.mean, 1);
    expect("e.mad", s.mad, 2);
    expect("e.stddev", s.stddev, sqrt(56.0 / 3));
    expect("e.cv", s.cv, sqrt(56.0 / 3));

    if (failures) return 1;
    printf("test_stats: ok\n");
    return 0;
}
