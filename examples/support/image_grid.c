/* image_grid.c -- filters as a PNG grid, through libpng. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image_grid.h"

int image_grid_write_png(const char *path, const float *data, size_t count,
                         size_t tile_rows, size_t tile_cols,
                         size_t tile_stride, size_t pixel_stride,
                         size_t grid_cols, char *err, size_t errsize)
{
    size_t grid_rows = (count + grid_cols - 1) / grid_cols;
    size_t width = grid_cols * (tile_cols + 1) + 1;
    size_t height = grid_rows * (tile_rows + 1) + 1;
    unsigned char *pixels = malloc(width * height);
    if (pixels == NULL) {
        snprintf(err, errsize, "out of memory for a %zu x %zu image", width,
                 height);
        return -1;
    }
    memset(pixels, 40, width * height);   /* dark border */
    for (size_t t = 0; t < count; t++) {
        const float *tile = data + t * tile_stride;
        double top = 0.0;
        for (size_t i = 0; i < tile_rows * tile_cols; i++)
            if (fabs(tile[i * pixel_stride]) > top)
                top = fabs(tile[i * pixel_stride]);
        size_t y0 = (t / grid_cols) * (tile_rows + 1) + 1;
        size_t x0 = (t % grid_cols) * (tile_cols + 1) + 1;
        for (size_t r = 0; r < tile_rows; r++)
            for (size_t c = 0; c < tile_cols; c++) {
                double v = tile[(r * tile_cols + c) * pixel_stride];
                double g = top > 0 ? 127.5 + 127.5 * v / top : 127.5;
                pixels[(y0 + r) * width + x0 + c] = (unsigned char)lround(g);
            }
    }
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
        free(pixels);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < height; y++)
        png_write_row(png, pixels + y * width);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(pixels);
    if (fclose(f) != 0) {
        snprintf(err, errsize, "cannot write %s", path);
        return -1;
    }
    return 0;
}
