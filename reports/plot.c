#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "starkbench: out of memory\n");
        exit(2);
    }
    return q;
}

int sb_plot_available(void) {
    const char *path = getenv("PATH");
    if (!path) return 0;
    char *copy = strdup(path), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char exe[1024];
        snprintf(exe, sizeof exe, "%s/gnuplot", *d ? d : ".");
        found = access(exe, X_OK) == 0;
    }
    free(copy);
    return found;
}

int sb_mkdir_p(const char *dir) {
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = buf + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            *s = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static size_t label_index(char ***labels, size_t *n, const char *label) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*labels)[i], label) == 0) return i;
    *labels = xrealloc(*labels, (*n + 1) * sizeof **labels);
    (*labels)[*n] = strdup(label);
    return (*n)++;
}

size_t sb_plot_row(sb_plot_matrix *m, const char *label) { return label_index(&m->row_labels, &m->rows, label); }
size_t sb_plot_col(sb_plot_matrix *m, const char *label) { return label_index(&m->col_labels, &m->cols, label); }

void sb_plot_set(sb_plot_matrix *m, size_t row, size_t col, double med, double lo, double hi) {
    m->cells = xrealloc(m->cells, (m->n_cells + 1) * sizeof *m->cells);
    m->cells[m->n_cells++] = (sb_plot_cell){row, col, med, lo, hi};
}

void sb_plot_mark_row(sb_plot_matrix *m, size_t row, const char *label) {
    m->marks = xrealloc(m->marks, (m->n_marks + 1) * sizeof *m->marks);
    sb_plot_mark *k = &m->marks[m->n_marks++];
    k->row = row;
    snprintf(k->label, sizeof k->label, "%s", label);
}

void sb_plot_free(sb_plot_matrix *m) {
    for (size_t i = 0; i < m->rows; i++) free(m->row_labels[i]);
    for (size_t i = 0; i < m->cols; i++) free(m->col_labels[i]);
    free(m->row_labels);
    free(m->col_labels);
    free(m->cells);
    free(m->marks);
    memset(m, 0, sizeof *m);
}

/* Data-file and gnuplot-string safe copy: no tabs, newlines or quotes. */
static void clean_label(FILE *f, const char *s) {
    for (; *s; s++) fputc(strchr("\t\n\r\"'", *s) ? ' ' : *s, f);
}

static const sb_plot_cell *cell_at(const sb_plot_matrix *m, size_t row, size_t col) {
    const sb_plot_cell *found = NULL;
    for (size_t i = 0; i < m->n_cells; i++)
        if (m->cells[i].row == row && m->cells[i].col == col) found = &m->cells[i]; /* the last set wins */
    return found;
}

static void put_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "\t%.6g", v);
    else fputs("\tNaN", f);
}

/* The rows in the order they are written: as added, or by their numeric label for LOGLOG (lines
 * join points in file order). Returns a malloc'ed array of m->rows indices. */
static size_t *row_order(const sb_plot_matrix *m, sb_plot_style style) {
    size_t *order = xrealloc(NULL, m->rows * sizeof *order);
    for (size_t i = 0; i < m->rows; i++) {
        size_t j = i;
        for (; style == SB_PLOT_LOGLOG && j > 0 && atof(m->row_labels[order[j - 1]]) > atof(m->row_labels[i]); j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

static void write_data(FILE *f, const sb_plot_matrix *m, sb_plot_style style) {
    size_t *order = row_order(m, style);
    fputs("config", f);
    for (size_t c = 0; c < m->cols; c++) {
        fputc('\t', f);
        clean_label(f, m->col_labels[c]);
        if (style != SB_PLOT_STACKED) fputs("\tmin\tmax", f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < m->rows; i++) {
        const size_t r = order[i];
        clean_label(f, m->row_labels[r]);
        for (size_t c = 0; c < m->cols; c++) {
            const sb_plot_cell *cell = cell_at(m, r, c);
            double med = cell ? cell->med : NAN;
            if (style == SB_PLOT_STACKED) { /* a segment that is absent adds nothing to the stack */
                put_num(f, isfinite(med) ? med : 0);
                continue;
            }
            put_num(f, med);
            put_num(f, cell && isfinite(cell->lo) ? cell->lo : med);
            put_num(f, cell && isfinite(cell->hi) ? cell->hi : med);
        }
        fputc('\n', f);
    }
    free(order);
}

static void write_script(FILE *f, const char *stem, const sb_plot_matrix *m, sb_plot_style style, const char *title,
                         const char *ylabel) {
    fprintf(f, "# drawn by starkbench: gnuplot %s.gp (reads %s.dat, writes %s.png and %s.svg)\n", stem, stem, stem, stem);
    fputs("set datafile separator \"\\t\"\nset datafile missing \"NaN\"\nset title '", f);
    clean_label(f, title);
    fputs("' noenhanced\nset ylabel '", f);
    clean_label(f, ylabel);
    if (style == SB_PLOT_LOGLOG)
        fputs("'\nset logscale x 2\nset logscale y\nset format x '2^%L'\nset offsets graph 0.05, graph 0.05, 0, 0\n"
              "set grid xtics ytics\nset key below left Left reverse noenhanced\n",
              f);
    else
        fputs("'\nset yrange [0:*]\nset grid ytics\nset key below left Left reverse noenhanced\n"
              "set xtics rotate by -30 noenhanced\n",
              f);
    for (size_t i = 0; i < m->n_marks; i++) { /* x of a LINES chart is the row index */
        fprintf(f, "set arrow from %zu, graph 0 to %zu, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'\nset label '", m->marks[i].row,
                m->marks[i].row);
        clean_label(f, m->marks[i].label);
        fprintf(f, "' at %zu, graph 0.97 right rotate by 90 offset -0.5, 0 tc rgb '#d62728' noenhanced\n", m->marks[i].row);
    }
    /* Twelve distinct colours: the ten rounds of a stacked bar must not share one. */
    static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                          "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#f7b6d2"};
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        fprintf(f, "set linetype %zu lc rgb '%s' lw 1.5\n", i + 1, colours[i]);
    fprintf(f, "set linetype cycle %zu\n", sizeof colours / sizeof colours[0]);
    char plot[512];
    if (style == SB_PLOT_STACKED) {
        fputs("set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border -1\n"
              "set boxwidth 0.7 relative\n",
              f);
        snprintf(plot, sizeof plot, "plot for [i=2:%zu] '%s.dat' using i:xtic(1) title columnheader(i)", m->cols + 1, stem);
    } else if (style == SB_PLOT_BARS) {
        fputs("set style data histograms\nset style histogram errorbars gap 1 lw 1\n"
              "set style fill solid 0.85 border -1\n",
              f);
        snprintf(plot, sizeof plot,
                 "plot for [s=0:%zu] '%s.dat' using (column(2+3*s)):(column(3+3*s)):(column(4+3*s)):xtic(1) "
                 "title columnheader(2+3*s)",
                 m->cols - 1, stem);
    } else if (style == SB_PLOT_LOGLOG) {
        snprintf(plot, sizeof plot,
                 "plot for [s=0:%zu] '%s.dat' using 1:(column(2+3*s)):(column(3+3*s)):(column(4+3*s)) "
                 "with yerrorlines title columnheader(2+3*s)",
                 m->cols - 1, stem);
    } else {
        fputs("set offsets 0.3, 0.3, 0, 0\n", f);
        snprintf(plot, sizeof plot,
                 "plot for [s=0:%zu] '%s.dat' using 0:(column(2+3*s)):(column(3+3*s)):(column(4+3*s)):xtic(1) "
                 "with yerrorlines title columnheader(2+3*s)",
                 m->cols - 1, stem);
    }
    fprintf(f,
            "set terminal pngcairo size 1200,700 noenhanced\nset output '%s.png'\n%s\nunset output\n"
            "set terminal svg size 1200,700 noenhanced dynamic\nset output '%s.svg'\n%s\nunset output\n",
            stem, plot, stem, plot);
}

/* Runs `gnuplot stem.gp` in dir with its output going to log_fd. Returns its exit status or -1. */
static int run_gnuplot(const char *dir, const char *stem, int log_fd) {
    char gp[256];
    snprintf(gp, sizeof gp, "%s.gp", stem);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        execlp("gnuplot", "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int sb_plot_draw(const char *dir, const char *stem, const sb_plot_matrix *m, sb_plot_style style, const char *title,
                 const char *ylabel, char *err, size_t errlen) {
    char dat[1200], gp[1200], png[1200];
    snprintf(dat, sizeof dat, "%s/%s.dat", dir, stem);
    snprintf(gp, sizeof gp, "%s/%s.gp", dir, stem);
    snprintf(png, sizeof png, "%s/%s.png", dir, stem);
    if (!m->rows || !m->cols) {
        snprintf(err, errlen, "%s: nothing to draw", stem);
        return -1;
    }
    sb_outfile out;
    if (sb_outfile_open(&out, dat, err, errlen) != 0) return -1;
    write_data(out.f, m, style);
    if (sb_outfile_close(&out, err, errlen) != 0 || sb_outfile_open(&out, gp, err, errlen) != 0) return -1;
    write_script(out.f, stem, m, style, title, ylabel);
    if (sb_outfile_close(&out, err, errlen) != 0) return -1;
    char log[1200];
    snprintf(log, sizeof log, "%s/%s.log", dir, stem);
    if (sb_outfile_open(&out, log, err, errlen) != 0) return -1;
    int rc = run_gnuplot(dir, stem, fileno(out.f));
    int failed = rc != 0 || access(png, F_OK) != 0;
    struct stat st;
    if (!failed && fstat(fileno(out.f), &st) == 0 && st.st_size == 0) sb_outfile_discard(&out); /* gnuplot said nothing */
    else if (sb_outfile_close(&out, err, errlen) != 0) return -1;
    if (failed) {
        snprintf(err, errlen, "gnuplot failed on %s (exit %d; see %s)", gp, rc, log);
        return -1;
    }
    return 0;
}
