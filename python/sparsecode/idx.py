# SPDX-License-Identifier: BSD-2-Clause
"""Reading MNIST-format (IDX) data sets such as Fashion-MNIST, as the C
examples do (examples/support/idx.c): pixels / 255 in float32, each image
scaled to unit L2 norm (in double)."""
import gzip
import os
import struct

import numpy as np


def read_idx(path):
    """An IDX file of unsigned bytes (gzipped or not) as a numpy array of
    its shape (images: count x rows x cols; labels: count)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError("%s: too short for an IDX file" % path)
    zero, kind, dims = struct.unpack_from(">HBB", raw, 0)
    if zero != 0 or kind != 0x08 or dims < 1:
        raise ValueError("%s: not an IDX file of unsigned bytes" % path)
    shape = struct.unpack_from(">%dI" % dims, raw, 4)
    return np.frombuffer(raw, dtype=np.uint8,
                         offset=4 + 4 * dims).reshape(shape)


def _find(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError("%s[.gz] is not in %s" % (stem, directory))


def normalize_rows(x):
    """Each row of x (float32) scaled to unit L2 norm, as
    idx_normalize_rows: the norm in double, zero rows kept."""
    wide = x.astype(np.float64)
    norms = np.sqrt(np.sum(wide * wide, axis=1, keepdims=True))
    norms[norms == 0] = 1
    return (wide / norms).astype(np.float32)


def load_split(directory, split="train", count=None):
    """(images, labels, (rows, cols)) of `split` ("train" or "t10k"):
    images count x rows*cols float32 of unit norm, labels int32."""
    images = read_idx(_find(directory, "%s-images-idx3-ubyte" % split))
    labels = read_idx(_find(directory, "%s-labels-idx1-ubyte" % split))
    if count is not None:
        images, labels = images[:count], labels[:count]
    x = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    return normalize_rows(x), labels.astype(np.int32), images.shape[1:]
