"""Render folium maps without running their output through Jinja a second time.

branca wraps every rendered script, header and html fragment in `Element(text)`, and `Element`
compiles its text as a Jinja template, rendered again when the page is assembled. Two effects:
- template injection: a feature property "{{ 7*7 }}" comes out of the page as "49", and
  "{{ cycler.__init__.__globals__.os.getcwd() }}" runs Python on the server — the names of an
  uploaded file's features reach the map (tests/render/test_safe_render.py shows both, unpatched);
- cost: Jinja lexes every layer's GeoJSON (0.36 s of a 1,000-parcel rerun; most of plain folium's
  server time at 50,000 parcels).
`install()` (done on import of the package geo.render) makes `Element(text)` built while an element renders
a literal — the text already is rendered output. Templates built outside rendering (folium's own
class and `Div` templates) are compiled as before. `plain_folium()` turns it off for the benchmark's
baseline, which must be folium as shipped. One folium feature relies on the second pass: element
references in a GeoJson style map (fill patterns, `{{'var'}}`); the app does not use them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import types
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import jinja2
from branca import element as _branca

_RENDERING = contextvars.ContextVar("scimap_rendering", default=False)
_DISABLED = contextvars.ContextVar("scimap_plain_folium", default=False)
_EMPTY_MODULE = types.SimpleNamespace()
T = TypeVar("T", bound=type)


class LiteralTemplate:
    """A stand-in for a compiled template whose source is final text."""

    def __init__(self, text: str) -> None:
        self.text = text[:-1] if text.endswith("\n") else text  # as Jinja: one trailing newline dropped
        self.module = _EMPTY_MODULE

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The text itself (the arguments are ignored: there is nothing to fill in).

        Returns
        -------
        str
        """
        return self.text


def _template(source: Any, *args: Any, **kwargs: Any) -> jinja2.Template | LiteralTemplate:
    if _RENDERING.get() and not _DISABLED.get() and isinstance(source, str) and not args and not kwargs:
        return LiteralTemplate(source)
    return jinja2.Template(source, *args, **kwargs)


def _guard(render: Callable[..., str]) -> Callable[..., str]:
    if getattr(render, "_scimap_guarded", False):
        return render

    @functools.wraps(render)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> str:
        token = _RENDERING.set(True)
        try:
            return render(self, *args, **kwargs)
        finally:
            _RENDERING.reset(token)

    guarded._scimap_guarded = True
    return guarded


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def install() -> None:
    """Guard `render` on every branca Element class known now (folium and its plugins imported)."""
    import folium  # noqa: F401  (load the classes to guard)
    import folium.plugins  # noqa: F401
    _branca.Template = _template
    for cls in [_branca.Element, *_all_subclasses(_branca.Element)]:
        if "render" in cls.__dict__:
            cls.render = _guard(cls.__dict__["render"])


def guard_class(cls: T) -> T:
    """Class decorator for Element subclasses defined after :func:`install` that define ``render``.

    Parameters
    ----------
    cls : type
        A branca Element subclass.

    Returns
    -------
    type
        The same class, its ``render`` guarded.
    """
    if "render" in cls.__dict__:
        cls.render = _guard(cls.__dict__["render"])
    return cls


@contextlib.contextmanager
def plain_folium() -> Iterator[None]:
    """Within the block, folium as shipped (re-templating its output), for the benchmark's baseline.

    Yields
    ------
    None
    """
    token = _DISABLED.set(True)
    try:
        yield
    finally:
        _DISABLED.reset(token)
