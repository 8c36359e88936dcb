# SPDX-License-Identifier: BSD-2-Clause
"""Model: one recurrent sparse auto-encoder (sc_model)."""
import ctypes
import os
from dataclasses import dataclass, fields

import numpy as np

from . import _arrays, _lib
from ._enums import CONTENTS, WEIGHT
from ._errors import call
from ._handle import Handle, ParamTable, new_handle


@dataclass(frozen=True)
class Stats:
    """sc_model_stats: a step's or an evaluation's figures, averaged over
    the batch (a term that is off reads 0)."""
    loss: float
    recon: float
    l1: float
    group: float
    classification: float
    regression: float
    active_fraction: float
    class_error: float

    @classmethod
    def _from_c(cls, s):
        return cls(**{f.name: getattr(s, f.name) for f in fields(cls)})


def _stats_struct():
    s = _lib.ModelStats()
    s.size = ctypes.sizeof(_lib.ModelStats)
    return s


def local_units(channels, height, width, field, stride, maps):
    """k, the number of units of a local model with `maps` units per window
    position (sc_model_local_units)."""
    units = ctypes.c_size_t()
    call("sc_model_local_units", channels, height, width, field, stride, maps,
         ctypes.byref(units))
    return units.value


class Model(Handle):
    """A recurrent sparse auto-encoder.

    ``Model(n_inputs, n_units, **params)`` creates it (sc_model_create) and
    sets the parameters given by their names in the library's table
    (sc_model_param_from_name), e.g. ``iterations=11, l1_weight=0.02,
    classes=10, shrink="soft"``.  Then one of the init_* methods gives it
    weights.  Use it in a ``with`` block or call close() to release it at
    once; otherwise it is released when collected.
    """
    _kind = "model"
    _free = "sc_model_free"
    _params = ParamTable("model")

    def __init__(self, n_inputs, n_units, **params):
        super().__init__(new_handle("sc_model_create", int(n_inputs),
                                    int(n_units)), **params)

    @classmethod
    def _adopt(cls, pointer):
        self = cls.__new__(cls)
        Handle.__init__(self, pointer)
        return self

    @classmethod
    def local(cls, image_shape, field, maps, stride=1, **params):
        """A model with local unshared filters: `image_shape` (channels,
        height, width), windows of `field` x `field` at `stride`, `maps`
        units per position (k from sc_model_local_units)."""
        channels, height, width = (int(v) for v in image_shape)
        k = local_units(channels, height, width, field, stride, maps)
        return cls(channels * height * width, k, local_field=field,
                   local_stride=stride, image_channels=channels,
                   image_height=height, image_width=width, **params)

    # sizes and state
    @property
    def n_inputs(self):
        """n, the input dimension (sc_model_inputs)."""
        return _lib.sc_model_inputs(self._handle)

    @property
    def n_units(self):
        """k, the code dimension (sc_model_units)."""
        return _lib.sc_model_units(self._handle)

    @property
    def initialized(self):
        return bool(_lib.sc_model_is_initialized(self._handle))

    @property
    def steps_taken(self):
        return _lib.sc_model_steps_taken(self._handle)

    @property
    def classes(self):
        return int(self.get("classes"))

    def local_shape(self):
        """(grid_height, grid_width, maps) of a local model's code
        (sc_model_local_shape); unit (row*grid_width + col)*maps + map."""
        h, w, m = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
        call("sc_model_local_shape", self._handle, ctypes.byref(h),
             ctypes.byref(w), ctypes.byref(m))
        return h.value, w.value, m.value

    @staticmethod
    def is_structural(name):
        """Whether the parameter `name` can be set only before init."""
        return bool(_lib.sc_model_param_is_structural(
            Model._params.id(name)))

    # initialisation
    def init_random(self, seed=0):
        """A random decoder from `seed`, the encoder by the ISTA relation
        (sc_model_init_random)."""
        call("sc_model_init_random", self._handle, int(seed))

    def init_dictionary(self, dictionary):
        """W_d = `dictionary` (n x k), the encoder by the ISTA relation
        (sc_model_init_dictionary)."""
        d = _arrays.floats("dictionary", dictionary,
                           (self.n_inputs, self.n_units))
        call("sc_model_init_dictionary", self._handle, _arrays.fp(d))

    def init_data(self, x, seed=0):
        """Decoder columns drawn from the samples `x` (count x n) by `seed`
        (sc_model_init_data)."""
        x = self._inputs(x)
        call("sc_model_init_data", self._handle, _arrays.fp(x), x.shape[0],
             int(seed))

    # checks shared by the calls that take a batch
    def _inputs(self, x, name="x"):
        return _arrays.floats(name, x, ("batch", self.n_inputs))

    def _codes(self, z, name="codes"):
        return _arrays.floats(name, z, ("batch", self.n_units))

    def _batch(self, x, labels, targets, labels_optional=False):
        x = self._inputs(x)
        batch = x.shape[0]
        # What the library would refuse as a NULL pointer, said here.
        if labels is None and not labels_optional and \
                self.get("class_weight") > 0:
            raise ValueError("labels: required when class_weight > 0, "
                             "shape (%d,)" % batch)
        if targets is None and self.get("regression_weight") > 0:
            raise ValueError("targets: required when regression_weight > 0, "
                             "shape (%d, %d)" % (batch, self.n_units))
        if labels is not None:
            labels = _arrays.labels("labels", labels, batch)
        if targets is not None:
            targets = _arrays.floats("targets", targets,
                                     (batch, self.n_units))
        return x, labels, targets, batch

    # training
    def step(self, x, labels=None, targets=None):
        """One minibatch update (sc_model_step); returns its Stats (taken
        before the update).  `labels` are needed with class_weight > 0,
        `targets` (batch x k) with regression_weight > 0."""
        x, labels, targets, batch = self._batch(x, labels, targets)
        stats = _stats_struct()
        call("sc_model_step", self._handle, _arrays.fp(x), _arrays.ip(labels),
             _arrays.fp(targets), batch, ctypes.byref(stats))
        return Stats._from_c(stats)

    def evaluate(self, x, labels=None, targets=None):
        """The Stats a step would report, without training
        (sc_model_evaluate)."""
        x, labels, targets, batch = self._batch(x, labels, targets,
                                                labels_optional=True)
        stats = _stats_struct()
        call("sc_model_evaluate", self._handle, _arrays.fp(x),
             _arrays.ip(labels), _arrays.fp(targets), batch,
             ctypes.byref(stats))
        return Stats._from_c(stats)

    # inference (const calls: any number of threads at once)
    def encode(self, x):
        """The codes z (batch x k, float32) of the inputs x (batch x n)
        (sc_model_encode)."""
        x = self._inputs(x)
        z = np.empty((x.shape[0], self.n_units), dtype=np.float32)
        call("sc_model_encode", self._handle, _arrays.fp(x), x.shape[0],
             _arrays.fp(z))
        return z

    def decode(self, codes):
        """The reconstructions W_d z (batch x n) of codes (batch x k)
        (sc_model_decode)."""
        z = self._codes(codes)
        x = np.empty((z.shape[0], self.n_inputs), dtype=np.float32)
        call("sc_model_decode", self._handle, _arrays.fp(z), z.shape[0],
             _arrays.fp(x))
        return x

    def _predict(self, x, want_labels, want_probs):
        x = self._inputs(x)
        batch = x.shape[0]
        labels = np.empty(batch, dtype=np.int32) if want_labels else None
        probs = None
        if want_probs:
            probs = np.empty((batch, max(self.classes, 1)), dtype=np.float32)
        call("sc_model_predict", self._handle, _arrays.fp(x), batch,
             _arrays.ip(labels), _arrays.fp(probs))
        return labels, probs

    def predict(self, x, probs=False):
        """Class labels (int32, batch) of the inputs (sc_model_predict);
        with probs=True, (labels, probabilities (batch x classes))."""
        labels, p = self._predict(x, True, probs)
        return (labels, p) if probs else labels

    def predict_proba(self, x):
        """Class probabilities (batch x classes, float32)."""
        return self._predict(x, False, True)[1]

    # weights
    def weights(self, name):
        """A read-only copy of one weight array, shaped (rows, cols) as
        sc_model_weights reports it: "encoder" (k x n), "lateral" (k x k),
        "threshold" (k x 1), "decoder" (n x k; local: k x C*r*r),
        "classifier" (classes x k), "class_bias" (classes x 1)."""
        if name not in WEIGHT:
            raise ValueError("weights: %r is not one of %s"
                             % (name, ", ".join(WEIGHT)))
        data = _lib.c_float_p()
        rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
        call("sc_model_weights", self._handle, WEIGHT[name],
             ctypes.byref(data), ctypes.byref(rows), ctypes.byref(cols))
        return _arrays.copy_of(data, (rows.value, cols.value))

    # gradient interface
    @property
    def gradient_size(self):
        """Floats in a gradient buffer (0 before init)."""
        return _lib.sc_model_gradient_size(self._handle)

    def gradient_blocks(self):
        """{weight name: (offset, count)} of the arrays in the buffer."""
        blocks = {}
        offset, count = ctypes.c_size_t(), ctypes.c_size_t()
        for name, which in WEIGHT.items():
            if name in ("classifier", "class_bias") and self.classes == 0:
                continue
            call("sc_model_gradient_block", self._handle, which,
                 ctypes.byref(offset), ctypes.byref(count))
            blocks[name] = (offset.value, count.value)
        return blocks

    def gradient(self, x, labels=None, targets=None, stats=False):
        """The gradient buffer of a batch (sc_model_gradient_compute), the
        weights unchanged; with stats=True, (buffer, Stats)."""
        x, labels, targets, batch = self._batch(x, labels, targets)
        size = self.gradient_size
        if size == 0:  # not initialised: let the library say so
            size = 1
        g = np.empty(size, dtype=np.float32)
        s = _stats_struct()
        call("sc_model_gradient_compute", self._handle, _arrays.fp(x),
             _arrays.ip(labels), _arrays.fp(targets), batch, _arrays.fp(g),
             ctypes.byref(s))
        return (g, Stats._from_c(s)) if stats else g

    def apply_gradient(self, gradient, count=1):
        """One optimiser update from a buffer or the sum of `count` buffers
        (sc_model_gradient_apply)."""
        size = self.gradient_size
        if size == 0:  # not initialised: let the library say so
            g = np.zeros(1, dtype=np.float32)
        else:
            g = _arrays.floats("gradient", gradient, (size,))
        if int(count) < 1:
            raise ValueError("count: the number of buffers summed, >= 1; "
                             "got %r" % count)
        call("sc_model_gradient_apply", self._handle, _arrays.fp(g),
             int(count))

    # files, bytes, copies
    @staticmethod
    def _contents(inference):
        return CONTENTS["inference" if inference else "full"]

    def save(self, path, inference=False):
        """Writes the model to `path` atomically (sc_model_save); with
        inference=True without the optimiser state."""
        call("sc_model_save", self._handle, _fs(path),
             self._contents(inference))

    @classmethod
    def load(cls, path):
        """A model read from `path` (sc_model_load)."""
        return cls._adopt(new_handle("sc_model_load", _fs(path)))

    def to_bytes(self, inference=False):
        """The bytes save() would write (sc_model_save_buffer)."""
        size = ctypes.c_size_t()
        contents = self._contents(inference)
        call("sc_model_save_buffer", self._handle, contents, None, 0,
             ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        call("sc_model_save_buffer", self._handle, contents, buffer,
             size.value, ctypes.byref(size))
        return buffer.raw[:size.value]

    @classmethod
    def from_bytes(cls, data):
        """A model from the bytes of a model file (sc_model_load_buffer)."""
        data = bytes(data)
        return cls._adopt(new_handle("sc_model_load_buffer", data, len(data)))

    def clone(self):
        """An independent copy: parameters, weights, optimiser state
        (sc_model_clone)."""
        out = ctypes.c_void_p()
        call("sc_model_clone", ctypes.byref(out), self._handle)
        return self._adopt(out)

    def __reduce__(self):
        """Pickling (e.g. to hand a model to a multiprocessing worker)
        goes through to_bytes/from_bytes: the whole model, optimiser
        state included; the thread count is not kept (as in files)."""
        if not self.initialized:
            raise TypeError("only an initialised model can be pickled "
                            "(its file format needs weights)")
        return (Model.from_bytes, (self.to_bytes(),))

    def __repr__(self):
        if self.closed:
            return "<sparsecode.Model (closed)>"
        return "<sparsecode.Model %d -> %d units%s>" % (
            self.n_inputs, self.n_units,
            "" if self.initialized else ", not initialised")


def _fs(path):
    """A path as the C string the library takes."""
    return os.fsencode(path)
