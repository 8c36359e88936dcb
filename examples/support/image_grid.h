/* SPDX-License-Identifier: BSD-2-Clause */
/* image_grid.h -- drawing filters as a grid of grey tiles in a PNG. */
#ifndef EXAMPLE_IMAGE_GRID_H
#define EXAMPLE_IMAGE_GRID_H

#include <stddef.h>

/* Writes count tiles of tile_rows x tile_cols to a PNG at path, laid out
 * grid_cols per row with a 1-pixel border.  Tile t's pixel (r, c) is
 * data[t * tile_stride + (r * tile_cols + c) * pixel_stride]; each tile is
 * scaled so that 0 is mid-grey and its largest |value| black or white.
 * Returns 0, or -1 with a message in err. */
int image_grid_write_png(const char *path, const float *data, size_t count,
                         size_t tile_rows, size_t tile_cols,
                         size_t tile_stride, size_t pixel_stride,
                         size_t grid_cols, char *err, size_t errsize);

#endif
