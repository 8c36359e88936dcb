# SPDX-License-Identifier: BSD-2-Clause
"""The values of the header's enums, other than the parameter ids.

The numbers are written explicitly in include/sparsecode.h and are part of
the ABI (docs/abi.md): they never change.  This is the package's one copy
of them; python/tests/test_enums.py checks every number against the
header.  Parameter ids are NOT here: they come from the library's own name
table (sc_model_param_from_name and its solver and dictionary twins).
"""

#: sc_status: value -> (C name, exception class name in _errors)
STATUS = {
    0: "SC_OK",
    1: "SC_ERR_NULL",
    2: "SC_ERR_SIZE",
    3: "SC_ERR_PARAM",
    4: "SC_ERR_RANGE",
    5: "SC_ERR_STATE",
    6: "SC_ERR_NOMEM",
    7: "SC_ERR_NONFINITE",
    8: "SC_ERR_IO",
    9: "SC_ERR_FORMAT",
    10: "SC_ERR_VERSION",
}

# Each table below maps the Python spelling (the C name without its
# prefix, in lower case) to the C value; the header's prefix is the
# table's key in HEADER_PREFIX.
SHRINK = {"relu": 0, "soft": 1}
ENCODER = {"lista": 0, "lcod": 1}
GROUP_LAYOUT = {"none": 0, "contiguous": 1, "topographic": 2}
OPTIMIZER = {"sgd": 0, "adam": 1}
WEIGHT = {"encoder": 1, "lateral": 2, "threshold": 3, "decoder": 4,
          "classifier": 5, "class_bias": 6}
CONTENTS = {"full": 0, "inference": 1}
SOLVER_METHOD = {"ista": 0, "fista": 1, "cod": 2, "cd_active": 3, "omp": 4,
                 "lars": 5}
DICTIONARY_METHOD = {"online": 0, "sgd": 1}

#: The C prefix of each table's constants (for the header test).
HEADER_PREFIX = {
    "SHRINK": "SC_SHRINK_",
    "ENCODER": "SC_ENCODER_",
    "GROUP_LAYOUT": "SC_GROUP_LAYOUT_",
    "OPTIMIZER": "SC_OPTIMIZER_",
    "WEIGHT": "SC_WEIGHT_",
    "CONTENTS": "SC_MODEL_CONTENTS_",
    "SOLVER_METHOD": "SC_SOLVER_METHOD_",
    "DICTIONARY_METHOD": "SC_DICTIONARY_METHOD_",
}

#: Which parameters (by their name in the library's table) take the values
#: of which table, per handle kind: such a parameter may be given by name,
#: e.g. Model(..., shrink="soft").
ENUM_PARAMS = {
    "model": {"shrink": SHRINK, "encoder": ENCODER,
              "group_layout": GROUP_LAYOUT, "optimizer": OPTIMIZER},
    "solver": {"method": SOLVER_METHOD, "group_layout": GROUP_LAYOUT},
    "dictionary": {"method": DICTIONARY_METHOD,
                   "solver_method": SOLVER_METHOD},
}
