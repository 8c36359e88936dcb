/* optimizer.h -- SGD with momentum and Adam (O1-O3 in docs/math.md). */
#ifndef SC_OPTIMIZER_H
#define SC_OPTIMIZER_H

#include <stdint.h>

#include "model.h"

typedef struct {
    int kind;               /* sc_optimizer */
    double learning_rate, momentum, beta1, beta2, epsilon;
    uint64_t step;          /* 1 for the first update (Adam's correction) */
} sc_optimizer_settings;

sc_optimizer_settings sc_optimizer_settings_of(const sc_model *m);

/* One update of tensor t from its gradient, with the learning rate
 * multiplied by `scale` (1/T for W_e and theta, 1/(T-1) for S, O3).
 * With apply == 0 nothing is written: the call only reports whether the
 * new weights and moments would all be finite (1) or not (0), so that a
 * step can be refused before it changes anything.  With apply != 0 the
 * update is written and 1 returned. */
int sc_optimizer_update(sc_tensor *t, const sc_optimizer_settings *o,
                        double scale, int apply);

#endif
