/* SPDX-License-Identifier: BSD-2-Clause */
/* unit_types.c -- part-units and categorical-units (unit_types.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "report.h"
#include "unit_types.h"

#define PI 3.14159265358979323846

/* The fraction of the count samples of x on which each unit is not 0. */
static int measure_activity(const char *program, const sc_model *m,
                            const float *x, size_t count, double *active)
{
    enum { CHUNK = 1000 };
    size_t k = sc_model_units(m), n = sc_model_inputs(m);
    float *z = malloc(CHUNK * k * sizeof *z);
    if (z == NULL)
        return report_failure(program, "malloc", SC_ERR_NOMEM);
    for (size_t i = 0; i < k; i++)
        active[i] = 0;
    for (size_t b = 0; b < count; b += CHUNK) {
        size_t rows = count - b < CHUNK ? count - b : CHUNK;
        sc_status s = sc_model_encode(m, x + b * n, rows, z);
        if (s != SC_OK) {
            free(z);
            return report_failure(program, "sc_model_encode", s);
        }
        for (size_t r = 0; r < rows; r++)
            for (size_t i = 0; i < k; i++)
                active[i] += z[r * k + i] != 0.0f;
    }
    for (size_t i = 0; i < k; i++)
        active[i] /= (double)(count > 0 ? count : 1);
    free(z);
    return 0;
}

int unit_types_measure(const char *program, const sc_model *m,
                       const float *x, size_t count, unit_types *out)
{
    const float *we, *wd, *c = NULL;
    size_t k, n, rows, cols, classes = 0, ck;
    REPORT_CHECK(program, sc_model_weights(m, SC_WEIGHT_ENCODER, &we, &k,
                                           &n));
    REPORT_CHECK(program, sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &rows,
                                           &cols));
    if (sc_model_weights(m, SC_WEIGHT_CLASSIFIER, &c, &classes, &ck) !=
        SC_OK)
        classes = 0;
    out->k = k;
    out->angle = malloc(k * sizeof *out->angle);
    out->classifier_norm = malloc(k * sizeof *out->classifier_norm);
    out->active = malloc(k * sizeof *out->active);
    if (out->angle == NULL || out->classifier_norm == NULL ||
        out->active == NULL) {
        unit_types_free(out);
        return report_failure(program, "malloc", SC_ERR_NOMEM);
    }
    for (size_t i = 0; i < k; i++) {
        double dot = 0, ee = 0, dd = 0, cc = 0;
        for (size_t j = 0; j < n; j++) {
            dot += (double)we[i * n + j] * wd[j * k + i];
            ee += (double)we[i * n + j] * we[i * n + j];
            dd += (double)wd[j * k + i] * wd[j * k + i];
        }
        for (size_t y = 0; y < classes; y++)
            cc += (double)c[y * k + i] * c[y * k + i];
        out->angle[i] = ee > 0 && dd > 0
                            ? acos(fmax(-1.0, fmin(1.0, dot / sqrt(ee * dd))))
                            : PI / 2;
        out->classifier_norm[i] = sqrt(cc);
    }
    return measure_activity(program, m, x, count, out->active);
}

void unit_types_free(unit_types *u)
{
    free(u->angle);
    free(u->classifier_norm);
    free(u->active);
    u->angle = u->classifier_norm = u->active = NULL;
}

/* Unit i's type: 0 part, 1 between, 2 categorical, 3 dead. */
static int type_of(const unit_types *u, size_t i)
{
    if (u->active[i] == 0)
        return 3;
    return u->angle[i] < UNIT_TYPES_PART ? 0
           : u->angle[i] > UNIT_TYPES_CATEGORICAL ? 2 : 1;
}

#define BIN 0.1       /* radians per histogram bar */
#define BINS 16       /* up to 1.6 rad; larger angles in the last bar */

void unit_types_print(const unit_types *u)
{
    size_t histogram[BINS] = {0}, types[4] = {0};
    for (size_t i = 0; i < u->k; i++) {
        types[type_of(u, i)]++;
        if (type_of(u, i) == 3)
            continue;
        size_t b = (size_t)(u->angle[i] / BIN);
        histogram[b < BINS ? b : BINS - 1]++;
    }
    printf("unit types (live units: angle between encoder row and decoder "
           "column, rad):\n");
    for (size_t b = 0; b < BINS; b++) {
        if (b + 1 < BINS)
            printf("  %.1f-%.1f", BIN * (double)b, BIN * (double)(b + 1));
        else
            printf("  %.1f+    ", BIN * (double)b);
        printf("  %4zu  %.*s\n", histogram[b],
               (int)(histogram[b] * 60 / (u->k > 0 ? u->k : 1)),
               "############################################################");
    }
    printf("part_units=%zu categorical_units=%zu between=%zu dead=%zu "
           "(angle < %.1f rad, > %.1f rad; dead: never active)\n", types[0],
           types[2], types[1], types[3], UNIT_TYPES_PART,
           UNIT_TYPES_CATEGORICAL);
}

/* ---- the figure -------------------------------------------------------- */

typedef struct {
    double angle;
    size_t unit;
} ranked;

static int by_angle(const void *a, const void *b)
{
    double x = ((const ranked *)a)->angle, y = ((const ranked *)b)->angle;
    return (x > y) - (x < y);
}

#define SHOWN 16         /* decoder columns drawn per type, 4 x 4 */
#define WIDTH 1000
#define HEIGHT 640
#define PANEL 700        /* the scatter panel's width */

/* Draws the decoder columns of units order[0..count) (W_d is n x k) as a
 * 4-wide grid titled `title`, its top-left corner at (x, y); returns the
 * y below it, or -1 with a message in err. */
static long draw_columns(plot_canvas *canvas, long x, long y,
                         const char *title, const float *wd, size_t n,
                         size_t k, const ranked *order, size_t count,
                         size_t rows, size_t cols, char *err, size_t errsize)
{
    float *tiles = malloc(count * n * sizeof *tiles);
    if (tiles == NULL) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < count; t++)
        for (size_t i = 0; i < n; i++)
            tiles[t * n + i] = wd[i * k + order[t].unit];
    plot_text(canvas, x, y, title, 2, PLOT_BLACK);
    y += plot_text_height(2) + 4;
    size_t scale = cols < 56 ? 56 / cols : 1;
    int rc = plot_image_grid(canvas, x, y, scale, tiles, count, rows, cols,
                             n, 1, 4, err, errsize);
    free(tiles);
    long w, h;
    plot_image_grid_size(count, rows, cols, scale, 4, &w, &h);
    return rc == 0 ? y + h + 16 : -1;
}

int unit_types_plot(const unit_types *u, const sc_model *m, size_t rows,
                    size_t cols, const char *path, char *err,
                    size_t errsize)
{
    const float *wd;
    size_t n, k;
    if (sc_model_weights(m, SC_WEIGHT_DECODER, &wd, &n, &k) != SC_OK ||
        k != u->k || n != rows * cols || k == 0) {
        snprintf(err, errsize, "the model's decoder is not %zu x %zu images "
                 "of %zu units", rows, cols, u->k);
        return -1;
    }
    ranked *order = malloc(k * sizeof *order);
    double *x[4], *y[4];
    size_t counts[4] = {0, 0, 0, 0}, live = 0;
    int rc = order == NULL ? -1 : 0;
    for (int t = 0; t < 4; t++) {
        x[t] = malloc(k * sizeof *x[t]);
        y[t] = malloc(k * sizeof *y[t]);
        rc |= x[t] == NULL || y[t] == NULL ? -1 : 0;
    }
    plot_canvas canvas = {0};
    if (rc != 0)
        snprintf(err, errsize, "out of memory");
    double top = 0, widest = PI / 2;
    for (size_t i = 0; rc == 0 && i < k; i++) {
        double a = u->angle[i], c = u->classifier_norm[i];
        int t = type_of(u, i);
        x[t][counts[t]] = a;
        y[t][counts[t]++] = c;
        if (t != 3)
            order[live++] = (ranked){a, i};
        top = c > top ? c : top;
        widest = a > widest ? a : widest;
    }
    if (rc == 0)
        rc = plot_canvas_create(&canvas, WIDTH, HEIGHT, err, errsize);
    plot_panel panel;
    plot_axes axes = {"DrSAE units: angle and classifier weights",
                      "angle between encoder row and decoder column (rad)",
                      "|C_i|, norm of the unit's classifier weights",
                      -0.05, widest + 0.05, 0, top > 0 ? 1.05 * top : 1,
                      NULL, NULL, 0, 0, 2, 1};
    if (rc == 0)
        rc = plot_panel_draw(&canvas, &panel, 0, 0, PANEL, HEIGHT, &axes,
                             err, errsize);
    if (rc == 0) {
        plot_vline(&canvas, &panel, UNIT_TYPES_PART, PLOT_GREY, 1,
                   "0.5 rad");
        plot_vline(&canvas, &panel, UNIT_TYPES_CATEGORICAL, PLOT_GREY, 1,
                   "0.7 rad");
        const plot_style styles[4] = {
            {PLOT_SQUARE, 2, PLOT_BLUE, 0.8, "part-units"},
            {PLOT_PLUS, 2, PLOT_GREEN, 0.8, "between"},
            {PLOT_CROSS, 2, PLOT_ORANGE, 0.8, "categorical-units"},
            {PLOT_RING, 2, PLOT_GREY, 0.5, "dead (never active)"}};
        for (int t = 0; t < 4; t++)
            plot_points(&canvas, &panel, x[t], y[t], counts[t], &styles[t]);
        plot_legend(&canvas, &panel, PLOT_TOP_RIGHT, styles, 4);
        qsort(order, live, sizeof *order, by_angle);
        size_t shown = live < SHOWN ? live : SHOWN;
        long below = shown == 0 ? 30
                     : draw_columns(&canvas, PANEL + 20, 30,
                                    "smallest angles", wd, n, k, order,
                                    shown, rows, cols, err, errsize);
        if (below >= 0 && shown > 0)
            below = draw_columns(&canvas, PANEL + 20, below,
                                 "largest angles", wd, n, k,
                                 order + live - shown, shown, rows, cols,
                                 err, errsize);
        rc = below >= 0 ? plot_write_png(&canvas, path, err, errsize) : -1;
    }
    plot_canvas_free(&canvas);
    for (int t = 0; t < 4; t++) {
        free(x[t]);
        free(y[t]);
    }
    free(order);
    return rc;
}
