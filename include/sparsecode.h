/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sparsecode.h -- the public interface of libsparsecode.
 *
 * libsparsecode is a C11 library for sparse coding and sparse auto-encoders:
 * the LISTA-style recurrent encoder, the discriminative recurrent sparse
 * auto-encoder (DrSAE) and its losses.  The mathematics is described in
 * docs/ (and in the project's DESIGN.md); this header is the contract.
 *
 * Conventions, which hold for every function below:
 *
 *  - Every function that can fail returns an sc_status.  SC_OK is 0; every
 *    other value names the kind of failure (see sc_status_string()).
 *  - A failed call changes nothing: the model, the output arguments that
 *    are documented as "written on success" and any file on disk keep what
 *    they had.  The library never aborts, exits or prints.
 *  - What exactly was wrong is a human-readable message: sc_last_message()
 *    returns the message of the last failed call made on the calling thread,
 *    and sc_model_message() that of the last failed exclusive call on a
 *    model.
 *  - Matrices and batches are row-major arrays of float.  A batch of B
 *    inputs is a B x n array: sample i starts at x + i*n.
 *  - Thread rules are written next to each function.  In short: calls that
 *    take a `const sc_model *` are reentrant and may run concurrently on
 *    one model from many threads; calls that take a `sc_model *` need the
 *    model to themselves.  The library's own threads (a local model's,
 *    SC_MODEL_PARAM_THREADS) live only inside a call: they are joined before it
 *    returns.
 */
#ifndef SPARSECODE_H
#define SPARSECODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Export and attribute macros
 * ------------------------------------------------------------------------ */

/* SC_API marks every public declaration.  The library is built with
 * -fvisibility=hidden, so only what carries SC_API is exported. */
#ifndef SC_API
#  if defined(_WIN32) && defined(SC_BUILDING_DLL)
#    define SC_API __declspec(dllexport)
#  elif defined(_WIN32) && defined(SC_USING_DLL)
#    define SC_API __declspec(dllimport)
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define SC_API __attribute__((visibility("default")))
#  else
#    define SC_API
#  endif
#endif

/* SC_NODISCARD: ignoring the returned status is a bug.  A caller may
 * define it (e.g. empty) before including this header to override it. */
#ifndef SC_NODISCARD
#  if defined(__GNUC__) && __GNUC__ >= 4
#    define SC_NODISCARD __attribute__((warn_unused_result))
#  else
#    define SC_NODISCARD
#  endif
#endif

/* ---------------------------------------------------------------------------
 * Version
 *
 * Written once, here; the Makefile reads the three macros below.  The
 * library's soname is libsparsecode.so.SC_VERSION_MAJOR.
 * ------------------------------------------------------------------------ */

#define SC_VERSION_MAJOR   0
#define SC_VERSION_MINOR   1
#define SC_VERSION_RELEASE 0

/* MAJOR*10000 + MINOR*100 + RELEASE, e.g. 0.1.0 -> 100. */
#define SC_VERSION_NUMBER \
    (SC_VERSION_MAJOR * 10000 + SC_VERSION_MINOR * 100 + SC_VERSION_RELEASE)

#define SC_VERSION_STRINGIFY_(x) #x
#define SC_VERSION_STRINGIFY(x) SC_VERSION_STRINGIFY_(x)
#define SC_VERSION_STRING                        \
    SC_VERSION_STRINGIFY(SC_VERSION_MAJOR) "."   \
    SC_VERSION_STRINGIFY(SC_VERSION_MINOR) "."   \
    SC_VERSION_STRINGIFY(SC_VERSION_RELEASE)

/* sc_version: SC_VERSION_NUMBER of the library actually linked at run time.
 * Compare it with the macro to detect a header/library mismatch.
 * Thread rules: reentrant. */
SC_API unsigned sc_version(void);

/* sc_version_string: SC_VERSION_STRING of the linked library ("0.1.0").
 * The string is static.  Thread rules: reentrant. */
SC_API const char *sc_version_string(void);

/* sc_blas_name: the BLAS the library was built with and, for OpenBLAS, the
 * kernel it chose at run time, e.g. "OpenBLAS (SkylakeX kernel)" or
 * "reference CBLAS".  Speed depends on it: see docs on
 * OPENBLAS_CORETYPE.  The string lives in per-thread storage until the
 * next call on the same thread.  Thread rules: reentrant. */
SC_API const char *sc_blas_name(void);

/* ---------------------------------------------------------------------------
 * Status codes and messages
 * ------------------------------------------------------------------------ */

typedef enum {
    SC_OK            = 0,  /* success */
    SC_ERR_NULL      = 1,  /* a required pointer argument was NULL */
    SC_ERR_SIZE      = 2,  /* a size is zero, too large, inconsistent, or
                              the product of sizes overflows */
    SC_ERR_PARAM     = 3,  /* unknown parameter identifier */
    SC_ERR_RANGE     = 4,  /* a value is outside its documented bounds
                              (a parameter, a label, a non-integer count) */
    SC_ERR_STATE     = 5,  /* the call is not allowed in the handle's
                              current state (e.g. encode before init, a
                              structural parameter set after init) */
    SC_ERR_NOMEM     = 6,  /* memory allocation failed */
    SC_ERR_NONFINITE = 7,  /* input holds NaN or Inf, or a training step
                              produced NaN or Inf (the step was undone),
                              or a result overflowed float (nothing was
                              written); finite inputs whose products
                              overflow before any work are SC_ERR_RANGE
                              ("too large") */
    SC_ERR_IO        = 8,  /* a file could not be opened, read, written,
                              synced or renamed */
    SC_ERR_FORMAT    = 9,  /* a file is not a model file, or is truncated,
                              corrupt (CRC mismatch) or inconsistent */
    SC_ERR_VERSION   = 10  /* a model file's format version is not one this
                              library reads */
} sc_status;

/* sc_status_string: a short constant name for a status, e.g. "SC_ERR_NULL:
 * required pointer is NULL".  Unknown values give "unknown status".
 * Never returns NULL.  Thread rules: reentrant. */
SC_API const char *sc_status_string(sc_status status);

/* sc_last_message: the message of the last failed call made on the calling
 * thread, saying what exactly was wrong (e.g. "sc_model_create: n_inputs
 * is 0").  An empty string if no call has failed on this thread yet.  The
 * message is never cleared by a successful call.  The returned pointer is
 * valid until the next library call on the same thread.
 * Thread rules: each thread has its own message. */
SC_API const char *sc_last_message(void);

/* sc_blas_set_threads: the number of threads the BLAS uses for the dense
 * products of every model, solver and dictionary in the process (OpenBLAS:
 * openblas_set_num_threads), so that callers need no environment
 * variable.  The setting is process-wide, as the BLAS's own is; it does
 * not change results beyond floating-point summation order (a BLAS may
 * split sums differently).  Use 1 when the caller already runs one model
 * or solver per core (docs/threads.md says how the pools share the cores).
 *   threads  >= 1.
 * Errors: SC_ERR_RANGE (threads 0 or above 1024), SC_ERR_STATE (the BLAS
 * the library was built with has no thread control, e.g. the reference
 * BLAS; the message says which).
 * Thread rules: call it while no other library call runs. */
SC_API SC_NODISCARD sc_status sc_blas_set_threads(size_t threads);

/* sc_blas_threads: the BLAS's current thread count; 1 for a BLAS without
 * threads.  Thread rules: reentrant. */
SC_API size_t sc_blas_threads(void);

/* ---------------------------------------------------------------------------
 * Model handle
 *
 * An sc_model holds one recurrent sparse auto-encoder:
 *
 *     a_t = W_e x + S z_{t-1}        (the S term absent at t = 1)
 *     z_t = h(a_t; theta)            t = 1..T, output z = z_T
 *     xhat = W_d z
 *
 * with W_e (k x n), S (k x k), per-unit thresholds theta (k), decoder W_d
 * (n x k, columns of norm <= 1) and an optional classifier C (classes x k),
 * c (classes).  h is relu (z = max(a - theta, 0), the DrSAE form) or the
 * signed soft threshold (z = sign(a) max(|a| - theta, 0), the LISTA form).
 *
 * With SC_MODEL_PARAM_ENCODER = SC_ENCODER_LCOD the same weights run learned
 * coordinate descent instead (LCoD, Gregor & LeCun 2010; docs/math.md E5):
 * T coordinate steps, each of which moves the one unit whose shrunk value
 * h(B; theta) differs most from its current value,
 *
 *     B = W_e x,  Z = 0;  T times:  zbar = h(B; theta),
 *     j = argmax_i |zbar_i - Z_i| (lowest i on ties),
 *     B = B + S[:, j] (zbar_j - Z_j),  Z_j = zbar_j;   output z = h(B; theta)
 *
 * Every loss, step, encode, decode, predict, save and load works alike on
 * both kinds.
 *
 * Life cycle:
 *     sc_model_create -> sc_model_set (structural and training parameters)
 *     -> sc_model_init_* -> sc_model_step (many) / sc_model_encode ...
 *     -> sc_model_free.
 *
 * Thread rules for the type: a model is used by one thread at a time for
 * the calls that take `sc_model *`; the calls that take `const sc_model *`
 * (encode, decode, predict, get, save, weights) may run concurrently from
 * any number of threads as long as no exclusive call runs at the same time.
 * ------------------------------------------------------------------------ */

typedef struct sc_model_s sc_model;

/* Shrink functions, values of SC_MODEL_PARAM_SHRINK. */
typedef enum {
    SC_SHRINK_RELU = 0,   /* z = max(a - theta, 0): non-negative codes */
    SC_SHRINK_SOFT = 1    /* z = sign(a) max(|a| - theta, 0), theta >= 0 */
} sc_shrink;

/* Encoder kinds, values of SC_MODEL_PARAM_ENCODER.  Both use W_e, S and theta
 * and the shrink of SC_MODEL_PARAM_SHRINK: with the soft shrink LCoD is learned
 * coordinate descent for min 1/2|x - W_d z|^2 + lambda |z|_1; with relu it
 * is its non-negative form (z >= 0). */
typedef enum {
    SC_ENCODER_LISTA = 0,  /* T steps of z_t = h(W_e x + S z_{t-1}; theta),
                              every unit at every step (the default) */
    SC_ENCODER_LCOD  = 1   /* T coordinate steps of learned coordinate
                              descent, one unit each, then one shrink of
                              every unit; dense models only.  Initialised
                              with SC_MODEL_PARAM_INIT_STEP = 1 from unit-norm
                              atoms, it computes exactly T updates of
                              coordinate descent (SC_SOLVER_METHOD_COD) from z = 0
                              followed by z = h(B; theta) */
} sc_encoder;

/* Group layouts, values of SC_MODEL_PARAM_GROUP_LAYOUT. */
typedef enum {
    SC_GROUP_LAYOUT_NONE        = 0,  /* no group term */
    SC_GROUP_LAYOUT_CONTIGUOUS  = 1,  /* blocks of SC_MODEL_PARAM_GROUP_SIZE units */
    SC_GROUP_LAYOUT_TOPOGRAPHIC = 2   /* units on a TORUS_ROWS x TORUS_COLS torus,
                                   pools of POOL_SIZE x POOL_SIZE at
                                   POOL_STRIDE; pools overlap when the stride
                                   is smaller than the pool */
} sc_group_layout;

/* Optimisers, values of SC_MODEL_PARAM_OPTIMIZER. */
typedef enum {
    SC_OPTIMIZER_SGD  = 0,  /* SGD with (heavy-ball) momentum */
    SC_OPTIMIZER_ADAM = 1   /* Adam with bias correction */
} sc_optimizer;

/* Parameters.  Every parameter has a default, bounds (sc_model_param_bounds) and
 * a current value (sc_model_get).  Values are passed as double; integer
 * parameters must be given integral values.
 *
 * Structural parameters fix the model's shape and may only be set before
 * init (SC_ERR_STATE after).  Training parameters may be set at any time,
 * e.g. SC_MODEL_PARAM_CLASS_WEIGHT from 0 to 1 between the two DrSAE phases.
 * The numeric values are part of the ABI and never change. */
typedef enum {
    /* structural */
    SC_MODEL_PARAM_ITERATIONS    = 1,   /* T, unrolled steps (LCoD: coordinate
                                     steps); [1, 1000]; def. 11 */
    SC_MODEL_PARAM_SHRINK        = 2,   /* sc_shrink; default SC_SHRINK_RELU */
    SC_MODEL_PARAM_CLASSES       = 3,   /* classifier outputs, 0 = none (default);
                                     [0, 100000], or >= 2 */
    SC_MODEL_PARAM_GROUP_LAYOUT  = 4,   /* sc_group_layout; default NONE */
    SC_MODEL_PARAM_GROUP_SIZE    = 5,   /* contiguous block size; [1, 1e6]; def. 4;
                                     must divide the unit count */
    SC_MODEL_PARAM_TORUS_ROWS    = 6,   /* topographic grid; rows*cols must equal
                                     the unit count; [0, 1e6]; default 0 =
                                     square grid of side sqrt(k) (both 0) */
    SC_MODEL_PARAM_TORUS_COLS    = 7,
    SC_MODEL_PARAM_POOL_SIZE     = 8,   /* topographic pool side; [1, 1000]; def. 3 */
    SC_MODEL_PARAM_POOL_STRIDE   = 9,   /* topographic stride; [1, 1000]; def. 1 */
    SC_MODEL_PARAM_POOL_SIGMA    = 10,  /* Gaussian pool weights' width in grid
                                     cells; 0 = uniform weights (default) */
    SC_MODEL_PARAM_GROUP_EPSILON = 11,  /* eps in sqrt(sum w z^2 + eps); [0, 1];
                                     default 1e-8 */

    /* Local unshared filters (Gregor & LeCun, arXiv:1006.0448).  With
     * SC_MODEL_PARAM_LOCAL_FIELD = r > 0 the input is an image of
     * IMAGE_CHANNELS x IMAGE_HEIGHT x IMAGE_WIDTH (channel-major: pixel
     * (c, y, x) is input c*H*W + y*W + x; n must equal C*H*W), and the
     * units sit on a grid of positions Hout x Wout,
     *     Hout = (H - r) / LOCAL_STRIDE + 1,  Wout = (W - r) / LOCAL_STRIDE + 1,
     * with f = k / (Hout*Wout) units ("maps") per position (k must be a
     * multiple; sc_model_local_units computes it).  Unit i is map i % f at
     * position p = i / f = py*Wout + px, whose window is the r x r x C
     * patch with top-left pixel (py*LOCAL_STRIDE, px*LOCAL_STRIDE).
     * Each unit has an encoder filter and a decoder filter of its own over
     * its window only, and S links only units whose windows overlap.
     * sc_model_weights then returns W_e and W_d as k x (C*r*r): row i is
     * unit i's filter, entry (c*r + dy)*r + dx for window pixel (c, dy, dx).
     * A topographic group layout puts the f maps of each position on the
     * TORUS_ROWS x TORUS_COLS torus (rows*cols = f); a pool is a map window
     * over SC_MODEL_PARAM_POOL_POSITIONS^2 neighbouring positions. */
    SC_MODEL_PARAM_LOCAL_FIELD    = 12, /* r, the window side; [0, 1e6]; default
                                     0 = a dense model (the settings below
                                     are then ignored) */
    SC_MODEL_PARAM_LOCAL_STRIDE   = 13, /* [1, 1e6]; default 1 */
    SC_MODEL_PARAM_IMAGE_CHANNELS = 14, /* C; [1, 1e6]; default 1 */
    SC_MODEL_PARAM_IMAGE_HEIGHT   = 15, /* H; [0, 1e6]; default 0 (must be set) */
    SC_MODEL_PARAM_IMAGE_WIDTH    = 16, /* W; [0, 1e6]; default 0 (must be set) */
    SC_MODEL_PARAM_THREADS        = 17, /* threads that share a local model's
                                     products (positions or samples) and
                                     its step's optimiser update; [0, 64];
                                     default 0 = one per online processor.
                                     A run-time setting, not structural:
                                     it may change at any time, also after
                                     init or load.  Results do not depend
                                     on it.  On a machine busy with other
                                     work, 1 avoids oversubscription
                                     (docs/threads.md).  A dense model
                                     accepts it and has no use for it: its
                                     products run on the BLAS's threads
                                     (sc_blas_set_threads), the rest of its
                                     step on the caller's */
    SC_MODEL_PARAM_POOL_POSITIONS = 18, /* topographic pools of a local model:
                                     each spans q x q neighbouring positions
                                     (windows at stride 1, not wrapping)
                                     as well as its map window; [1, 1000];
                                     default 1 = one position */
    SC_MODEL_PARAM_ENCODER        = 19, /* sc_encoder; default SC_ENCODER_LISTA.
                                     SC_ENCODER_LCOD needs a dense model:
                                     with SC_MODEL_PARAM_LOCAL_FIELD > 0 an init
                                     fails with SC_ERR_RANGE */

    /* loss weights; 0 switches a term off and costs nothing */
    SC_MODEL_PARAM_RECON_WEIGHT      = 20,  /* 1/2 |x - W_d z|^2; default 1 */
    SC_MODEL_PARAM_L1_WEIGHT         = 21,  /* lambda sum |z_i|; default 0.1 */
    SC_MODEL_PARAM_GROUP_WEIGHT      = 22,  /* lambda_g sum_p sqrt(...); def. 0 */
    SC_MODEL_PARAM_CLASS_WEIGHT      = 23,  /* -log softmax(C zhat + c)_y; def. 0 */
    SC_MODEL_PARAM_REGRESSION_WEIGHT = 24,  /* 1/2 |z - z*|^2; default 0 */
    SC_MODEL_PARAM_NORMALIZE_CODE    = 25,  /* 1: classify zhat = z/|z| (default),
                                         0: classify z itself */

    /* optimisation; all training parameters */
    SC_MODEL_PARAM_OPTIMIZER            = 40,  /* sc_optimizer; default SGD */
    SC_MODEL_PARAM_LEARNING_RATE        = 41,  /* (0, 1e3]; default 0.05 */
    SC_MODEL_PARAM_MOMENTUM             = 42,  /* [0, 1); default 0.9 */
    SC_MODEL_PARAM_ADAM_BETA1           = 43,  /* [0, 1); default 0.9 */
    SC_MODEL_PARAM_ADAM_BETA2           = 44,  /* [0, 1); default 0.999 */
    SC_MODEL_PARAM_ADAM_EPSILON         = 45,  /* (0, 1]; default 1e-8 */
    SC_MODEL_PARAM_DECODER_MAX_NORM     = 46,  /* column bound of W_d; default 1 */
    SC_MODEL_PARAM_CLASSIFIER_MAX_NORM  = 47,  /* row bound of C; default 5 */
    SC_MODEL_PARAM_ENCODER_MAX_NORM     = 48,  /* row bound of W_e (a local
                                            unit's encoder filter), applied
                                            after every step; [0, 1e6];
                                            default 0 = no bound.  DrSAE's
                                            code: 1.25/T (docs/drsae.md) */
    SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE = 49, /* multiplies the learning rate
                                            of C and c; [1e-6, 1e6];
                                            default 1.  DrSAE: 0.2 */
    SC_MODEL_PARAM_REPEAT_SCALING       = 50,  /* 1 (default): the learning rate
                                            of W_e and theta is divided by
                                            T, that of S by T-1 (their
                                            repeat counts, docs/math.md
                                            O3; LCoD: W_e by 1, S by T,
                                            theta by T+1); 0: not */

    /* initialisation; read by the sc_model_init_* calls */
    SC_MODEL_PARAM_INIT_STEP            = 51,  /* alpha in W_e = alpha W_d^T,
                                            S = I - alpha W_d^T W_d,
                                            theta = alpha lambda; [0, 1e6];
                                            default 0 = 1/L, ISTA's step.
                                            DrSAE's code: 1.25/T */
    SC_MODEL_PARAM_INIT_NOISE           = 52   /* sc_model_init_data only: each
                                            decoder column starts as
                                            s/|s| + noise r/|r|, s a
                                            sample and r a Gaussian vector,
                                            then scaled; [0, 1e6]; default
                                            0.  DrSAE's code: 4 (a random
                                            column plus 0.25 of a sample) */
} sc_model_param;

/* sc_model_param_bounds: the inclusive range [*lo, *hi] of a parameter.
 * Errors: SC_ERR_NULL (lo or hi NULL), SC_ERR_PARAM (unknown id).
 * Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_model_param_bounds(sc_model_param param, double *lo,
                                              double *hi);

/* sc_model_param_name: the parameter's name as in the header without its
 * prefix, in lower case (SC_MODEL_PARAM_L1_WEIGHT: "l1_weight"), for
 * bindings and configuration files; NULL for an unknown id.
 * Thread rules: reentrant; the string is static. */
SC_API const char *sc_model_param_name(sc_model_param param);

/* sc_model_param_from_name: the id of the parameter called `name` (as
 * sc_model_param_name gives it; case-sensitive), written to *param.
 * Errors: SC_ERR_NULL (name or param), SC_ERR_PARAM (no such parameter;
 * *param untouched).  Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_model_param_from_name(const char *name,
                                                       sc_model_param *param);

/* sc_model_param_is_structural: 1 if the parameter fixes the model's
 * shape or layout and so can be set only before init (sc_model_set then
 * fails with SC_ERR_STATE), 0 if it may be set at any time or the id is
 * unknown.  Thread rules: reentrant. */
SC_API int sc_model_param_is_structural(sc_model_param param);

/* sc_model_local_units: the unit count k of a local model with `maps` units per
 * position (see SC_MODEL_PARAM_LOCAL_FIELD), written to *units.
 * Errors: SC_ERR_NULL (units), SC_ERR_RANGE (a size or the stride is 0,
 * or the field is larger than the image), SC_ERR_SIZE (a product
 * overflows, or k would exceed 2^24).  Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_model_local_units(size_t channels, size_t height,
                                             size_t width, size_t field,
                                             size_t stride, size_t maps,
                                             size_t *units);

/* sc_model_local_shape: the geometry of a local model's code: the output
 * grid of window positions (grid_height x grid_width, from the image
 * size, SC_MODEL_PARAM_LOCAL_FIELD and _LOCAL_STRIDE) and the units per
 * position, so that k = grid_height * grid_width * maps, unit index
 * (row * grid_width + col) * maps + map.  Any output pointer may be NULL.
 * Errors: SC_ERR_NULL (model), SC_ERR_STATE (a dense model, or a local
 * model not yet initialised).  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_local_shape(const sc_model *model,
                                                   size_t *grid_height,
                                                   size_t *grid_width,
                                                   size_t *maps);

/* sc_model_create: a new model mapping n_inputs-dimensional inputs to
 * n_units-dimensional codes, with every parameter at its default and no
 * weights yet (it must be initialised before use).
 *   out       receives the handle on success; untouched on failure.
 *   n_inputs  n, the input dimension, >= 1.
 *   n_units   k, the code dimension, >= 1.
 * Errors: SC_ERR_NULL (out), SC_ERR_SIZE (a size is 0, larger than
 * 2^24, or n*k, k*k overflow the addressable size), SC_ERR_NOMEM.
 * Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_model_create(sc_model **out,
                                              size_t n_inputs,
                                              size_t n_units);

/* sc_model_free: releases a model and everything it owns.  NULL is a no-op.
 * Thread rules: exclusive. */
SC_API void sc_model_free(sc_model *model);

/* sc_model_message: the message of the last failed exclusive call on this
 * model (create/set/init/step/load), or "" if none failed.  Calls on a
 * const model report through sc_last_message() only.  The pointer stays
 * valid until the next exclusive call on the model.  NULL gives "".
 * Thread rules: like a const call. */
SC_API const char *sc_model_message(const sc_model *model);

/* sc_model_set: sets a parameter after checking its bounds, its
 * integrality and the model's state.
 * Errors: SC_ERR_NULL (model), SC_ERR_PARAM (unknown id), SC_ERR_RANGE
 * (out of bounds, not integral, NaN), SC_ERR_STATE (structural parameter
 * after init).  Thread rules: exclusive. */
SC_API SC_NODISCARD sc_status sc_model_set(sc_model *model, sc_model_param param,
                                           double value);

/* sc_model_get: the current value of a parameter, written to *value.
 * Errors: SC_ERR_NULL (model or value), SC_ERR_PARAM.
 * Thread rules: const (concurrent with other const calls). */
SC_API SC_NODISCARD sc_status sc_model_get(const sc_model *model,
                                           sc_model_param param, double *value);

/* sc_model_inputs / sc_model_units: n and k.  0 for NULL.
 * Thread rules: const. */
SC_API size_t sc_model_inputs(const sc_model *model);
SC_API size_t sc_model_units(const sc_model *model);

/* sc_model_is_initialized: 1 once an init succeeded (or the model was
 * loaded), else 0.  0 for NULL.  Thread rules: const. */
SC_API int sc_model_is_initialized(const sc_model *model);

/* ---------------------------------------------------------------------------
 * Initialisation.  Each init checks the structural parameters together
 * (e.g. a group size that does not divide k), builds the group pools,
 * allocates the weights, and resets the optimiser state and step count.
 * An init may be repeated; on failure the model keeps its previous state.
 * ------------------------------------------------------------------------ */

/* sc_model_init_random: a random decoder W_d from `seed`, its columns
 * scaled to norm SC_MODEL_PARAM_DECODER_MAX_NORM (1 by default), then
 * the encoder from it by the ISTA relation (see sc_model_init_dictionary);
 * classifier weights 0.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE / SC_ERR_RANGE (inconsistent structural
 * parameters, with the message naming them), SC_ERR_NOMEM.
 * Thread rules: exclusive. */
SC_API SC_NODISCARD sc_status sc_model_init_random(sc_model *model,
                                                   uint64_t seed);

/* sc_model_init_dictionary: W_d = D with columns scaled to norm <= the
 * decoder bound, and the encoder by the ISTA relation
 *     W_e = W_d^T / L,  S = I - W_d^T W_d / L,  theta = lambda / L,
 * where L >= lambda_max(W_d^T W_d) is found by power iteration and lambda is
 * SC_MODEL_PARAM_L1_WEIGHT.  With this init and T iterations, the encoder returns
 * the codes of T ISTA iterations from z_0 = 0 (relu: non-negative ISTA).
 * Every init uses this relation; SC_MODEL_PARAM_INIT_STEP > 0 replaces 1/L by
 * that step (the DrSAE authors' code, docs/math.md I2).  An LCoD encoder
 * with SC_MODEL_PARAM_INIT_STEP = 1 and atoms of unit norm computes T updates
 * of coordinate descent (docs/math.md E5); with 1/L, T coordinate steps of
 * ISTA.
 *   dictionary  n x k row-major, finite.  For a local model only the
 *               entries of column j inside unit j's window are used.
 * Errors: SC_ERR_NULL, SC_ERR_NONFINITE (NaN/Inf in D), SC_ERR_RANGE (a
 * zero dictionary, or one too small for float: W_d^T W_d underflows to
 * 0), structural errors as above, SC_ERR_NOMEM.
 * Thread rules: exclusive; `dictionary` is only read. */
SC_API SC_NODISCARD sc_status sc_model_init_dictionary(sc_model *model,
                                                       const float *dictionary);

/* sc_model_init_data: the data-dependent init of the DrSAE authors' code:
 * the decoder's columns are randomly chosen samples of `x` (chosen by
 * `seed`, normalised to the decoder bound; with SC_MODEL_PARAM_INIT_NOISE, a
 * random direction is mixed in first), and the encoder follows by the
 * ISTA relation.  A local unit's filter is its window of a sample (a blank
 * window is drawn again, up to 16 times, then left at zero).
 *   x      count x n row-major samples, finite; count >= 1.  Any non-zero
 *          sample, subnormal or near FLT_MAX, is normalised (in double).
 * Errors: SC_ERR_NULL, SC_ERR_SIZE (count 0), SC_ERR_NONFINITE,
 * SC_ERR_RANGE (all chosen samples are zero), structural errors, NOMEM.
 * Thread rules: exclusive. */
SC_API SC_NODISCARD sc_status sc_model_init_data(sc_model *model,
                                                 const float *x, size_t count,
                                                 uint64_t seed);

/* ---------------------------------------------------------------------------
 * Training
 * ------------------------------------------------------------------------ */

/* Statistics of one training step, all averaged over the batch and taken
 * before the update.  A term that is off (weight 0) reports 0, except l1
 * and active_fraction, which are always measured.  A struct versioned by
 * its leading size field: set `size = sizeof(sc_model_stats)` before
 * passing it; a library that knows more fields than the caller's struct
 * fills only those that fit. */
typedef struct {
    size_t size;            /* set by the caller to sizeof(sc_model_stats) */
    double loss;            /* the weighted sum of all active terms */
    double recon;           /* 1/2 |x - W_d z|^2 (unweighted) */
    double l1;              /* sum |z_i| (unweighted) */
    double group;           /* sum_p sqrt(sum w z^2 + eps) (unweighted) */
    double classification;  /* -log p_y, 0 when the term is off */
    double regression;      /* 1/2 |z - z*|^2, 0 when off */
    double active_fraction; /* fraction of code units that are non-zero */
    double class_error;     /* fraction misclassified, 0 when off */
} sc_model_stats;

/* sc_model_step: one minibatch of exact back-propagation through time and
 * one optimiser update of every weight, each matrix's step divided by the
 * number of times it repeats in the unrolled net (W_e, theta by T; S by
 * T-1; for LCoD W_e by 1, S by T, theta by T+1; unless
 * SC_MODEL_PARAM_REPEAT_SCALING is 0) and the classifier's
 * multiplied by SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE, followed by the norm
 * constraints (W_d columns, C rows, W_e rows when SC_MODEL_PARAM_ENCODER_MAX_NORM
 * is set; theta >= 0 for the soft shrink).
 *   x        batch x n inputs.
 *   labels   batch class labels in [0, classes); needed when the class
 *            weight is > 0, else may be NULL.
 *   targets  batch x k target codes z*; needed when the regression weight
 *            is > 0, else may be NULL.
 *   stats    may be NULL; filled on success.
 * Errors: SC_ERR_NULL (model, x, or a needed labels/targets), SC_ERR_SIZE
 * (batch 0 or stats->size too small), SC_ERR_STATE (not initialised, or
 * the class weight > 0 with no classifier), SC_ERR_RANGE (a label out of
 * range), SC_ERR_NONFINITE (NaN/Inf in x/targets, or produced by the step,
 * or an update that leaves the model unable to encode: see below; the
 * model is then exactly as before), SC_ERR_NOMEM.
 * An update is refused unless, after the constraints, (1) every new value
 * is finite, (2) every row of W_e, S, W_d and C has an L1 norm of at most
 * 2^64 and |theta|, |c| are at most 2^64, and (3) this batch's codes,
 * reconstruction and class probabilities through the new weights are
 * finite (decided by a bound on the encoder's growth, and by the forward
 * pass itself when the bound cannot tell; docs/api-conventions.md,
 * "Non-finite updates").
 * Once warm (a step at this batch size or larger has run) a step does not
 * allocate.  Thread rules: exclusive; the inputs are only read. */
SC_API SC_NODISCARD sc_status sc_model_step(sc_model *model, const float *x,
                                            const int32_t *labels,
                                            const float *targets,
                                            size_t batch,
                                            sc_model_stats *stats);

/* sc_model_steps_taken: the number of successful steps since init. */
SC_API uint64_t sc_model_steps_taken(const sc_model *model);

/* sc_model_evaluate: the statistics a step would report for a batch (the
 * losses, the reconstruction, the sparsity and, with a classifier, the
 * classification error), without training, e.g. on held-out data.
 *   x, labels, targets, batch  as sc_model_step; labels may be NULL when
 *            the model has no classifier or the caller wants no
 *            classification figures (they then read 0).
 *   stats    required; its size field set as for sc_model_step.
 * Errors: as sc_model_step, except that nothing is refused for a
 * non-finite update (there is none); SC_ERR_NONFINITE for NaN/Inf in x
 * or targets, or losses that overflowed.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_evaluate(const sc_model *model,
                                                const float *x,
                                                const int32_t *labels,
                                                const float *targets,
                                                size_t batch,
                                                sc_model_stats *stats);

/* ---------------------------------------------------------------------------
 * Inference.  All reentrant on a const model: scratch memory is allocated
 * per call.  Any batch size >= 1.
 * ------------------------------------------------------------------------ */

/* sc_model_encode: z = z_T for each input.
 *   x      batch x n inputs.      codes  batch x k, written on success.
 * SC_OK means every output is finite.  Finite weights can still be too
 * large for an input (a model trained or loaded with huge weights): the
 * codes then overflow, and the call fails with SC_ERR_NONFINITE, having
 * written some of `codes`.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE (batch 0 or batch*k overflows),
 * SC_ERR_STATE (not initialised), SC_ERR_NONFINITE (NaN/Inf in x, or
 * outputs that overflowed), SC_ERR_NOMEM.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_encode(const sc_model *model,
                                              const float *x, size_t batch,
                                              float *codes);

/* sc_model_decode: xhat = W_d z for each code.
 *   codes  batch x k.      x  batch x n, written on success.
 * Errors: as sc_model_encode.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_decode(const sc_model *model,
                                              const float *codes, size_t batch,
                                              float *x);

/* sc_model_predict: class labels and/or class probabilities of inputs.
 *   labels  batch entries (argmax), or NULL.
 *   probs   batch x classes softmax probabilities, or NULL.
 * At least one of labels and probs must be given.
 * Errors: as sc_model_encode, plus SC_ERR_STATE when the model has no
 * classifier.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_predict(const sc_model *model,
                                               const float *x, size_t batch,
                                               int32_t *labels, float *probs);

/* ---------------------------------------------------------------------------
 * Read-only weights, for pictures and analysis.
 * ------------------------------------------------------------------------ */

typedef enum {
    SC_WEIGHT_ENCODER    = 1,  /* W_e, k x n; local: k x C*r*r */
    SC_WEIGHT_LATERAL    = 2,  /* S, k x k */
    SC_WEIGHT_THRESHOLD  = 3,  /* theta, k x 1 */
    SC_WEIGHT_DECODER    = 4,  /* W_d, n x k; local: k x C*r*r (row i is
                                  unit i's filter, i.e. column i of W_d
                                  within its window) */
    SC_WEIGHT_CLASSIFIER = 5,  /* C, classes x k */
    SC_WEIGHT_CLASS_BIAS = 6   /* c, classes x 1 */
} sc_weight;

/* sc_model_weights: a pointer to one weight array, row-major, and its
 * shape.  The pointer is owned by the model and valid until the next
 * exclusive call on it.
 * Errors: SC_ERR_NULL (any pointer), SC_ERR_PARAM (unknown weight),
 * SC_ERR_STATE (not initialised, or a classifier weight with no
 * classifier).  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_weights(const sc_model *model,
                                               sc_weight which,
                                               const float **data,
                                               size_t *rows, size_t *cols);

/* ---------------------------------------------------------------------------
 * The gradient interface: a step split in two, for data-parallel training
 * (sum the buffers of several workers, e.g. with MPI_Allreduce, then apply
 * the sum on every worker, giving the number of buffers summed) and for
 * bindings.  sc_model_step is exactly sc_model_gradient_compute followed
 * by sc_model_gradient_apply(model, gradient, 1), with the same bits.
 * A buffer holds the gradient of its batch's MEAN loss, as the step
 * computes it (each loss term carries 1/batch before back-propagation),
 * so that one buffer applied as it is reproduces the step exactly; the
 * mean of W workers' buffers of equal batches is the gradient of the
 * combined batch (docs/gradient.md: unequal batches).
 *
 * The buffer is one flat float array of sc_model_gradient_size floats:
 * one block per trained weight array, each laid out as sc_model_weights
 * shows that array, at the offset sc_model_gradient_block gives (the
 * order is W_e, S, theta, W_d, C, c; blocks of arrays the model does not
 * have are absent).  docs/gradient.md draws it.
 * ------------------------------------------------------------------------ */

/* sc_model_gradient_size: the number of floats in the gradient buffer;
 * 0 for NULL or a model not initialised.  Thread rules: const. */
SC_API size_t sc_model_gradient_size(const sc_model *model);

/* sc_model_gradient_block: where one weight array's gradient sits in the
 * buffer: floats [*offset, *offset + *count).
 * Errors: SC_ERR_NULL, SC_ERR_PARAM (unknown weight), SC_ERR_STATE (not
 * initialised, or a classifier weight with no classifier).
 * Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_gradient_block(const sc_model *model,
                                                      sc_weight which,
                                                      size_t *offset,
                                                      size_t *count);

/* sc_model_gradient_compute: back-propagation through time of a batch,
 * the model's weights unchanged.
 *   x, labels, targets, batch  as sc_model_step.
 *   gradient  sc_model_gradient_size floats: receives the MEAN over the
 *             batch of each sample's gradient of the weighted loss (the
 *             gradient of the loss sc_model_step reports), 0 in the blocks
 *             of arrays this batch does not train (W_d with the
 *             reconstruction weight 0, C and c with the class weight 0).
 *   stats     may be NULL; as sc_model_step.
 * The model keeps a copy of x for the check of the next apply.
 * Errors: as sc_model_step; SC_ERR_NONFINITE also when the gradient
 * overflowed (the buffer's contents are then unspecified).
 * Thread rules: exclusive (it uses the model's workspace). */
SC_API SC_NODISCARD sc_status sc_model_gradient_compute(sc_model *model,
                                                        const float *x,
                                                        const int32_t *labels,
                                                        const float *targets,
                                                        size_t batch,
                                                        float *gradient,
                                                        sc_model_stats *stats);

/* sc_model_gradient_apply: one optimiser update from a gradient buffer,
 * as sc_model_step makes it (the sum divided by `batch`, the repeat
 * scaling, the classifier's rate scale, then the norm constraints), and
 * the step count advanced.  Which arrays it trains follows the model's
 * parameters at the time of the apply.
 *   gradient  a buffer as sc_model_gradient_compute writes it, or a sum
 *             of such buffers.
 *   batch     the number of BUFFERS summed into it, >= 1 (1 for one
 *             buffer: then no division, and compute + apply is the step
 *             bit for bit).
 * The update is refused as sc_model_step's is (see there), test (3)
 * running the inputs of this model's last sc_model_gradient_compute
 * (with no compute since init or load, tests (1) and (2) alone).
 * Errors: SC_ERR_NULL, SC_ERR_SIZE (batch 0), SC_ERR_STATE (not
 * initialised), SC_ERR_NONFINITE (NaN/Inf in the gradient, or an update
 * that would leave non-finite weights or weights that overflow the
 * encoder: the model is then exactly as before), SC_ERR_NOMEM.
 * Thread rules: exclusive. */
SC_API SC_NODISCARD sc_status sc_model_gradient_apply(sc_model *model,
                                                      const float *gradient,
                                                      size_t batch);

/* ---------------------------------------------------------------------------
 * Files.  Little-endian, with a magic, a format version, the sizes, every
 * parameter, the weights, the optimiser state and a CRC-32, so that a
 * loaded model resumes training bit for bit.
 * ------------------------------------------------------------------------ */

/* What a save writes. */
typedef enum {
    SC_MODEL_CONTENTS_FULL      = 0,  /* everything: a loaded model resumes
                                         training bit for bit */
    SC_MODEL_CONTENTS_INFERENCE = 1   /* the parameters and weights only, no
                                         optimiser state (about a third of
                                         the size); a loaded model encodes
                                         identically and trains from a
                                         fresh optimiser state */
} sc_model_contents;

/* sc_model_save: writes an initialised model to `path` atomically: to a
 * temporary file in the same directory (unnamed, with O_TMPFILE, where the
 * file system allows), synced, then renamed over `path`, and the directory
 * synced.  An existing file at `path` is either replaced whole or left
 * untouched, also when the process is killed; it keeps its mode, and its
 * owner and group where permitted; a new file gets 0666 less the umask.
 * A killed save leaves at most one `.sc-save-*` file, never in a later
 * save's way, which the next successful save into that directory removes
 * (docs/file-format.md).  SC_ERR_IO after the rename (the directory's
 * fsync) leaves the new file in place.
 *   contents  SC_MODEL_CONTENTS_FULL (to resume training) or
 *             SC_MODEL_CONTENTS_INFERENCE (to encode, decode, predict).
 * Errors: SC_ERR_NULL, SC_ERR_STATE (not initialised), SC_ERR_RANGE
 * (unknown contents), SC_ERR_IO, SC_ERR_NOMEM.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_model_save(const sc_model *model,
                                            const char *path,
                                            sc_model_contents contents);

/* sc_model_load: reads a model written by sc_model_save.  Every field is
 * checked, and the file's length against the sizes in its header before
 * anything is allocated from them; the file is read in bounded pieces, so
 * a load takes the loaded model's memory.  A file that is truncated,
 * corrupt, inconsistent or hostile is rejected with a status, never a
 * crash.
 *   out  receives a new model on success; untouched on failure.
 * Errors: SC_ERR_NULL, SC_ERR_IO (cannot open/read), SC_ERR_FORMAT (not a
 * model file, truncated, length not the header's, CRC mismatch, bad sizes
 * or values), SC_ERR_VERSION (unknown format version), SC_ERR_NOMEM (an
 * allocation failed).
 * Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_model_load(sc_model **out, const char *path);

/* ---------------------------------------------------------------------------
 * Sparse coding solvers (plan once, run many)
 *
 * An sc_solver is made once for a dictionary D (n x k, row-major) and then
 * solves, for any number of batches of inputs x,
 *
 *     min_z  1/2 |x - D z|^2 + lambda |z|_1 + 1/2 lambda_2 |z|^2
 *            [+ lambda_g sum_p |z_p|]
 *
 * optionally with z >= 0 (lambda_2 = SC_SOLVER_PARAM_L2 > 0: the elastic
 * net).  Creating it copies D and computes what every run needs (the
 * Gram matrix D^T D, the Lipschitz constant L by power iteration).  A run
 * takes a const solver and any buffers, so many threads may run one
 * solver at once.
 *
 * Methods: ISTA; FISTA (Beck & Teboulle) with adaptive restart (a sample's
 * momentum is reset whenever it points against the step just taken, the
 * gradient scheme of O'Donoghue & Candes); coordinate descent (CoD, Gregor
 * & LeCun 2010), which updates one coordinate at a time using the Gram
 * matrix, always the one that moves most; active-set coordinate descent
 * (SC_SOLVER_METHOD_CD_ACTIVE, the covariance updates of glmnet, docs/math.md
 * (S6)-(S8)): per sample, cyclic sweeps over the codes that are non-zero,
 * and the exact solution on that support with its signs (a feature-sign
 * step, (S8)), then one sweep over all k codes that lets new ones in, the
 * correlations c - G z being recomputed exactly (in double, from the
 * support) after each full sweep to measure the duality gap (S7) and to
 * cancel the drift of their float updates; from z = 0 the first codes
 * enter greedily, by largest correlation.  The fastest here for the L1
 * problem and the elastic net with or without z >= 0 (docs/solvers.md).
 * The group term works with ISTA and FISTA only (CoD and CD_ACTIVE:
 * SC_ERR_STATE at run): for contiguous groups its proximal step is the
 * exact block soft-threshold max(0, 1 - tau/|v_g|) v_g; for overlapping
 * topographic pools, which have no closed-form prox, the smooth surrogate
 * sqrt(sum w z^2 + eps) of the model's group term is added to the gradient
 * instead (and the step shrinks to 1/(L + lambda_g m/sqrt(eps)), m the
 * largest total pool weight of a unit, to stay stable).
 *
 * OMP (SC_SOLVER_METHOD_OMP; Batch-OMP of Rubinstein, Zibulevsky & Elad 2008,
 * as SPAMS and scikit-learn's orthogonal_mp_gram): per sample, greedily,
 * the atom j not yet selected of largest |d_j^T r| (r = x - D z, the
 * lowest index on ties) joins the support S, and z_S becomes the least-
 * squares fit G_SS z_S = (D^T x)_S, through a Cholesky factor of G_SS
 * grown by one row per atom, all on the Gram matrix and in double.  A
 * code stops when it has SC_SOLVER_PARAM_MAX_NONZEROS atoms (0: min(n, k)), or
 * |r|^2 <= SC_SOLVER_PARAM_MAX_RESIDUAL, or when no atom is left that
 * correlates with r (converged), or when the atom chosen is
 * (numerically) a combination of S (the factor's pivot at most
 * 1e-10 (1 + G_jj); not converged, z the fit on S).  The report's
 * converged is 1 when every code stopped converged, its iterations the
 * most atoms of any code.  The selection does not divide by |d_j|:
 * give unit-norm atoms, as for SPAMS and scikit-learn.  OMP solves no
 * lasso: it ignores lambda, SC_SOLVER_PARAM_TOLERANCE and
 * SC_SOLVER_PARAM_MAX_ITERATIONS; the report's objective and gap are still
 * those of the lasso problem above (with the solver's lambda) at the
 * codes OMP returns.  Non-negativity, the L2 term and the group term
 * are not supported with OMP (SC_ERR_STATE at run).  A warm start
 * (sc_solver_run_from) is ignored: greedy selection has no iterate to
 * resume from, and the result equals that of sc_solver_run.
 *
 * Stopping (ISTA, FISTA, CoD): after SC_SOLVER_PARAM_MAX_ITERATIONS, or when
 * every sample's iterate moved by at most SC_SOLVER_PARAM_TOLERANCE relative to
 * its size in one iteration (max_i |z_i - z_i'| <= tol * max(1,
 * max_i |z_i|)).  A tolerance of 0 runs exactly MAX_ITERATIONS
 * iterations.
 *
 * Stopping (CD_ACTIVE), per sample: when its relative duality gap is at
 * most the tolerance,  gap(z) <= tol * F(z),  with F the objective (S0)
 * and gap(z) = F(z) - Dual(s r) the gap of docs/math.md (S7): r = x - D z,
 * s = min(1, lambda / m), m = max_i |(D^T r)_i - lambda_2 z_i| (z >= 0:
 * the largest signed value, at least 0), and
 *     Dual(s r) = s x.r - s^2/2 (|r|^2 + lambda_2 |z|^2),
 * the dual objective at the feasible point s r; or at a fixed point of
 * the float iteration (a round that does not lower F), or after
 * MAX_ITERATIONS sweeps (the greedy start from z = 0, a sweep of the
 * active set, a step (S8) and a full sweep count one each).
 * The gap is that of the problem in float data (c = D^T x and G = D^T D
 * as the solver holds them), evaluated in double; gaps below ~1e-7
 * relative are float rounding.  With lambda = 0 the only dual point is 0
 * and the gap is F(z): such a run stops at its fixed point, not
 * converged.
 *
 * Threads: SC_SOLVER_PARAM_THREADS > 1 splits the batch of CoD, CD_ACTIVE and
 * OMP runs into contiguous ranges of samples, one per thread, after the
 * sgemm c = X D (which runs on the BLAS's threads, OPENBLAS_NUM_THREADS).
 * The two pools never run at once: the library's threads start after
 * that sgemm returns and are joined before the report's sgemm, so with
 * both set to the cores available nothing is oversubscribed.  Each
 * sample's arithmetic is the same on any thread, so the codes and the
 * report are bit-identical for any thread count.  ISTA and FISTA iterate
 * the batch together through sgemm and run on the BLAS's threads only.
 *
 * Thread rules for the type: create/set/free take the solver exclusively;
 * sc_solver_run, sc_solver_run_from, sc_solver_get and
 * sc_solver_objective are reentrant on a const solver (their threads, if
 * any, are joined before they return).
 * ------------------------------------------------------------------------ */

typedef struct sc_solver_s sc_solver;

/* Values of SC_SOLVER_PARAM_METHOD. */
typedef enum {
    SC_SOLVER_METHOD_ISTA  = 0,
    SC_SOLVER_METHOD_FISTA = 1,
    SC_SOLVER_METHOD_COD   = 2,
    SC_SOLVER_METHOD_CD_ACTIVE = 3,  /* active-set coordinate descent (S6) */
    SC_SOLVER_METHOD_OMP   = 4       /* orthogonal matching pursuit (greedy,
                                 ignores lambda; see "OMP" above) */
} sc_solver_method;

/* Solver parameters: sc_solver_set / sc_solver_get / sc_solver_param_bounds.
 * All may be set at any time (between runs). */
typedef enum {
    SC_SOLVER_PARAM_METHOD         = 1,  /* sc_solver_method; default FISTA */
    SC_SOLVER_PARAM_LAMBDA         = 2,  /* L1 weight; [0, 1e6]; default 0.1 */
    SC_SOLVER_PARAM_NONNEGATIVE    = 3,  /* 1: constrain z >= 0; default 0 */
    SC_SOLVER_PARAM_MAX_ITERATIONS = 4,  /* [1, 1e7]; default 1000 */
    SC_SOLVER_PARAM_TOLERANCE      = 5,  /* [0, 1]; default 1e-6 */
    SC_SOLVER_PARAM_GROUP_LAYOUT   = 6,  /* sc_group_layout; default NONE */
    SC_SOLVER_PARAM_GROUP_WEIGHT   = 7,  /* lambda_g; [0, 1e6]; default 0 */
    SC_SOLVER_PARAM_GROUP_SIZE     = 8,  /* contiguous block size; default 4 */
    SC_SOLVER_PARAM_TORUS_ROWS     = 9,  /* topographic layout, as for the */
    SC_SOLVER_PARAM_TORUS_COLS     = 10, /* model's SC_MODEL_PARAM_TORUS_ROWS ... */
    SC_SOLVER_PARAM_POOL_SIZE      = 11,
    SC_SOLVER_PARAM_POOL_STRIDE    = 12,
    SC_SOLVER_PARAM_POOL_SIGMA     = 13,
    SC_SOLVER_PARAM_GROUP_EPSILON  = 14, /* eps of the smooth surrogate;
                                      [1e-12, 1]; default 1e-4 */
    SC_SOLVER_PARAM_L2             = 15, /* lambda_2 of 1/2 lambda_2 |z|^2 (the
                                      elastic net), every method and the
                                      objective; [0, 1e6]; default 0 */
    SC_SOLVER_PARAM_THREADS        = 16, /* threads over samples for CoD,
                                      CD_ACTIVE and OMP (see "Threads"
                                      above); [0, 64]; default 1 = the
                                      calling thread only; 0 = one per
                                      online processor.  Results do not
                                      depend on it */
    SC_SOLVER_PARAM_MAX_NONZEROS   = 17, /* OMP: at most this many non-zeros
                                      per code; [0, 2^24]; default 10;
                                      0 = no limit but min(n, k) */
    SC_SOLVER_PARAM_MAX_RESIDUAL   = 18  /* OMP: stop a code once its squared
                                      residual |x - D z|^2 is at most
                                      this (absolute, in x's units);
                                      [0, 1e15]; default 0 = only an
                                      exact fit stops early */
} sc_solver_param;

/* What a run did.  Versioned by its leading size field, like
 * sc_model_stats: set size = sizeof(sc_solver_report). */
typedef struct {
    size_t size;          /* set by the caller */
    uint64_t iterations;  /* iterations run (the batch runs together;
                             CoD, CD_ACTIVE: the most of any sample,
                             CD_ACTIVE counting sweeps) */
    double objective;     /* mean over the batch of the final objective */
    int converged;        /* 1 if the tolerance was met before the cap
                             (CD_ACTIVE: by every sample's gap) */
    /* Appended after the fields above (issue 12); a caller compiled
     * with the older, smaller struct gets the fields above only. */
    double gap;           /* the largest over the batch of the relative
                             duality gap gap(z) / F(z) of (S7) at the
                             returned codes, for every method (0 when
                             F = 0); NaN when the group term is on */
} sc_solver_report;

/* sc_solver_create: plans a solver for the dictionary D.
 *   out         receives the handle on success; untouched on failure.
 *   dictionary  n x k row-major, finite, not all zero; copied.
 *   n, k        >= 1, at most 2^24 each, n*k and k*k at most 2^31.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE, SC_ERR_NONFINITE (NaN/Inf in D),
 * SC_ERR_RANGE (D is zero; or its values are too large, D^T D overflows
 * float, or too small, D^T D underflows to 0: the message says which),
 * SC_ERR_NOMEM.  Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_solver_create(sc_solver **out,
                                               const float *dictionary,
                                               size_t n, size_t k);

/* sc_solver_free: releases a solver; NULL is a no-op.  Exclusive. */
SC_API void sc_solver_free(sc_solver *solver);

/* sc_solver_message: the message of the last failed exclusive call on the
 * solver (set), or "".  NULL gives "".  Thread rules: const. */
SC_API const char *sc_solver_message(const sc_solver *solver);

/* sc_solver_set: sets a parameter after checking its bounds.
 * Errors: SC_ERR_NULL, SC_ERR_PARAM, SC_ERR_RANGE (out of bounds, not
 * integral), SC_ERR_SIZE (group parameters that do not fit k, e.g. a group
 * size that does not divide k, a torus that does not hold k units; the
 * layout is checked when set and when its geometry changes).
 * Thread rules: exclusive. */
SC_API SC_NODISCARD sc_status sc_solver_set(sc_solver *solver,
                                            sc_solver_param param,
                                            double value);

/* sc_solver_get: the current value of a parameter.
 * Errors: SC_ERR_NULL, SC_ERR_PARAM.  Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_solver_get(const sc_solver *solver,
                                            sc_solver_param param,
                                            double *value);

/* sc_solver_param_bounds: the inclusive range of a solver parameter.
 * Errors: SC_ERR_NULL, SC_ERR_PARAM.  Thread rules: reentrant. */
SC_API SC_NODISCARD sc_status sc_solver_param_bounds(sc_solver_param param,
                                               double *lo, double *hi);

/* sc_solver_lipschitz: L >= lambda_max(D^T D) used by ISTA and FISTA
 * (step 1/L); 0 for NULL.  Thread rules: const. */
SC_API double sc_solver_lipschitz(const sc_solver *solver);

/* sc_solver_param_name / sc_solver_param_from_name: a solver parameter's
 * name (SC_SOLVER_PARAM_MAX_ITERATIONS: "max_iterations"; NULL for an
 * unknown id) and back, as sc_model_param_name and
 * sc_model_param_from_name.  Errors (from_name): SC_ERR_NULL,
 * SC_ERR_PARAM.  Thread rules: reentrant. */
SC_API const char *sc_solver_param_name(sc_solver_param param);
SC_API SC_NODISCARD sc_status sc_solver_param_from_name(const char *name,
                                                        sc_solver_param *param);

/* sc_solver_run: solves the problem for each of batch inputs.
 *   x       batch x n inputs, finite.
 *   codes   batch x k: written on success with the solutions.  Iterations
 *           start from z = 0.
 *   report  may be NULL; filled on success.
 *           report->size may be that of an older, shorter
 *           sc_solver_report (at least its first two fields): only that
 *           much is written.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE (batch 0, too large, report->size too
 * small), SC_ERR_NONFINITE (NaN/Inf in x; or the codes, the report's
 * objective or gap overflowed float while solving), SC_ERR_RANGE (x is
 * too large for the dictionary: D^T x overflows float), SC_ERR_STATE (the
 * group term with CoD or CD_ACTIVE, which support the L1 and L2 terms
 * only), SC_ERR_NOMEM.  SC_OK means every code (and reported value) is
 * finite; on failure codes and report are untouched.  The same for every
 * method.
 * Thread rules: const (reentrant): scratch is allocated per call. */
SC_API SC_NODISCARD sc_status sc_solver_run(const sc_solver *solver,
                                            const float *x, size_t batch,
                                            float *codes,
                                            sc_solver_report *report);

/* sc_solver_run_from: sc_solver_run started from given codes (a warm
 * start), e.g. the codes of a previous run for inputs that changed a
 * little, or for a nearby lambda.
 *   start   batch x k, finite, and >= 0 when SC_SOLVER_PARAM_NONNEGATIVE is
 *           set; read before codes is written, so start == codes is
 *           allowed (solve in place).
 *   Every method starts its iterate there (FISTA: z = y = start, t = 1;
 *   CD_ACTIVE: the active set is the support of start; at the optimum it
 *   returns after 0 or 1 sweep).
 * Errors: those of sc_solver_run; SC_ERR_NULL (start NULL),
 * SC_ERR_NONFINITE (NaN/Inf in start), SC_ERR_RANGE (a negative start
 * with SC_SOLVER_PARAM_NONNEGATIVE).  codes and report are untouched on failure.
 * Thread rules: const (reentrant). */
SC_API SC_NODISCARD sc_status sc_solver_run_from(const sc_solver *solver,
                                                 const float *x,
                                                 size_t batch,
                                                 const float *start,
                                                 float *codes,
                                                 sc_solver_report *report);

/* sc_solver_objective: the mean over the batch of the objective above
 * (with the solver's current lambda, lambda_2, group term and constraint;
 * +Inf if a code violates z >= 0 when it is set) at given codes.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE, SC_ERR_NONFINITE (NaN/Inf in x or
 * codes, or an objective that overflowed: D z beyond float; *objective
 * untouched), SC_ERR_NOMEM.
 * Thread rules: const. */
SC_API SC_NODISCARD sc_status sc_solver_objective(const sc_solver *solver,
                                                  const float *x,
                                                  const float *codes,
                                                  size_t batch,
                                                  double *objective);

/* ---------------------------------------------------------------------------
 * Dictionary learning
 *
 * An sc_dictionary learns D (n x k, unit-norm columns) for sparse coding
 * from minibatches: each step computes the codes of the batch with FISTA
 * (the SC_DICTIONARY_PARAM_LAMBDA, _NONNEGATIVE, _SOLVER_ITERATIONS and
 * _SOLVER_TOLERANCE settings) and then updates D by
 *   - SC_DICTIONARY_METHOD_ONLINE: Mairal et al. (2009): A <- beta A + Z^T Z / batch,
 *     B <- beta B + X^T Z / batch, with a forgetting factor beta < 1 that
 *     tends to 1 (so the first, poorly coded batches fade), then one pass
 *     of block coordinate descent over the columns,
 *     d_j <- (b_j - D a_j) / A_jj + d_j, projected to norm <= 1;
 *   - SC_DICTIONARY_METHOD_SGD: one gradient step D <- D - rate (D z - x) z^T / batch,
 *     then columns renormalised to norm <= 1.
 * Thread rules: create/set/init/step/free exclusive; atoms, get and
 * objective const.
 * ------------------------------------------------------------------------ */

typedef struct sc_dictionary_s sc_dictionary;

typedef enum {
    SC_DICTIONARY_METHOD_ONLINE = 0,
    SC_DICTIONARY_METHOD_SGD    = 1
} sc_dictionary_method;

typedef enum {
    SC_DICTIONARY_PARAM_METHOD            = 1,  /* sc_dictionary_method; default ONLINE */
    SC_DICTIONARY_PARAM_LAMBDA            = 2,  /* [0, 1e6]; default 0.1 */
    SC_DICTIONARY_PARAM_NONNEGATIVE       = 3,  /* codes z >= 0; default 0 */
    SC_DICTIONARY_PARAM_SOLVER_ITERATIONS = 4,  /* FISTA cap per step; default 200 */
    SC_DICTIONARY_PARAM_SOLVER_TOLERANCE  = 5,  /* default 1e-4 */
    SC_DICTIONARY_PARAM_LEARNING_RATE     = 6   /* SGD only; (0, 1e3]; default 0.1 */
} sc_dictionary_param;

/* Statistics of one step, versioned by size like sc_model_stats. */
typedef struct {
    size_t size;             /* set by the caller */
    double objective;        /* mean objective of the batch before the
                                update of D */
    double active_fraction;  /* fraction of non-zero code entries */
} sc_dictionary_stats;

/* sc_dictionary_create: a learner for n-dimensional inputs and k atoms.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE, SC_ERR_NOMEM.  Reentrant. */
SC_API SC_NODISCARD sc_status sc_dictionary_create(sc_dictionary **out,
                                                   size_t n, size_t k);
SC_API void sc_dictionary_free(sc_dictionary *dict);
/* The message of the last failed exclusive call, or "". */
SC_API const char *sc_dictionary_message(const sc_dictionary *dict);

/* sc_dictionary_set / _get / sc_dictionary_param_bounds: as for models.
 * Errors: SC_ERR_NULL, SC_ERR_PARAM, SC_ERR_RANGE. */
SC_API SC_NODISCARD sc_status sc_dictionary_set(sc_dictionary *dict,
                                                sc_dictionary_param param,
                                                double value);
SC_API SC_NODISCARD sc_status sc_dictionary_get(const sc_dictionary *dict,
                                                sc_dictionary_param param,
                                                double *value);
SC_API SC_NODISCARD sc_status sc_dictionary_param_bounds(sc_dictionary_param param,
                                                   double *lo, double *hi);

/* sc_dictionary_param_name / sc_dictionary_param_from_name: as
 * sc_model_param_name and sc_model_param_from_name, for the learner's
 * parameters (SC_DICTIONARY_PARAM_LAMBDA: "lambda").
 * Errors (from_name): SC_ERR_NULL, SC_ERR_PARAM.  Thread rules:
 * reentrant. */
SC_API const char *sc_dictionary_param_name(sc_dictionary_param param);
SC_API SC_NODISCARD sc_status sc_dictionary_param_from_name(
    const char *name, sc_dictionary_param *param);

/* sc_dictionary_init_data: atoms = `k` samples of x chosen by `seed`,
 * normalised to unit norm (in double, so subnormal and near-FLT_MAX
 * samples work too; zero samples skipped); statistics reset.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE (count 0), SC_ERR_NONFINITE,
 * SC_ERR_RANGE (every sample is zero), SC_ERR_NOMEM.  Exclusive. */
SC_API SC_NODISCARD sc_status sc_dictionary_init_data(sc_dictionary *dict,
                                                      const float *x,
                                                      size_t count,
                                                      uint64_t seed);

/* sc_dictionary_step: one minibatch update (see above).
 *   stats  may be NULL.
 * Errors: SC_ERR_NULL, SC_ERR_SIZE, SC_ERR_STATE (not initialised),
 * SC_ERR_NONFINITE (NaN/Inf in x, or an update that would produce them:
 * the dictionary is then unchanged), SC_ERR_NOMEM.  Exclusive. */
SC_API SC_NODISCARD sc_status sc_dictionary_step(sc_dictionary *dict,
                                                 const float *x, size_t batch,
                                                 sc_dictionary_stats *stats);

/* sc_dictionary_atoms: the current D, n x k row-major, owned by the
 * learner and valid until its next exclusive call.
 * Errors: SC_ERR_NULL, SC_ERR_STATE (not initialised).  Const. */
SC_API SC_NODISCARD sc_status sc_dictionary_atoms(const sc_dictionary *dict,
                                                  const float **atoms);

/* sc_dictionary_objective: mean objective 1/2|x - Dz|^2 + lambda|z|_1 of
 * a batch, with codes from FISTA run to the learner's tolerance (e.g. on
 * held-out data).  Errors: as sc_dictionary_step.  Const. */
SC_API SC_NODISCARD sc_status sc_dictionary_objective(const sc_dictionary *dict,
                                                      const float *x,
                                                      size_t batch,
                                                      double *objective);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSECODE_H */
