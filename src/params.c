/* SPDX-License-Identifier: BSD-2-Clause */
/* params.c -- the parameter table.  Adding a parameter is one row here and
 * one enum value in sparsecode.h; the ABI does not change. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "params.h"
#include "status.h"

#define ROW(id, key, lo, hi, def, integral, structural) \
    { id, #id, key, lo, hi, def, integral, structural, 0 }

static const sc_param_info param_table[] = {
    /*  id, name (sc_model_param_name)                                 lo, hi, default, int, struct */
    ROW(SC_MODEL_PARAM_ITERATIONS, "iterations",                       1,     1000,     11,    1, 1),
    ROW(SC_MODEL_PARAM_SHRINK, "shrink",                               0,     1,        0,     1, 1),
    /* 0 (no classifier) or at least 2: the gap */
    {SC_MODEL_PARAM_CLASSES, "SC_MODEL_PARAM_CLASSES", "classes", 0, 100000, 0, 1, 1, 2},
    ROW(SC_MODEL_PARAM_GROUP_LAYOUT, "group_layout",                   0,     2,        0,     1, 1),
    ROW(SC_MODEL_PARAM_GROUP_SIZE, "group_size",                       1,     1e6,      4,     1, 1),
    ROW(SC_MODEL_PARAM_TORUS_ROWS, "torus_rows",                       0,     1e6,      0,     1, 1),
    ROW(SC_MODEL_PARAM_TORUS_COLS, "torus_cols",                       0,     1e6,      0,     1, 1),
    ROW(SC_MODEL_PARAM_POOL_SIZE, "pool_size",                         1,     1000,     3,     1, 1),
    ROW(SC_MODEL_PARAM_POOL_STRIDE, "pool_stride",                     1,     1000,     1,     1, 1),
    ROW(SC_MODEL_PARAM_POOL_SIGMA, "pool_sigma",                       0,     1000,     0,     0, 1),
    ROW(SC_MODEL_PARAM_GROUP_EPSILON, "group_epsilon",                 0,     1,        1e-8,  0, 1),
    ROW(SC_MODEL_PARAM_LOCAL_FIELD, "local_field",                     0,     1e6,      0,     1, 1),
    ROW(SC_MODEL_PARAM_LOCAL_STRIDE, "local_stride",                   1,     1e6,      1,     1, 1),
    ROW(SC_MODEL_PARAM_IMAGE_CHANNELS, "image_channels",               1,     1e6,      1,     1, 1),
    ROW(SC_MODEL_PARAM_IMAGE_HEIGHT, "image_height",                   0,     1e6,      0,     1, 1),
    ROW(SC_MODEL_PARAM_IMAGE_WIDTH, "image_width",                     0,     1e6,      0,     1, 1),
    ROW(SC_MODEL_PARAM_THREADS, "threads",                             0,     64,       0,     1, 0),
    ROW(SC_MODEL_PARAM_POOL_POSITIONS, "pool_positions",               1,     1000,     1,     1, 1),
    ROW(SC_MODEL_PARAM_ENCODER, "encoder",                             0,     1,        0,     1, 1),
    ROW(SC_MODEL_PARAM_RECON_WEIGHT, "recon_weight",                   0,     1e6,      1,     0, 0),
    ROW(SC_MODEL_PARAM_L1_WEIGHT, "l1_weight",                         0,     1e6,      0.1,   0, 0),
    ROW(SC_MODEL_PARAM_GROUP_WEIGHT, "group_weight",                   0,     1e6,      0,     0, 0),
    ROW(SC_MODEL_PARAM_CLASS_WEIGHT, "class_weight",                   0,     1e6,      0,     0, 0),
    ROW(SC_MODEL_PARAM_REGRESSION_WEIGHT, "regression_weight",         0,     1e6,      0,     0, 0),
    ROW(SC_MODEL_PARAM_NORMALIZE_CODE, "normalize_code",               0,     1,        1,     1, 0),
    ROW(SC_MODEL_PARAM_OPTIMIZER, "optimizer",                         0,     1,        0,     1, 0),
    ROW(SC_MODEL_PARAM_LEARNING_RATE, "learning_rate",                 1e-12, 1e3,      0.05,  0, 0),
    ROW(SC_MODEL_PARAM_MOMENTUM, "momentum",                           0,     0.9999,   0.9,   0, 0),
    ROW(SC_MODEL_PARAM_ADAM_BETA1, "adam_beta1",                       0,     0.9999,   0.9,   0, 0),
    ROW(SC_MODEL_PARAM_ADAM_BETA2, "adam_beta2",                       0,     0.999999, 0.999, 0, 0),
    ROW(SC_MODEL_PARAM_ADAM_EPSILON, "adam_epsilon",                   1e-12, 1,        1e-8,  0, 0),
    ROW(SC_MODEL_PARAM_DECODER_MAX_NORM, "decoder_max_norm",           1e-6,  1e6,      1,     0, 0),
    ROW(SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, "classifier_max_norm",     1e-6,  1e6,      5,     0, 0),
    ROW(SC_MODEL_PARAM_ENCODER_MAX_NORM, "encoder_max_norm",           0,     1e6,      0,     0, 0),
    ROW(SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, "classifier_rate_scale", 1e-6,  1e6,      1,     0, 0),
    ROW(SC_MODEL_PARAM_REPEAT_SCALING, "repeat_scaling",               0,     1,        1,     1, 0),
    ROW(SC_MODEL_PARAM_INIT_STEP, "init_step",                         0,     1e6,      0,     0, 0),
    ROW(SC_MODEL_PARAM_INIT_NOISE, "init_noise",                       0,     1e6,      0,     0, 0),
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

const char *sc_table_name(const sc_param_table *table, int id)
{
    const sc_param_info *info = sc_table_lookup(table, id);
    return info == NULL ? NULL : info->key;
}

sc_status sc_table_from_name(const sc_param_table *table, const char *name,
                             int *id, const char *caller)
{
    if (name == NULL || id == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: %s is NULL", caller,
                       name == NULL ? "name" : "param");
    for (int i = 0; i < table->count; i++)
        if (strcmp(table->rows[i].key, name) == 0) {
            *id = table->rows[i].id;
            return SC_OK;
        }
    return sc_fail(NULL, SC_ERR_PARAM, "%s: no parameter is called \"%.64s\"",
                   caller, name);
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

const char *sc_model_param_name(sc_model_param param)
{
    return sc_table_name(&sc_model_param_table, (int)param);
}

sc_status sc_model_param_from_name(const char *name, sc_model_param *param)
{
    int id = 0;
    sc_status status = sc_table_from_name(&sc_model_param_table, name,
                                          param == NULL ? NULL : &id,
                                          "sc_model_param_from_name");
    if (status == SC_OK)
        *param = (sc_model_param)id;
    return status;
}

int sc_model_param_is_structural(sc_model_param param)
{
    const sc_param_info *info = sc_param_lookup(param);
    return info != NULL && info->structural;
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
