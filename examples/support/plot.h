/* SPDX-License-Identifier: BSD-2-Clause */
/* plot.h -- a small RGB canvas for the examples' figures: scatter panels
 * with axes and text in a built-in bitmap font, grids of filters, written
 * as a PNG through libpng. */
#ifndef EXAMPLE_PLOT_H
#define EXAMPLE_PLOT_H

#include <stddef.h>

typedef struct {
    unsigned char r, g, b;
} plot_rgb;

/* A few colours; blue and orange stay apart for colour-blind readers. */
#define PLOT_BLACK  ((plot_rgb){0, 0, 0})
#define PLOT_GREY   ((plot_rgb){120, 120, 120})
#define PLOT_BLUE   ((plot_rgb){0, 114, 178})
#define PLOT_ORANGE ((plot_rgb){213, 94, 0})
#define PLOT_GREEN  ((plot_rgb){0, 158, 115})

/* width x height pixels of 3 bytes (red, green, blue), row by row from
 * the top-left corner.  Drawing is clipped to the canvas: coordinates are
 * signed and may lie outside it. */
typedef struct {
    size_t width, height;
    unsigned char *pixels;
} plot_canvas;

/* Allocates a white canvas of width x height pixels.  Returns 0, or -1
 * with a message in err (and canvas->pixels NULL). */
int plot_canvas_create(plot_canvas *canvas, size_t width, size_t height,
                       char *err, size_t errsize);

/* Releases the pixels; the canvas may then be created again.  Safe on a
 * canvas whose creation failed. */
void plot_canvas_free(plot_canvas *canvas);

/* Writes the canvas to a PNG (8-bit RGB) at path.  Returns 0, or -1 with a
 * message in err. */
int plot_write_png(const plot_canvas *canvas, const char *path, char *err,
                   size_t errsize);

/* Fills the rectangle of w x h pixels whose top-left corner is (x, y). */
void plot_fill_rect(plot_canvas *canvas, long x, long y, long w, long h,
                    plot_rgb colour);

/* A straight line from (x0, y0) to (x1, y1), both ends included, of
 * thickness pixels (at least 1). */
void plot_line(plot_canvas *canvas, long x0, long y0, long x1, long y1,
               int thickness, plot_rgb colour);

/* Text in the built-in font: printable ASCII, each glyph 5 x 7 pixels
 * (lower-case descenders 2 more) in a cell 6 pixels wide, every pixel
 * drawn as scale x scale (scale 1 to 4).  A character outside printable
 * ASCII is drawn as a hollow box; there are no line breaks. */

/* Width of text in pixels at scale: 6 * scale per character less the
 * spacing after the last one. */
long plot_text_width(const char *text, int scale);

/* Height of a line of text in pixels at scale, descenders included:
 * 9 * scale. */
long plot_text_height(int scale);

/* Draws text left to right with the top-left corner of its box
 * (plot_text_width x plot_text_height) at (x, y). */
void plot_text(plot_canvas *canvas, long x, long y, const char *text,
               int scale, plot_rgb colour);

/* Draws text turned a quarter counter-clockwise, reading from bottom to
 * top, as a y axis title is; its box is plot_text_height wide and
 * plot_text_width tall, with the top-left corner at (x, y). */
void plot_text_up(plot_canvas *canvas, long x, long y, const char *text,
                  int scale, plot_rgb colour);

/* What plot_panel_draw draws around a scatter panel.  The ranges are the
 * data values at the edges of the plot area.  Without tick values given
 * (NULL), ticks go at about five "nice" values within the range
 * (multiples of 1, 2 or 5 times a power of ten; fewer, at multiples of 1,
 * 2, 2.5 or 5, if their labels would crowd); given ticks outside the range
 * are left out.  The labels print an axis's ticks with the fewest
 * decimals (up to 6) that show them all exactly. */
typedef struct {
    const char *title;            /* above the plot area, or NULL */
    const char *x_title;          /* under the x axis, or NULL */
    const char *y_title;          /* turned, left of the y axis, or NULL */
    double x_min, x_max, y_min, y_max;
    const double *x_ticks, *y_ticks;   /* or NULL: chosen */
    size_t x_tick_count, y_tick_count;
    int text_scale;               /* 1 to 4; 0 counts as 1 */
    int grid;                     /* nonzero: light lines at the ticks */
} plot_axes;

/* Where a drawn panel maps data: the plot area inside the frame, in
 * canvas pixels (x_min at column left, x_max at left + width - 1, y_max
 * at row top, y_min at top + height - 1), and the ranges. */
typedef struct {
    long left, top, width, height;
    double x_min, x_max, y_min, y_max;
    int text_scale;
} plot_panel;

/* Draws a panel in the rectangle of width x height pixels at (x, y) on
 * the canvas: the frame of the plot area, ticks and their labels on the
 * left and bottom edges, the titles, and (if asked) grid lines; the plot
 * area is what is left of the rectangle after the labels and titles.
 * Fills *panel for plot_points, plot_vline, plot_hline and plot_legend.
 * Returns 0, or -1 with a message in err if a range is empty or not
 * finite, the rectangle is not on the canvas, or it is too small for the
 * text. */
int plot_panel_draw(plot_canvas *canvas, plot_panel *panel, long x, long y,
                    long width, long height, const plot_axes *axes,
                    char *err, size_t errsize);

typedef enum {
    PLOT_SQUARE,      /* filled */
    PLOT_CROSS,       /* x */
    PLOT_PLUS,        /* + */
    PLOT_RING         /* hollow square */
} plot_marker;

/* How a set of points is drawn, and named in a legend. */
typedef struct {
    plot_marker marker;
    int size;          /* half-width in pixels: the marker is 2 size + 1
                          wide; 0 counts as 2 */
    plot_rgb colour;
    double opacity;    /* in (0, 1], to let crowded points show through
                          one another; 0 counts as 1 */
    const char *label; /* for plot_legend, or NULL */
} plot_style;

/* Draws point i at (x[i], y[i]) in the panel's plot area, clipped to it.
 * Returns how many points lay outside the ranges (or were not numbers)
 * and were not drawn. */
size_t plot_points(plot_canvas *canvas, const plot_panel *panel,
                   const double *x, const double *y, size_t count,
                   const plot_style *style);

/* A reference line across the plot area at x (vertical) or y
 * (horizontal) in data units, dashed if asked, as thick as the panel's
 * text scale; nothing if the value is outside the range.  label (or NULL)
 * is written in the line's colour on a thin white outline: along a
 * vertical line, turned up, at its top and to its right (to its left if
 * there is no room); above a horizontal line (below it if there is no
 * room), at its right end. */
void plot_vline(plot_canvas *canvas, const plot_panel *panel, double x,
                plot_rgb colour, int dashed, const char *label);
void plot_hline(plot_canvas *canvas, const plot_panel *panel, double y,
                plot_rgb colour, int dashed, const char *label);

typedef enum {
    PLOT_TOP_RIGHT,
    PLOT_TOP_LEFT,
    PLOT_BOTTOM_RIGHT,
    PLOT_BOTTOM_LEFT
} plot_corner;

/* A legend in a corner of the plot area: a framed white box with one line
 * per style, its marker and its label. */
void plot_legend(plot_canvas *canvas, const plot_panel *panel,
                 plot_corner corner, const plot_style *styles, size_t count);

/* Size in pixels of what plot_image_grid draws: grid_cols tiles across,
 * each tile_cols * scale wide, with a 1-pixel border around every tile;
 * likewise down. */
void plot_image_grid_size(size_t count, size_t tile_rows, size_t tile_cols,
                          size_t scale, size_t grid_cols, long *width,
                          long *height);

/* Draws count tiles of tile_rows x tile_cols as image_grid_write_png does
 * (tile t's pixel (r, c) is data[t * tile_stride + (r * tile_cols + c) *
 * pixel_stride]; each tile grey, 0 mid-grey and its largest |value| black
 * or white; a dark 1-pixel border), every data pixel scale x scale, with
 * the top-left corner at (x, y).  Returns 0, or -1 with a message in err
 * if the grid is empty or does not fit on the canvas. */
int plot_image_grid(plot_canvas *canvas, long x, long y, size_t scale,
                    const float *data, size_t count, size_t tile_rows,
                    size_t tile_cols, size_t tile_stride,
                    size_t pixel_stride, size_t grid_cols, char *err,
                    size_t errsize);

/* plot_image_grid with one scale for every tile: 0 mid-grey, -range
 * black and +range white (values beyond clipped), so that tiles can be
 * compared by brightness; range <= 0 scales each tile on its own, as
 * plot_image_grid does. */
int plot_image_grid_range(plot_canvas *canvas, long x, long y, size_t scale,
                          const float *data, size_t count, size_t tile_rows,
                          size_t tile_cols, size_t tile_stride,
                          size_t pixel_stride, size_t grid_cols, double range,
                          char *err, size_t errsize);

#endif
