#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare_torch.py -- libsparsecode's DrSAE training step against the same
model and step written in PyTorch, timed side by side in one run.

    make -j2                      # lib/libsparsecode.so
    /usr/bin/python3 benchmarks/compare_torch.py [--steps 3000] [--warmup 20]
        [--window 100] [--sequential]
        [--settings fair,torch-default,torch-nproc,one-thread]
        [--lr 0.001] [--data /usr/share/datasets/fashion-mnist]

The model is the one of examples/drsae.c and benchmarks/bench_drsae.c (see
docs/math.md): DrSAE 784-400, T = 11 unrolled iterations of
z_t = relu(W_e x + S z_{t-1} - theta), reconstruction 1/2|x - W_d z|^2 +
L1 0.02 sum|z| + classification -log softmax(C zhat + c)_y on
zhat = z / sqrt(|z|^2 + 1e-8), all means over a batch of 100; Adam
(betas 0.9/0.999, eps 1e-8) with each matrix's rate divided by its repeat
count (W_e and theta by T, S by T - 1, (O3)); after the update W_d's
columns are clipped to norm 1 and C's rows to 20 (the example's bound).
Inputs are Fashion-MNIST training images scaled to unit L2 norm, taken in
one fixed shuffled order, the same batches for both sides.

libsparsecode is called through ctypes (sc_model_step).  The PyTorch side
is what a PyTorch user writes: the forward pass in plain float32 tensor
ops, loss.backward(), torch.optim.Adam with one parameter group per
learning-rate scale, and the clipping under torch.no_grad().

What it does:

1. Correctness guard: both sides start from the same weights (the
   library's sc_model_init_data, copied into the torch tensors) and take
   CHECK_STEPS = 5 steps on the same batches (at lr CHECK_LR); the losses
   of every step, and the weight updates after the last, must agree within
   the tolerances explained above CHECK_STEPS in the code.  If not, the
   script stops: the two sides would not be the same model.
2. For each thread setting, one worker process (this script with
   --worker, since OpenBLAS reads OPENBLAS_NUM_THREADS when it is loaded)
   holds both sides, each with its own model and optimiser state from the
   library's initial weights, on the same batches.  Each side takes
   --warmup untimed steps; then the sides take turns of --window steps
   (libsparsecode's steps 21-120, torch's 21-120, libsparsecode's
   121-220, ...) until each has timed --steps steps (at least 3000 for the
   headline figures: a slowdown has been reported to start after about
   700 steps).  A side's time is the sum of its turns.
3. Prints, per side, samples/s over all its timed steps, over its first
   and last 500, and over each block of 500; and the ratio
   libsparsecode / PyTorch three ways: overall (the ratio of the two
   rates), the median over the window pairs (libsparsecode's turn k
   against torch's turn k, which follows it) and their range.

Why interleaved: the test machine (2 vCPUs) has slow spells.  For tens of
seconds at a time 2-thread OpenBLAS sgemm drops from about 13,600 to 9,300
samples/s-equivalent (the host puts both vCPUs on one physical core),
while 1-thread runs stay steady.  When each side ran in its own process,
one after the other (about 30 s each), a spell could land on one side
only: a full run gave a ratio of 1.53 for "fair" and 1.32 for
"torch-default", which is the same setting on that machine (torch
defaults to 1 thread there).  With turns of 100 steps (one to two
seconds a side; more for torch in torch-nproc) a spell covers turns of
both sides alike.  A pair ratio compares two turns a second or two
apart; only the pairs in which a spell starts or ends are skewed, and
the median leaves those out, while the range shows how far the machine
moved.  What interleaving cannot remove is that a spell does not slow
both sides by the same factor: in a full run "fair" and "torch-default"
(the same setting) gave median pair ratios of 1.49 and 1.41, and ratios
of 1.37 to 1.59 over blocks of 500 steps, against 1.31 to 1.36 with one
thread; differences of that size between 2-thread settings are the
machine's, not the code's.  The two sides share the process's one libopenblas (torch's
libblas.so.3 is OpenBLAS's and links libopenblas.so.0; the script warns
if a worker maps more than one), so a single thread pool serves whichever
side is running, and no idle pool of the other side competes with it
for the cores.  torch's own OpenMP threads
(torch-nproc) spin only briefly after its last operation before they
sleep.  Sharing the process does not change either side's arithmetic:
libsparsecode flushes subnormal values in its Adam state by value and
does not set the CPU's flush-to-zero mode, and each side's printed mean
loss is the same as with --sequential.

--sequential runs the old way, each side in a process of its own, one
after the other, and prints only the overall ratio; it is there to see
the effect of the slow spells, not for the figures.

The settings (--settings):
  fair           OpenBLAS at nproc threads for both; torch.set_num_threads(1)
                 (torch's own intra-op threads would compete with OpenBLAS's)
  torch-default  the same, but torch at its default intra-op threads
  torch-nproc    torch.set_num_threads(nproc), run only if that is not the
                 default (it is the oversubscribed case)
  one-thread     OPENBLAS_NUM_THREADS=1 for both, torch.set_num_threads(1)

It also prints the CPU model, the torch version and its default threads,
which shared object holds the sgemm_ that torch calls, OpenBLAS's kernel
(openblas_get_corename on the libopenblas that is loaded) and the thread
count OpenBLAS reports in each worker.  The machine's speed also drifts
between runs (docs/drsae.md): compare ratios, not samples/s, across runs.

Needs numpy and PyTorch (Debian: apt-get install python3-numpy
python3-torch; run Debian's /usr/bin/python3), the built library and the
Fashion-MNIST IDX files (Debian: dataset-fashion-mnist).  Not part of
`make bench`, which runs only C programs.  A full run (4 settings, 3000
steps) takes about 9 minutes on a 2-core machine, 4 of them in the
oversubscribed torch-nproc setting (torch at about 1,600 samples/s).
"""
import argparse
import ctypes
import gzip
import json
import os
import struct
import subprocess
import sys
import time

try:
    import numpy as np
except ImportError as e:  # pragma: no cover
    sys.exit("compare_torch: %s (install python3-numpy and run Debian's "
             "/usr/bin/python3)" % e)

# The model and its training step (examples/drsae.c, bench_drsae.c).
N_INPUTS, N_UNITS, ITERATIONS, CLASSES, BATCH = 784, 400, 11, 10, 100
L1_WEIGHT = 0.02
CLASS_WEIGHT = 1.0
ADAM_BETAS, ADAM_EPSILON = (0.9, 0.999), 1e-8
DECODER_MAX_NORM = 1.0
CLASSIFIER_MAX_NORM = 20.0     # examples/drsae.c's DEFAULT_CLASSIFIER_NORM
CODE_NORM_EPSILON = 1e-8       # SC_CODE_NORM_EPSILON in src/losses.c
SEED = 1

# sparsecode.h's enum values (part of the ABI, never change).
SC_MODEL_PARAM_ITERATIONS = 1
SC_MODEL_PARAM_CLASSES = 3
SC_MODEL_PARAM_RECON_WEIGHT = 20
SC_MODEL_PARAM_L1_WEIGHT = 21
SC_MODEL_PARAM_CLASS_WEIGHT = 23
SC_MODEL_PARAM_NORMALIZE_CODE = 25
SC_MODEL_PARAM_OPTIMIZER = 40
SC_MODEL_PARAM_LEARNING_RATE = 41
SC_MODEL_PARAM_ADAM_BETA1 = 43
SC_MODEL_PARAM_ADAM_BETA2 = 44
SC_MODEL_PARAM_ADAM_EPSILON = 45
SC_MODEL_PARAM_DECODER_MAX_NORM = 46
SC_MODEL_PARAM_CLASSIFIER_MAX_NORM = 47
SC_OPTIMIZER_ADAM = 1
SC_WEIGHTS = {"W_e": 1, "S": 2, "theta": 3, "W_d": 4, "C": 5, "c": 6}

# The correctness guard: CHECK_STEPS steps of both sides from the same
# weights on the same batches, at CHECK_LR whatever --lr is (the step is
# the same code at any rate; at 3e-3 the relu kinks, units switching on or
# off, already amplify rounding differences to 3e-4 in 5 steps).
#
# Step 1 starts from identical weights, so only the summation order differs
# (OpenBLAS's blocking in sgemm, torch's reductions, the library's double
# accumulators): its losses agree to about 1e-7, float32 rounding of sums
# of 1e4-1e5 terms.  The later steps add the effect of the rounding of the
# updates.  Measured with batch orders 1-3 and 1 or 2 OpenBLAS threads:
# losses within 5e-6 relative, and each array's update W_5 - W_0 within
# 8e-5 relative (|dW_lib - dW_torch| / |dW_lib|, Frobenius).  Deliberate
# errors in the torch step, the same measurement: an S rate of lr/T
# instead of lr/(T-1) moves the losses by 2e-4 and S's update by 0.12;
# Adam's eps 1e-7 instead of 1e-8: 5e-5 and 0.07; beta2 0.99 instead of
# 0.999: 1.3e-5 and 0.02; no decoder clip, L1 weight 0.021 instead of
# 0.02, the classifier on z instead of zhat, T - 1 iterations, a rate
# 10 % off for any group: 4e-4 or more and 0.1 or more.  The loss
# tolerance is 4x the noise and catches all of these but beta2; the update
# tolerance, the sharper test, is 25x the noise and 10x below the smallest
# error, and catches all of them.
#
# The class biases c are left out of the update test (not of the losses):
# at the first step C = 0 makes p uniform, so the gradient of c is exactly
# 0 for every class with exactly 10 of the 100 labels, and Adam turns the
# rounding noise there into steps of arbitrary relative size (c's update
# differs by 2-5 %).  C's row clip to 20 is not exercised: C's rows stay
# far below that bound in 5 steps.
CHECK_STEPS = 5
CHECK_LR = 1e-3
CHECK_LOSS_RTOL = 2e-5
CHECK_UPDATE_RTOL = 2e-3
CHECK_UPDATE_SKIP = ("c",)

WINDOW = 100                   # default --window: steps per turn of a side
BLOCK = 500                    # steps per rate block (first, last, each)
SETTINGS = ("fair", "torch-default", "torch-nproc", "one-thread")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                    "OMP_NUM_THREADS", "MKL_NUM_THREADS")


# --------------------------------------------------------------------------
# Data

def read_idx(path):
    """An IDX file (plain or .gz) as a numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack_from(">HBB", raw)
    if zero != 0 or dtype != 0x08:
        sys.exit("compare_torch: %s: not an unsigned-byte IDX file" % path)
    shape = struct.unpack_from(">%dI" % ndim, raw, 4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find_idx(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    sys.exit("compare_torch: cannot open %s/%s (or %s.gz)" % (directory, name, name))


def load_training_set(directory, seed):
    """Fashion-MNIST's training images as unit-norm float32 rows (as
    examples/support/idx.c: pixel / 255, then each row / its L2 norm) and
    int32 labels, shuffled once by `seed`, so that batch i is rows
    [i*BATCH, (i+1)*BATCH) modulo the set: the same batches on both sides."""
    images = read_idx(find_idx(directory, "train-images-idx3-ubyte"))
    labels = read_idx(find_idx(directory, "train-labels-idx1-ubyte"))
    x = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    norms = np.sqrt(np.sum(x.astype(np.float64) ** 2, axis=1, keepdims=True))
    x = (x / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    order = np.random.RandomState(seed).permutation(len(x))
    return (np.ascontiguousarray(x[order]),
            np.ascontiguousarray(labels[order].astype(np.int32)))


def batch_start(step, count):
    """First row of the batch of training step `step` (0-based)."""
    per_epoch = count // BATCH
    return (step % per_epoch) * BATCH


# --------------------------------------------------------------------------
# libsparsecode, through ctypes

class StepStats(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("loss", ctypes.c_double),
                ("recon", ctypes.c_double), ("l1", ctypes.c_double),
                ("group", ctypes.c_double), ("classification", ctypes.c_double),
                ("regression", ctypes.c_double),
                ("active_fraction", ctypes.c_double),
                ("class_error", ctypes.c_double)]


class Library:
    """The DrSAE model of this benchmark as an sc_model."""

    def __init__(self, path, lr, x_init):
        L = self.lib = ctypes.CDLL(path)
        vp, sz = ctypes.c_void_p, ctypes.c_size_t
        L.sc_model_create.argtypes = [ctypes.POINTER(vp), sz, sz]
        L.sc_model_set.argtypes = [vp, ctypes.c_int, ctypes.c_double]
        L.sc_model_init_data.argtypes = [vp, vp, sz, ctypes.c_uint64]
        L.sc_model_step.argtypes = [vp, vp, vp, vp, sz, vp]
        L.sc_model_weights.argtypes = [vp, ctypes.c_int,
                                       ctypes.POINTER(ctypes.POINTER(ctypes.c_float)),
                                       ctypes.POINTER(sz), ctypes.POINTER(sz)]
        L.sc_model_free.argtypes = [vp]
        L.sc_model_message.argtypes = [vp]
        L.sc_model_message.restype = ctypes.c_char_p
        L.sc_last_message.restype = ctypes.c_char_p
        L.sc_version_string.restype = ctypes.c_char_p
        L.sc_blas_name.restype = ctypes.c_char_p
        self.model = vp()
        self.check(L.sc_model_create(ctypes.byref(self.model), N_INPUTS, N_UNITS))
        for param, value in (
                (SC_MODEL_PARAM_ITERATIONS, ITERATIONS), (SC_MODEL_PARAM_CLASSES, CLASSES),
                (SC_MODEL_PARAM_RECON_WEIGHT, 1.0), (SC_MODEL_PARAM_L1_WEIGHT, L1_WEIGHT),
                (SC_MODEL_PARAM_CLASS_WEIGHT, CLASS_WEIGHT),
                (SC_MODEL_PARAM_NORMALIZE_CODE, 1),
                (SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM),
                (SC_MODEL_PARAM_LEARNING_RATE, lr),
                (SC_MODEL_PARAM_ADAM_BETA1, ADAM_BETAS[0]),
                (SC_MODEL_PARAM_ADAM_BETA2, ADAM_BETAS[1]),
                (SC_MODEL_PARAM_ADAM_EPSILON, ADAM_EPSILON),
                (SC_MODEL_PARAM_DECODER_MAX_NORM, DECODER_MAX_NORM),
                (SC_MODEL_PARAM_CLASSIFIER_MAX_NORM, CLASSIFIER_MAX_NORM)):
            self.check(L.sc_model_set(self.model, param, float(value)))
        self.check(L.sc_model_init_data(self.model, x_init.ctypes.data,
                                        len(x_init), SEED))
        self.stats = StepStats(size=ctypes.sizeof(StepStats))

    def check(self, status):
        if status != 0:
            message = (self.lib.sc_model_message(self.model) if self.model
                       else self.lib.sc_last_message())
            raise RuntimeError("libsparsecode: status %d: %s"
                               % (status, message.decode()))

    def step(self, x_ptr, y_ptr):
        """One sc_model_step on BATCH rows at these addresses; its loss."""
        self.check(self.lib.sc_model_step(self.model, x_ptr, y_ptr, None,
                                          BATCH, ctypes.byref(self.stats)))
        return self.stats.loss

    def weights(self):
        """Copies of every weight array, by name, in the library's layout."""
        out = {}
        for name, which in SC_WEIGHTS.items():
            data = ctypes.POINTER(ctypes.c_float)()
            rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
            self.check(self.lib.sc_model_weights(self.model, which, ctypes.byref(data),
                                                 ctypes.byref(rows), ctypes.byref(cols)))
            out[name] = np.ctypeslib.as_array(data, (rows.value, cols.value)).copy()
        return out

    def free(self):
        self.lib.sc_model_free(self.model)
        self.model = ctypes.c_void_p()


# --------------------------------------------------------------------------
# PyTorch

class TorchDrSAE:
    """The same model and step in PyTorch, with the weights stored as in
    the library (W_e k x n, S k x k, theta k, W_d n x k, C K x k, c K)."""

    def __init__(self, torch, weights, lr):
        self.torch = torch
        self.p = {name: torch.tensor(w.reshape(-1) if name in ("theta", "c") else w,
                                     dtype=torch.float32, requires_grad=True)
                  for name, w in weights.items()}
        p = self.p
        # (O3): each matrix's rate divided by its repeat count.
        self.optimizer = torch.optim.Adam(
            [{"params": [p["W_e"], p["theta"]], "lr": lr / ITERATIONS},
             {"params": [p["S"]], "lr": lr / (ITERATIONS - 1)},
             {"params": [p["W_d"], p["C"], p["c"]], "lr": lr}],
            betas=ADAM_BETAS, eps=ADAM_EPSILON)

    def losses(self, x, y):
        """(total, reconstruction, L1, classification), batch means."""
        torch, p = self.torch, self.p
        u = x @ p["W_e"].t()                               # (E1) once
        z = torch.relu(u - p["theta"])                     # z_1
        for _ in range(1, ITERATIONS):                     # z_2 .. z_T
            z = torch.relu(u + z @ p["S"].t() - p["theta"])
        recon = 0.5 * (z @ p["W_d"].t() - x).pow(2).sum(1).mean()        # (L1)
        l1 = z.abs().sum(1).mean()                                       # (L2)
        zhat = z / torch.sqrt((z * z).sum(1, keepdim=True) + CODE_NORM_EPSILON)
        logits = zhat @ p["C"].t() + p["c"]
        cls = torch.nn.functional.cross_entropy(logits, y)              # (L4)
        return recon + L1_WEIGHT * l1 + CLASS_WEIGHT * cls, recon, l1, cls

    def step(self, x, y):
        """One training step; the loss before the update, as a float."""
        loss = self.losses(x, y)[0]
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with self.torch.no_grad():                         # (C1)
            wd, wc = self.p["W_d"], self.p["C"]
            wd.mul_((DECODER_MAX_NORM / wd.norm(dim=0, keepdim=True)).clamp(max=1.0))
            wc.mul_((CLASSIFIER_MAX_NORM / wc.norm(dim=1, keepdim=True)).clamp(max=1.0))
        return loss.item()

    def weights(self):
        """Copies of the weights, shaped as Library.weights() gives them."""
        return {name: t.detach().numpy().copy().reshape(-1, 1) if name in ("theta", "c")
                else t.detach().numpy().copy() for name, t in self.p.items()}


# --------------------------------------------------------------------------
# What a worker reports about its process

def loaded_objects(fragment):
    """Paths of the shared objects mapped in this process whose name holds
    `fragment`."""
    paths = set()
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and fragment in os.path.basename(fields[5]):
                paths.add(fields[5])
    return sorted(paths)


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def symbol_owner(library, symbol):
    """The file of the shared object that `symbol` resolves to when looked
    up from `library` (dlsym, then dladdr)."""
    try:
        address = ctypes.cast(getattr(ctypes.CDLL(library), symbol), ctypes.c_void_p)
    except (OSError, AttributeError):
        return None
    info = DlInfo()
    if ctypes.CDLL(None).dladdr(address, ctypes.byref(info)) == 0:
        return None
    path = info.dli_fname.decode()
    real = os.path.realpath(path)
    return path if real == path else "%s -> %s" % (path, real)


def openblas_report():
    """Kernel, thread count and path of the libopenblas mapped here, and
    the files of all of them (one expected: libsparsecode and torch's
    libblas.so.3 both link libopenblas.so.0)."""
    paths = loaded_objects("libopenblas")
    if not paths:
        return {"openblas": None, "openblas_files": []}
    ob = ctypes.CDLL(paths[0])
    ob.openblas_get_corename.restype = ctypes.c_char_p
    return {"openblas": paths[0], "corename": ob.openblas_get_corename().decode(),
            "openblas_threads": ob.openblas_get_num_threads(),
            "openblas_files": sorted({os.path.realpath(p) for p in paths})}


# --------------------------------------------------------------------------
# Timing (in the workers)

def take_turns(steppers, warmup, steps, window):
    """Times the sides in `steppers` (name -> step(i), which takes training
    step i and returns its loss) in this process.  First `warmup` untimed
    steps of each side, one side after the other; then the sides take
    turns, in the order given, of `window` timed steps each (the last turn
    shorter if `window` does not divide `steps`) until each side has done
    `steps`.  A single side thus runs its steps back to back.  Returns, per
    side, the duration of each timed step in seconds and its loss; the
    time between one side's turn and the next (one clock reading) is
    counted for neither."""
    for step in steppers.values():
        for i in range(warmup):
            step(i)
    clock = time.perf_counter
    durations = {name: [] for name in steppers}
    losses = {name: [] for name in steppers}
    for start in range(warmup, warmup + steps, window):
        end = min(start + window, warmup + steps)
        for name, step in steppers.items():
            d, l = durations[name], losses[name]
            before = clock()
            for i in range(start, end):
                l.append(step(i))
                now = clock()
                d.append(now - before)
                before = now
    return durations, losses


def import_torch(threads):
    import torch
    default = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    return torch, default


def worker_timing(a, sides):
    """Times `sides` ("lib", "torch" or both, in that order of turns) in
    this process.  Each side has its own model and optimiser state, both
    from the library's initial weights (sc_model_init_data, seed SEED), and
    takes the same batches."""
    torch = import_torch(a.torch_threads)[0] if "torch" in sides else None
    x, y = load_training_set(a.data, a.seed)
    model = Library(a.lib, a.lr, x)
    steppers = {}
    if "lib" in sides:
        row_x, row_y = N_INPUTS * x.itemsize, y.itemsize
        x0, y0 = x.ctypes.data, y.ctypes.data
        steppers["lib"] = lambda i: model.step(x0 + batch_start(i, len(x)) * row_x,
                                               y0 + batch_start(i, len(x)) * row_y)
    if "torch" in sides:
        net = TorchDrSAE(torch, model.weights(), a.lr)  # before any library step
        xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

        def torch_step(i):
            r = batch_start(i, len(x))
            return net.step(xt[r:r + BATCH], yt[r:r + BATCH])
        steppers["torch"] = torch_step
    durations, losses = take_turns(steppers, a.warmup, a.steps, a.window)
    out = openblas_report()
    out.update(torch_threads=torch.get_num_threads() if torch else None,
               sides={name: {"durations": durations[name],
                             "final_loss": float(np.mean(losses[name][-100:]))}
                      for name in steppers})
    model.free()
    return out


# --------------------------------------------------------------------------
# The other workers

def worker_check(a):
    """CHECK_STEPS steps of both sides from the same weights, in one
    process; the losses of each step and the relative difference of each
    array's update."""
    torch, _ = import_torch(1)
    x, y = load_training_set(a.data, a.seed)
    lib = Library(a.lib, CHECK_LR, x)
    start = lib.weights()
    net = TorchDrSAE(torch, start, CHECK_LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    steps = []
    for i in range(CHECK_STEPS):
        r = batch_start(i, len(x))
        lib.step(x[r:].ctypes.data, y[r:].ctypes.data)
        s = lib.stats
        lib_terms = [s.loss, s.recon, s.l1, s.classification]
        xb, yb = xt[r:r + BATCH], yt[r:r + BATCH]
        with torch.no_grad():   # the terms, for the printout; step() then recomputes
            torch_terms = [float(v) for v in net.losses(xb, yb)]
        torch_terms[0] = net.step(xb, yb)
        steps.append({"lib": lib_terms, "torch": torch_terms})
    end_lib, end_torch = lib.weights(), net.weights()
    updates = {}
    for name in SC_WEIGHTS:
        d_lib = end_lib[name].astype(np.float64) - start[name]
        d_torch = end_torch[name].astype(np.float64) - start[name]
        norm = np.linalg.norm(d_lib)
        updates[name] = float(np.linalg.norm(d_lib - d_torch) / norm) if norm > 0 else 0.0
    lib.free()
    return {"steps": steps, "updates": updates}


def worker_probe(a):
    """What the timing workers will run on: torch's default threads, where
    torch's sgemm_ comes from, OpenBLAS's kernel, the library's BLAS."""
    torch, default_threads = import_torch(None)
    lib = ctypes.CDLL(a.lib)
    lib.sc_blas_name.restype = lib.sc_version_string.restype = ctypes.c_char_p
    libtorch = loaded_objects("libtorch_cpu")
    out = openblas_report()
    out.update(torch_version=torch.__version__, torch_default_threads=default_threads,
               sgemm_owner=symbol_owner(libtorch[0], "sgemm_") if libtorch else None,
               blas_name=lib.sc_blas_name().decode(),
               lib_version=lib.sc_version_string().decode())
    return out


WORKERS = {"pair": lambda a: worker_timing(a, ("lib", "torch")),
           "lib": lambda a: worker_timing(a, ("lib",)),
           "torch": lambda a: worker_timing(a, ("torch",)),
           "check": worker_check, "probe": worker_probe}


# --------------------------------------------------------------------------
# The driver

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def run_worker(a, kind, blas_threads, torch_threads=None):
    """Runs this script as `--worker kind` with OPENBLAS_NUM_THREADS =
    blas_threads (and no other thread variable) and returns its report."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind,
           "--lib", a.lib, "--data", a.data, "--lr", repr(a.lr),
           "--seed", str(a.seed), "--steps", str(a.steps), "--warmup", str(a.warmup),
           "--window", str(a.window)]
    if torch_threads is not None:
        cmd += ["--torch-threads", str(torch_threads)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("compare_torch: worker %s failed (status %d)" % (kind, proc.returncode))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check(a, nproc):
    """The correctness guard; exits if the two sides disagree."""
    r = run_worker(a, "check", nproc)
    print("check: %d steps from the same initial weights at lr %g "
          "(loss = recon + %g l1 + %g class):"
          % (CHECK_STEPS, CHECK_LR, L1_WEIGHT, CLASS_WEIGHT))
    worst = 0.0
    for i, s in enumerate(r["steps"]):
        rel = abs(s["lib"][0] - s["torch"][0]) / abs(s["lib"][0])
        worst = max(worst, rel)
        print("  step %d  loss lib %.8f  torch %.8f  rel.diff %.1e   "
              "(recon %.6f/%.6f  l1 %.4f/%.4f  class %.6f/%.6f)"
              % (i + 1, s["lib"][0], s["torch"][0], rel, s["lib"][1], s["torch"][1],
                 s["lib"][2], s["torch"][2], s["lib"][3], s["torch"][3]))
    print("  update W_%d - W_0, |dW_lib - dW_torch| / |dW_lib|: %s"
          % (CHECK_STEPS, "  ".join(
              "%s %.1e%s" % (k, v, " (not checked)" if k in CHECK_UPDATE_SKIP else "")
              for k, v in r["updates"].items())))
    bad = {k: "%.1e" % v for k, v in r["updates"].items()
           if k not in CHECK_UPDATE_SKIP and v > CHECK_UPDATE_RTOL}
    if worst > CHECK_LOSS_RTOL or bad:
        sys.exit("compare_torch: CHECK FAILED: libsparsecode and the PyTorch step "
                 "disagree (worst loss difference %.1e, tolerance %.0e; updates "
                 "beyond %.0e: %s), so the timing would not compare the same model"
                 % (worst, CHECK_LOSS_RTOL, CHECK_UPDATE_RTOL, bad or "none"))
    print("  OK: losses within %.0e (worst %.1e), updates within %.0e"
          % (CHECK_LOSS_RTOL, worst, CHECK_UPDATE_RTOL))


def settings_to_run(names, nproc, torch_default):
    """(name, OPENBLAS_NUM_THREADS, torch threads or None for the default).
    torch-nproc is left out when it is torch's default (torch-default)."""
    table = {"fair": (nproc, 1), "torch-default": (nproc, None),
             "torch-nproc": (nproc, nproc), "one-thread": (1, 1)}
    out = []
    for name in names:
        if name == "torch-nproc" and torch_default == nproc:
            print("setting torch-nproc skipped: %d threads is torch's default here"
                  % nproc)
            continue
        out.append((name,) + table[name])
    return out


def samples_per_s(durations):
    return len(durations) * BATCH / sum(durations)


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def measure(a, name, blas, threads, sequential):
    """Runs one setting; returns its figures, per side and compared."""
    if sequential:
        lib_run = run_worker(a, "lib", blas)
        torch_run = run_worker(a, "torch", blas, threads)
        runs = {"lib": lib_run, "torch": torch_run}
        sides = {"lib": lib_run["sides"]["lib"], "torch": torch_run["sides"]["torch"]}
    else:
        run = run_worker(a, "pair", blas, threads)
        runs = {"lib": run, "torch": run}
        sides = run["sides"]
    r = {"name": name, "blas": blas, "runs": runs, "sides": sides}
    for side in sides.values():
        d = side["durations"]
        w = min(BLOCK, len(d))
        side.update(rate=samples_per_s(d), rate_first=samples_per_s(d[:w]),
                    rate_last=samples_per_s(d[-w:]),
                    blocks=[samples_per_s(d[i:i + BLOCK])
                            for i in range(0, len(d), BLOCK)],
                    windows=[sum(d[i:i + a.window])
                             for i in range(0, len(d), a.window)])
    lib, tor = sides["lib"], sides["torch"]
    # Both sides take the same number of steps in turn k, so their rate
    # ratio is the inverse ratio of the turns' times.  (With --sequential
    # the "pairs" are not adjacent in time, and are not printed.)
    pairs = [t / l for l, t in zip(lib["windows"], tor["windows"])]
    r.update(ratio=lib["rate"] / tor["rate"], pair_median=median(pairs),
             pair_min=min(pairs), pair_max=max(pairs), pairs=len(pairs))
    return r


def print_setting(a, r, torch_default, sequential):
    runs, lib, tor = r["runs"], r["sides"]["lib"], r["sides"]["torch"]
    torch_threads = runs["torch"]["torch_threads"]
    if sequential:
        how = ("sequential: each side in a process of its own, one after the "
               "other (openblas_get_num_threads: lib process %d, torch process %d)"
               % (runs["lib"]["openblas_threads"], runs["torch"]["openblas_threads"]))
    else:
        how = ("interleaved in one process (openblas_get_num_threads %d), turns of "
               "%d steps, libsparsecode first in each pair"
               % (runs["lib"]["openblas_threads"], a.window))
    print("setting %s: OPENBLAS_NUM_THREADS=%d, torch threads %d%s; %s"
          % (r["name"], r["blas"], torch_threads,
             " (torch's default)" if torch_threads == torch_default else "", how))
    blas_files = set(runs["lib"]["openblas_files"] + runs["torch"]["openblas_files"])
    if len(blas_files) > 1:
        print("  WARNING: the two sides do not share one libopenblas: %s"
              % ", ".join(sorted(blas_files)))
    first, last = a.warmup + 1, a.warmup + a.steps
    for label, s in (("libsparsecode", lib), ("PyTorch", tor)):
        ends = (" (first %d steps %.0f, last %d %.0f)"
                % (BLOCK, s["rate_first"], BLOCK, s["rate_last"])
                if a.steps > BLOCK else "")
        print("  %-13s %7.0f samples/s over steps %d-%d%s; mean loss of the "
              "last 100 steps %.5f" % (label, s["rate"], first, last, ends,
                                       s["final_loss"]))
    if len(lib["blocks"]) > 1:
        starts = range(first, last + 1, BLOCK)
        rows = [("steps", ["%d-%d" % (b, min(b + BLOCK - 1, last)) for b in starts]),
                ("libsparsecode", ["%.0f" % v for v in lib["blocks"]]),
                ("PyTorch", ["%.0f" % v for v in tor["blocks"]])]
        if not sequential:     # blocks of the same turns when --window divides BLOCK
            rows.append(("ratio", ["%.2f" % (l / t) for l, t
                                   in zip(lib["blocks"], tor["blocks"])]))
        print("  samples/s by blocks of %d steps:" % BLOCK)
        for label, cells in rows:
            print("    %-13s%s" % (label, "".join("%10s" % c for c in cells)))
    if sequential:
        print("  ratio libsparsecode/PyTorch = %.2f (overall; the two sides ran at "
              "different times)" % r["ratio"])
    else:
        print("  ratio libsparsecode/PyTorch: median of %d window pair%s %.2f (range "
              "%.2f-%.2f), overall %.2f"
              % (r["pairs"], "s" if r["pairs"] > 1 else "", r["pair_median"],
                 r["pair_min"], r["pair_max"], r["ratio"]))


def main():
    ap = argparse.ArgumentParser(
        description="Times libsparsecode's DrSAE training step against the same "
        "step in PyTorch, interleaved (see the module docstring).")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--steps", type=int, default=3000,
                    help="timed steps per side and setting (default 3000)")
    ap.add_argument("--warmup", type=int, default=20,
                    help="untimed steps per side before them (default 20)")
    ap.add_argument("--window", type=int, default=WINDOW,
                    help="steps per turn of each side (default %d)" % WINDOW)
    ap.add_argument("--sequential", action="store_true",
                    help="the old way: each side in its own process, one after "
                    "the other (exposed to the machine's slow spells)")
    ap.add_argument("--settings", default=",".join(SETTINGS),
                    help="which thread settings, comma-separated, from %s"
                    % ",".join(SETTINGS))
    ap.add_argument("--lr", type=float, default=1e-3,
                    help="Adam learning rate (default 1e-3, examples/drsae.c's)")
    ap.add_argument("--seed", type=int, default=SEED, help="batch order")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                    help="directory of the Fashion-MNIST IDX files")
    ap.add_argument("--lib", default=os.path.normpath(
        os.path.join(here, os.pardir, "lib", "libsparsecode.so")),
                    help="the library (default: the build tree's lib/)")
    ap.add_argument("--no-check", action="store_true",
                    help="skip the correctness guard")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--torch-threads", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.worker:
        print(json.dumps(WORKERS[a.worker](a)))
        return
    if a.steps < 1 or a.warmup < 0 or a.window < 1:
        sys.exit("compare_torch: --steps and --window must be >= 1 and --warmup >= 0")
    names = [s for s in a.settings.split(",") if s]
    unknown = [s for s in names if s not in SETTINGS]
    if unknown or not names:
        sys.exit("compare_torch: unknown setting(s) %s; choose from %s"
                 % (",".join(unknown) or "(none)", ",".join(SETTINGS)))
    if not os.path.exists(a.lib):
        sys.exit("compare_torch: %s not found (run make first, or give --lib)" % a.lib)

    nproc = len(os.sched_getaffinity(0))
    probe = run_worker(a, "probe", nproc)
    torch_default = probe["torch_default_threads"]
    print("cpu: %s, %d cores available" % (cpu_model(), nproc))
    print("libsparsecode %s: %s, %s" % (probe["lib_version"], a.lib, probe["blas_name"]))
    print("torch %s: default intra-op threads %d; its sgemm_ is in %s"
          % (probe["torch_version"], torch_default, probe["sgemm_owner"]))
    print("OpenBLAS: %s, kernel %s (openblas_get_corename)"
          % (probe["openblas"], probe["corename"]))
    print("model: DrSAE %d-%d, T = %d, relu, batch %d, recon + %g l1 + %g class, "
          "Adam lr %g (W_e, theta /%d; S /%d), clip W_d cols %g, C rows %g"
          % (N_INPUTS, N_UNITS, ITERATIONS, BATCH, L1_WEIGHT, CLASS_WEIGHT, a.lr,
             ITERATIONS, ITERATIONS - 1, DECODER_MAX_NORM, CLASSIFIER_MAX_NORM))
    if not a.no_check:
        check(a, nproc)
    print("timing: %d warm-up steps, then %d timed steps per side and setting%s; %s"
          % (a.warmup, a.steps,
             "" if a.steps >= 3000 else " (fewer than 3000: not the headline figures)",
             "sequential" if a.sequential else
             "interleaved, turns of %d steps" % a.window))

    results = []
    for name, blas, threads in settings_to_run(names, nproc, torch_default):
        r = measure(a, name, blas, threads, a.sequential)
        print_setting(a, r, torch_default, a.sequential)
        results.append(r)

    print("summary (samples/s over %d steps%s):"
          % (a.steps, ", sequential" if a.sequential else ""))
    pair_head = () if a.sequential else ("median pair", "pair range")
    print("  %-14s %9s %14s %9s %7s" % ("setting", "OpenBLAS", "libsparsecode",
                                        "PyTorch", "ratio")
          + "".join(" %12s" % h for h in pair_head))
    for r in results:
        line = ("  %-14s %9d %14.0f %9.0f %7.2f"
                % (r["name"], r["blas"], r["sides"]["lib"]["rate"],
                   r["sides"]["torch"]["rate"], r["ratio"]))
        if not a.sequential:
            line += " %12.2f %12s" % (r["pair_median"], "%.2f-%.2f"
                                      % (r["pair_min"], r["pair_max"]))
        print(line)


if __name__ == "__main__":
    main()
