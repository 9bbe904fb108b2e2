/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab spectrum CFG | TABLE: power spectra of inputs and of the teacher
 * along lines, and their effective bandwidths (spectrum.h, THEORY.md
 * §10.3), as tables on standard output or in a folder with figures.
 *
 * A config gives one spectrum cell per teacher, named as baseline.tsv names
 * them (baseline.h): the seed and the swept keys of [experiment], [teacher]
 * and [data]; its problem is drawn exactly as runs draw it
 * (lab_problem_make()), with the largest n of the sweep (training sets are
 * prefixes of one stream). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "kind.h"
#include "plot.h"
#include "problem.h"
#include "spectrum.h"
#include "status.h"
#include "strbuf.h"
#include "table.h"

static const char usage[] =
    "Usage: lab spectrum [OPTIONS] CFG\n"
    "       lab spectrum [OPTIONS] TABLE\n"
    "Power spectra of inputs x in R^d read as 1-D signals of length d (bins\n"
    "k = 0..d/2, frequency k/d cycles per coordinate), and of the teacher's output\n"
    "along lines through the input space, with the effective bandwidth at each\n"
    "energy fraction q: the smallest bin B whose bins 0..B hold q of the energy\n"
    "(THEORY.md 10.3). Bins hold m_k |X_k|^2 / d (m_k = 1 for bin 0 and the Nyquist\n"
    "bin, else 2), so they sum to the mean energy |x|^2.\n"
    "\n"
    "For a config: one spectrum cell per teacher (the seed and the swept keys of\n"
    "[experiment], [teacher] and [data]), drawn exactly as lab run draws it:\n"
    "train_inputs (the largest n of the sweep), test_inputs, and teacher_lines:\n"
    "line i through input 2i of the test set (--through) along the direction of\n"
    "input 2i+1, over t in [-T, T), T = SPAN times the set's rms along it, at\n"
    "POINTS points, less its mean, Hann-windowed; frequency k/(2 SPAN) cycles\n"
    "per rms.\n"
    "For a table (a TSV or CSV with a header row): its numeric columns are the d\n"
    "coordinates, one row per input; only the input spectrum (inputs).\n"
    "A file whose first line (not a comment) is a [section] or KEY = VALUE is a config.\n"
    "\n"
    "Writes to standard output the spectra, one row per bin: the cell's axis\n"
    "columns, what, bin, frequency, dof (m_k), power, cumulative (the fraction of\n"
    "the energy in bins 0..bin); with --bandwidth the effective bandwidths instead:\n"
    "axis columns, what, q, bandwidth, frequency, dof (real degrees of freedom in\n"
    "bins 0..bandwidth), energy (the sum of the bins), samples (signals averaged).\n"
    "\n"
    "Options:\n"
    "  --out DIR          write DIR/spectrum.tsv, DIR/bandwidth.tsv and the figure\n"
    "                     DIR/figures/spectrum (plot.format of the config; png for\n"
    "                     a table) instead of standard output\n"
    "  --bandwidth        print the effective bandwidths rather than the spectra\n"
    "  --fraction LIST    energy fractions q, each in (0, 1] (default \"0.9, 0.99\")\n"
    "  --seed S           only the cells of seed S\n"
    "  --cell K           only spectrum cell K (0-based, in table order)\n"
    "  --samples N        at most the first N inputs of each set (default all)\n"
    "  --lines N          lines averaged (default 1024, at most half the set)\n"
    "  --through SET      the lines go through the test (default) or train inputs\n"
    "  --points L         points per line, even, 8 to 65536 (default 256)\n"
    "  --span S           half-length of a line in rms of the inputs along it,\n"
    "                     in (0, 1000] (default 3)\n"
    "  --set SECTION.KEY=VALUE  override a config key, as lab run does\n"
    "  -h, --help         this help\n"
    "Exit status: 0 done, 1 failure, 2 usage, config or table error.\n";

#define MAX_SETS 64

/* ==== Options ============================================================== */

typedef struct opts {
    const char *out;
    int bandwidth;
    double *q;
    size_t nq;
    long seed, cell;       /* -1: all */
    long samples;          /* 0: all */
    long lines;            /* 0: the default */
    long points;
    double span;
    int through_train;     /* lines through the training inputs, not the test inputs */
    char *sets[MAX_SETS];
    int nsets;
} opts;

/* A whole number in [min, max] for option name; else say so (exit 2). */
static int whole(const char *name, const char *text, long min, long max, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(text, &end, 10);
    if (end == text || *end || errno || x < min || x > max) {
        lab_cli_error("spectrum: --%s %s: expected a whole number from %ld to %ld", name,
                      text, min, max);
        return 0;
    }
    *v = x;
    return 1;
}

/* ==== Spectra ============================================================== */

/* One spectrum: of a set of inputs or of the lines of a cell. */
typedef struct series {
    char *values;     /* the cell's axis values, each followed by a tab ("" for none) */
    char *name;       /* "seed=0 ..." for figures ("" for none) */
    const char *what; /* train_inputs, test_inputs, teacher_lines, inputs */
    size_t len;       /* signal length: d or points */
    double unit;      /* frequency of bin 1 */
    size_t samples;   /* signals averaged */
    double *power;    /* len / 2 + 1 */
    double *cum;      /* len / 2 + 1 */
} series;

typedef struct result {
    char *axes;       /* the axis columns' header, each followed by a tab */
    series *s;
    size_t n, cap;
} result;

static void result_release(result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->s[i].values);
        free(r->s[i].name);
        free(r->s[i].power);
        free(r->s[i].cum);
    }
    free(r->s);
    free(r->axes);
}

/* A new series of r, its power array sized for length len; NULL when out of
 * memory. */
static series *add_series(result *r, const char *values, const char *name, const char *what,
                          size_t len, double unit, size_t samples)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 8;
        series *s = realloc(r->s, cap * sizeof *s);
        if (!s)
            return NULL;
        r->s = s;
        r->cap = cap;
    }
    series *s = &r->s[r->n];
    *s = (series){ strdup(values), strdup(name), what, len, unit, samples,
                   calloc(len / 2 + 1, sizeof(double)), calloc(len / 2 + 1, sizeof(double)) };
    if (!s->values || !s->name || !s->power || !s->cum) {
        free(s->values);
        free(s->name);
        free(s->power);
        free(s->cum);
        return NULL;
    }
    r->n++;
    return s;
}

/* The spectrum of n rows of x (n, d) as a new series. */
static int inputs_series(result *r, const char *values, const char *name, const char *what,
                         size_t n, size_t d, const double *x, char *err, size_t errlen)
{
    series *s = add_series(r, values, name, what, d, 1.0 / (double)d, n);
    lab_spectrum *sp = s ? lab_spectrum_alloc(d) : NULL;
    if (!sp)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_spectrum_signals(sp, n, x, s->power);
    lab_spectrum_free(sp);
    return LAB_OK;
}

/* ==== Cells of a config ====================================================== */

/* The largest training-set size of the sweep. */
static long largest_n(const lab_config *c)
{
    const lab_axis *a = lab_config_axis(c, "n");
    long most = a ? 0 : c->n;
    for (size_t v = 0; a && v < a->n; v++) {
        long n = strtol(a->values[v], NULL, 10);
        most = n > most ? n : most;
    }
    return most;
}

/* The spectra of one cell config: its inputs and its teacher's lines. */
static int cell_spectra(const lab_config *cell, const opts *o, result *r, const char *values,
                        const char *name, char *err, size_t errlen)
{
    lab_problem p;
    int rc = lab_problem_make(cell, &p, err, errlen);
    if (rc != LAB_OK)
        return rc;
    size_t d = p.test->d;
    size_t ntrain = p.train->n, ntest = p.test->n;
    if (o->samples > 0) {
        ntrain = ntrain < (size_t)o->samples ? ntrain : (size_t)o->samples;
        ntest = ntest < (size_t)o->samples ? ntest : (size_t)o->samples;
    }
    const char *set = o->through_train ? "training" : "test";
    size_t nset = o->through_train ? ntrain : ntest;
    const double *xset = o->through_train ? p.train->x : p.test->x;
    size_t lines = o->lines > 0 ? (size_t)o->lines : LAB_SPECTRUM_LINES;
    if (o->lines == 0 && lines > nset / 2)
        lines = nset / 2;
    if (lines > nset / 2 || lines == 0) {
        lab_problem_release(&p);
        return lab_fail(err, errlen, LAB_EINVAL, "--lines %zu: each line takes two %s "
                        "inputs, and there are %zu (%s, --samples)", lines ? lines : 1, set,
                        nset, o->through_train ? "sweep.n" : "data.test_size");
    }
    rc = inputs_series(r, values, name, "train_inputs", ntrain, d, p.train->x, err, errlen);
    if (rc == LAB_OK)
        rc = inputs_series(r, values, name, "test_inputs", ntest, d, p.test->x, err, errlen);
    if (rc == LAB_OK) {
        series *s = add_series(r, values, name, "teacher_lines", (size_t)o->points,
                               1.0 / (2.0 * o->span), lines);
        lab_spectrum *sp = s ? lab_spectrum_alloc((size_t)o->points) : NULL;
        rc = sp ? lab_spectrum_lines(sp, p.teacher, nset, d, xset, lines, o->span,
                                     s->power, err, errlen)
                : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
        lab_spectrum_free(sp);
    }
    lab_problem_release(&p);
    return rc;
}

static int config_spectra(const lab_config *c, const opts *o, result *r)
{
    char err[1024];
    const lab_kind *k = lab_config_kind(c);
    if (!k->teacher) {
        lab_cli_error("spectrum: %s: a config of the kind %s, which draws no teacher "
                      "through the common problem; lab spectrum reads the kinds that do",
                      c->source ? c->source : "config", k->name);
        return LAB_EXIT_USAGE;
    }
    lab_strbuf head = LAB_STRBUF_INIT;
    for (size_t a = 0; a < c->naxes; a++)
        if (lab_baseline_names_teacher(&c->axes[a]))
            lab_strbuf_printf(&head, "%s\t", lab_axis_column(&c->axes[a]));
    if (head.failed || !(r->axes = lab_strbuf_detach(&head))) {
        lab_strbuf_release(&head);
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    lab_config cell;
    if (lab_config_copy(&cell, c) != LAB_OK) {
        lab_cli_error("out of memory");
        return LAB_EXIT_FAIL;
    }
    long nmax = largest_n(c);
    if (o->samples > 0 && nmax > o->samples)
        nmax = o->samples;
    int code = LAB_EXIT_OK;
    size_t ncells = lab_config_ncells(c), index = 0, done = 0;
    for (size_t i = 0; i < ncells && code == LAB_EXIT_OK; i++) {
        if (!lab_baseline_first_of_teacher(c, i))
            continue;
        long this = (long)index++;
        if (o->cell >= 0 && this != o->cell)
            continue;
        if (lab_config_cell(c, i, &cell) != LAB_OK) {
            lab_cli_error("out of memory");
            code = LAB_EXIT_FAIL;
            break;
        }
        if (o->seed >= 0 && cell.replicate != o->seed)
            continue;
        cell.n = nmax;
        lab_strbuf values = LAB_STRBUF_INIT, name = LAB_STRBUF_INIT;
        for (size_t a = 0; a < c->naxes; a++)
            if (lab_baseline_names_teacher(&c->axes[a])) {
                const char *v = c->axes[a].values[lab_config_coord(c, i, a)];
                lab_strbuf_printf(&values, "%s\t", v);
                lab_strbuf_printf(&name, "%s%s=%s", name.s && name.s[0] ? " " : "",
                                  lab_axis_label(&c->axes[a]), v);
            }
        int rc = values.failed || name.failed
                     ? lab_fail(err, sizeof err, LAB_ENOMEM, "out of memory")
                     : cell_spectra(&cell, o, r, lab_strbuf_str(&values), lab_strbuf_str(&name),
                                    err, sizeof err);
        lab_strbuf_release(&values);
        lab_strbuf_release(&name);
        if (rc != LAB_OK) {
            lab_cli_error("spectrum: %s", err);
            code = lab_cli_exit_code(rc);
        }
        done++;
    }
    if (code == LAB_EXIT_OK && done == 0) {
        if (o->cell >= 0 && (size_t)o->cell >= index)
            lab_cli_error("spectrum: --cell %ld: the config has %zu spectrum cells (0 to %zu)",
                          o->cell, index, index - 1);
        else
            lab_cli_error("spectrum: --seed %ld: no spectrum cell%s has this seed (sweep.seeds)",
                          o->seed, o->cell >= 0 ? " chosen by --cell" : "");
        code = LAB_EXIT_USAGE;
    }
    lab_config_release(&cell);
    return code;
}

/* ==== A table of inputs ====================================================== */

static int table_spectra(const char *path, const opts *o, result *r)
{
    char err[1024];
    lab_table *t = NULL;
    int rc = lab_table_read(path, &t, err, sizeof err);
    if (rc != LAB_OK) {
        lab_cli_error("spectrum: %s", err);
        return rc == LAB_EIO ? LAB_EXIT_USAGE : lab_cli_exit_code(rc);
    }
    int code = LAB_EXIT_OK;
    size_t n = t->nrows;
    if (o->samples > 0 && n > (size_t)o->samples)
        n = (size_t)o->samples;
    /* A coordinate column is one whose first cell is a number; every other
     * cell of it must then be one too. */
    size_t *cols = malloc((t->ncols ? t->ncols : 1) * sizeof *cols), d = 0;
    double *x = NULL;
    lab_strbuf skipped = LAB_STRBUF_INIT;
    if (!cols) {
        lab_cli_error("out of memory");
        code = LAB_EXIT_FAIL;
        goto done;
    }
    if (n == 0) {
        lab_cli_error("spectrum: %s: no rows of inputs", path);
        code = LAB_EXIT_USAGE;
        goto done;
    }
    for (size_t j = 0; j < t->ncols; j++) {
        double v;
        if (lab_table_number(t, 0, j, &v, NULL, 0) == LAB_OK && isfinite(v))
            cols[d++] = j;
        else
            lab_strbuf_printf(&skipped, "%s%s", skipped.s && skipped.s[0] ? ", " : "",
                              t->names[j]);
    }
    if (d == 0) {
        lab_cli_error("spectrum: %s: no numeric column (a table of inputs has one column per "
                      "coordinate)", path);
        code = LAB_EXIT_USAGE;
        goto done;
    }
    if (!(x = malloc(n * d * sizeof *x))) {
        lab_cli_error("out of memory");
        code = LAB_EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double *v = &x[i * d + j];
            rc = lab_table_number(t, i, cols[j], v, err, sizeof err);
            if (rc == LAB_OK && !isfinite(*v))
                rc = lab_fail(err, sizeof err, LAB_EFORMAT, "%s:%ld: %s: \"%s\" is not a finite "
                              "number", path, t->lines[i], t->names[cols[j]],
                              lab_table_cell(t, i, cols[j]));
            if (rc != LAB_OK) {
                lab_cli_error("spectrum: %s", err);
                code = LAB_EXIT_USAGE;
                goto done;
            }
        }
    if (skipped.s && skipped.s[0])
        fprintf(stderr, "lab: %s: not coordinates (not numbers): %s\n", path,
                lab_strbuf_str(&skipped));
    if (!(r->axes = strdup(""))) {
        lab_cli_error("out of memory");
        code = LAB_EXIT_FAIL;
        goto done;
    }
    rc = inputs_series(r, "", "", "inputs", n, d, x, err, sizeof err);
    if (rc != LAB_OK) {
        lab_cli_error("spectrum: %s", err);
        code = lab_cli_exit_code(rc);
    }
done:
    lab_strbuf_release(&skipped);
    free(x);
    free(cols);
    lab_table_free(t);
    return code;
}

/* Whether path is a table rather than a config: a readable file whose first
 * line that is not blank or a comment is neither "[section]" nor
 * "key = value". */
static int is_table(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int table = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb
            && (unsigned char)p[2] == 0xbf)
            p += 3;
        p += strspn(p, " \t\r\n");
        if (!*p || *p == '#' || *p == ';')
            continue;
        table = *p != '[' && !strchr(p, '=');
        break;
    }
    fclose(f);
    return table;
}

/* ==== Output ================================================================== */

static void write_spectra(FILE *f, const result *r)
{
    fprintf(f, "%swhat\tbin\tfrequency\tdof\tpower\tcumulative\n", r->axes);
    for (size_t i = 0; i < r->n; i++) {
        const series *s = &r->s[i];
        for (size_t k = 0; k <= s->len / 2; k++)
            fprintf(f, "%s%s\t%zu\t%.17g\t%d\t%.17g\t%.17g\n", s->values, s->what, k,
                    (double)k * s->unit, lab_spectrum_dof(s->len, k), s->power[k], s->cum[k]);
    }
}

static void write_bandwidths(FILE *f, const result *r, const opts *o)
{
    fprintf(f, "%swhat\tq\tbandwidth\tfrequency\tdof\tenergy\tsamples\n", r->axes);
    for (size_t i = 0; i < r->n; i++) {
        const series *s = &r->s[i];
        size_t nb = s->len / 2 + 1;
        double energy = 0;
        for (size_t k = 0; k < nb; k++)
            energy += s->power[k];
        for (size_t j = 0; j < o->nq; j++) {
            size_t B = lab_spectrum_bandwidth(nb, s->power, o->q[j], NULL);
            long dof = 0;
            for (size_t k = 0; k <= B; k++)
                dof += lab_spectrum_dof(s->len, k);
            char q[64];
            lab_value_format_double(o->q[j], q, sizeof q);
            fprintf(f, "%s%s\t%s\t%zu\t%.17g\t%ld\t%.17g\t%zu\n", s->values, s->what, q, B,
                    (double)B * s->unit, dof, energy, s->samples);
        }
    }
}

static int write_file(const char *dir, const char *name, const result *r, const opts *o,
                      void (*body)(FILE *, const result *, const opts *), char *err,
                      size_t errlen)
{
    char *path = lab_path_join(dir, name);
    if (!path)
        return lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    lab_atomic at;
    int rc = lab_atomic_open(&at, path, err, errlen);
    if (rc == LAB_OK) {
        body(at.f, r, o);
        rc = lab_atomic_commit(&at, err, errlen);
    }
    free(path);
    return rc;
}

static void spectra_body(FILE *f, const result *r, const opts *o)
{
    (void)o;
    write_spectra(f, r);
}

static void bandwidth_body(FILE *f, const result *r, const opts *o)
{
    write_bandwidths(f, r, o);
}

/* The figure's data: the series whose what is (or is not, with lines 0)
 * teacher_lines, one gnuplot block each (two blank lines apart): frequency,
 * power per degree of freedom, cumulative. */
static void figure_data(FILE *f, const result *r, int lines)
{
    int first = 1;
    for (size_t i = 0; i < r->n; i++) {
        const series *s = &r->s[i];
        if ((strcmp(s->what, "teacher_lines") == 0) != lines)
            continue;
        if (!first)
            fputs("\n\n", f);
        first = 0;
        fputs("# frequency\tpower_per_dof\tcumulative\n", f);
        for (size_t k = 0; k <= s->len / 2; k++)
            fprintf(f, "%.17g\t%.17g\t%.17g\n", (double)k * s->unit,
                    s->power[k] / lab_spectrum_dof(s->len, k), s->cum[k]);
    }
}

static void inputs_dat(FILE *f, const result *r, const opts *o)
{
    (void)o;
    figure_data(f, r, 0);
}

static void lines_dat(FILE *f, const result *r, const opts *o)
{
    (void)o;
    figure_data(f, r, 1);
}

/* gnuplot settings of the figure: the data files, the number of blocks and
 * their titles (one word each), the fractions. NULL when out of memory. */
static char *figure_settings(const result *r, const opts *o, const char *title)
{
    lab_strbuf b = LAB_STRBUF_INIT;
    size_t nin = 0, nlines = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->s[i].what, "teacher_lines") == 0)
            nlines++;
        else
            nin++;
    }
    lab_strbuf_printf(&b, "inputs_file = \"spectrum_inputs.dat\"\nlines_file = "
                      "\"spectrum_lines.dat\"\nn_inputs = %zu\nn_lines = %zu\n", nin, nlines);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        lab_strbuf_release(&b);
        return NULL;
    }
    fputs("experiment = \"", f);
    lab_plot_text(f, title, 0);
    fputs("\"\n", f);
    for (int lines = 0; lines < 2; lines++) {
        fprintf(f, "titles_%s = \"", lines ? "lines" : "inputs");
        int first = 1;
        for (size_t i = 0; i < r->n; i++) {
            const series *s = &r->s[i];
            if ((strcmp(s->what, "teacher_lines") == 0) != lines)
                continue;
            if (!first)
                fputc(' ', f);
            first = 0;
            lab_strbuf t = LAB_STRBUF_INIT;
            if (lines)
                lab_strbuf_puts(&t, s->name[0] ? s->name : "teacher");
            else
                lab_strbuf_printf(&t, "%s%s%s", s->name, s->name[0] ? ":" : "",
                                  strcmp(s->what, "train_inputs") == 0 ? "train"
                                  : strcmp(s->what, "test_inputs") == 0 ? "test" : "inputs");
            lab_plot_text(f, t.failed ? "?" : lab_strbuf_str(&t), 1);
            lab_strbuf_release(&t);
        }
        fputs("\"\n", f);
    }
    fputs("fractions = \"", f);
    for (size_t j = 0; j < o->nq; j++) {
        char q[64];
        lab_value_format_double(o->q[j], q, sizeof q);
        fprintf(f, "%s%s", j ? " " : "", q);
    }
    fputs("\"\n", f);
    int bad = fclose(f) != 0;
    lab_strbuf_puts(&b, text ? text : "");
    free(text);
    if (bad || b.failed) {
        lab_strbuf_release(&b);
        return NULL;
    }
    return lab_strbuf_detach(&b);
}

static int write_out(const char *dir, const result *r, const opts *o, int format,
                     const char *title, char *warning, size_t warnlen, char *err, size_t errlen)
{
    char *figdir = lab_path_join(dir, "figures"), *settings = NULL;
    int rc = figdir ? lab_mkdirs(figdir, err, errlen)
                    : lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = write_file(dir, "spectrum.tsv", r, o, spectra_body, err, errlen);
    if (rc == LAB_OK)
        rc = write_file(dir, "bandwidth.tsv", r, o, bandwidth_body, err, errlen);
    if (rc == LAB_OK)
        rc = write_file(figdir, "spectrum_inputs.dat", r, o, inputs_dat, err, errlen);
    if (rc == LAB_OK)
        rc = write_file(figdir, "spectrum_lines.dat", r, o, lines_dat, err, errlen);
    if (rc == LAB_OK && !(settings = figure_settings(r, o, title)))
        rc = lab_fail(err, errlen, LAB_ENOMEM, "out of memory");
    if (rc == LAB_OK)
        rc = lab_plot_render(figdir, "spectrum", "spectrum", (enum lab_plot_format)format,
                             settings, NULL, warning, warnlen, err, errlen);
    free(settings);
    free(figdir);
    return rc;
}

/* ==== The command ==================================================================== */

int lab_cmd_spectrum(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "bandwidth", no_argument, NULL, 'b' },
        { "fraction", required_argument, NULL, 'q' },
        { "seed", required_argument, NULL, 's' },
        { "cell", required_argument, NULL, 'c' },
        { "samples", required_argument, NULL, 'n' },
        { "lines", required_argument, NULL, 'l' },
        { "points", required_argument, NULL, 'p' },
        { "span", required_argument, NULL, 'S' },
        { "through", required_argument, NULL, 't' },
        { "set", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    opts o = { .seed = -1, .cell = -1, .points = LAB_SPECTRUM_POINTS,
               .span = LAB_SPECTRUM_SPAN };
    const char *fractions = "0.9, 0.99";
    int opt, code;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            o.out = optarg;
            break;
        case 'b':
            o.bandwidth = 1;
            break;
        case 'q':
            fractions = optarg;
            break;
        case 's':
            if (!whole("seed", optarg, 0, 1000000000L, &o.seed))
                return LAB_EXIT_USAGE;
            break;
        case 'c':
            if (!whole("cell", optarg, 0, 1000000000L, &o.cell))
                return LAB_EXIT_USAGE;
            break;
        case 'n':
            if (!whole("samples", optarg, 1, 1000000000L, &o.samples))
                return LAB_EXIT_USAGE;
            break;
        case 'l':
            if (!whole("lines", optarg, 1, 1000000000L, &o.lines))
                return LAB_EXIT_USAGE;
            break;
        case 'p':
            if (!whole("points", optarg, 8, 65536, &o.points))
                return LAB_EXIT_USAGE;
            if (o.points % 2) {
                lab_cli_error("spectrum: --points %s: expected an even number (the window "
                              "is then symmetric about the line's centre)", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        case 'S': {
            char *end;
            errno = 0;
            o.span = strtod(optarg, &end);
            if (end == optarg || *end || errno || !(o.span > 0 && o.span <= 1000)) {
                lab_cli_error("spectrum: --span %s: expected a number in (0, 1000]", optarg);
                return LAB_EXIT_USAGE;
            }
            break;
        }
        case 't':
            if (strcmp(optarg, "test") == 0 || strcmp(optarg, "train") == 0) {
                o.through_train = optarg[1] == 'r';
                break;
            }
            lab_cli_error("spectrum: --through %s: expected test or train", optarg);
            return LAB_EXIT_USAGE;
        case 'e':
            if (o.nsets == MAX_SETS) {
                lab_cli_error("spectrum: --set: at most %d overrides", MAX_SETS);
                return LAB_EXIT_USAGE;
            }
            if ((code = lab_cli_set_option(argc, argv, optarg, o.sets, &o.nsets)) >= 0)
                return code;
            break;
        case 'h':
            fputs(usage, stdout);
            return LAB_EXIT_OK;
        default:
            return lab_cli_refused("spectrum", opt, argv, longopts);
        }
    }
    if (optind != argc - 1) {
        if (optind < argc - 1)
            lab_cli_error("spectrum: unexpected argument %s (one CFG or TABLE)",
                          argv[optind + 1]);
        fputs(usage, stderr);
        return LAB_EXIT_USAGE;
    }
    if (o.out && o.bandwidth) {
        lab_cli_error("spectrum: --bandwidth prints to standard output; with --out both "
                      "tables are written (DIR/bandwidth.tsv)");
        return LAB_EXIT_USAGE;
    }
    char why[512];
    int rc = lab_config_parse_reals(fractions, 0, 1, LAB_KEY_MIN_OPEN, &o.q, &o.nq, why,
                                    sizeof why);
    if (rc != LAB_OK) {
        lab_cli_error("spectrum: --fraction %s: %s", fractions, why);
        return rc == LAB_ENOMEM ? LAB_EXIT_FAIL : LAB_EXIT_USAGE;
    }
    const char *input = argv[optind];
    result r = { 0 };
    lab_config c;
    int have_config = 0, format = LAB_PLOT_PNG;
    if (is_table(input)) {
        if (o.nsets || o.seed >= 0 || o.cell >= 0 || o.lines || o.points != LAB_SPECTRUM_POINTS
            || o.span != LAB_SPECTRUM_SPAN || o.through_train) {
            lab_cli_error("spectrum: %s is a table of inputs: --%s applies to a config only",
                          input, o.nsets ? "set" : o.seed >= 0 ? "seed" : o.cell >= 0 ? "cell"
                          : o.lines ? "lines" : o.points != LAB_SPECTRUM_POINTS ? "points"
                          : o.span != LAB_SPECTRUM_SPAN ? "span" : "through");
            code = LAB_EXIT_USAGE;
        } else {
            code = table_spectra(input, &o, &r);
        }
    } else {
        have_config = 1;
        code = lab_cli_load_config(&c, input, o.sets, o.nsets);
        if (code == LAB_EXIT_OK) {
            format = c.format;
            code = config_spectra(&c, &o, &r);
        }
    }
    for (size_t i = 0; code == LAB_EXIT_OK && i < r.n; i++)
        lab_spectrum_bandwidth(r.s[i].len / 2 + 1, r.s[i].power, 1.0, r.s[i].cum);
    if (code == LAB_EXIT_OK && o.out) {
        char err[1024], warning[1024];
        rc = write_out(o.out, &r, &o, format, have_config ? c.name : input, warning,
                       sizeof warning, err, sizeof err);
        if (rc != LAB_OK) {
            lab_cli_error("spectrum: %s", err);
            code = lab_cli_exit_code(rc);
        } else {
            if (warning[0])
                lab_cli_error("warning: %s", warning);
            fprintf(stderr, "lab: spectra in %s/spectrum.tsv, effective bandwidths in "
                    "%s/bandwidth.tsv, figure in %s/figures\n", o.out, o.out, o.out);
        }
    } else if (code == LAB_EXIT_OK) {
        if (o.bandwidth)
            write_bandwidths(stdout, &r, &o);
        else
            write_spectra(stdout, &r);
    }
    result_release(&r);
    free(o.q);
    if (have_config)
        lab_config_release(&c);
    return code;
}
