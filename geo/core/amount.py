"""The one rule for an amount typed or linked by a user (亩, 亿元, a zoom level): a finite number in a range.

A link (``?fmin=…``, ``?land=100~500``, ``?z=…``), a form field or a command-line argument holds text;
:func:`amount` turns it into a number or says, in one short English phrase, why it is not one
(``not a number``, ``not finite``, ``below 0`` …), so every entry point gives the same answer.
"""

from __future__ import annotations

import math

MAX_TEXT = 40
"""Text longer than this is no amount (and is not parsed)."""


class AmountError(ValueError):
    """The text is not an acceptable amount; the message says why."""


def amount(text: object, low: float = 0.0, high: float = 1e12) -> float | None:
    """A finite number within ``[low, high]`` read from text; None for blank text.

    Parameters
    ----------
    text : object
        The user's text (``None`` and "" are blank).
    low, high : float, default 0 and 1e12

    Returns
    -------
    float or None

    Raises
    ------
    AmountError
        ``'x' is not a number``, ``'inf' is not finite``, ``-5 is below 0``, ``… is above …``.
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    shown = s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"
    try:
        x = float(s) if len(s) <= MAX_TEXT else math.nan
    except (ValueError, OverflowError):
        raise AmountError(f"'{shown}' is not a number") from None
    if math.isnan(x):
        raise AmountError(f"'{shown}' is not a number")
    if math.isinf(x):
        raise AmountError(f"'{shown}' is not finite")
    if x < low:
        raise AmountError(f"{x:g} is below {low:g}")
    if x > high:
        raise AmountError(f"{x:g} is above {high:g}")
    return x


def amount_range(text: object, low: float = 0.0, high: float = 1e12) -> tuple[float | None, float | None]:
    """A range ``lo~hi`` (either side may be blank) of :func:`amount` values, ``lo ≤ hi``.

    Parameters
    ----------
    text : object
    low, high : float

    Returns
    -------
    (float or None, float or None)

    Raises
    ------
    AmountError
    """
    lo_text, _, hi_text = str("" if text is None else text).partition("~")
    lo, hi = amount(lo_text, low, high), amount(hi_text, low, high)
    if lo is not None and hi is not None and lo > hi:
        raise AmountError(f"{lo:g}~{hi:g}: the lower bound is above the upper")
    return lo, hi
