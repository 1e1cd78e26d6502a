"""The one missing-value test: a figure the plan does not give stays missing (never 0).

Tables keep a missing number as NaN (or ``pd.NA`` in nullable integer columns) and a missing text
as ""; a value taken out of a table is tested with :func:`is_missing` (numbers) or
:func:`is_blank` (cells that may be text).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def is_missing(v: Any) -> bool:
    """Whether a scalar is a missing value: None, NaN (float or numpy), ``pd.NA`` or ``pd.NaT``.

    Parameters
    ----------
    v : Any
        One cell.

    Returns
    -------
    bool
        False for every real value, including 0 and "".
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def is_blank(v: Any) -> bool:
    """Whether a cell shows nothing: missing (:func:`is_missing`) or the empty string.

    Parameters
    ----------
    v : Any
        One cell.

    Returns
    -------
    bool
    """
    return is_missing(v) or (isinstance(v, str) and v == "")
