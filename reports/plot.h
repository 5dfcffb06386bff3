/* gnuplot charts for report and history: a matrix of medians (rows = x categories,
 * columns = series or stacked segments) written as a tab-separated data file, a gnuplot
 * script beside it, and both a PNG (pngcairo) and an SVG drawn from it. The .dat and .gp
 * files stay in the output folder so a chart can be redrawn or restyled by hand. */
#ifndef SB_PLOT_H
#define SB_PLOT_H

#include <stddef.h>

typedef enum sb_plot_style {
    SB_PLOT_STACKED, /* one bar per row, columns stacked (medians only) */
    SB_PLOT_BARS,    /* clustered bars per row, one per column, min..max error bars */
    SB_PLOT_LINES,   /* one line per column over the rows, min..max error bars */
    SB_PLOT_LOGLOG   /* as LINES, but the row labels are numbers: a numeric x axis (base 2), both axes logarithmic */
} sb_plot_style;

typedef struct sb_plot_cell {
    size_t row, col;
    double med, lo, hi;
} sb_plot_cell;

/* A vertical marker at a row (a change point on a trend), with a short label. */
typedef struct sb_plot_mark {
    size_t row;
    char label[64];
} sb_plot_mark;

/* Zero-initialise; cells not set are missing (a gap, or 0 in a stack). */
typedef struct sb_plot_matrix {
    size_t rows, cols, n_cells, n_marks;
    char **row_labels, **col_labels; /* owned copies */
    sb_plot_cell *cells;
    sb_plot_mark *marks;
} sb_plot_matrix;

/* Returns 1 when a gnuplot executable is on PATH. */
int sb_plot_available(void);

/* Creates dir and its parents where missing. Returns 0, or -1 with errno set. */
int sb_mkdir_p(const char *dir);

/* Returns the index of the row / column labelled label, adding it when absent. */
size_t sb_plot_row(sb_plot_matrix *m, const char *label);
size_t sb_plot_col(sb_plot_matrix *m, const char *label);
/* Sets cell (row, col); lo and hi may be NAN (no error bar). */
void sb_plot_set(sb_plot_matrix *m, size_t row, size_t col, double med, double lo, double hi);
/* Marks row with a dashed vertical line and label (LINES style). */
void sb_plot_mark_row(sb_plot_matrix *m, size_t row, const char *label);
void sb_plot_free(sb_plot_matrix *m);

/* Writes dir/stem.dat and dir/stem.gp and runs gnuplot in dir to draw dir/stem.png and
 * dir/stem.svg. Returns 0, or -1 with a one-line reason in err (gnuplot's messages are in
 * dir/stem.log). */
int sb_plot_draw(const char *dir, const char *stem, const sb_plot_matrix *m, sb_plot_style style, const char *title,
                 const char *ylabel, char *err, size_t errlen);

#endif
