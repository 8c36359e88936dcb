/* params.h -- the parameter table: names, bounds, defaults, and whether a
 * parameter is an integer or fixes the model's structure. */
#ifndef SC_PARAMS_H
#define SC_PARAMS_H

#include "sparsecode.h"

/* Number of parameters; values live in an array of this many doubles,
 * indexed by sc_param_index(). */
#define SC_PARAM_COUNT 25

typedef struct {
    sc_param id;
    const char *name;      /* "SC_PARAM_ITERATIONS" */
    double lo, hi;         /* inclusive bounds */
    double initial;        /* default */
    int integral;          /* the value must be an integer */
    int structural;        /* settable only before init */
} sc_param_info;

/* The table entry of id, or NULL for an unknown id. */
const sc_param_info *sc_param_lookup(sc_param id);

/* The entry at position i < SC_PARAM_COUNT (for iterating, e.g. when
 * saving); its values index is i. */
const sc_param_info *sc_param_at(int i);

/* The position of id in the table (its index into a values array), or -1. */
int sc_param_index(sc_param id);

/* Writes every default into values[SC_PARAM_COUNT]. */
void sc_param_defaults(double *values);

/* Checks value against info: NaN, bounds, integrality, and the special
 * rule that SC_PARAM_CLASSES may not be 1.  Returns SC_OK or SC_ERR_RANGE
 * with a message written to `message` (may be NULL). */
sc_status sc_param_check(const sc_param_info *info, double value,
                         char *message, const char *caller);

#endif
