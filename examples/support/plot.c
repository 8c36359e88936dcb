/* SPDX-License-Identifier: BSD-2-Clause */
/* plot.c -- an RGB canvas with axes, points, bitmap text and filter grids,
 * written as a PNG through libpng. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "plot.h"

/* ---------------------------------------------------------------------
 * The font: printable ASCII from ' ' (32) to '~' (126), drawn for this
 * file.  Each glyph is 9 rows of 5 pixels, bit 4 the leftmost; rows 0-6
 * hold capitals and digits (the baseline is under row 6), rows 2-6 the
 * body of lower-case letters, rows 7-8 descenders. */
enum { GLYPH_COLS = 5, GLYPH_ROWS = 9, GLYPH_CAP = 7, GLYPH_ADVANCE = 6 };

static const unsigned char font[95][GLYPH_ROWS] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* space */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ! */
    {0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* " */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a, 0x00, 0x00}, /* # */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00, 0x00}, /* $ */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00, 0x00}, /* % */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* & */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* quote */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00, 0x00}, /* ( */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00, 0x00}, /* ) */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00, 0x00}, /* * */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00, 0x00}, /* + */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x04, 0x08}, /* , */
    {0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00, 0x00}, /* . */
    {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10, 0x00, 0x00}, /* / */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00, 0x00}, /* 0 */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* 1 */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* 2 */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 3 */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00, 0x00}, /* 4 */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 5 */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 6 */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00, 0x00}, /* 7 */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 8 */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00, 0x00}, /* 9 */
    {0x00, 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00}, /* : */
    {0x00, 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x04, 0x08}, /* ; */
    {0x01, 0x02, 0x04, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00}, /* < */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00}, /* = */
    {0x10, 0x08, 0x04, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00}, /* > */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ? */
    {0x0e, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0f, 0x00, 0x00}, /* @ */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* A */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* B */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* C */
    {0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* D */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* E */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* F */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* G */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* H */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00, 0x00}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00, 0x00}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* L */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00, 0x00}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00, 0x00}, /* N */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* O */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* P */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* Q */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00, 0x00}, /* R */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00, 0x00}, /* S */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* W */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00, 0x00}, /* X */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* Y */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00, 0x00}, /* Z */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00, 0x00}, /* [ */
    {0x10, 0x10, 0x08, 0x04, 0x02, 0x01, 0x01, 0x00, 0x00}, /* backslash */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00, 0x00}, /* ] */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ^ */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00}, /* _ */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ` */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00, 0x00}, /* a */
    {0x10, 0x10, 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* b */
    {0x00, 0x00, 0x0e, 0x11, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* c */
    {0x01, 0x01, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* d */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00, 0x00}, /* e */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00, 0x00}, /* f */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* g */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* h */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* i */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00, 0x00}, /* k */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* l */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x15, 0x15, 0x00, 0x00}, /* m */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* n */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* o */
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* p */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* q */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00, 0x00}, /* r */
    {0x00, 0x00, 0x0f, 0x10, 0x0e, 0x01, 0x1e, 0x00, 0x00}, /* s */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00}, /* t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00, 0x00}, /* u */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* w */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00, 0x00}, /* x */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* y */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* z */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02, 0x00, 0x00}, /* { */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00}, /* | */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08, 0x00, 0x00}, /* } */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00, 0x00}, /* ~ */
};

/* A hollow box, for characters the font does not have. */
static const unsigned char unknown_glyph[GLYPH_ROWS] = {
    0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f, 0x00, 0x00};

enum { MAX_SIDE = 100000, MAX_TICKS = 64, MAX_MARKER = 16 };

/* A rectangle [x0, x1) x [y0, y1) that drawing is clipped to. */
typedef struct {
    long x0, y0, x1, y1;
} box;

static const plot_rgb white = {255, 255, 255};

static box canvas_box(const plot_canvas *canvas)
{
    box b = {0, 0, (long)canvas->width, (long)canvas->height};
    return b;
}

static box area_box(const plot_panel *panel)
{
    box b = {panel->left, panel->top, panel->left + panel->width,
             panel->top + panel->height};
    return b;
}

static box intersect(box a, box b)
{
    box r = {a.x0 > b.x0 ? a.x0 : b.x0, a.y0 > b.y0 ? a.y0 : b.y0,
             a.x1 < b.x1 ? a.x1 : b.x1, a.y1 < b.y1 ? a.y1 : b.y1};
    return r;
}

static int clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > 4 ? 4 : scale;
}

/* Mixes colour into the pixel (x, y) with weight opacity, if the pixel is
 * inside clip (which lies on the canvas). */
static void paint(plot_canvas *canvas, box clip, long x, long y,
                  plot_rgb colour, double opacity)
{
    if (x < clip.x0 || x >= clip.x1 || y < clip.y0 || y >= clip.y1)
        return;
    unsigned char *p = canvas->pixels + ((size_t)y * canvas->width +
                                         (size_t)x) * 3;
    if (opacity >= 1.0) {
        p[0] = colour.r;
        p[1] = colour.g;
        p[2] = colour.b;
        return;
    }
    p[0] = (unsigned char)lround(p[0] + (colour.r - p[0]) * opacity);
    p[1] = (unsigned char)lround(p[1] + (colour.g - p[1]) * opacity);
    p[2] = (unsigned char)lround(p[2] + (colour.b - p[2]) * opacity);
}

static void fill(plot_canvas *canvas, box clip, long x, long y, long w,
                 long h, plot_rgb colour)
{
    box r = {x, y, x + w, y + h};
    r = intersect(intersect(r, clip), canvas_box(canvas));
    for (long yy = r.y0; yy < r.y1; yy++)
        for (long xx = r.x0; xx < r.x1; xx++)
            paint(canvas, r, xx, yy, colour, 1.0);
}

int plot_canvas_create(plot_canvas *canvas, size_t width, size_t height,
                       char *err, size_t errsize)
{
    canvas->width = width;
    canvas->height = height;
    canvas->pixels = NULL;
    if (width < 1 || width > MAX_SIDE || height < 1 || height > MAX_SIDE) {
        snprintf(err, errsize,
                 "a canvas of %zu x %zu pixels: each side must be 1 to %d",
                 width, height, MAX_SIDE);
        return -1;
    }
    canvas->pixels = malloc(width * height * 3);
    if (canvas->pixels == NULL) {
        snprintf(err, errsize, "out of memory for a %zu x %zu canvas", width,
                 height);
        return -1;
    }
    memset(canvas->pixels, 255, width * height * 3);
    return 0;
}

void plot_canvas_free(plot_canvas *canvas)
{
    free(canvas->pixels);
    canvas->pixels = NULL;
}

int plot_write_png(const plot_canvas *canvas, const char *path, char *err,
                   size_t errsize)
{
    FILE *f = fopen(path, "wb");
    png_structp png = f ? png_create_write_struct(PNG_LIBPNG_VER_STRING,
                                                  NULL, NULL, NULL)
                        : NULL;
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        snprintf(err, errsize, "cannot write %s", path);
        if (png != NULL)
            png_destroy_write_struct(&png, info ? &info : NULL);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)canvas->width,
                 (png_uint_32)canvas->height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < canvas->height; y++)
        png_write_row(png, canvas->pixels + y * canvas->width * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fclose(f) != 0) {
        snprintf(err, errsize, "cannot write %s", path);
        return -1;
    }
    return 0;
}

void plot_fill_rect(plot_canvas *canvas, long x, long y, long w, long h,
                    plot_rgb colour)
{
    fill(canvas, canvas_box(canvas), x, y, w, h, colour);
}

void plot_line(plot_canvas *canvas, long x0, long y0, long x1, long y1,
               int thickness, plot_rgb colour)
{
    long t = thickness < 1 ? 1 : thickness;
    long dx = labs(x1 - x0), dy = -labs(y1 - y0);
    long sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    long e = dx + dy;
    for (;;) {   /* Bresenham, with a t x t brush */
        fill(canvas, canvas_box(canvas), x0 - t / 2, y0 - t / 2, t, t,
             colour);
        if (x0 == x1 && y0 == y1)
            break;
        long e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

/* ---------------------------------------------------------------------
 * Text */

long plot_text_width(const char *text, int scale)
{
    size_t n = strlen(text);
    int s = clamp_scale(scale);
    return n == 0 ? 0 : (long)n * GLYPH_ADVANCE * s - s;
}

long plot_text_height(int scale)
{
    return (long)GLYPH_ROWS * clamp_scale(scale);
}

static const unsigned char *glyph(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 32 && u <= 126 ? font[u - 32] : unknown_glyph;
}

/* Draws text with its box's top-left corner at (x, y), turned up (a
 * quarter counter-clockwise) if up is nonzero. */
static void draw_text(plot_canvas *canvas, box clip, long x, long y,
                      const char *text, int scale, plot_rgb colour, int up)
{
    long s = clamp_scale(scale);
    long length = plot_text_width(text, scale);
    for (long i = 0; text[i] != '\0'; i++) {
        const unsigned char *g = glyph(text[i]);
        for (long r = 0; r < GLYPH_ROWS; r++)
            for (long c = 0; c < GLYPH_COLS; c++) {
                if (!(g[r] & (0x10 >> c)))
                    continue;
                long along = (i * GLYPH_ADVANCE + c) * s;   /* in the text */
                long down = r * s;                          /* across it */
                if (up)
                    fill(canvas, clip, x + down, y + length - along - s, s,
                         s, colour);
                else
                    fill(canvas, clip, x + along, y + down, s, s, colour);
            }
    }
}

void plot_text(plot_canvas *canvas, long x, long y, const char *text,
               int scale, plot_rgb colour)
{
    draw_text(canvas, canvas_box(canvas), x, y, text, scale, colour, 0);
}

void plot_text_up(plot_canvas *canvas, long x, long y, const char *text,
                  int scale, plot_rgb colour)
{
    draw_text(canvas, canvas_box(canvas), x, y, text, scale, colour, 1);
}

/* Text in colour on a white outline one pixel wide, readable over points
 * and lines. */
static void haloed_text(plot_canvas *canvas, box clip, long x, long y,
                        const char *text, int scale, plot_rgb colour,
                        int up)
{
    for (long dy = -1; dy <= 1; dy++)
        for (long dx = -1; dx <= 1; dx++)
            if (dx != 0 || dy != 0)
                draw_text(canvas, clip, x + dx, y + dy, text, scale, white,
                          up);
    draw_text(canvas, clip, x, y, text, scale, colour, up);
}

/* ---------------------------------------------------------------------
 * Ticks */

/* Multiples of a step of 1, 2 or 5 times a power of ten giving about
 * five ticks in [lo, hi], or with level > 0 the level-th coarser step of
 * 1, 2, 2.5 or 5 times a power of ten, into out.  Returns how many (at
 * most MAX_TICKS). */
static size_t nice_ticks(double lo, double hi, int level, double *out)
{
    static const double mantissas[4] = {1, 2, 2.5, 5};
    double raw = (hi - lo) / 5;
    int e = (int)floor(log10(raw));
    double norm = raw / pow(10, e);
    int m = norm < 1.5 ? 0 : norm < 3 ? 1 : norm < 7 ? 3 : 4;
    m += level;
    e += m / 4;
    m %= 4;
    double step = mantissas[m] * pow(10, e);
    double first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9);
    size_t n = 0;
    for (double k = first; k <= last && n < MAX_TICKS; k++) {
        double v = k * step;
        out[n++] = fabs(v) < step * 1e-6 ? 0.0 : v;
    }
    return n;
}

/* The fewest decimals (up to 6) that print each of the n values exactly. */
static int tick_decimals(const double *v, size_t n)
{
    for (int d = 0; d < 6; d++) {
        double p = pow(10, d);
        size_t i = 0;
        while (i < n && fabs(v[i] * p - nearbyint(v[i] * p)) < 1e-6 * p)
            i++;
        if (i == n)
            return d;
    }
    return 6;
}

typedef struct {
    double value[MAX_TICKS];
    char label[MAX_TICKS][32];
    long width[MAX_TICKS];   /* of the label */
    long widest;
    size_t count;
} ticks;

/* The ticks of one axis: the caller's within [lo, hi], or the nice ones
 * at level. */
static void make_ticks(ticks *t, double lo, double hi, const double *given,
                       size_t given_count, int level, int scale)
{
    t->count = 0;
    if (given != NULL) {
        double slack = (hi - lo) * 1e-9;
        for (size_t i = 0; i < given_count && t->count < MAX_TICKS; i++)
            if (given[i] >= lo - slack && given[i] <= hi + slack)
                t->value[t->count++] = given[i];
    } else {
        t->count = nice_ticks(lo, hi, level, t->value);
    }
    int d = tick_decimals(t->value, t->count);
    t->widest = 0;
    for (size_t i = 0; i < t->count; i++) {
        double v = t->value[i];
        if (fabs(v) < 0.5 * pow(10, -d))
            v = 0.0;   /* no "-0" */
        snprintf(t->label[i], sizeof t->label[i], "%.*f", d, v);
        t->width[i] = plot_text_width(t->label[i], scale);
        if (t->width[i] > t->widest)
            t->widest = t->width[i];
    }
}

static long x_pixel(const plot_panel *p, double x)
{
    return p->left + lround((x - p->x_min) / (p->x_max - p->x_min) *
                            (double)(p->width - 1));
}

static long y_pixel(const plot_panel *p, double y)
{
    return p->top + lround((p->y_max - y) / (p->y_max - p->y_min) *
                           (double)(p->height - 1));
}

/* Whether the axis's tick labels overlap (or nearly) at their places. */
static int x_labels_crowded(const plot_panel *p, const ticks *t, long gap)
{
    for (size_t i = 1; i < t->count; i++)
        if (x_pixel(p, t->value[i]) - x_pixel(p, t->value[i - 1]) <
            (t->width[i] + t->width[i - 1]) / 2 + 2 * gap)
            return 1;
    return 0;
}

static int y_labels_crowded(const plot_panel *p, const ticks *t, long cap,
                            long gap)
{
    for (size_t i = 1; i < t->count; i++)
        if (y_pixel(p, t->value[i - 1]) - y_pixel(p, t->value[i]) <
            cap + 2 * gap)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------------
 * Panels */

int plot_panel_draw(plot_canvas *canvas, plot_panel *panel, long x, long y,
                    long width, long height, const plot_axes *axes,
                    char *err, size_t errsize)
{
    const plot_axes *a = axes;
    if (!(isfinite(a->x_min) && isfinite(a->x_max) && a->x_min < a->x_max &&
          isfinite(a->y_min) && isfinite(a->y_max) && a->y_min < a->y_max &&
          isfinite(a->x_max - a->x_min) && isfinite(a->y_max - a->y_min))) {
        snprintf(err, errsize,
                 "panel ranges x [%g, %g], y [%g, %g]: each must be finite "
                 "and not empty", a->x_min, a->x_max, a->y_min, a->y_max);
        return -1;
    }
    if (x < 0 || y < 0 || width < 1 || height < 1 ||
        x + width > (long)canvas->width || y + height > (long)canvas->height) {
        snprintf(err, errsize,
                 "a panel of %ld x %ld at (%ld, %ld) is not on the %zu x %zu "
                 "canvas", width, height, x, y, canvas->width,
                 canvas->height);
        return -1;
    }
    int s = clamp_scale(a->text_scale);
    long line = s;                    /* thickness of frame and ticks */
    long tick = 2 + 2 * (long)s;      /* length of a tick */
    long gap = 2 * (long)s + 1;       /* between a tick, label and title */
    long pad = s;                     /* inside the panel's rectangle */
    long cap = (long)GLYPH_CAP * s;   /* height of digits */
    long text = plot_text_height(s);  /* height of a line of text */

    /* The margins depend on the labels and the labels' spacing on the
     * margins: coarser nice ticks until the labels stand apart. */
    ticks xt, yt;
    plot_panel p = {0, 0, 0, 0, a->x_min, a->x_max, a->y_min, a->y_max, s};
    long left = 0, right = 0, top = 0, bottom = 0;
    for (int x_level = 0, y_level = 0;;) {
        make_ticks(&xt, a->x_min, a->x_max, a->x_ticks, a->x_tick_count,
                   x_level, s);
        make_ticks(&yt, a->y_min, a->y_max, a->y_ticks, a->y_tick_count,
                   y_level, s);
        left = pad + (a->y_title ? text + gap : 0) + yt.widest + gap + tick +
               line;
        long first_half = xt.count > 0 ? xt.width[0] / 2 + pad : 0;
        if (left < first_half)
            left = first_half;
        right = line + (xt.count > 0 ? xt.width[xt.count - 1] / 2 : 0) + pad;
        top = (a->title ? pad + text + gap : 0) + line + cap / 2 + pad;
        bottom = line + tick + gap + cap + (a->x_title ? 2 * gap + text : 0) +
                 pad;
        p.left = x + left;
        p.top = y + top;
        p.width = width - left - right;
        p.height = height - top - bottom;
        if (p.width < 16 || p.height < 16) {
            snprintf(err, errsize,
                     "a panel of %ld x %ld pixels is too small for its "
                     "labels at text scale %d", width, height, s);
            return -1;
        }
        int crowded_x = a->x_ticks == NULL && x_level < 8 &&
                        x_labels_crowded(&p, &xt, gap);
        int crowded_y = a->y_ticks == NULL && y_level < 8 &&
                        y_labels_crowded(&p, &yt, cap, gap);
        if (!crowded_x && !crowded_y)
            break;
        x_level += crowded_x;
        y_level += crowded_y;
    }
    long title_width = a->title ? plot_text_width(a->title, s) : 0;
    long x_title_width = a->x_title ? plot_text_width(a->x_title, s) : 0;
    long y_title_height = a->y_title ? plot_text_width(a->y_title, s) : 0;
    if (title_width > width - 2 * pad || x_title_width > width - 2 * pad ||
        y_title_height > height - 2 * pad) {
        snprintf(err, errsize,
                 "a panel of %ld x %ld pixels is too small for its titles "
                 "at text scale %d", width, height, s);
        return -1;
    }
    *panel = p;

    box all = canvas_box(canvas);
    plot_rgb grid = {225, 225, 225};
    if (a->grid) {
        for (size_t i = 0; i < xt.count; i++)
            fill(canvas, all, x_pixel(&p, xt.value[i]), p.top, 1, p.height,
                 grid);
        for (size_t i = 0; i < yt.count; i++)
            fill(canvas, all, p.left, y_pixel(&p, yt.value[i]), p.width, 1,
                 grid);
    }
    /* The frame, just outside the plot area. */
    fill(canvas, all, p.left - line, p.top - line, p.width + 2 * line, line,
         PLOT_BLACK);
    fill(canvas, all, p.left - line, p.top + p.height, p.width + 2 * line,
         line, PLOT_BLACK);
    fill(canvas, all, p.left - line, p.top, line, p.height, PLOT_BLACK);
    fill(canvas, all, p.left + p.width, p.top, line, p.height, PLOT_BLACK);
    /* Ticks outwards, labels beyond them. */
    for (size_t i = 0; i < xt.count; i++) {
        long px = x_pixel(&p, xt.value[i]);
        fill(canvas, all, px - line / 2, p.top + p.height + line, line, tick,
             PLOT_BLACK);
        long lx = px - xt.width[i] / 2;
        if (lx < x + pad)   /* given ticks may sit near the edge */
            lx = x + pad;
        if (lx + xt.width[i] > x + width - pad)
            lx = x + width - pad - xt.width[i];
        draw_text(canvas, all, lx, p.top + p.height + line + tick + gap,
                  xt.label[i], s, PLOT_BLACK, 0);
    }
    for (size_t i = 0; i < yt.count; i++) {
        long py = y_pixel(&p, yt.value[i]);
        fill(canvas, all, p.left - line - tick, py - line / 2, tick, line,
             PLOT_BLACK);
        long ly = py - cap / 2;
        if (ly < y + pad)
            ly = y + pad;
        draw_text(canvas, all, p.left - line - tick - gap - yt.width[i], ly,
                  yt.label[i], s, PLOT_BLACK, 0);
    }
    /* Titles, centred on the plot area where they fit beside it, else on
     * the panel. */
    if (a->title) {
        long tx = p.left + (p.width - title_width) / 2;
        if (tx < x + pad || tx + title_width > x + width - pad)
            tx = x + (width - title_width) / 2;
        draw_text(canvas, all, tx, y + pad, a->title, s, PLOT_BLACK, 0);
    }
    if (a->x_title) {
        long tx = p.left + (p.width - x_title_width) / 2;
        if (tx < x + pad || tx + x_title_width > x + width - pad)
            tx = x + (width - x_title_width) / 2;
        draw_text(canvas, all, tx,
                  p.top + p.height + line + tick + gap + cap + 2 * gap,
                  a->x_title, s, PLOT_BLACK, 0);
    }
    if (a->y_title) {
        long ty = p.top + (p.height - y_title_height) / 2;
        if (ty < y + pad || ty + y_title_height > y + height - pad)
            ty = y + (height - y_title_height) / 2;
        draw_text(canvas, all, x + pad, ty, a->y_title, s, PLOT_BLACK, 1);
    }
    return 0;
}

/* Marker pixels: mask[(dy + size) * side + dx + size] for dx, dy in
 * [-size, size]; side = 2 size + 1. */
static void marker_mask(plot_marker marker, long size, unsigned char *mask)
{
    long side = 2 * size + 1;
    long t = size >= 4 ? 1 : 0;   /* thicker strokes on big markers */
    for (long dy = -size; dy <= size; dy++)
        for (long dx = -size; dx <= size; dx++) {
            int on;
            switch (marker) {
            case PLOT_CROSS: on = labs(labs(dx) - labs(dy)) <= t; break;
            case PLOT_PLUS: on = labs(dx) <= t || labs(dy) <= t; break;
            case PLOT_RING:
                on = labs(dx) >= size - t || labs(dy) >= size - t;
                break;
            case PLOT_SQUARE:
            default: on = 1; break;
            }
            mask[(dy + size) * side + dx + size] = (unsigned char)on;
        }
}

static long marker_size(const plot_style *style)
{
    long size = style->size == 0 ? 2 : style->size;
    return size < 1 ? 1 : size > MAX_MARKER ? MAX_MARKER : size;
}

static void draw_marker(plot_canvas *canvas, box clip, long cx, long cy,
                        long size, const unsigned char *mask,
                        plot_rgb colour, double opacity)
{
    long side = 2 * size + 1;
    for (long dy = -size; dy <= size; dy++)
        for (long dx = -size; dx <= size; dx++)
            if (mask[(dy + size) * side + dx + size])
                paint(canvas, clip, cx + dx, cy + dy, colour, opacity);
}

size_t plot_points(plot_canvas *canvas, const plot_panel *panel,
                   const double *x, const double *y, size_t count,
                   const plot_style *style)
{
    unsigned char mask[(2 * MAX_MARKER + 1) * (2 * MAX_MARKER + 1)];
    long size = marker_size(style);
    marker_mask(style->marker, size, mask);
    double opacity = style->opacity > 0 && style->opacity < 1
                         ? style->opacity
                         : 1.0;
    box clip = intersect(area_box(panel), canvas_box(canvas));
    size_t outside = 0;
    for (size_t i = 0; i < count; i++) {
        if (!(x[i] >= panel->x_min && x[i] <= panel->x_max &&
              y[i] >= panel->y_min && y[i] <= panel->y_max)) {
            outside++;
            continue;
        }
        draw_marker(canvas, clip, x_pixel(panel, x[i]), y_pixel(panel, y[i]),
                    size, mask, style->colour, opacity);
    }
    return outside;
}

/* A vertical (or horizontal) line of thickness line through the plot
 * area at pixel column (row) at, dashed if asked. */
static void reference_line(plot_canvas *canvas, const plot_panel *panel,
                           long at, int vertical, plot_rgb colour,
                           int dashed)
{
    long s = panel->text_scale, line = s;
    long on = 4 * s + 2, off = 3 * s + 1;
    long length = vertical ? panel->height : panel->width;
    box clip = intersect(area_box(panel), canvas_box(canvas));
    for (long u = 0; u < length; u++) {
        if (dashed && u % (on + off) >= on)
            continue;
        if (vertical)
            fill(canvas, clip, at - line / 2, panel->top + u, line, 1,
                 colour);
        else
            fill(canvas, clip, panel->left + u, at - line / 2, 1, line,
                 colour);
    }
}

void plot_vline(plot_canvas *canvas, const plot_panel *panel, double x,
                plot_rgb colour, int dashed, const char *label)
{
    if (!(x >= panel->x_min && x <= panel->x_max))
        return;
    long px = x_pixel(panel, x), s = panel->text_scale;
    reference_line(canvas, panel, px, 1, colour, dashed);
    if (label == NULL)
        return;
    /* Turned up, so that labels of lines close together stay apart. */
    long h = plot_text_height((int)s), inset = 2 * s + 1;
    long lx = px + s + inset;
    if (lx + h > panel->left + panel->width - inset)
        lx = px - s - inset - h;
    box clip = intersect(area_box(panel), canvas_box(canvas));
    haloed_text(canvas, clip, lx, panel->top + inset, label, (int)s, colour,
                1);
}

void plot_hline(plot_canvas *canvas, const plot_panel *panel, double y,
                plot_rgb colour, int dashed, const char *label)
{
    if (!(y >= panel->y_min && y <= panel->y_max))
        return;
    long py = y_pixel(panel, y), s = panel->text_scale;
    reference_line(canvas, panel, py, 0, colour, dashed);
    if (label == NULL)
        return;
    long w = plot_text_width(label, (int)s), inset = 2 * s + 1;
    long cap = (long)GLYPH_CAP * s;
    long ly = py - s - inset - cap;
    if (ly < panel->top + inset)
        ly = py + s + inset;
    box clip = intersect(area_box(panel), canvas_box(canvas));
    haloed_text(canvas, clip, panel->left + panel->width - inset - w, ly,
                label, (int)s, colour, 0);
}

void plot_legend(plot_canvas *canvas, const plot_panel *panel,
                 plot_corner corner, const plot_style *styles, size_t count)
{
    if (count == 0)
        return;
    long s = panel->text_scale;
    long cap = (long)GLYPH_CAP * s, pad = 2 * s + 2, gap = 2 * s + 1;
    long marker = 0, label = 0;
    for (size_t i = 0; i < count; i++) {
        long side = 2 * marker_size(&styles[i]) + 1;
        long w = styles[i].label ? plot_text_width(styles[i].label, (int)s)
                                 : 0;
        if (side > marker)
            marker = side;
        if (w > label)
            label = w;
    }
    long row = (marker > cap ? marker : cap) + gap;
    long w = pad + marker + 2 * gap + label + pad;
    long h = 2 * pad + (long)count * row - gap;
    long inset = 2 * s + 2;
    long bx = corner == PLOT_TOP_LEFT || corner == PLOT_BOTTOM_LEFT
                  ? panel->left + inset
                  : panel->left + panel->width - inset - w;
    long by = corner == PLOT_TOP_LEFT || corner == PLOT_TOP_RIGHT
                  ? panel->top + inset
                  : panel->top + panel->height - inset - h;
    box clip = intersect(area_box(panel), canvas_box(canvas));
    plot_rgb edge = {160, 160, 160};
    fill(canvas, clip, bx, by, w, h, edge);
    fill(canvas, clip, bx + 1, by + 1, w - 2, h - 2, white);
    unsigned char mask[(2 * MAX_MARKER + 1) * (2 * MAX_MARKER + 1)];
    for (size_t i = 0; i < count; i++) {
        long size = marker_size(&styles[i]);
        long cy = by + pad + (long)i * row + (row - gap) / 2;
        marker_mask(styles[i].marker, size, mask);
        draw_marker(canvas, clip, bx + pad + marker / 2, cy, size, mask,
                    styles[i].colour, 1.0);
        if (styles[i].label)
            draw_text(canvas, clip, bx + pad + marker + 2 * gap, cy - cap / 2,
                      styles[i].label, (int)s, PLOT_BLACK, 0);
    }
}

/* ---------------------------------------------------------------------
 * Filter grids */

void plot_image_grid_size(size_t count, size_t tile_rows, size_t tile_cols,
                          size_t scale, size_t grid_cols, long *width,
                          long *height)
{
    size_t cols = grid_cols == 0 ? 1 : grid_cols;
    size_t grid_rows = (count + cols - 1) / cols;
    *width = (long)(cols * (tile_cols * scale + 1) + 1);
    *height = (long)(grid_rows * (tile_rows * scale + 1) + 1);
}

int plot_image_grid(plot_canvas *canvas, long x, long y, size_t scale,
                    const float *data, size_t count, size_t tile_rows,
                    size_t tile_cols, size_t tile_stride,
                    size_t pixel_stride, size_t grid_cols, char *err,
                    size_t errsize)
{
    return plot_image_grid_range(canvas, x, y, scale, data, count,
                                 tile_rows, tile_cols, tile_stride,
                                 pixel_stride, grid_cols, 0.0, err, errsize);
}

int plot_image_grid_range(plot_canvas *canvas, long x, long y, size_t scale,
                          const float *data, size_t count, size_t tile_rows,
                          size_t tile_cols, size_t tile_stride,
                          size_t pixel_stride, size_t grid_cols, double range,
                          char *err, size_t errsize)
{
    if (count == 0 || tile_rows == 0 || tile_cols == 0 || scale == 0 ||
        grid_cols == 0 || tile_rows > MAX_SIDE || tile_cols > MAX_SIDE ||
        scale > MAX_SIDE || count > (size_t)MAX_SIDE * MAX_SIDE) {
        snprintf(err, errsize,
                 "a grid of %zu tiles of %zu x %zu, %zu across, at scale "
                 "%zu: none may be 0 or huge", count, tile_rows, tile_cols,
                 grid_cols, scale);
        return -1;
    }
    long width, height;
    plot_image_grid_size(count, tile_rows, tile_cols, scale, grid_cols,
                         &width, &height);
    if (x < 0 || y < 0 || x + width > (long)canvas->width ||
        y + height > (long)canvas->height) {
        snprintf(err, errsize,
                 "a grid of %ld x %ld pixels at (%ld, %ld) does not fit on "
                 "the %zu x %zu canvas", width, height, x, y, canvas->width,
                 canvas->height);
        return -1;
    }
    box all = canvas_box(canvas);
    plot_rgb border = {40, 40, 40};
    fill(canvas, all, x, y, width, height, border);
    long cell = (long)scale;
    for (size_t t = 0; t < count; t++) {
        const float *tile = data + t * tile_stride;
        double top = range > 0 ? range : 0.0;
        for (size_t i = 0; range <= 0 && i < tile_rows * tile_cols; i++)
            if (fabs(tile[i * pixel_stride]) > top)
                top = fabs(tile[i * pixel_stride]);
        long y0 = y + (long)(t / grid_cols) * ((long)tile_rows * cell + 1) + 1;
        long x0 = x + (long)(t % grid_cols) * ((long)tile_cols * cell + 1) + 1;
        for (size_t r = 0; r < tile_rows; r++)
            for (size_t c = 0; c < tile_cols; c++) {
                double v = tile[(r * tile_cols + c) * pixel_stride];
                double g = top > 0 ? 127.5 + 127.5 * v / top : 127.5;
                if (g < 0 || g > 255)        /* beyond a fixed range */
                    g = g < 0 ? 0 : 255;
                if (!(g >= 0 && g <= 255))   /* not a number */
                    g = 127.5;
                unsigned char k = (unsigned char)lround(g);
                plot_rgb grey = {k, k, k};
                fill(canvas, all, x0 + (long)c * cell, y0 + (long)r * cell,
                     cell, cell, grey);
            }
    }
    return 0;
}
