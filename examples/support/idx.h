/* SPDX-License-Identifier: BSD-2-Clause */
/* idx.h -- reading MNIST-format IDX files (optionally gzip-compressed),
 * for the examples. */
#ifndef EXAMPLE_IDX_H
#define EXAMPLE_IDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t count;      /* number of items */
    size_t rows, cols; /* image size; 1 x 1 for labels */
    float *images;     /* count x rows*cols, scaled to [0, 1]; or NULL */
    int32_t *labels;   /* count labels; or NULL */
} idx_data;

/* The largest file the reader accepts: images of at most IDX_MAX_SIDE
 * pixels a side, and at most IDX_MAX_VALUES bytes of data (items x rows x
 * cols): 2^27 = 134 million, 2.8 times Fashion-MNIST's 60000 training
 * images of 28 x 28, and 512 MiB once converted to floats.  A header
 * that claims more is refused before anything is allocated; define a
 * larger value when compiling for a larger data set. */
#ifndef IDX_MAX_VALUES
#define IDX_MAX_VALUES ((size_t)1 << 27)
#endif
#define IDX_MAX_SIDE 4096

/* Reads DIR/NAME or, failing that, DIR/NAME.gz.  An images file is
 * "idx3" (magic 0x00000803), a labels file "idx1" (0x00000801).  The
 * file must be a regular file (a FIFO or device is refused, without
 * blocking on it); gzip is recognised by its magic bytes, whatever the
 * name; a gzip file may hold several members (cat a.gz b.gz) but nothing
 * after the last one.  Memory grows with the bytes actually read, so a
 * file shorter than its header claims costs its own size, not the claim.
 * Returns 0, or -1 with a message in err (size errsize). */
int idx_read_images(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize);
int idx_read_labels(const char *dir, const char *name, idx_data *out,
                    char *err, size_t errsize);

/* Part `part` (0-based) of `parts` of an images file (labels 0) or a
 * labels file (labels 1), for a data-parallel worker: items [total * part
 * / parts, total * (part + 1) / parts), where total is the header's
 * count, so that the parts of 0..parts-1 cover the file once.  Only the
 * part is held in memory (out->count items); the rest of the file is
 * still read through, and checked as idx_read_images checks it, and
 * IDX_MAX_VALUES limits the part, not the file.  *first
 * receives the part's first item, *total the header's count.  An empty
 * part (more parts than items) is an error.  Returns 0, or -1 with a
 * message. */
int idx_read_part(const char *dir, const char *name, int labels, size_t part,
                  size_t parts, idx_data *out, size_t *first, size_t *total,
                  char *err, size_t errsize);

/* Reads the four files of an MNIST-format data set from dir.  Returns 0,
 * or -1 with a message. */
typedef struct {
    idx_data train_images, train_labels, test_images, test_labels;
} idx_dataset;
int idx_read_dataset(const char *dir, idx_dataset *out, char *err,
                     size_t errsize);
void idx_free_dataset(idx_dataset *d);

/* Scales every row of x (count x dim) to unit L2 norm (zero rows stay). */
void idx_normalize_rows(float *x, size_t count, size_t dim);

#endif
