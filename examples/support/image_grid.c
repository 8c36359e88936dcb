/* SPDX-License-Identifier: BSD-2-Clause */
/* image_grid.c -- filters as a PNG grid: one grid on a canvas of its own
 * size (plot.h). */
#include "image_grid.h"
#include "plot.h"

int image_grid_write_png(const char *path, const float *data, size_t count,
                         size_t tile_rows, size_t tile_cols,
                         size_t tile_stride, size_t pixel_stride,
                         size_t grid_cols, char *err, size_t errsize)
{
    long width, height;
    plot_image_grid_size(count, tile_rows, tile_cols, 1, grid_cols, &width,
                         &height);
    plot_canvas canvas;
    if (plot_canvas_create(&canvas, (size_t)width, (size_t)height, err,
                           errsize) != 0)
        return -1;
    int rc = plot_image_grid(&canvas, 0, 0, 1, data, count, tile_rows,
                             tile_cols, tile_stride, pixel_stride, grid_cols,
                             err, errsize);
    if (rc == 0)
        rc = plot_write_png(&canvas, path, err, errsize);
    plot_canvas_free(&canvas);
    return rc;
}
