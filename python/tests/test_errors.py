# SPDX-License-Identifier: BSD-2-Clause
"""Statuses become exceptions of the right class, with the status's name
and the library's own message; the failed call changes nothing."""
import numpy as np
import pytest

import sparsecode as sc

from conftest import make_data, needs


def raises(cls, call, *words):
    with pytest.raises(cls) as e:
        call()
    err = e.value
    assert isinstance(err, sc.SparseCodeError)
    assert err.status == cls.status and err.code == cls.code
    assert str(err).startswith(cls.status + ": ")
    for w in words:
        assert w in err.message, (w, err.message)
    return err


def test_unknown_parameter_name_is_a_parameter_error():
    m = sc.Model(4, 2)
    raises(sc.ParameterError, lambda: m.set(l1_wieght=0.1), "l1_wieght")
    raises(sc.ParameterError, lambda: sc.Model(4, 2, iteration=3), "iteration")


def test_value_out_of_bounds_is_a_range_error_and_the_value_stays():
    m = sc.Model(4, 2, l1_weight=0.3)
    raises(sc.RangeError, lambda: m.set(l1_weight=-1.0), "sc_model_set",
           "L1_WEIGHT")
    assert m.get("l1_weight") == pytest.approx(0.3)
    raises(sc.RangeError, lambda: m.set(iterations=2.5), "ITERATIONS")
    raises(sc.RangeError, lambda: m.set(learning_rate=float("nan")))


def test_zero_sizes_are_size_errors():
    raises(sc.SizeError, lambda: sc.Model(0, 4), "sc_model_create")
    raises(sc.SizeError, lambda: sc.DictionaryLearner(3, 0))


def test_encode_before_init_is_a_state_error():
    m = sc.Model(4, 2)
    raises(sc.StateError, lambda: m.encode(np.ones((1, 4), np.float32)),
           "sc_model_encode")


def test_structural_parameter_after_init_is_a_state_error(rng):
    m = sc.Model(16, 8, iterations=3)
    m.init_random(1)
    assert sc.Model.is_structural("iterations")
    assert not sc.Model.is_structural("learning_rate")
    raises(sc.StateError, lambda: m.set(iterations=5), "ITERATIONS")
    assert m.get("iterations") == 3
    m.set(learning_rate=0.5)  # a training parameter may change at any time


def test_label_out_of_range_is_a_range_error_and_the_model_is_unchanged(model, data, labels):
    before = model.to_bytes()
    bad = labels.copy()
    bad[7] = 3  # classes = 3
    raises(sc.RangeError, lambda: model.step(data, labels=bad), "label")
    assert model.to_bytes() == before


def test_nan_input_is_a_nonfinite_error(model, data, labels):
    before = model.to_bytes()
    x = data.copy()
    x[2, 5] = np.nan
    raises(sc.NonFiniteError, lambda: model.encode(x))
    raises(sc.NonFiniteError, lambda: model.step(x, labels=labels))
    assert model.to_bytes() == before


def test_predict_without_classifier_is_a_state_error(data):
    m = sc.Model(16, 8)
    m.init_random(2)
    raises(sc.StateError, lambda: m.predict(data))


def test_missing_file_is_an_io_error(tmp_path):
    raises(sc.FileIOError, lambda: sc.Model.load(str(tmp_path / "none.scm")),
           "none.scm")


def test_saving_into_a_missing_directory_is_an_io_error(model, tmp_path):
    raises(sc.FileIOError, lambda: model.save(str(tmp_path / "no" / "m.scm")))


def test_damaged_file_is_a_format_error(model, tmp_path):
    data = bytearray(model.to_bytes())
    data[len(data) // 2] ^= 0x10
    raises(sc.FormatError, lambda: sc.Model.from_bytes(bytes(data)))
    path = tmp_path / "bad.scm"
    path.write_bytes(b"not a model at all")
    raises(sc.FormatError, lambda: sc.Model.load(str(path)))


def test_solver_errors(rng):
    raises(sc.RangeError, lambda: sc.Solver(np.zeros((4, 3))), "zero")
    d = rng.standard_normal((8, 6))
    raises(sc.NonFiniteError, lambda: sc.Solver(d * np.inf))
    # parameters are set in the order given: the size before the layout
    with sc.Solver(d, method="cd_active", group_size=2,
                   group_layout="contiguous", group_weight=0.1) as s:
        raises(sc.StateError, lambda: s.encode(make_data(rng, 2, 8)))


def test_closed_handles_refuse_calls(data):
    m = sc.Model(16, 8)
    m.init_random(1)
    m.close()
    m.close()  # idempotent
    assert m.closed
    with pytest.raises(ValueError, match="closed"):
        m.encode(data)


def test_messages_are_per_thread_and_read_after_the_failing_call():
    import threading
    seen = {}

    def fail(name):
        try:
            sc.Model(4, 2, **{name: 1})
        except sc.ParameterError as e:
            seen[name] = e.message

    threads = [threading.Thread(target=fail, args=("bogus_%d" % i,))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(n in seen[n] for n in seen) and len(seen) == 8


@needs("sc_model_gradient_apply")
def test_gradient_calls_before_init_are_state_errors(data):
    m = sc.Model(16, 8)
    assert m.gradient_size == 0
    raises(sc.StateError, lambda: m.gradient(data))
    raises(sc.StateError, lambda: m.apply_gradient(np.zeros(1, np.float32)))
