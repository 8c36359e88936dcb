/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file sparsecode.h
 * @brief The public interface of libsparsecode.
 *
 * libsparsecode is a C11 library for sparse coding and sparse auto-encoders:
 * the LISTA-style recurrent encoder, the discriminative recurrent sparse
 * auto-encoder (DrSAE) and its losses.  The mathematics is described in
 * `docs/` (and in the project's DESIGN.md); this header is the contract.
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
 *    SC_MODEL_PARAM_THREADS) live only inside a call: they are joined
 *    before it returns.
 */
#ifndef SPARSECODE_H
#define SPARSECODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sparsecode_macros Export and attribute macros
 * @{
 */

/**
 * @brief SC_API marks every public declaration.
 *
 * The library is built with -fvisibility=hidden, so only what carries
 * SC_API is exported.
 */
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

/**
 * @brief SC_NODISCARD: ignoring the returned status is a bug.
 *
 * A caller may define it (e.g. empty) before including this header to
 * override it.
 */
#ifndef SC_NODISCARD
#  if defined(__GNUC__) && __GNUC__ >= 4
#    define SC_NODISCARD __attribute__((warn_unused_result))
#  else
#    define SC_NODISCARD
#  endif
#endif

/** @} */

/**
 * @defgroup sparsecode_version Version
 *
 * Written once, here; the Makefile reads the three macros below.  The
 * library's soname is libsparsecode.so.SC_VERSION_MAJOR.
 * @{
 */

/** @brief The major version. */
#define SC_VERSION_MAJOR   0
/** @brief The minor version. */
#define SC_VERSION_MINOR   1
/** @brief The release (patch) number. */
#define SC_VERSION_RELEASE 0

/** @brief MAJOR*10000 + MINOR*100 + RELEASE, e.g. 0.1.0 -> 100. */
#define SC_VERSION_NUMBER \
    (SC_VERSION_MAJOR * 10000 + SC_VERSION_MINOR * 100 + SC_VERSION_RELEASE)

/** @brief Helper of SC_VERSION_STRINGIFY: its argument as a string. */
#define SC_VERSION_STRINGIFY_(x) #x
/** @brief Its argument, macro-expanded first, as a string literal. */
#define SC_VERSION_STRINGIFY(x) SC_VERSION_STRINGIFY_(x)
/** @brief "MAJOR.MINOR.RELEASE" as a string literal, e.g. "0.1.0". */
#define SC_VERSION_STRING                        \
    SC_VERSION_STRINGIFY(SC_VERSION_MAJOR) "."   \
    SC_VERSION_STRINGIFY(SC_VERSION_MINOR) "."   \
    SC_VERSION_STRINGIFY(SC_VERSION_RELEASE)

/**
 * @brief SC_VERSION_NUMBER of the library actually linked at run time.
 *
 * Compare it with the macro to detect a header/library mismatch.
 *
 * @return The linked library's SC_VERSION_NUMBER.
 * @par Thread rules
 * Reentrant.
 */
SC_API unsigned sc_version(void);

/**
 * @brief SC_VERSION_STRING of the linked library ("0.1.0").
 *
 * @return The version string.  The string is static.
 * @par Thread rules
 * Reentrant.
 */
SC_API const char *sc_version_string(void);

/**
 * @brief The BLAS the library was built with and, for OpenBLAS, the
 * kernel it chose at run time.
 *
 * E.g. "OpenBLAS (SkylakeX kernel)" or "reference CBLAS".  Speed depends
 * on it: see docs on OPENBLAS_CORETYPE (`docs/building.md`, Performance).
 *
 * @return The BLAS's name.  The string lives in per-thread storage until
 *         the next call on the same thread.
 * @par Thread rules
 * Reentrant.
 */
SC_API const char *sc_blas_name(void);

/** @} */

/**
 * @defgroup sparsecode_status Status codes and messages
 * @{
 */

/** @brief The status every function that can fail returns. */
typedef enum {
    SC_OK            = 0,  /**< success */
    SC_ERR_NULL      = 1,  /**< a required pointer argument was NULL */
    SC_ERR_SIZE      = 2,  /**< a size is zero, too large, inconsistent,
                                or the product of sizes overflows */
    SC_ERR_PARAM     = 3,  /**< unknown parameter identifier */
    SC_ERR_RANGE     = 4,  /**< a value is outside its documented bounds
                                (a parameter, a label, a non-integer
                                count) */
    SC_ERR_STATE     = 5,  /**< the call is not allowed in the handle's
                                current state (e.g. encode before init, a
                                structural parameter set after init) */
    SC_ERR_NOMEM     = 6,  /**< memory allocation failed */
    SC_ERR_NONFINITE = 7,  /**< input holds NaN or Inf, or a training step
                                produced NaN or Inf (the step was undone),
                                or a result overflowed float (nothing was
                                written); finite inputs whose products
                                overflow before any work are SC_ERR_RANGE
                                ("too large") */
    SC_ERR_IO        = 8,  /**< a file could not be opened, read, written,
                                synced or renamed */
    SC_ERR_FORMAT    = 9,  /**< a file is not a model file, or is
                                truncated, corrupt (CRC mismatch) or
                                inconsistent */
    SC_ERR_VERSION   = 10  /**< a model file's format version is not one
                                this library reads */
} sc_status;

/**
 * @brief A short constant name for a status, e.g. "SC_ERR_NULL: required
 * pointer is NULL".
 *
 * @param[in] status  any value.
 * @return The status's name and meaning.  Unknown values give "unknown
 *         status".  Never returns NULL.
 * @par Thread rules
 * Reentrant.
 */
SC_API const char *sc_status_string(sc_status status);

/**
 * @brief The message of the last failed call made on the calling thread,
 * saying what exactly was wrong (e.g. "sc_model_create: n_inputs is 0").
 *
 * @return The message; an empty string if no call has failed on this
 *         thread yet.  The message is never cleared by a successful call.
 *         The returned pointer is valid until the next library call on
 *         the same thread.
 * @par Thread rules
 * Each thread has its own message.
 */
SC_API const char *sc_last_message(void);

/** @} */

/**
 * @defgroup sparsecode_blas BLAS threads
 * @{
 */

/**
 * @brief The number of threads the BLAS uses for the dense products of
 * every model, solver and dictionary in the process (OpenBLAS:
 * openblas_set_num_threads), so that callers need no environment
 * variable.
 *
 * The setting is process-wide, as the BLAS's own is; it does not change
 * results beyond floating-point summation order (a BLAS may split sums
 * differently).  Use 1 when the caller already runs one model or solver
 * per core (`docs/threads.md` says how the pools share the cores).
 *
 * @param[in] threads  >= 1.
 * @retval SC_OK         the BLAS now uses `threads` threads.
 * @retval SC_ERR_RANGE  threads 0 or above 1024.
 * @retval SC_ERR_STATE  the BLAS the library was built with has no thread
 *                       control, e.g. the reference BLAS; the message
 *                       says which.
 * @par Thread rules
 * Call it while no other library call runs.
 */
SC_API SC_NODISCARD sc_status sc_blas_set_threads(size_t threads);

/**
 * @brief The BLAS's current thread count.
 *
 * @return The thread count; 1 for a BLAS without threads.
 * @par Thread rules
 * Reentrant.
 */
SC_API size_t sc_blas_threads(void);

/** @} */

/**
 * @defgroup sparsecode_model Model handle
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
 * With SC_MODEL_PARAM_ENCODER = SC_ENCODER_LCOD the same weights run
 * learned coordinate descent instead (LCoD, Gregor & LeCun 2010;
 * `docs/math.md` E5): T coordinate steps, each of which moves the one unit
 * whose shrunk value h(B; theta) differs most from its current value,
 *
 *     B = W_e x,  Z = 0;  T times:  zbar = h(B; theta),
 *     j = argmax_i |zbar_i - Z_i| (lowest i on ties),
 *     B = B + S[:, j] (zbar_j - Z_j),  Z_j = zbar_j;   output z = h(B; theta)
 *
 * Every loss, step, encode, decode, predict, save and load works alike on
 * both kinds.
 *
 * Life cycle:
 *
 *     sc_model_create -> sc_model_set (structural and training parameters)
 *     -> sc_model_init_* -> sc_model_step (many) / sc_model_encode ...
 *     -> sc_model_free.
 *
 * @par Thread rules
 * For the type: a model is used by one thread at a time for
 * the calls that take `sc_model *`; the calls that take
 * `const sc_model *` (encode, decode, predict, get, save, weights) may run
 * concurrently from any number of threads as long as no exclusive call
 * runs at the same time.
 * @{
 */

/** @brief A model: one recurrent sparse auto-encoder. */
typedef struct sc_model_s sc_model;

/** @brief Shrink functions, values of SC_MODEL_PARAM_SHRINK. */
typedef enum {
    SC_SHRINK_RELU = 0,   /**< z = max(a - theta, 0): non-negative codes */
    SC_SHRINK_SOFT = 1    /**< z = sign(a) max(|a| - theta, 0),
                               theta >= 0 */
} sc_shrink;

/**
 * @brief Encoder kinds, values of SC_MODEL_PARAM_ENCODER.
 *
 * Both use W_e, S and theta and the shrink of SC_MODEL_PARAM_SHRINK: with
 * the soft shrink LCoD is learned coordinate descent for
 * min 1/2|x - W_d z|^2 + lambda |z|_1; with relu it is its non-negative
 * form (z >= 0).
 */
typedef enum {
    SC_ENCODER_LISTA = 0,  /**< T steps of z_t = h(W_e x + S z_{t-1}; theta),
                                every unit at every step (the default) */
    SC_ENCODER_LCOD  = 1   /**< T coordinate steps of learned coordinate
                                descent, one unit each, then one shrink of
                                every unit; dense models only.
                                Initialised with
                                SC_MODEL_PARAM_INIT_STEP = 1 from unit-norm
                                atoms, it computes exactly T updates of
                                coordinate descent (SC_SOLVER_METHOD_COD)
                                from z = 0 followed by z = h(B; theta) */
} sc_encoder;

/** @brief Group layouts, values of SC_MODEL_PARAM_GROUP_LAYOUT. */
typedef enum {
    SC_GROUP_LAYOUT_NONE        = 0,  /**< no group term */
    SC_GROUP_LAYOUT_CONTIGUOUS  = 1,  /**< blocks of
                                           SC_MODEL_PARAM_GROUP_SIZE units */
    SC_GROUP_LAYOUT_TOPOGRAPHIC = 2   /**< units on a TORUS_ROWS x
                                           TORUS_COLS torus, pools of
                                           POOL_SIZE x POOL_SIZE at
                                           POOL_STRIDE; pools overlap when
                                           the stride is smaller than the
                                           pool */
} sc_group_layout;

/** @brief Optimisers, values of SC_MODEL_PARAM_OPTIMIZER. */
typedef enum {
    SC_OPTIMIZER_SGD  = 0,  /**< SGD with (heavy-ball) momentum */
    SC_OPTIMIZER_ADAM = 1   /**< Adam with bias correction */
} sc_optimizer;

/**
 * @brief Parameters.
 *
 * Every parameter has a default, bounds (sc_model_param_bounds) and a
 * current value (sc_model_get).  Values are passed as double; integer
 * parameters must be given integral values.
 *
 * Structural parameters fix the model's shape and may only be set before
 * init (SC_ERR_STATE after).  Training parameters may be set at any time,
 * e.g. SC_MODEL_PARAM_CLASS_WEIGHT from 0 to 1 between the two DrSAE
 * phases.  The numeric values are part of the ABI and never change.
 *
 * The values come in groups: structural (1 to 19, among them the local
 * unshared filters, 12 to 18); loss weights (20 to 25), where 0 switches a
 * term off and costs nothing; optimisation (40 to 50), all training
 * parameters; initialisation (51, 52), read by the sc_model_init_* calls.
 *
 * Local unshared filters (Gregor & LeCun, arXiv:1006.0448).  With
 * SC_MODEL_PARAM_LOCAL_FIELD = r > 0 the input is an image of
 * IMAGE_CHANNELS x IMAGE_HEIGHT x IMAGE_WIDTH (channel-major: pixel
 * (c, y, x) is input c*H*W + y*W + x; n must equal C*H*W), and the units
 * sit on a grid of positions Hout x Wout,
 *
 *     Hout = (H - r) / LOCAL_STRIDE + 1,  Wout = (W - r) / LOCAL_STRIDE + 1,
 *
 * with f = k / (Hout*Wout) units ("maps") per position (k must be a
 * multiple; sc_model_local_units computes it).  Unit i is map i % f at
 * position p = i / f = py*Wout + px, whose window is the r x r x C patch
 * with top-left pixel (py*LOCAL_STRIDE, px*LOCAL_STRIDE).  Each unit has
 * an encoder filter and a decoder filter of its own over its window only,
 * and S links only units whose windows overlap.  sc_model_weights then
 * returns W_e and W_d as k x (C*r*r): row i is unit i's filter, entry
 * (c*r + dy)*r + dx for window pixel (c, dy, dx).  A topographic group
 * layout puts the f maps of each position on the TORUS_ROWS x TORUS_COLS
 * torus (rows*cols = f); a pool is a map window over
 * SC_MODEL_PARAM_POOL_POSITIONS^2 neighbouring positions.
 */
typedef enum {
    /* structural */
    SC_MODEL_PARAM_ITERATIONS    = 1,
        /**< T, unrolled steps (LCoD: coordinate steps); [1, 1000];
             def. 11 */
    SC_MODEL_PARAM_SHRINK        = 2,
        /**< sc_shrink; default SC_SHRINK_RELU */
    SC_MODEL_PARAM_CLASSES       = 3,
        /**< classifier outputs: 0 = none (default), or 2 to 100000 */
    SC_MODEL_PARAM_GROUP_LAYOUT  = 4,
        /**< sc_group_layout; default NONE */
    SC_MODEL_PARAM_GROUP_SIZE    = 5,
        /**< contiguous block size; [1, 1e6]; def. 4; must divide the
             unit count */
    SC_MODEL_PARAM_TORUS_ROWS    = 6,
        /**< topographic grid; rows*cols must equal the unit count;
             [0, 1e6]; default 0 = square grid of side sqrt(k) (both 0) */
    SC_MODEL_PARAM_TORUS_COLS    = 7,
        /**< the columns of the topographic grid: see
             SC_MODEL_PARAM_TORUS_ROWS */
    SC_MODEL_PARAM_POOL_SIZE     = 8,
        /**< topographic pool side; [1, 1000]; def. 3 */
    SC_MODEL_PARAM_POOL_STRIDE   = 9,
        /**< topographic stride; [1, 1000]; def. 1 */
    SC_MODEL_PARAM_POOL_SIGMA    = 10,
        /**< Gaussian pool weights' width in grid cells; [0, 1000];
             0 = uniform weights (default) */
    SC_MODEL_PARAM_GROUP_EPSILON = 11,
        /**< eps in sqrt(sum w z^2 + eps); [0, 1]; default 1e-8 */

    /* local unshared filters (structural; see "Local unshared filters"
     * above) */
    SC_MODEL_PARAM_LOCAL_FIELD    = 12,
        /**< r, the window side; [0, 1e6]; default 0 = a dense model (the
             settings below are then ignored) */
    SC_MODEL_PARAM_LOCAL_STRIDE   = 13,
        /**< [1, 1e6]; default 1 */
    SC_MODEL_PARAM_IMAGE_CHANNELS = 14,
        /**< C; [1, 1e6]; default 1 */
    SC_MODEL_PARAM_IMAGE_HEIGHT   = 15,
        /**< H; [0, 1e6]; default 0 (must be set) */
    SC_MODEL_PARAM_IMAGE_WIDTH    = 16,
        /**< W; [0, 1e6]; default 0 (must be set) */
    SC_MODEL_PARAM_THREADS        = 17,
        /**< threads that share a local model's products (positions or
             samples) and its step's optimiser update; [0, 64]; default
             0 = one per online processor.  A run-time setting, not
             structural: it may change at any time, also after init or
             load, and files do not hold it.  Results do not depend on
             it.  On a machine busy with other work, 1 avoids
             oversubscription (`docs/threads.md`).  A dense model accepts
             it and has no use for it: its products run on the BLAS's
             threads (sc_blas_set_threads), the rest of its step on the
             caller's */
    SC_MODEL_PARAM_POOL_POSITIONS = 18,
        /**< topographic pools of a local model: each spans q x q
             neighbouring positions (windows at stride 1, not wrapping) as
             well as its map window; [1, 1000]; default 1 = one
             position */
    SC_MODEL_PARAM_ENCODER        = 19,
        /**< sc_encoder; default SC_ENCODER_LISTA.  SC_ENCODER_LCOD needs
             a dense model: with SC_MODEL_PARAM_LOCAL_FIELD > 0 an init
             fails with SC_ERR_RANGE */

    /* loss weights; 0 switches a term off and costs nothing */
    SC_MODEL_PARAM_RECON_WEIGHT      = 20,
        /**< 1/2 |x - W_d z|^2; [0, 1e6]; default 1 */
    SC_MODEL_PARAM_L1_WEIGHT         = 21,
        /**< lambda sum |z_i|; [0, 1e6]; default 0.1 */
    SC_MODEL_PARAM_GROUP_WEIGHT      = 22,
        /**< lambda_g sum_p sqrt(...); [0, 1e6]; default 0 */
    SC_MODEL_PARAM_CLASS_WEIGHT      = 23,
        /**< -log softmax(C zhat + c)_y; [0, 1e6]; default 0 */
    SC_MODEL_PARAM_REGRESSION_WEIGHT = 24,
        /**< 1/2 |z - z*|^2; [0, 1e6]; default 0 */
    SC_MODEL_PARAM_NORMALIZE_CODE    = 25,
        /**< 1: classify zhat = z/|z| (default), 0: classify z itself */

    /* optimisation; all training parameters */
    SC_MODEL_PARAM_OPTIMIZER             = 40,
        /**< sc_optimizer; default SGD */
    SC_MODEL_PARAM_LEARNING_RATE         = 41,
        /**< [1e-12, 1e3]; default 0.05 */
    SC_MODEL_PARAM_MOMENTUM              = 42,
        /**< [0, 0.9999]; default 0.9 */
    SC_MODEL_PARAM_ADAM_BETA1            = 43,
        /**< [0, 0.9999]; default 0.9 */
    SC_MODEL_PARAM_ADAM_BETA2            = 44,
        /**< [0, 0.999999]; default 0.999 */
    SC_MODEL_PARAM_ADAM_EPSILON          = 45,
        /**< [1e-12, 1]; default 1e-8 */
    SC_MODEL_PARAM_DECODER_MAX_NORM      = 46,
        /**< column bound of W_d; [1e-6, 1e6]; default 1 */
    SC_MODEL_PARAM_CLASSIFIER_MAX_NORM   = 47,
        /**< row bound of C; [1e-6, 1e6]; default 5 */
    SC_MODEL_PARAM_ENCODER_MAX_NORM      = 48,
        /**< row bound of W_e (a local unit's encoder filter), applied
             after every step; [0, 1e6]; default 0 = no bound.  DrSAE's
             code: 1.25/T (`docs/drsae.md`) */
    SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE = 49,
        /**< multiplies the learning rate of C and c; [1e-6, 1e6];
             default 1.  DrSAE: 0.2 */
    SC_MODEL_PARAM_REPEAT_SCALING        = 50,
        /**< 1 (default): the learning rate of W_e and theta is divided
             by T, that of S by T-1 (their repeat counts, `docs/math.md`
             O3; LCoD: W_e by 1, S by T, theta by T+1); 0: not */

    /* initialisation; read by the sc_model_init_* calls */
    SC_MODEL_PARAM_INIT_STEP             = 51,
        /**< alpha in W_e = alpha W_d^T, S = I - alpha W_d^T W_d,
             theta = alpha lambda; [0, 1e6]; default 0 = 1/L, ISTA's
             step.  DrSAE's code: 1.25/T */
    SC_MODEL_PARAM_INIT_NOISE            = 52
        /**< sc_model_init_data only: each decoder column starts as
             s/|s| + noise r/|r|, s a sample and r a Gaussian vector, then
             scaled; [0, 1e6]; default 0.  DrSAE's code: 4 (a random
             column plus 0.25 of a sample) */
} sc_model_param;

/**
 * @brief The inclusive range [*lo, *hi] of a parameter.
 *
 * @param[in]  param  the parameter.
 * @param[out] lo     receives the lowest allowed value.
 * @param[out] hi     receives the highest allowed value.
 * @retval SC_OK         *lo and *hi written.
 * @retval SC_ERR_NULL   lo or hi NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_param_bounds(sc_model_param param,
                                                    double *lo, double *hi);

/**
 * @brief The parameter's name as in the header without its prefix, in
 * lower case (SC_MODEL_PARAM_L1_WEIGHT: "l1_weight"), for bindings and
 * configuration files.
 *
 * @param[in] param  the parameter.
 * @return The name; NULL for an unknown id.
 * @par Thread rules
 * Reentrant; the string is static.
 */
SC_API const char *sc_model_param_name(sc_model_param param);

/**
 * @brief The id of the parameter called `name` (as sc_model_param_name
 * gives it; case-sensitive), written to *param.
 *
 * @param[in]  name   the parameter's name.
 * @param[out] param  receives the id on success.
 * @retval SC_OK         *param written.
 * @retval SC_ERR_NULL   name or param NULL.
 * @retval SC_ERR_PARAM  no such parameter; *param untouched.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_param_from_name(const char *name,
                                                       sc_model_param *param);

/**
 * @brief Whether a parameter is structural.
 *
 * @param[in] param  the parameter.
 * @return 1 if the parameter fixes the model's shape or layout and so can
 *         be set only before init (sc_model_set then fails with
 *         SC_ERR_STATE), 0 if it may be set at any time or the id is
 *         unknown.
 * @par Thread rules
 * Reentrant.
 */
SC_API int sc_model_param_is_structural(sc_model_param param);

/**
 * @brief The unit count k of a local model with `maps` units per position
 * (see SC_MODEL_PARAM_LOCAL_FIELD), written to *units.
 *
 * @param[in]  channels  C, SC_MODEL_PARAM_IMAGE_CHANNELS.
 * @param[in]  height    H, SC_MODEL_PARAM_IMAGE_HEIGHT.
 * @param[in]  width     W, SC_MODEL_PARAM_IMAGE_WIDTH.
 * @param[in]  field     r, SC_MODEL_PARAM_LOCAL_FIELD.
 * @param[in]  stride    SC_MODEL_PARAM_LOCAL_STRIDE.
 * @param[in]  maps      f, the units per position.
 * @param[out] units     receives k.
 * @retval SC_OK         *units written.
 * @retval SC_ERR_NULL   units NULL.
 * @retval SC_ERR_RANGE  a size or the stride is 0, or the field is larger
 *                       than the image.
 * @retval SC_ERR_SIZE   a product overflows, or k would exceed 2^24.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_local_units(size_t channels,
                                                   size_t height,
                                                   size_t width, size_t field,
                                                   size_t stride, size_t maps,
                                                   size_t *units);

/**
 * @brief The geometry of a local model's code: the output grid of window
 * positions and the units per position.
 *
 * The grid is grid_height x grid_width, from the image size,
 * SC_MODEL_PARAM_LOCAL_FIELD and _LOCAL_STRIDE, so that
 * k = grid_height * grid_width * maps, unit index
 * (row * grid_width + col) * maps + map.
 *
 * @param[in]  model        the model.
 * @param[out] grid_height  receives the grid's height; may be NULL.
 * @param[out] grid_width   receives the grid's width; may be NULL.
 * @param[out] maps         receives the units per position; may be NULL.
 * @retval SC_OK         the outputs given written.
 * @retval SC_ERR_NULL   model NULL.
 * @retval SC_ERR_STATE  a dense model, or a local model not yet
 *                       initialised.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_local_shape(const sc_model *model,
                                                   size_t *grid_height,
                                                   size_t *grid_width,
                                                   size_t *maps);

/**
 * @brief A new model mapping n_inputs-dimensional inputs to
 * n_units-dimensional codes, with every parameter at its default and no
 * weights yet (it must be initialised before use).
 *
 * @param[out] out       receives the handle on success; untouched on
 *                       failure.
 * @param[in]  n_inputs  n, the input dimension, >= 1.
 * @param[in]  n_units   k, the code dimension, >= 1.
 * @retval SC_OK         *out is the new model.
 * @retval SC_ERR_NULL   out NULL.
 * @retval SC_ERR_SIZE   a size is 0, larger than 2^24, or n*k, k*k
 *                       overflow the addressable size.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_create(sc_model **out,
                                              size_t n_inputs,
                                              size_t n_units);

/**
 * @brief Releases a model and everything it owns.
 *
 * @param[in] model  the model; NULL is a no-op.
 * @par Thread rules
 * Exclusive.
 */
SC_API void sc_model_free(sc_model *model);

/**
 * @brief The message of the last failed exclusive call on this model
 * (create/set/init/step/load), or "" if none failed.
 *
 * Calls on a const model report through sc_last_message() only.
 *
 * @param[in] model  the model; NULL gives "".
 * @return The message.  The pointer stays valid until the next exclusive
 *         call on the model.
 * @par Thread rules
 * Like a const call.
 */
SC_API const char *sc_model_message(const sc_model *model);

/**
 * @brief Sets a parameter after checking its bounds, its integrality and
 * the model's state.
 *
 * @param[in,out] model  the model.
 * @param[in]     param  the parameter.
 * @param[in]     value  its new value.
 * @retval SC_OK         the parameter has the new value.
 * @retval SC_ERR_NULL   model NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @retval SC_ERR_RANGE  out of bounds, not integral, NaN.
 * @retval SC_ERR_STATE  structural parameter after init.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_model_set(sc_model *model,
                                           sc_model_param param,
                                           double value);

/**
 * @brief The current value of a parameter, written to *value.
 *
 * @param[in]  model  the model.
 * @param[in]  param  the parameter.
 * @param[out] value  receives the value.
 * @retval SC_OK         *value written.
 * @retval SC_ERR_NULL   model or value NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Const (concurrent with other const calls).
 */
SC_API SC_NODISCARD sc_status sc_model_get(const sc_model *model,
                                           sc_model_param param, double *value);

/**
 * @brief n, the input dimension.
 *
 * @param[in] model  the model.
 * @return n; 0 for NULL.
 * @par Thread rules
 * Const.
 * @see sc_model_units
 */
SC_API size_t sc_model_inputs(const sc_model *model);

/**
 * @brief k, the code dimension (the number of units).
 *
 * @param[in] model  the model.
 * @return k; 0 for NULL.
 * @par Thread rules
 * Const.
 * @see sc_model_inputs
 */
SC_API size_t sc_model_units(const sc_model *model);

/**
 * @brief Whether the model has weights.
 *
 * @param[in] model  the model.
 * @return 1 once an init succeeded (or the model was loaded), else 0.
 *         0 for NULL.
 * @par Thread rules
 * Const.
 */
SC_API int sc_model_is_initialized(const sc_model *model);

/** @} */

/**
 * @defgroup sparsecode_init Initialisation
 *
 * Each init checks the structural parameters together (e.g. a group size
 * that does not divide k), builds the group pools, allocates the weights,
 * and resets the optimiser state and step count.  An init may be
 * repeated; on failure the model keeps its previous state.
 * @{
 */

/**
 * @brief A random decoder W_d from `seed`, its columns scaled to norm
 * SC_MODEL_PARAM_DECODER_MAX_NORM (1 by default), then the encoder from
 * it by the ISTA relation (see sc_model_init_dictionary); classifier
 * weights 0.
 *
 * @param[in,out] model  the model.
 * @param[in]     seed   the random seed.
 * @retval SC_OK         the model is initialised.
 * @retval SC_ERR_NULL   model NULL.
 * @retval SC_ERR_SIZE   inconsistent structural parameters (this or
 *                       SC_ERR_RANGE), with the message naming them.
 * @retval SC_ERR_RANGE  inconsistent structural parameters (this or
 *                       SC_ERR_SIZE), with the message naming them.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_model_init_random(sc_model *model,
                                                   uint64_t seed);

/**
 * @brief W_d = D with columns scaled to norm <= the decoder bound, and
 * the encoder by the ISTA relation.
 *
 * The ISTA relation is
 *
 *     W_e = W_d^T / L,  S = I - W_d^T W_d / L,  theta = lambda / L,
 *
 * where L >= lambda_max(W_d^T W_d) is found by power iteration and lambda
 * is SC_MODEL_PARAM_L1_WEIGHT.  With this init and T iterations, the
 * encoder returns the codes of T ISTA iterations from z_0 = 0 (relu:
 * non-negative ISTA).  Every init uses this relation;
 * SC_MODEL_PARAM_INIT_STEP > 0 replaces 1/L by that step (the DrSAE
 * authors' code, `docs/math.md` I2).  An LCoD encoder with
 * SC_MODEL_PARAM_INIT_STEP = 1 and atoms of unit norm computes T updates
 * of coordinate descent (`docs/math.md` E5); with 1/L, T coordinate steps
 * of ISTA.
 *
 * @param[in,out] model       the model.
 * @param[in]     dictionary  n x k row-major, finite.  For a local model
 *                            only the entries of column j inside unit j's
 *                            window are used.
 * @retval SC_OK             the model is initialised.
 * @retval SC_ERR_NULL       model or dictionary NULL.
 * @retval SC_ERR_NONFINITE  NaN/Inf in D.
 * @retval SC_ERR_RANGE      a zero dictionary, or one too small for
 *                           float: W_d^T W_d underflows to 0; or
 *                           structural errors as for
 *                           sc_model_init_random.
 * @retval SC_ERR_SIZE       structural errors as for sc_model_init_random.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive; `dictionary` is only read.
 */
SC_API SC_NODISCARD sc_status sc_model_init_dictionary(sc_model *model,
                                                       const float *dictionary);

/**
 * @brief The data-dependent init of the DrSAE authors' code: the
 * decoder's columns are randomly chosen samples of `x`, and the encoder
 * follows by the ISTA relation.
 *
 * The samples are chosen by `seed` and normalised to the decoder bound;
 * with SC_MODEL_PARAM_INIT_NOISE, a random direction is mixed in first.
 * A local unit's filter is its window of a sample (a blank window is
 * drawn again, up to 16 times, then left at zero).
 *
 * @param[in,out] model  the model.
 * @param[in]     x      count x n row-major samples, finite.  Any non-zero
 *                       sample, subnormal or near FLT_MAX, is normalised
 *                       (in double).
 * @param[in]     count  the number of samples, >= 1.
 * @param[in]     seed   chooses the samples (and the noise).
 * @retval SC_OK             the model is initialised.
 * @retval SC_ERR_NULL       model or x NULL.
 * @retval SC_ERR_SIZE       count 0; or structural errors.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x.
 * @retval SC_ERR_RANGE      all chosen samples are zero; or structural
 *                           errors.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_model_init_data(sc_model *model,
                                                 const float *x, size_t count,
                                                 uint64_t seed);

/** @} */

/**
 * @defgroup sparsecode_training Training
 * @{
 */

/**
 * @brief Statistics of one training step, all averaged over the batch and
 * taken before the update.
 *
 * A term that is off (weight 0) reports 0, except l1 and active_fraction,
 * which are always measured.  A struct versioned by its leading size
 * field: set `size = sizeof(sc_model_stats)` before passing it; a library
 * that knows more fields than the caller's struct fills only those that
 * fit.
 */
typedef struct {
    size_t size;            /**< set by the caller to
                                 sizeof(sc_model_stats) */
    double loss;            /**< the weighted sum of all active terms */
    double recon;           /**< 1/2 |x - W_d z|^2 (unweighted) */
    double l1;              /**< sum |z_i| (unweighted) */
    double group;           /**< sum_p sqrt(sum w z^2 + eps)
                                 (unweighted) */
    double classification;  /**< -log p_y, 0 when the term is off */
    double regression;      /**< 1/2 |z - z*|^2, 0 when off */
    double active_fraction; /**< fraction of code units that are
                                 non-zero */
    double class_error;     /**< fraction misclassified, 0 when off */
} sc_model_stats;

/**
 * @brief One minibatch of exact back-propagation through time and one
 * optimiser update of every weight.
 *
 * Each matrix's step is divided by the number of times it repeats in the
 * unrolled net (W_e, theta by T; S by T-1; for LCoD W_e by 1, S by T,
 * theta by T+1; unless SC_MODEL_PARAM_REPEAT_SCALING is 0) and the
 * classifier's multiplied by SC_MODEL_PARAM_CLASSIFIER_RATE_SCALE,
 * followed by the norm constraints (W_d columns, C rows, W_e rows when
 * SC_MODEL_PARAM_ENCODER_MAX_NORM is set; theta >= 0 for the soft
 * shrink).
 *
 * An update is refused unless, after the constraints, (1) every new value
 * is finite, (2) every row of W_e, S, W_d and C has an L1 norm of at most
 * 2^64 and |theta|, |c| are at most 2^64, and (3) this batch's codes,
 * reconstruction and class probabilities through the new weights are
 * finite (decided by a bound on the encoder's growth, and by the forward
 * pass itself when the bound cannot tell; `docs/api-conventions.md`,
 * "Non-finite updates").
 *
 * Once warm (a step at this batch size or larger has run) a step does not
 * allocate.
 *
 * @param[in,out] model    the model.
 * @param[in]     x        batch x n inputs.
 * @param[in]     labels   batch class labels in [0, classes); needed when
 *                         the class weight is > 0, else may be NULL.
 * @param[in]     targets  batch x k target codes z*; needed when the
 *                         regression weight is > 0, else may be NULL.
 * @param[in]     batch    the number of samples.
 * @param[out]    stats    may be NULL; filled on success.
 * @retval SC_OK             the weights were updated.
 * @retval SC_ERR_NULL       model, x, or a needed labels/targets NULL.
 * @retval SC_ERR_SIZE       batch 0 or stats->size too small.
 * @retval SC_ERR_STATE      not initialised, or the class weight > 0 with
 *                           no classifier.
 * @retval SC_ERR_RANGE      a label out of range.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x/targets, or produced by the step,
 *                           or an update that leaves the model unable to
 *                           encode (below); the model is then exactly as
 *                           before.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive; the inputs are only read.
 */
SC_API SC_NODISCARD sc_status sc_model_step(sc_model *model, const float *x,
                                            const int32_t *labels,
                                            const float *targets,
                                            size_t batch,
                                            sc_model_stats *stats);

/**
 * @brief The number of successful steps since init.
 *
 * @param[in] model  the model.
 * @return The step count.
 * @par Thread rules
 * Const.
 */
SC_API uint64_t sc_model_steps_taken(const sc_model *model);

/**
 * @brief The statistics a step would report for a batch (the losses, the
 * reconstruction, the sparsity and, with a classifier, the
 * classification error), without training, e.g. on held-out data.
 *
 * @param[in]  model    the model.
 * @param[in]  x        as sc_model_step.
 * @param[in]  labels   as sc_model_step; may be NULL when the model has no
 *                      classifier or the caller wants no classification
 *                      figures (they then read 0).
 * @param[in]  targets  as sc_model_step.
 * @param[in]  batch    as sc_model_step.
 * @param[out] stats    required; its size field set as for
 *                      sc_model_step.
 * @return As sc_model_step, except that nothing is refused for a
 *         non-finite update (there is none).
 * @retval SC_OK             *stats filled.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x or targets, or losses that
 *                           overflowed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_evaluate(const sc_model *model,
                                                const float *x,
                                                const int32_t *labels,
                                                const float *targets,
                                                size_t batch,
                                                sc_model_stats *stats);

/** @} */

/**
 * @defgroup sparsecode_inference Inference
 *
 * All reentrant on a const model: scratch memory is allocated per call.
 * Any batch size >= 1.
 * @{
 */

/**
 * @brief z = z_T for each input.
 *
 * SC_OK means every output is finite.  Finite weights can still be too
 * large for an input (a model trained or loaded with huge weights): the
 * codes then overflow, and the call fails with SC_ERR_NONFINITE, having
 * written some of `codes`.
 *
 * @param[in]  model  the model.
 * @param[in]  x      batch x n inputs.
 * @param[in]  batch  the number of inputs.
 * @param[out] codes  batch x k, written on success.
 * @retval SC_OK             every code written, every output finite.
 * @retval SC_ERR_NULL       a pointer argument NULL.
 * @retval SC_ERR_SIZE       batch 0 or batch*k overflows.
 * @retval SC_ERR_STATE      not initialised.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x, or outputs that overflowed.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_encode(const sc_model *model,
                                              const float *x, size_t batch,
                                              float *codes);

/**
 * @brief xhat = W_d z for each code.
 *
 * @param[in]  model  the model.
 * @param[in]  codes  batch x k.
 * @param[in]  batch  the number of codes.
 * @param[out] x      batch x n, written on success.
 * @return As sc_model_encode.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_decode(const sc_model *model,
                                              const float *codes, size_t batch,
                                              float *x);

/**
 * @brief Class labels and/or class probabilities of inputs.
 *
 * At least one of labels and probs must be given.
 *
 * @param[in]  model   the model.
 * @param[in]  x       batch x n inputs.
 * @param[in]  batch   the number of inputs.
 * @param[out] labels  batch entries (argmax), or NULL.
 * @param[out] probs   batch x classes softmax probabilities, or NULL.
 * @return As sc_model_encode, plus:
 * @retval SC_ERR_STATE  the model has no classifier.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_predict(const sc_model *model,
                                               const float *x, size_t batch,
                                               int32_t *labels, float *probs);

/** @} */

/**
 * @defgroup sparsecode_weights Weights
 *
 * Read-only weights, for pictures and analysis.
 * @{
 */

/** @brief The weight arrays of a model. */
typedef enum {
    SC_WEIGHT_ENCODER    = 1,  /**< W_e, k x n; local: k x C*r*r */
    SC_WEIGHT_LATERAL    = 2,  /**< S, k x k */
    SC_WEIGHT_THRESHOLD  = 3,  /**< theta, k x 1 */
    SC_WEIGHT_DECODER    = 4,  /**< W_d, n x k; local: k x C*r*r (row i is
                                    unit i's filter, i.e. column i of W_d
                                    within its window) */
    SC_WEIGHT_CLASSIFIER = 5,  /**< C, classes x k */
    SC_WEIGHT_CLASS_BIAS = 6   /**< c, classes x 1 */
} sc_weight;

/**
 * @brief A pointer to one weight array, row-major, and its shape.
 *
 * @param[in]  model  the model.
 * @param[in]  which  the weight array.
 * @param[out] data   receives the pointer, owned by the model and valid
 *                    until the next exclusive call on it.
 * @param[out] rows   receives the number of rows.
 * @param[out] cols   receives the number of columns.
 * @retval SC_OK         *data, *rows and *cols written.
 * @retval SC_ERR_NULL   any pointer NULL.
 * @retval SC_ERR_PARAM  unknown weight.
 * @retval SC_ERR_STATE  not initialised, or a classifier weight with no
 *                       classifier.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_weights(const sc_model *model,
                                               sc_weight which,
                                               const float **data,
                                               size_t *rows, size_t *cols);

/** @} */

/**
 * @defgroup sparsecode_gradient Gradient interface
 *
 * The gradient interface: a step split in two, for data-parallel training
 * (sum the buffers of several workers, e.g. with MPI_Allreduce, then apply
 * the sum on every worker, giving the number of buffers summed) and for
 * bindings.  sc_model_step is exactly sc_model_gradient_compute followed
 * by sc_model_gradient_apply(model, gradient, 1), with the same bits.
 *
 * A buffer holds the gradient of its batch's MEAN loss, as the step
 * computes it (each loss term carries 1/batch before back-propagation),
 * so that one buffer applied as it is reproduces the step exactly; the
 * mean of W workers' buffers of equal batches is the gradient of the
 * combined batch (`docs/gradient.md`: unequal batches).
 *
 * The buffer is one flat float array of sc_model_gradient_size floats:
 * one block per trained weight array, each laid out as sc_model_weights
 * shows that array, at the offset sc_model_gradient_block gives (the
 * order is W_e, S, theta, W_d, C, c; blocks of arrays the model does not
 * have are absent).  `docs/gradient.md` draws it.
 * @{
 */

/**
 * @brief The number of floats in the gradient buffer.
 *
 * @param[in] model  the model.
 * @return The size; 0 for NULL or a model not initialised.
 * @par Thread rules
 * Const.
 */
SC_API size_t sc_model_gradient_size(const sc_model *model);

/**
 * @brief Where one weight array's gradient sits in the buffer: floats
 * [*offset, *offset + *count).
 *
 * @param[in]  model   the model.
 * @param[in]  which   the weight array.
 * @param[out] offset  receives the block's first float.
 * @param[out] count   receives the block's number of floats.
 * @retval SC_OK         *offset and *count written.
 * @retval SC_ERR_NULL   a pointer argument NULL.
 * @retval SC_ERR_PARAM  unknown weight.
 * @retval SC_ERR_STATE  not initialised, or a classifier weight with no
 *                       classifier.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_gradient_block(const sc_model *model,
                                                      sc_weight which,
                                                      size_t *offset,
                                                      size_t *count);

/**
 * @brief Back-propagation through time of a batch, the model's weights
 * unchanged.
 *
 * The model keeps a copy of x for the check of the next apply.
 *
 * @param[in,out] model     the model (its workspace is used).
 * @param[in]     x         as sc_model_step.
 * @param[in]     labels    as sc_model_step.
 * @param[in]     targets   as sc_model_step.
 * @param[in]     batch     as sc_model_step.
 * @param[out]    gradient  sc_model_gradient_size floats: receives the
 *                          MEAN over the batch of each sample's gradient
 *                          of the weighted loss (the gradient of the loss
 *                          sc_model_step reports), 0 in the blocks of
 *                          arrays this batch does not train (W_d with the
 *                          reconstruction weight 0, C and c with the class
 *                          weight 0).
 * @param[out]    stats     may be NULL; as sc_model_step.
 * @return As sc_model_step, plus:
 * @retval SC_ERR_NONFINITE  also when the gradient overflowed (the
 *                           buffer's contents are then unspecified).
 * @par Thread rules
 * Exclusive (it uses the model's workspace).
 */
SC_API SC_NODISCARD sc_status sc_model_gradient_compute(sc_model *model,
                                                        const float *x,
                                                        const int32_t *labels,
                                                        const float *targets,
                                                        size_t batch,
                                                        float *gradient,
                                                        sc_model_stats *stats);

/**
 * @brief One optimiser update from a gradient buffer, as sc_model_step
 * makes it, and the step count advanced.
 *
 * As sc_model_step: the sum divided by `buffers`, the repeat scaling, the
 * classifier's rate scale, then the norm constraints.  Which arrays it
 * trains follows the model's parameters at the time of the apply.  The
 * update is refused as sc_model_step's is (see there), test (3) running
 * the inputs of this model's last sc_model_gradient_compute (with no
 * compute since init or load, tests (1) and (2) alone).
 *
 * @param[in,out] model     the model.
 * @param[in]     gradient  a buffer as sc_model_gradient_compute writes
 *                          it, or a sum of such buffers.
 * @param[in]     buffers   the number of buffers summed into it, >= 1 (1
 *                          for one buffer: then no division, and compute +
 *                          apply is the step bit for bit).
 * @retval SC_OK             the weights were updated.
 * @retval SC_ERR_NULL       a pointer argument NULL.
 * @retval SC_ERR_SIZE       buffers 0.
 * @retval SC_ERR_STATE      not initialised.
 * @retval SC_ERR_NONFINITE  NaN/Inf in the gradient, or an update that
 *                           would leave non-finite weights or weights that
 *                           overflow the encoder: the model is then
 *                           exactly as before.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_model_gradient_apply(sc_model *model,
                                                      const float *gradient,
                                                      size_t buffers);

/** @} */

/**
 * @defgroup sparsecode_files Files
 *
 * Little-endian, with a magic, a format version, the sizes, every
 * parameter, the weights, the optimiser state and a CRC-32, so that a
 * loaded model resumes training bit for bit.
 * @{
 */

/** @brief What a save writes. */
typedef enum {
    SC_MODEL_CONTENTS_FULL      = 0,  /**< everything: a loaded model
                                           resumes training bit for bit */
    SC_MODEL_CONTENTS_INFERENCE = 1   /**< the parameters and weights only,
                                           no optimiser state (about a
                                           third of the size); a loaded
                                           model encodes identically and
                                           trains from a fresh optimiser
                                           state */
} sc_model_contents;

/**
 * @brief Writes an initialised model to `path` atomically.
 *
 * The model is written to a temporary file in the same directory
 * (unnamed, with O_TMPFILE, where the file system allows), synced, then
 * renamed over `path`, and the directory synced.  An existing file at
 * `path` is either replaced whole or left untouched, also when the
 * process is killed; it keeps its mode, and its owner and group where
 * permitted; a new file gets 0666 less the umask.  A killed save leaves
 * at most one `.sc-save-*` file, never in a later save's way, which the
 * next successful save into that directory removes
 * (`docs/file-format.md`).  SC_ERR_IO after the rename (the directory's
 * fsync) leaves the new file in place.
 *
 * @param[in] model     the model.
 * @param[in] path      the file to write.
 * @param[in] contents  SC_MODEL_CONTENTS_FULL (to resume training) or
 *                      SC_MODEL_CONTENTS_INFERENCE (to encode, decode,
 *                      predict).
 * @retval SC_OK         the file is in place.
 * @retval SC_ERR_NULL   a pointer argument NULL.
 * @retval SC_ERR_STATE  not initialised.
 * @retval SC_ERR_RANGE  unknown contents.
 * @retval SC_ERR_IO     the file could not be written, synced or renamed.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_save(const sc_model *model,
                                            const char *path,
                                            sc_model_contents contents);

/**
 * @brief The bytes sc_model_save would write, into a caller's buffer.
 *
 * @param[in]  model     the model.
 * @param[in]  contents  as sc_model_save.
 * @param[out] buffer    NULL to ask for the size only.
 * @param[in]  capacity  the buffer's size in bytes.
 * @param[out] size      receives the file's size in bytes (also on
 *                       SC_ERR_SIZE).
 * @retval SC_OK         *size written, and the bytes when buffer is not
 *                       NULL.
 * @retval SC_ERR_NULL   model or size NULL.
 * @retval SC_ERR_STATE  not initialised.
 * @retval SC_ERR_RANGE  unknown contents.
 * @retval SC_ERR_SIZE   capacity too small; the buffer is then untouched.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_model_save_buffer(const sc_model *model,
                                                   sc_model_contents contents,
                                                   void *buffer,
                                                   size_t capacity,
                                                   size_t *size);

/**
 * @brief Reads a model written by sc_model_save.
 *
 * Every field is checked, and the file's length against the sizes in its
 * header before anything is allocated from them; the file is read in
 * bounded pieces, so a load takes the loaded model's memory.  A file that
 * is truncated, corrupt, inconsistent or hostile is rejected with a
 * status, never a crash.  Files of every earlier format version load.
 * The loaded model has the default SC_MODEL_PARAM_THREADS (files do not
 * hold it).
 *
 * @param[out] out   receives a new model on success; untouched on
 *                   failure.
 * @param[in]  path  the file to read.
 * @retval SC_OK           *out is the loaded model.
 * @retval SC_ERR_NULL     a pointer argument NULL.
 * @retval SC_ERR_IO       cannot open/read.
 * @retval SC_ERR_FORMAT   not a model file, truncated, length not the
 *                         header's, CRC mismatch, bad sizes or values.
 * @retval SC_ERR_VERSION  unknown format version, or a parameter, record
 *                         flag or contents that a newer library wrote.
 * @retval SC_ERR_NOMEM    an allocation failed.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_load(sc_model **out, const char *path);

/**
 * @brief sc_model_load from `size` bytes in memory, with the same checks
 * and statuses (no SC_ERR_IO).
 *
 * @param[out] out     as sc_model_load.
 * @param[in]  buffer  the bytes of a model file.
 * @param[in]  size    their number.
 * @return As sc_model_load, without SC_ERR_IO.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_model_load_buffer(sc_model **out,
                                                   const void *buffer,
                                                   size_t size);

/**
 * @brief A new, independent model equal to `model` in every parameter,
 * weight and optimiser state, so that both train on identically.
 *
 * An uninitialised model clones to an uninitialised one.
 *
 * @param[out] out    receives the new model on success.
 * @param[in]  model  the model to copy.
 * @retval SC_OK         *out is the copy.
 * @retval SC_ERR_NULL   a pointer argument NULL.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Const on `model`.
 */
SC_API SC_NODISCARD sc_status sc_model_clone(sc_model **out,
                                             const sc_model *model);

/** @} */

/**
 * @defgroup sparsecode_solvers Sparse coding solvers (plan once, run many)
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
 * gradient scheme of O'Donoghue & Candes); coordinate descent (CoD, Gregor &
 * LeCun 2010), which updates one coordinate at a time using the Gram matrix,
 * always the one that moves most; active-set coordinate descent
 * (SC_SOLVER_METHOD_CD_ACTIVE, the covariance updates of glmnet,
 * `docs/math.md` (S6)-(S8)): per sample, cyclic sweeps over the codes that
 * are non-zero, and the exact solution on that support with its signs (a
 * feature-sign step, (S8)), then one sweep over all k codes that lets new
 * ones in; the duality gap (S7) from the float correlations c - G z says
 * whether to go on, and a sample stops only on the gap from the exact
 * correlations (recomputed in double from the support, which also cancels
 * the drift of their float updates); from z = 0 the first codes enter
 * greedily, by largest correlation.  The fastest here for the L1
 * problem and the elastic net with or without z >= 0 (`docs/solvers.md`).
 * The group term works with ISTA and FISTA only (CoD and CD_ACTIVE:
 * SC_ERR_STATE at run): for contiguous groups its proximal step is the exact
 * block soft-threshold max(0, 1 - tau/|v_g|) v_g; for overlapping
 * topographic pools, which have no closed-form prox, the smooth surrogate
 * sqrt(sum w z^2 + eps) of the model's group term is added to the gradient
 * instead (and the step shrinks to 1/(L + lambda_g m/sqrt(eps)), m the
 * largest total pool weight of a unit, to stay stable).
 *
 * OMP (SC_SOLVER_METHOD_OMP; Batch-OMP of Rubinstein, Zibulevsky & Elad 2008,
 * as SPAMS and scikit-learn's orthogonal_mp_gram): per sample, greedily,
 * the atom j not yet selected of largest |d_j^T r| (r = x - D z, the
 * lowest index on ties) joins the support S, and z_S becomes the
 * least-squares fit G_SS z_S = (D^T x)_S, through a Cholesky factor of G_SS
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
 * LARS (SC_SOLVER_METHOD_LARS; Efron, Hastie, Johnstone & Tibshirani 2004,
 * with their lasso modification; docs/math.md (S9)): per sample, the
 * homotopy from lambda_0 = |D^T x|_inf (z >= 0: the largest correlation,
 * or 0), where z = 0, down to the solver's lambda: z is piecewise linear
 * in lambda, and at each knot an atom whose correlation reaches +-lambda
 * joins the active set A (z >= 0: +lambda only) or an atom of A whose
 * code reaches 0 leaves it; the last segment is followed exactly to
 * lambda, so the code is the exact lasso (or elastic-net: G + lambda_2 I)
 * solution there, up to float rounding, with no tolerance
 * (SC_SOLVER_PARAM_TOLERANCE is ignored).  On the Gram matrix, with a
 * Cholesky factor of the active block grown and shrunk by one row per
 * knot, in double.  A code stops early, not converged, at the exact
 * solution at the knot where it stops: after
 * SC_SOLVER_PARAM_MAX_ITERATIONS changes of A, or when an atom would join
 * an A of SC_SOLVER_PARAM_MAX_NONZEROS atoms (default 10; 0: no limit;
 * set it to 0 for the lasso solution at lambda whatever its support).
 * Ties go to the lowest index (an atom leaving before one entering); an
 * atom that just left is not let back in on the same side during the
 * next segment; an atom whose pivot in the factor is at most
 * 1e-10 (1 + G_jj + lambda_2) (a combination of A: a duplicate atom, or
 * any atom once A spans R^n) is left out of that code's path, which is
 * then the solution without it: converged only if its correlation ends
 * within lambda (1 + 1e-6).  The report's iterations is the most knots of
 * any code; converged is 1 when every code reached lambda.
 * SC_SOLVER_PARAM_THREADS splits the batch as for OMP (see "Threads"
 * below: the same bits for any count).  The group term is not supported
 * (SC_ERR_STATE at run); sc_solver_path returns one input's knots.
 *
 * Stopping (ISTA, FISTA, CoD): after SC_SOLVER_PARAM_MAX_ITERATIONS, or when
 * every sample's iterate moved by at most SC_SOLVER_PARAM_TOLERANCE relative to
 * its size in one iteration (max_i |z_i - z_i'| <= tol * max(1,
 * max_i |z_i|)).  A tolerance of 0 runs exactly MAX_ITERATIONS
 * iterations.
 *
 * Stopping (CD_ACTIVE), per sample: when its relative duality gap is at
 * most the tolerance,  gap(z) <= tol * F(z),  with F the objective (S0)
 * and gap(z) = F(z) - Dual(s r) the gap of `docs/math.md` (S7):
 * r = x - D z, s = min(1, lambda / m), m = max_i |(D^T r)_i - lambda_2 z_i|
 * (z >= 0: the largest signed value, at least 0), and
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
 * Threads: CoD, CD_ACTIVE, OMP and LARS run the batch in fixed blocks of
 * 128 samples (the last one shorter), each block with its own sgemm
 * c = X D, its solve, and its part of the report's gap and objective.
 * SC_SOLVER_PARAM_THREADS > 1 shares the blocks out to that many threads,
 * each taking the next block when it is done with one.  The blocks, and
 * so every BLAS call and every sum, do not depend on the thread count:
 * the codes and the report are bit-identical for any thread count.  With
 * more than one thread, each of them calls the BLAS for its blocks' sgemms:
 * give the BLAS one thread (sc_blas_set_threads(1), or
 * OPENBLAS_NUM_THREADS=1) so that the two pools do not oversubscribe the
 * cores.  ISTA and FISTA iterate the batch together through sgemm and
 * run on the BLAS's threads only.
 *
 * @par Thread rules
 * For the type: create/set/free take the solver exclusively;
 * sc_solver_run, sc_solver_run_from, sc_solver_get and
 * sc_solver_objective are reentrant on a const solver (their threads, if
 * any, are joined before they return).
 * @{
 */

/** @brief A solver: a dictionary D planned for sparse coding. */
typedef struct sc_solver_s sc_solver;

/** @brief Values of SC_SOLVER_PARAM_METHOD. */
typedef enum {
    SC_SOLVER_METHOD_ISTA      = 0,  /**< ISTA (see "Methods" above) */
    SC_SOLVER_METHOD_FISTA     = 1,  /**< FISTA (Beck & Teboulle) with
                                          adaptive restart (see "Methods"
                                          above) */
    SC_SOLVER_METHOD_COD       = 2,  /**< coordinate descent (CoD, Gregor &
                                          LeCun 2010; see "Methods"
                                          above) */
    SC_SOLVER_METHOD_CD_ACTIVE = 3,  /**< active-set coordinate descent
                                          (S6) */
    SC_SOLVER_METHOD_OMP       = 4,  /**< orthogonal matching pursuit
                                          (greedy, ignores lambda; see
                                          "OMP" above) */
    SC_SOLVER_METHOD_LARS      = 5   /**< LARS-lasso homotopy: the exact
                                          solution at lambda (see "LARS"
                                          above).  sc_solver_run_from
                                          checks start and ignores it: the
                                          homotopy always restarts from
                                          lambda_0 = |D^T x|_inf, z = 0,
                                          and the codes equal those of
                                          sc_solver_run */
} sc_solver_method;

/**
 * @brief Solver parameters: sc_solver_set / sc_solver_get /
 * sc_solver_param_bounds.
 *
 * All may be set at any time (between runs).
 */
typedef enum {
    SC_SOLVER_PARAM_METHOD         = 1,
        /**< sc_solver_method; default FISTA */
    SC_SOLVER_PARAM_LAMBDA         = 2,
        /**< L1 weight; [0, 1e6]; default 0.1 */
    SC_SOLVER_PARAM_NONNEGATIVE    = 3,
        /**< 1: constrain z >= 0; default 0 */
    SC_SOLVER_PARAM_MAX_ITERATIONS = 4,
        /**< [1, 1e7]; default 1000 */
    SC_SOLVER_PARAM_TOLERANCE      = 5,
        /**< [0, 1]; default 1e-6 */
    SC_SOLVER_PARAM_GROUP_LAYOUT   = 6,
        /**< sc_group_layout; default NONE */
    SC_SOLVER_PARAM_GROUP_WEIGHT   = 7,
        /**< lambda_g; [0, 1e6]; default 0 */
    SC_SOLVER_PARAM_GROUP_SIZE     = 8,
        /**< contiguous block size; default 4 */
    SC_SOLVER_PARAM_TORUS_ROWS     = 9,
        /**< topographic layout, as for the model's
             SC_MODEL_PARAM_TORUS_ROWS ... */
    SC_SOLVER_PARAM_TORUS_COLS     = 10,
        /**< topographic layout, as SC_MODEL_PARAM_TORUS_COLS */
    SC_SOLVER_PARAM_POOL_SIZE      = 11,
        /**< topographic layout, as SC_MODEL_PARAM_POOL_SIZE */
    SC_SOLVER_PARAM_POOL_STRIDE    = 12,
        /**< topographic layout, as SC_MODEL_PARAM_POOL_STRIDE */
    SC_SOLVER_PARAM_POOL_SIGMA     = 13,
        /**< topographic layout, as SC_MODEL_PARAM_POOL_SIGMA */
    SC_SOLVER_PARAM_GROUP_EPSILON  = 14,
        /**< eps of the smooth surrogate; [1e-12, 1]; default 1e-4 */
    SC_SOLVER_PARAM_L2             = 15,
        /**< lambda_2 of 1/2 lambda_2 |z|^2 (the elastic net), every
             method and the objective; [0, 1e6]; default 0 */
    SC_SOLVER_PARAM_THREADS        = 16,
        /**< threads over blocks of samples for CoD, CD_ACTIVE, OMP and
             LARS (see "Threads" above); [0, 64]; default 1 = the
             calling thread only; 0 = one per online processor.
             Results do not depend on it */
    SC_SOLVER_PARAM_MAX_NONZEROS   = 17,
        /**< OMP and LARS: at most this many non-zeros per code;
             [0, 2^24]; default 10; 0 = no limit but min(n, k) (LARS:
             set 0 for the exact solution at lambda whatever its
             support) */
    SC_SOLVER_PARAM_MAX_RESIDUAL   = 18
        /**< OMP: stop a code once its squared residual |x - D z|^2 is at
             most this (absolute, in x's units); [0, 1e15]; default 0 =
             only an exact fit stops early */
} sc_solver_param;

/**
 * @brief What a run did.
 *
 * Versioned by its leading size field, like sc_model_stats: set
 * size = sizeof(sc_solver_report).
 */
typedef struct {
    size_t size;          /**< set by the caller */
    uint64_t iterations;  /**< iterations run (the batch runs together;
                               CoD, CD_ACTIVE: the most of any sample,
                               CD_ACTIVE counting sweeps) */
    double objective;     /**< mean over the batch of the final
                               objective */
    int converged;        /**< 1 if the tolerance was met before the cap
                               (CD_ACTIVE: by every sample's gap) */
    double gap;           /**< the largest over the batch of the relative
                               duality gap gap(z) / F(z) of (S7) at the
                               returned codes, for every method (0 when
                               F = 0); NaN when the group term is on.
                               Appended after the fields above (issue
                               12); a caller compiled with the older,
                               smaller struct gets the fields above
                               only. */
} sc_solver_report;

/**
 * @brief Plans a solver for the dictionary D.
 *
 * @param[out] out         receives the handle on success; untouched on
 *                         failure.
 * @param[in]  dictionary  n x k row-major, finite, not all zero; copied.
 * @param[in]  n           >= 1, at most 2^24, n*k and k*k at most 2^31.
 * @param[in]  k           >= 1, at most 2^24, n*k and k*k at most 2^31.
 * @retval SC_OK             *out is the new solver.
 * @retval SC_ERR_NULL       a pointer argument NULL.
 * @retval SC_ERR_SIZE       n or k out of the bounds above.
 * @retval SC_ERR_NONFINITE  NaN/Inf in D.
 * @retval SC_ERR_RANGE      D is zero; or its values are too large,
 *                           D^T D overflows float, or too small, D^T D
 *                           underflows to 0: the message says which.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_solver_create(sc_solver **out,
                                               const float *dictionary,
                                               size_t n, size_t k);

/**
 * @brief Releases a solver.
 *
 * @param[in] solver  the solver; NULL is a no-op.
 * @par Thread rules
 * Exclusive.
 */
SC_API void sc_solver_free(sc_solver *solver);

/**
 * @brief The message of the last failed exclusive call on the solver
 * (set), or "".
 *
 * @param[in] solver  the solver; NULL gives "".
 * @return The message.
 * @par Thread rules
 * Const.
 */
SC_API const char *sc_solver_message(const sc_solver *solver);

/**
 * @brief Sets a parameter after checking its bounds.
 *
 * @param[in,out] solver  the solver.
 * @param[in]     param   the parameter.
 * @param[in]     value   its new value.
 * @retval SC_OK         the parameter has the new value.
 * @retval SC_ERR_NULL   solver NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @retval SC_ERR_RANGE  out of bounds, not integral.
 * @retval SC_ERR_SIZE   group parameters that do not fit k, e.g. a group
 *                       size that does not divide k, a torus that does
 *                       not hold k units; the layout is checked when set
 *                       and when its geometry changes.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_solver_set(sc_solver *solver,
                                            sc_solver_param param,
                                            double value);

/**
 * @brief The current value of a parameter.
 *
 * @param[in]  solver  the solver.
 * @param[in]  param   the parameter.
 * @param[out] value   receives the value.
 * @retval SC_OK         *value written.
 * @retval SC_ERR_NULL   solver or value NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_solver_get(const sc_solver *solver,
                                            sc_solver_param param,
                                            double *value);

/**
 * @brief The inclusive range of a solver parameter.
 *
 * @param[in]  param  the parameter.
 * @param[out] lo     receives the lowest allowed value.
 * @param[out] hi     receives the highest allowed value.
 * @retval SC_OK         *lo and *hi written.
 * @retval SC_ERR_NULL   lo or hi NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_solver_param_bounds(sc_solver_param param,
                                                     double *lo, double *hi);

/**
 * @brief L >= lambda_max(D^T D) used by ISTA and FISTA (step 1/L).
 *
 * @param[in] solver  the solver.
 * @return L; 0 for NULL.
 * @par Thread rules
 * Const.
 */
SC_API double sc_solver_lipschitz(const sc_solver *solver);

/**
 * @brief A solver parameter's name (SC_SOLVER_PARAM_MAX_ITERATIONS:
 * "max_iterations"), as sc_model_param_name.
 *
 * @param[in] param  the parameter.
 * @return The name; NULL for an unknown id.
 * @par Thread rules
 * Reentrant.
 * @see sc_solver_param_from_name
 */
SC_API const char *sc_solver_param_name(sc_solver_param param);

/**
 * @brief The id of the solver parameter called `name`, as
 * sc_model_param_from_name.
 *
 * @param[in]  name   the parameter's name, as sc_solver_param_name gives
 *                    it.
 * @param[out] param  receives the id on success.
 * @retval SC_OK         *param written.
 * @retval SC_ERR_NULL   name or param NULL.
 * @retval SC_ERR_PARAM  no such parameter.
 * @par Thread rules
 * Reentrant.
 * @see sc_solver_param_name
 */
SC_API SC_NODISCARD sc_status sc_solver_param_from_name(const char *name,
                                                        sc_solver_param *param);

/**
 * @brief Solves the problem for each of batch inputs.
 *
 * Iterations start from z = 0.  SC_OK means every code (and reported
 * value) is finite; on failure codes and report are untouched.  The same
 * for every method.
 *
 * @param[in]  solver  the solver.
 * @param[in]  x       batch x n inputs, finite.
 * @param[in]  batch   the number of inputs.
 * @param[out] codes   batch x k: written on success with the solutions.
 * @param[out] report  may be NULL; filled on success.  report->size may
 *                     be that of an older, shorter sc_solver_report (at
 *                     least its first two fields): only that much is
 *                     written.
 * @retval SC_OK             codes (and report) written, all finite.
 * @retval SC_ERR_NULL       a required pointer argument NULL.
 * @retval SC_ERR_SIZE       batch 0, too large, report->size too small.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x; or the codes, the report's
 *                           objective or gap overflowed float while
 *                           solving.
 * @retval SC_ERR_RANGE      x is too large for the dictionary: D^T x
 *                           overflows float.
 * @retval SC_ERR_STATE      the group term with CoD or CD_ACTIVE, which
 *                           support the L1 and L2 terms only.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Const (reentrant): scratch is allocated per call.
 */
SC_API SC_NODISCARD sc_status sc_solver_run(const sc_solver *solver,
                                            const float *x, size_t batch,
                                            float *codes,
                                            sc_solver_report *report);

/**
 * @brief sc_solver_run started from given codes (a warm start), e.g. the
 * codes of a previous run for inputs that changed a little, or for a
 * nearby lambda.
 *
 * Every method starts its iterate there (FISTA: z = y = start, t = 1;
 * CD_ACTIVE: the active set is the support of start; at the optimum it
 * returns after 0 or 1 sweep).  codes and report are untouched on
 * failure.
 *
 * @param[in]  solver  the solver.
 * @param[in]  x       as sc_solver_run.
 * @param[in]  batch   as sc_solver_run.
 * @param[in]  start   batch x k, finite, and >= 0 when
 *                     SC_SOLVER_PARAM_NONNEGATIVE is set; read before
 *                     codes is written, so start == codes is allowed
 *                     (solve in place).
 * @param[out] codes   as sc_solver_run.
 * @param[out] report  as sc_solver_run.
 * @return Those of sc_solver_run, plus:
 * @retval SC_ERR_NULL       start NULL.
 * @retval SC_ERR_NONFINITE  NaN/Inf in start.
 * @retval SC_ERR_RANGE      a negative start with
 *                           SC_SOLVER_PARAM_NONNEGATIVE.
 * @par Thread rules
 * Const (reentrant).
 */
SC_API SC_NODISCARD sc_status sc_solver_run_from(const sc_solver *solver,
                                                 const float *x,
                                                 size_t batch,
                                                 const float *start,
                                                 float *codes,
                                                 sc_solver_report *report);

/**
 * @brief The lasso regularisation path of one input by LARS-lasso
 * (homotopy), whatever the solver's method.
 *
 * The knots lambda_0 = |D^T x|_inf > lambda_1 > ... at which the support
 * changes, and the solution at each, down to the solver's lambda (whose
 * solution is the last knot) or until max_knots knots.  Uses the solver's
 * lambda, lambda_2, z >= 0 and SC_SOLVER_PARAM_MAX_NONZEROS (the path
 * stops when a knot would exceed it), and SC_SOLVER_PARAM_MAX_ITERATIONS
 * (the most changes of the support); the path is that of the LARS method
 * (see "LARS" above): the last knot's codes are those sc_solver_run
 * returns for x alone.  Between two knots the solution is the linear
 * interpolation of theirs.  When lambda >= lambda_0 the path is the one
 * knot lambda_0 (z = 0).  Several changes at one lambda (ties) make one
 * knot, so the lambdas strictly decrease.  On failure the outputs are
 * untouched.
 *
 * @param[in]  solver     the solver.
 * @param[in]  x          one input, n floats.
 * @param[in]  max_knots  >= 1.
 * @param[out] lambdas    max_knots doubles, receives the knots' lambda,
 *                        decreasing.
 * @param[out] codes      max_knots x k floats, receives the solution at
 *                        each knot.
 * @param[out] knots      receives the number of knots written.
 * @retval SC_OK             *knots knots written.
 * @retval SC_ERR_NULL       a pointer argument NULL.
 * @retval SC_ERR_SIZE       max_knots 0, or max_knots*k overflows.
 * @retval SC_ERR_STATE      a group term is set.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x, or a code overflowed float.
 * @retval SC_ERR_RANGE      x is too large for the dictionary: D^T x
 *                           overflows float.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_solver_path(const sc_solver *solver,
                                             const float *x,
                                             size_t max_knots,
                                             double *lambdas, float *codes,
                                             size_t *knots);

/**
 * @brief The mean over the batch of the objective above at given codes.
 *
 * With the solver's current lambda, lambda_2, group term and constraint;
 * +Inf if a code violates z >= 0 when it is set.
 *
 * @param[in]  solver     the solver.
 * @param[in]  x          batch x n inputs.
 * @param[in]  codes      batch x k codes.
 * @param[in]  batch      the number of inputs.
 * @param[out] objective  receives the mean objective.
 * @retval SC_OK             *objective written.
 * @retval SC_ERR_NULL       a pointer argument NULL.
 * @retval SC_ERR_SIZE       batch 0 or too large (as sc_solver_run).
 * @retval SC_ERR_NONFINITE  NaN/Inf in x or codes, or an objective that
 *                           overflowed: D z beyond float; *objective
 *                           untouched.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_solver_objective(const sc_solver *solver,
                                                  const float *x,
                                                  const float *codes,
                                                  size_t batch,
                                                  double *objective);

/** @} */

/**
 * @defgroup sparsecode_dictionary Dictionary learning
 *
 * An sc_dictionary learns D (n x k, unit-norm columns) for sparse coding
 * from minibatches: each step computes the codes of the batch with the
 * lasso method SC_DICTIONARY_PARAM_SOLVER_METHOD (default CD_ACTIVE; the
 * SC_DICTIONARY_PARAM_LAMBDA, _NONNEGATIVE, _SOLVER_ITERATIONS and
 * _SOLVER_TOLERANCE settings; no cap on the support) and then updates D
 * by
 *   - SC_DICTIONARY_METHOD_ONLINE: Mairal et al. (2009):
 *     A <- beta A + Z^T Z / batch, B <- beta B + X^T Z / batch, with a
 *     forgetting factor beta < 1 that tends to 1 (so the first, poorly
 *     coded batches fade), then one pass of block coordinate descent over
 *     the columns, d_j <- (b_j - D a_j) / A_jj + d_j, projected to
 *     norm <= 1;
 *   - SC_DICTIONARY_METHOD_SGD: one gradient step
 *     D <- D - rate (D z - x) z^T / batch, then columns renormalised to
 *     norm <= 1.
 *
 * @par Thread rules
 * create/set/init/step/free exclusive; atoms, get and
 * objective const.
 * @{
 */

/** @brief A dictionary learner. */
typedef struct sc_dictionary_s sc_dictionary;

/** @brief Values of SC_DICTIONARY_PARAM_METHOD. */
typedef enum {
    SC_DICTIONARY_METHOD_ONLINE = 0,  /**< Mairal et al. (2009) (see
                                           above) */
    SC_DICTIONARY_METHOD_SGD    = 1   /**< one gradient step per batch (see
                                           above) */
} sc_dictionary_method;

/** @brief Dictionary learner parameters. */
typedef enum {
    SC_DICTIONARY_PARAM_METHOD            = 1,
        /**< sc_dictionary_method; default ONLINE */
    SC_DICTIONARY_PARAM_LAMBDA            = 2,
        /**< [0, 1e6]; default 0.1 */
    SC_DICTIONARY_PARAM_NONNEGATIVE       = 3,
        /**< codes z >= 0; default 0 */
    SC_DICTIONARY_PARAM_SOLVER_ITERATIONS = 4,
        /**< the coder's cap per step; default 200 */
    SC_DICTIONARY_PARAM_SOLVER_TOLERANCE  = 5,
        /**< default 1e-4 */
    SC_DICTIONARY_PARAM_LEARNING_RATE     = 6,
        /**< SGD only; (0, 1e3]; default 0.1 */
    SC_DICTIONARY_PARAM_SOLVER_METHOD     = 7
        /**< the sc_solver_method that codes each batch (and
             sc_dictionary_objective's batch): a lasso method (ISTA,
             FISTA, COD, CD_ACTIVE, LARS); OMP is SC_ERR_RANGE; default
             CD_ACTIVE */
} sc_dictionary_param;

/** @brief Statistics of one step, versioned by size like sc_model_stats. */
typedef struct {
    size_t size;             /**< set by the caller */
    double objective;        /**< mean objective of the batch before the
                                  update of D */
    double active_fraction;  /**< fraction of non-zero code entries */
} sc_dictionary_stats;

/**
 * @brief A learner for n-dimensional inputs and k atoms.
 *
 * @param[out] out  receives the handle on success.
 * @param[in]  n    the input dimension.
 * @param[in]  k    the number of atoms.
 * @retval SC_OK         *out is the new learner.
 * @retval SC_ERR_NULL   out NULL.
 * @retval SC_ERR_SIZE   n or k is 0 or too large.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_create(sc_dictionary **out,
                                                   size_t n, size_t k);
/**
 * @brief Releases a learner.
 *
 * @param[in] dict  the learner.
 * @par Thread rules
 * Exclusive.
 */
SC_API void sc_dictionary_free(sc_dictionary *dict);
/**
 * @brief The message of the last failed exclusive call, or "".
 *
 * @param[in] dict  the learner.
 * @return The message.
 * @par Thread rules
 * Const.
 */
SC_API const char *sc_dictionary_message(const sc_dictionary *dict);

/**
 * @brief Sets a parameter, as sc_model_set.
 *
 * @param[in,out] dict   the learner.
 * @param[in]     param  the parameter.
 * @param[in]     value  its new value.
 * @retval SC_OK         the parameter has the new value.
 * @retval SC_ERR_NULL   dict NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @retval SC_ERR_RANGE  out of bounds, not integral.
 * @par Thread rules
 * Exclusive.
 * @see sc_dictionary_get, sc_dictionary_param_bounds
 */
SC_API SC_NODISCARD sc_status sc_dictionary_set(sc_dictionary *dict,
                                                sc_dictionary_param param,
                                                double value);
/**
 * @brief The current value of a parameter, as sc_model_get.
 *
 * @param[in]  dict   the learner.
 * @param[in]  param  the parameter.
 * @param[out] value  receives the value.
 * @retval SC_OK         *value written.
 * @retval SC_ERR_NULL   dict or value NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Const.
 * @see sc_dictionary_set, sc_dictionary_param_bounds
 */
SC_API SC_NODISCARD sc_status sc_dictionary_get(const sc_dictionary *dict,
                                                sc_dictionary_param param,
                                                double *value);
/**
 * @brief The inclusive range of a learner's parameter, as
 * sc_model_param_bounds.
 *
 * @param[in]  param  the parameter.
 * @param[out] lo     receives the lowest allowed value.
 * @param[out] hi     receives the highest allowed value.
 * @retval SC_OK         *lo and *hi written.
 * @retval SC_ERR_NULL   lo or hi NULL.
 * @retval SC_ERR_PARAM  unknown id.
 * @par Thread rules
 * Reentrant.
 * @see sc_dictionary_set, sc_dictionary_get
 */
SC_API SC_NODISCARD sc_status sc_dictionary_param_bounds(
    sc_dictionary_param param, double *lo, double *hi);

/**
 * @brief A learner's parameter's name (SC_DICTIONARY_PARAM_LAMBDA:
 * "lambda"), as sc_model_param_name.
 *
 * @param[in] param  the parameter.
 * @return The name; NULL for an unknown id.
 * @par Thread rules
 * Reentrant.
 * @see sc_dictionary_param_from_name
 */
SC_API const char *sc_dictionary_param_name(sc_dictionary_param param);
/**
 * @brief The id of the learner's parameter called `name`, as
 * sc_model_param_from_name.
 *
 * @param[in]  name   the parameter's name, as sc_dictionary_param_name
 *                    gives it.
 * @param[out] param  receives the id on success.
 * @retval SC_OK         *param written.
 * @retval SC_ERR_NULL   name or param NULL.
 * @retval SC_ERR_PARAM  no such parameter.
 * @par Thread rules
 * Reentrant.
 * @see sc_dictionary_param_name
 */
SC_API SC_NODISCARD sc_status sc_dictionary_param_from_name(
    const char *name, sc_dictionary_param *param);

/**
 * @brief Atoms = `k` samples of x chosen by `seed`, normalised to unit
 * norm (in double, so subnormal and near-FLT_MAX samples work too; zero
 * samples skipped); statistics reset.
 *
 * @param[in,out] dict   the learner.
 * @param[in]     x      count x n samples.
 * @param[in]     count  the number of samples.
 * @param[in]     seed   chooses the samples.
 * @retval SC_OK             the learner is initialised.
 * @retval SC_ERR_NULL       dict or x NULL.
 * @retval SC_ERR_SIZE       count 0.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x.
 * @retval SC_ERR_RANGE      every sample is zero.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_init_data(sc_dictionary *dict,
                                                      const float *x,
                                                      size_t count,
                                                      uint64_t seed);

/**
 * @brief One minibatch update (see above).
 *
 * @param[in,out] dict   the learner.
 * @param[in]     x      batch x n inputs.
 * @param[in]     batch  the number of inputs.
 * @param[out]    stats  may be NULL.
 * @retval SC_OK             D was updated.
 * @retval SC_ERR_NULL       a required pointer argument NULL.
 * @retval SC_ERR_SIZE       batch 0 or too large, or stats->size too
 *                           small.
 * @retval SC_ERR_STATE      not initialised.
 * @retval SC_ERR_NONFINITE  NaN/Inf in x, or an update that would produce
 *                           them: the dictionary is then unchanged.
 * @retval SC_ERR_RANGE      x is too large for the dictionary (D^T x
 *                           overflows float): the coder's message says
 *                           so.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_step(sc_dictionary *dict,
                                                 const float *x, size_t batch,
                                                 sc_dictionary_stats *stats);

/**
 * @brief The current D, n x k row-major.
 *
 * @param[in]  dict   the learner.
 * @param[out] atoms  receives the pointer, owned by the learner and valid
 *                    until its next exclusive call.
 * @retval SC_OK         *atoms written.
 * @retval SC_ERR_NULL   dict or atoms NULL.
 * @retval SC_ERR_STATE  not initialised.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_atoms(const sc_dictionary *dict,
                                                  const float **atoms);

/**
 * @brief Starts from a caller's D (n x k, row-major, finite), each column
 * scaled to unit norm (zero columns refused); statistics reset.
 *
 * @param[in,out] dict   the learner.
 * @param[in]     atoms  D, n x k row-major, finite.
 * @retval SC_OK             the learner is initialised.
 * @retval SC_ERR_NULL       dict or atoms NULL.
 * @retval SC_ERR_NONFINITE  NaN/Inf in D.
 * @retval SC_ERR_RANGE      a zero column, or values too large or small to
 *                           normalise in float.
 * @retval SC_ERR_NOMEM      memory allocation failed.
 * @par Thread rules
 * Exclusive.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_init_atoms(sc_dictionary *dict,
                                                       const float *atoms);

/**
 * @brief Writes the learner (its settings, D and the online statistics
 * A, B, so that learning resumes bit for bit) to `path`, with the same
 * atomic-save guarantees as sc_model_save.
 *
 * @param[in] dict  the learner.
 * @param[in] path  the file to write.
 * @retval SC_OK         the file is in place.
 * @retval SC_ERR_NULL   dict or path NULL.
 * @retval SC_ERR_STATE  not initialised.
 * @retval SC_ERR_IO     the file could not be written, synced or renamed.
 * @retval SC_ERR_NOMEM  memory allocation failed.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_save(const sc_dictionary *dict,
                                                 const char *path);

/**
 * @brief Reads a file written by sc_dictionary_save, with the checks of
 * sc_model_load (length against the header before allocating, CRC, sizes
 * and values).
 *
 * @param[out] out   receives a new learner on success.
 * @param[in]  path  the file to read.
 * @retval SC_OK           *out is the loaded learner.
 * @retval SC_ERR_NULL     out or path NULL.
 * @retval SC_ERR_IO       cannot open/read.
 * @retval SC_ERR_FORMAT   not a dictionary file, or one that fails the
 *                         checks.
 * @retval SC_ERR_VERSION  unknown format version.
 * @retval SC_ERR_NOMEM    an allocation failed.
 * @par Thread rules
 * Reentrant.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_load(sc_dictionary **out,
                                                 const char *path);

/**
 * @brief Mean objective 1/2|x - Dz|^2 + lambda|z|_1 of a batch, with codes
 * from the learner's solver method run to its tolerance (e.g. on
 * held-out data).
 *
 * @param[in]  dict       the learner.
 * @param[in]  x          batch x n inputs.
 * @param[in]  batch      the number of inputs.
 * @param[out] objective  receives the mean objective.
 * @return As sc_dictionary_step.
 * @par Thread rules
 * Const.
 */
SC_API SC_NODISCARD sc_status sc_dictionary_objective(const sc_dictionary *dict,
                                                      const float *x,
                                                      size_t batch,
                                                      double *objective);

/** @} */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPARSECODE_H */
