/* SPDX-License-Identifier: BSD-2-Clause */
/* unit_types.h -- the DrSAE paper's analysis of a trained model's units
 * (Rolfe & LeCun, ICLR 2013, sec. 4): the angle between each unit's
 * encoder row and its decoder column, against the norm of its classifier
 * weights.
 *
 * Part-units keep the two aligned (as ISTA's W_e = W_d^T / L does) and
 * have decoder columns like strokes; categorical-units turn away from
 * their decoder column, carry large classifier weights and decode to
 * prototypes of a class. */
#ifndef EXAMPLE_UNIT_TYPES_H
#define EXAMPLE_UNIT_TYPES_H

#include <stddef.h>

#include <sparsecode.h>

/* The paper's cuts, in radians (its footnote to fig. 2). */
#define UNIT_TYPES_PART 0.5
#define UNIT_TYPES_CATEGORICAL 0.7

typedef struct {
    size_t k;
    double *angle;           /* radians, in [0, pi]; pi/2 for a zero row */
    double *classifier_norm; /* |C_{:,i}|, 0 without a classifier */
    double *active;          /* the fraction of x's samples on which the
                                unit is not 0; a unit active on none is
                                dead, and counted apart */
} unit_types;

/* Measures every unit of a dense model, its activity on the count samples
 * of x.  Returns 0, or 1 after reporting a failure as `program`. */
int unit_types_measure(const char *program, const sc_model *m,
                       const float *x, size_t count, unit_types *out);

void unit_types_free(unit_types *u);

/* Prints a histogram of the angles of the live units and the line
 *   part_units=<n> categorical_units=<m> between=<b> dead=<d>
 * with the cuts above (dead units are in none of the first three). */
void unit_types_print(const unit_types *u);

/* Writes the paper's fig. 2 as a PNG: each unit's angle against its
 * classifier norm, the cuts marked, beside the decoder columns of the 16
 * most part-like and the 16 most categorical live units (the smallest
 * and the largest angles) drawn as rows x cols images; dead units are
 * drawn apart, in grey.  Returns 0, or -1 with a
 * message in err. */
int unit_types_plot(const unit_types *u, const sc_model *m, size_t rows,
                    size_t cols, const char *path, char *err,
                    size_t errsize);

#endif
