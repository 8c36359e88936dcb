# SPDX-License-Identifier: BSD-2-Clause
"""The package's one table of enum values (sparsecode._enums) against the
explicit numbers of include/sparsecode.h, and the parameter names against
the library's table."""
import os
import re

import pytest

import sparsecode as sc
from sparsecode import _enums, _errors

from conftest import HEADER, needs

pytestmark = pytest.mark.skipif(not os.path.exists(HEADER),
                                reason="not run from a checkout")


def header_constants():
    """Every `SC_NAME = number` of the header's enums."""
    with open(HEADER) as f:
        text = f.read()
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^\s*(SC_[A-Z0-9_]+)\s*=\s*(\d+)\s*,?",
                                 text, re.M)}


def test_every_status_number_and_class_matches_the_header():
    consts = header_constants()
    statuses = {k: v for k, v in consts.items()
                if k == "SC_OK" or k.startswith("SC_ERR_")}
    assert statuses == {name: code for code, name in _enums.STATUS.items()}
    for code, cls in _errors.ERRORS.items():
        assert consts[cls.status] == code


@pytest.mark.parametrize("table", sorted(_enums.HEADER_PREFIX))
def test_every_enum_table_matches_the_header(table):
    prefix = _enums.HEADER_PREFIX[table]
    consts = header_constants()
    in_header = {k[len(prefix):].lower(): v for k, v in consts.items()
                 if k.startswith(prefix)}
    assert getattr(_enums, table) == in_header


@pytest.mark.parametrize("kind,prefix", [
    (sc.Model, "SC_MODEL_PARAM_"), (sc.Solver, "SC_SOLVER_PARAM_"),
    (sc.DictionaryLearner, "SC_DICTIONARY_PARAM_")])
@needs("sc_model_param_name")
def test_parameter_names_come_from_the_library_and_match_the_header(kind, prefix):
    # The names the library's table gives are the header's names without
    # the prefix, in lower case (the header's contract), every one of them.
    header = {k[len(prefix):].lower() for k in header_constants()
              if k.startswith(prefix)}
    assert set(kind.param_names()) == header
