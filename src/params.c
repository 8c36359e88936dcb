/* SPDX-License-Identifier: BSD-2-Clause */
/* params.c -- the parameter table.  Adding a parameter is one row here and
 * one enum value in sparsecode.h; the ABI does not change. */
#include <math.h>
#include <stddef.h>

#include "params.h"
#include "status.h"

#define ROW(id, lo, hi, def, integral, structural) \
    { id, #id, lo, hi, def, integral, structural, 0 }

static const sc_param_info param_table[] = {
    /*   id                            lo      hi      default  int  struct */
    ROW(SC_MODEL_PARAM_ITERATIONS,           1,      1000,   11,      1,   1),
    ROW(SC_MODEL_PARAM_SHRINK,               0,      1,      0,       1,   1),
    {SC_MODEL_PARAM_CLASSES, "SC_MODEL_PARAM_CLASSES", 0, 100000, 0, 1, 1, 2},
    ROW(SC_MODEL_PARAM_GROUP_LAYOUT,         0,      2,      0,       1,   1),
    ROW(SC_MODEL_PARAM_GROUP_SIZE,           1,      1e6,    4,       1,   1),
    ROW(SC_MODEL_PARAM_TORUS_ROWS,           0,      1e6,    0,       1,   1),
    ROW(SC_MODEL_PARAM_TORUS_COLS,           0,      1e6,    0,       1,   1),
    ROW(SC_MODEL_PARAM_POOL_SIZE,            1,      1000,   3,       1,   1),
    ROW(SC_MODEL_PARAM_POOL_STRIDE,          1,      1000,   1,       1,   1),
    ROW(SC_MODEL_PARAM_POOL_SIGMA,           0,      1000,   0,       0,   1),
    ROW(SC_MODEL_PARAM_GROUP_EPSILON,        0,      1,      1e-8,    0,   1),
    ROW(SC_MODEL_PARAM_LOCAL_FIELD,          0,      1e6,    0,       1,   1),
    ROW(SC_MODEL_PARAM_LOCAL_STRIDE,         1,      1e6,    1,       1,   1),
    ROW(SC_MODEL_PARAM_IMAGE_CHANNELS,       1,      1e6,    1,       1,   1),
    ROW(SC_MODEL_PARAM_IMAGE_HEIGHT,         0,      1e6,    0,       1,   1),
    ROW(SC_MODEL_PARAM_IMAGE_WIDTH,          0,      1e6,    0,       1,   1),
    ROW(SC_MODEL_PARAM_THREADS,              0,      64,     0,       1,   1),
    ROW(SC_MODEL_PARAM_POOL_POSITIONS,       1,      1000,   1,       1,   1),
    ROW(SC_MODEL_PARAM_ENCODER,              0,      1,      0,       1,   1),
    ROW(SC_MODEL_PARAM_RECON_WEIGHT,         0,      1e6,    1,       0,   0),
    ROW(SC_MODEL_PARAM_L1_WEIGHT,            0,      1e6,    0.1,     0,   0),
    ROW(SC_MODEL_PARAM_GROUP_WEIGHT,         0,      1e6,    0,       0,   0),
    ROW(SC_MODEL_PARAM_CLASS_WEIGHT,         0,      1e6,    0,       0,   0),
    ROW(SC_MODEL_PARAM_REGRESSION_WEIGHT,    0,      1e6,    0,       0,   0),
    ROW(SC_MODEL_PARAM_NORMALIZE_CODE,       0,      1,      1,       1,   0),
    ROW(SC_MODEL_PARAM_OPTIMIZER,            0,      1,      0,       1,   0),
    ROW(SC_MODEL_PARAM_LEARNING_RATE,        1e-12,  1e3,    0.05,    0,   0),
    ROW(SC_MODEL_PARAM_MOMENTUM,             0,      0.9999, 0.9,     0,   0),
    ROW(SC_MODEL_PARAM_ADAM_BETA1,           0,      0.9999, 0.9,     0,   0),
    ROW(SC_MODEL_PARAM_ADAM_BETA2,           0,      0.999999, 0.999, 0,   0),
    ROW(SC_MODEL_PARAM_ADAM_EPSILON,         1e-12,  1,      1e-8,    0,   0),
    ROW(SC_MODEL_PARAM_DECODER_MAX_NORM,     1e-6,   1e6,    1,       0,   0),
    ROW(SC_MODEL_PARAM_CLASSIFIER_MAX_NORM,  1e-6,   1e6,    5,       0,   0),
    ROW(SC_MODEL_PARAM_ENCODER_MAX_NORM,     0,      1e6,    0,       0,   0),
    ROW(SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, 1e-6,  1e6,    1,       0,   0),
    ROW(SC_MODEL_PARAM_REPEAT_SCALING,       0,      1,      1,       1,   0),
    ROW(SC_MODEL_PARAM_INIT_STEP,            0,      1e6,    0,       0,   0),
    ROW(SC_MODEL_PARAM_INIT_NOISE,           0,      1e6,    0,       0,   0),
};

_Static_assert(sizeof param_table / sizeof param_table[0] == SC_MODEL_PARAM_COUNT,
               "SC_MODEL_PARAM_COUNT must match the table");

const sc_param_table sc_model_param_table = {param_table, SC_MODEL_PARAM_COUNT};

int sc_table_index(const sc_param_table *table, int id)
{
    for (int i = 0; i < table->count; i++)
        if (table->rows[i].id == id)
            return i;
    return -1;
}

const sc_param_info *sc_table_lookup(const sc_param_table *table, int id)
{
    int i = sc_table_index(table, id);
    return i < 0 ? NULL : &table->rows[i];
}

void sc_table_defaults(const sc_param_table *table, double *values)
{
    for (int i = 0; i < table->count; i++)
        values[i] = table->rows[i].initial;
}

sc_status sc_param_check(const sc_param_info *info, double value,
                         char *message, const char *caller)
{
    if (isnan(value) || value < info->lo || value > info->hi)
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: %s = %g is outside [%g, %g]", caller, info->name,
                       value, info->lo, info->hi);
    if (info->integral && value != floor(value))
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: %s = %g is not an integer", caller, info->name,
                       value);
    if (value > 0 && value < info->gap)
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: %s = %g; use 0 or at least %g", caller,
                       info->name, value, info->gap);
    return SC_OK;
}

sc_status sc_table_bounds(const sc_param_table *table, int id, double *lo,
                          double *hi, const char *caller)
{
    if (lo == NULL || hi == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       lo == NULL ? "lo" : "hi");
    const sc_param_info *info = sc_table_lookup(table, id);
    if (info == NULL)
        return sc_fail(NULL, SC_ERR_PARAM, "%s: unknown parameter %d",
                       caller, id);
    *lo = info->lo;
    *hi = info->hi;
    return SC_OK;
}

sc_status sc_table_get(const sc_param_table *table, const void *handle,
                       const double *values, int id, double *value,
                       const char *caller)
{
    if (handle == NULL || value == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       handle == NULL ? "the handle" : "value");
    int i = sc_table_index(table, id);
    if (i < 0)
        return sc_fail(NULL, SC_ERR_PARAM, "%s: unknown parameter %d",
                       caller, id);
    *value = values[i];
    return SC_OK;
}

sc_status sc_table_check_set(const sc_param_table *table, int id,
                             double value, char *message, const char *caller,
                             const sc_param_info **info)
{
    *info = sc_table_lookup(table, id);
    if (*info == NULL)
        return sc_fail(message, SC_ERR_PARAM, "%s: unknown parameter %d",
                       caller, id);
    return sc_param_check(*info, value, message, caller);
}

int sc_param_index(sc_model_param id)
{
    return sc_table_index(&sc_model_param_table, (int)id);
}

const sc_param_info *sc_param_lookup(sc_model_param id)
{
    return sc_table_lookup(&sc_model_param_table, (int)id);
}

const sc_param_info *sc_param_at(int i)
{
    return i >= 0 && i < SC_MODEL_PARAM_COUNT ? &param_table[i] : NULL;
}

void sc_param_defaults(double *values)
{
    sc_table_defaults(&sc_model_param_table, values);
}

sc_status sc_model_param_bounds(sc_model_param param, double *lo, double *hi)
{
    return sc_table_bounds(&sc_model_param_table, (int)param, lo, hi,
                           "sc_model_param_bounds");
}

int sc_param_in_file_version(uint32_t id, uint32_t version)
{
    /* Version 4 is tagged: every parameter but the run-time thread
     * count. */
    if (version >= 4)
        return id != SC_MODEL_PARAM_THREADS &&
               sc_param_lookup((sc_model_param)id) != NULL;
    if (version < 3 && (id == SC_MODEL_PARAM_ENCODER ||
                        (id >= SC_MODEL_PARAM_ENCODER_MAX_NORM &&
                         id <= SC_MODEL_PARAM_INIT_NOISE)))
        return 0;
    return version >= 2 || id < SC_MODEL_PARAM_LOCAL_FIELD ||
           id > SC_MODEL_PARAM_POOL_POSITIONS;
}
