#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The lecture's figures in one script, through the sparsecode binding.

    PYTHONPATH=python python3 python/examples/lecture.py \
        --data /usr/share/datasets/fashion-mnist --out figures/

On Fashion-MNIST (MNIST-format IDX files, gzipped or not), each image
scaled to unit norm, it trains small versions of the lecture's models and
saves one PNG per figure, printing a caption for each:

1. drsae-filters.png     DrSAE's decoder columns (Rolfe & LeCun 2013)
2. drsae-units.png       part- and categorical-units: the angle between
                         each unit's encoder row and decoder column
                         against the norm of its classifier weights
3. lista-vs-fista.png    the lasso objective of LISTA's codes after T
                         steps against FISTA's after T iterations
4. topographic.png       decoder columns of a topographic model on its
                         torus
5. local-filters.png     encoder filters of a model with local unshared
                         filters, one map per window position

The sizes are small (--train images, a few epochs) so that the whole
script runs in minutes on one core; the C examples (docs/drsae.md,
docs/lista.md, docs/topographic.md, docs/local.md) train the full-size
models.  Without matplotlib (Debian's python3-matplotlib) the models are
trained and their figures reported, but no PNG is drawn.
"""
import argparse
import os
import sys
import time

import numpy as np

try:
    import sparsecode as sc
except ImportError:  # run from the checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import sparsecode as sc

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None


# ---------------------------------------------------------------------------
# Data
def load(data_dir, split, count):
    return sc.idx.load_split(data_dir, split, count)


def minibatches(rng, count, size):
    order = rng.permutation(count)
    for i in range(0, count - size + 1, size):
        yield order[i:i + size]


# ---------------------------------------------------------------------------
# Drawing
def tiles(columns, shape, grid_cols):
    """Columns (pixels x count) as one image of tiles, each scaled to its
    own range, with 1-pixel borders."""
    h, w = shape
    count = columns.shape[1]
    rows = (count + grid_cols - 1) // grid_cols
    out = np.ones(((h + 1) * rows + 1, (w + 1) * grid_cols + 1))
    for j in range(count):
        t = columns[:, j].reshape(h, w)
        lo, hi = t.min(), t.max()
        t = (t - lo) / (hi - lo) if hi > lo else np.zeros_like(t)
        r, c = divmod(j, grid_cols)
        out[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = t
    return out


def save_image(out_dir, name, image, title):
    if plt is None:
        return None
    path = os.path.join(out_dir, name)
    fig, ax = plt.subplots(figsize=(7, 7 * image.shape[0] / image.shape[1] + 0.4))
    ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(title, fontsize=9)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def caption(number, path, text):
    where = path if path else "(not drawn: no matplotlib)"
    print("figure %d: %s\n    %s" % (number, where, text))


# ---------------------------------------------------------------------------
# 1-2. DrSAE
def drsae(args, x, y, xt, yt, shape, rng):
    t = 11
    m = sc.Model(x.shape[1], args.units, iterations=t, classes=10,
                 l1_weight=0.02, optimizer="adam", learning_rate=1e-3,
                 classifier_max_norm=20)
    m.init_data(x, seed=args.seed)
    for phase, (epochs, class_weight) in enumerate(((args.epochs1, 0.0),
                                                    (args.epochs2, 1.0))):
        m.set(class_weight=class_weight)
        for epoch in range(epochs):
            for b in minibatches(rng, len(x), 100):
                m.step(x[b], labels=y[b])
    error = float(np.mean(m.predict(xt) != yt))
    stats = m.evaluate(xt, labels=yt)
    wd = m.weights("decoder")              # n x k
    we = m.weights("encoder")              # k x n
    cl = m.weights("classifier")           # 10 x k
    path = save_image(args.out, "drsae-filters.png", tiles(wd, shape, 20),
                      "DrSAE decoder columns (%d units, T = %d)" % (args.units, t))
    caption(1, path, "DrSAE's decoder columns after %d + %d epochs on %d images: "
            "test error %.1f %%, %.1f %% of the units active per image."
            % (args.epochs1, args.epochs2, len(x), 100 * error,
               100 * stats.active_fraction))

    cos = np.sum(we.T * wd, axis=0) / np.maximum(
        np.linalg.norm(we, axis=1) * np.linalg.norm(wd, axis=0), 1e-12)
    angle = np.arccos(np.clip(cos, -1, 1))
    cnorm = np.linalg.norm(cl, axis=0)
    part, categorical = np.sum(angle < 0.5), np.sum(angle > 0.7)
    path = None
    if plt is not None:
        path = os.path.join(args.out, "drsae-units.png")
        fig, ax = plt.subplots(figsize=(5.5, 4))
        ax.scatter(angle, cnorm, s=8)
        for cut in (0.5, 0.7):
            ax.axvline(cut, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("angle between encoder row and decoder column (rad)")
        ax.set_ylabel("norm of the unit's classifier weights")
        ax.set_title("part-units (left) and categorical-units (right)", fontsize=9)
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
    caption(2, path, "Each unit's encoder/decoder angle against its classifier "
            "weights: %d part-units (< 0.5 rad), %d categorical-units (> 0.7 rad), "
            "the paper's cuts%s." % (part, categorical,
                                     "; the Adam recipe has no part-units, as "
                                     "docs/drsae.md explains" if part == 0 else ""))


# ---------------------------------------------------------------------------
# 3. LISTA against FISTA
def lista_vs_fista(args, x, xt, rng):
    lam, k = 0.1, args.atoms
    learner = sc.DictionaryLearner(x.shape[1], k, lam=lam)
    learner.init_data(x, seed=args.seed)
    for b in minibatches(rng, len(x), 100):
        learner.step(x[b])
    d = learner.atoms
    exact = sc.Solver(d, method="cd_active", lam=lam)
    target = exact.encode(x)
    best = exact.objective(xt, exact.encode(xt))
    steps = [1, 2, 3, 5, 8, 12]
    fista, lista = [], []
    for t in steps:
        with sc.Solver(d, method="fista", lam=lam, max_iterations=t,
                       tolerance=0) as s:
            fista.append(exact.objective(xt, s.encode(xt)))
        # LISTA (Gregor & LeCun 2010): T soft-shrink steps from the ISTA
        # init, trained to regress the exact codes.
        m = sc.Model(x.shape[1], k, iterations=t, shrink="soft",
                     recon_weight=0, l1_weight=lam, regression_weight=1,
                     optimizer="adam", learning_rate=1e-3)
        m.init_dictionary(d)
        m.set(l1_weight=0)
        for epoch in range(args.lista_epochs):
            for b in minibatches(rng, len(x), 100):
                m.step(x[b], targets=target[b])
        lista.append(exact.objective(xt, m.encode(xt)))
        m.close()
    path = None
    if plt is not None:
        path = os.path.join(args.out, "lista-vs-fista.png")
        fig, ax = plt.subplots(figsize=(5.5, 4))
        ax.plot(steps, fista, "o-", label="FISTA, T iterations")
        ax.plot(steps, lista, "s-", label="LISTA, T steps (trained)")
        ax.axhline(best, color="grey", ls="--", lw=0.8, label="optimum (CD_ACTIVE)")
        ax.set_xlabel("T")
        ax.set_ylabel("mean lasso objective on test images")
        ax.legend(fontsize=8)
        fig.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(fig)
    caption(3, path, "Lasso objective (lambda %g, %d atoms) of LISTA's codes after "
            "T steps and FISTA's after T iterations: at T = %d, LISTA %.4f, FISTA "
            "%.4f; at T = %d, LISTA %.4f, FISTA %.4f; optimum %.4f."
            % (lam, k, steps[0], lista[0], fista[0], steps[-1], lista[-1],
               fista[-1], best))


# ---------------------------------------------------------------------------
# 4. Topographic map
def topographic(args, x, shape, rng):
    side = 12
    m = sc.Model(x.shape[1], side * side, iterations=5, l1_weight=0.0,
                 group_layout="topographic", torus_rows=side, torus_cols=side,
                 pool_size=3, group_weight=0.1, optimizer="adam",
                 learning_rate=1e-3)
    m.init_data(x, seed=args.seed)
    for epoch in range(args.epochs1 + 1):
        for b in minibatches(rng, len(x), 100):
            stats = m.step(x[b])
    path = save_image(args.out, "topographic.png",
                      tiles(m.weights("decoder"), shape, side),
                      "decoder columns on a %d x %d torus, 3 x 3 pools" % (side, side))
    caption(4, path, "A topographic model's decoder columns in their torus "
            "positions: neighbours share pools and come out alike "
            "(last batch: recon %.3f, group %.3f)." % (stats.recon, stats.group))


# ---------------------------------------------------------------------------
# 5. Local filters
def local_filters(args, x, shape, rng):
    field, stride, maps = 9, 3, 4
    m = sc.Model.local((1,) + tuple(shape), field=field, stride=stride,
                       maps=maps, iterations=3, l1_weight=0.05,
                       optimizer="adam", learning_rate=1e-3, threads=1)
    m.init_data(x, seed=args.seed)
    for b in minibatches(rng, min(len(x), 5000), 100):
        m.step(x[b])
    rows, cols, f = m.local_shape()
    we = m.weights("encoder")                   # k x r*r
    first_map = we[0::f]                        # map 0 at every position
    path = save_image(args.out, "local-filters.png",
                      tiles(first_map.T, (field, field), cols),
                      "map 0 of each of %d x %d positions (%d x %d windows)"
                      % (rows, cols, field, field))
    caption(5, path, "Local unshared filters: map 0 at each of the %d x %d "
            "window positions (%d x %d at stride %d, %d maps, %d units)."
            % (rows, cols, field, field, stride, f, m.n_units))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="directory of the IDX files")
    p.add_argument("--out", required=True, help="directory for the PNGs")
    p.add_argument("--train", type=int, default=10000)
    p.add_argument("--test", type=int, default=2000)
    p.add_argument("--units", type=int, default=200)
    p.add_argument("--atoms", type=int, default=64)
    p.add_argument("--epochs1", type=int, default=1, help="DrSAE phase 1")
    p.add_argument("--epochs2", type=int, default=3, help="DrSAE phase 2")
    p.add_argument("--lista-epochs", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", choices=["drsae", "lista", "topographic", "local"])
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    x, y, shape = load(args.data, "train", args.train)
    xt, yt, _ = load(args.data, "t10k", args.test)
    print("sparsecode %s (%s), %s; %d training and %d test images of %s"
          % (sc.version(), sc.library_path(), sc.blas_name(), len(x), len(xt),
             "x".join(map(str, shape))))
    if plt is None:
        print("matplotlib is not installed (python3-matplotlib): no PNG")
    parts = {"drsae": lambda: drsae(args, x, y, xt, yt, shape, rng),
             "lista": lambda: lista_vs_fista(args, x, xt, rng),
             "topographic": lambda: topographic(args, x, shape, rng),
             "local": lambda: local_filters(args, x, shape, rng)}
    for name, run in parts.items():
        if args.only in (None, name):
            start = time.perf_counter()
            run()
            print("    (%.0f s)" % (time.perf_counter() - start))


if __name__ == "__main__":
    main()
