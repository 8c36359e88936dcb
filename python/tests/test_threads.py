# SPDX-License-Identifier: BSD-2-Clause
"""Threads: ctypes.CDLL releases the GIL for every library call, so
Python threads encode in parallel on one model (a const call).  The
results must equal the serial ones; the timing is printed, not asserted
(the machine may be shared)."""
import threading
import time

import numpy as np

import sparsecode as sc

from conftest import make_data


def run_in_threads(work, count):
    results = [None] * count
    errors = []

    def target(i):
        try:
            results[i] = work(i)
        except BaseException as e:  # reported in the main thread
            errors.append(e)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    assert not errors, errors
    return results, elapsed


def test_two_threads_encoding_on_one_model_match_the_serial_codes(rng, capsys):
    x = [make_data(rng, 2000, 256) for _ in range(2)]
    with sc.Model(256, 256, iterations=20) as m:
        m.init_data(x[0], seed=1)
        start = time.perf_counter()
        serial = [m.encode(a) for a in x]
        serial_time = time.perf_counter() - start
        threaded, threaded_time = run_in_threads(lambda i: m.encode(x[i]), 2)
    for s, t in zip(serial, threaded):
        assert np.array_equal(s, t)
    with capsys.disabled():
        print("\n[threads] two encodes of 2000 x 256 on one model: serial "
              "%.3f s, two threads %.3f s (speed-up %.2f; not asserted)"
              % (serial_time, threaded_time, serial_time / threaded_time))


def test_threads_share_one_solver(rng):
    d = rng.standard_normal((32, 64)).astype(np.float32)
    x = [make_data(rng, 50, 32) for _ in range(4)]
    with sc.Solver(d, method="cd_active", lam=0.1) as s:
        serial = [s.encode(a) for a in x]
        threaded, _ = run_in_threads(lambda i: s.encode(x[i]), 4)
    for a, b in zip(serial, threaded):
        assert np.array_equal(a, b)
