/* SPDX-License-Identifier: BSD-2-Clause */
/* atoms_file.h -- a dictionary (n x k float32 atoms) in a raw file of the
 * examples' own, until the library saves dictionaries itself.
 *
 * Layout: the 8 bytes "SCATOMS1", then n and k as 32-bit little-endian
 * unsigned integers, then the n x k atoms row-major (entry (i, j), pixel
 * i of atom j, at index i * k + j, as sc_dictionary_atoms gives them) as
 * IEEE float32 little-endian; nothing after them.  4 * (4 + n k) bytes. */
#ifndef EXAMPLE_ATOMS_FILE_H
#define EXAMPLE_ATOMS_FILE_H

#include <stddef.h>

/* Writes d (n x k) to path, replacing it.  Returns 0, or -1 with a
 * message in err. */
int atoms_file_write(const char *path, const float *d, size_t n, size_t k,
                     char *err, size_t errsize);

/* Reads the atoms of path: *d (malloc'd, n x k; the caller frees it), *n
 * and *k.  Refuses a file of another layout, a wrong length, a size of 0
 * or above 2^24, and values that are not finite.  Returns 0, or -1 with
 * a message in err (and nothing allocated). */
int atoms_file_read(const char *path, float **d, size_t *n, size_t *k,
                    char *err, size_t errsize);

#endif
