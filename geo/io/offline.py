"""GDAL and PROJ without the network: the app reads local files only.

:func:`disable_network` runs when :mod:`geo.io` is imported (the app, the CLI, the import worker), so
every reader and writer — importer, loader, exports — is covered. Three layers:

- :data:`geo.config.GDAL_OFFLINE_OPTIONS`: HTTP through a proxy on the discard port with a one-second
  timeout and no retries, ``/vsicurl/`` limited to a file extension nothing has, no directory listing
  on open;
- a fetch callback (``CPLHTTPSetFetchCallback``, GDAL's documented hook for an alternate network layer)
  that answers every ``CPLHTTPFetch`` — the OSR URL import behind a GeoJSON ``link`` CRS, WFS, remote
  schemas — with an error before libcurl is reached, whatever the ``no_proxy`` environment says;
- PROJ's network (grid downloads) switched off through pyproj.

The importer also refuses remote paths and linked CRS members before GDAL sees a file
(:mod:`geo.io.upload`, :mod:`geo.io.import_worker`).
"""

from __future__ import annotations

import ctypes
import glob
import os

from geo import config

_STATE: dict[str, object] = {}  # the installed callback (kept alive) and whether it is installed


class _HTTPResult(ctypes.Structure):
    """GDAL's ``CPLHTTPResult`` (cpl_http.h)."""

    _fields_ = [("nStatus", ctypes.c_int), ("pszContentType", ctypes.c_void_p), ("pszErrBuf", ctypes.c_void_p),
                ("nDataLen", ctypes.c_int), ("nDataAlloc", ctypes.c_int), ("pabyData", ctypes.c_void_p),
                ("papszHeaders", ctypes.c_void_p), ("nMimePartCount", ctypes.c_int), ("pasMimePart", ctypes.c_void_p)]


_FETCH = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                          ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def _libgdal() -> ctypes.CDLL | None:
    """The GDAL library pyogrio loaded (its bundled copy), or None when it cannot be found."""
    import pyogrio

    here = os.path.dirname(pyogrio.__file__)
    found = sorted(glob.glob(os.path.join(here, os.pardir, "pyogrio.libs", "libgdal*")))
    try:
        return ctypes.CDLL(found[0] if found else "libgdal.so")
    except OSError:
        return None


def _install_refusing_fetch(lib: ctypes.CDLL) -> None:
    lib.VSICalloc.restype, lib.VSICalloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t, ctypes.c_size_t]
    lib.CPLStrdup.restype, lib.CPLStrdup.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    lib.CPLHTTPSetFetchCallback.restype, lib.CPLHTTPSetFetchCallback.argtypes = None, [_FETCH, ctypes.c_void_p]

    def refuse(*_args: object) -> int:
        ptr = lib.VSICalloc(1, ctypes.sizeof(_HTTPResult))  # freed by GDAL (CPLHTTPDestroyResult)
        if ptr:
            res = _HTTPResult.from_address(ptr)
            res.nStatus = 1  # any curl error code: the request failed
            res.pszErrBuf = lib.CPLStrdup(b"network access is disabled in this application")
        return ptr

    callback = _FETCH(refuse)
    lib.CPLHTTPSetFetchCallback(callback, None)
    _STATE["callback"] = callback  # a ctypes callback must outlive its use


def disable_network() -> bool:
    """Switch GDAL's and PROJ's network access off for this process (idempotent).

    Returns
    -------
    bool
        Whether the fetch callback is installed (the configuration options are set in any case).
    """
    if "done" in _STATE:
        return "callback" in _STATE
    import pyogrio
    import pyproj.network

    pyogrio.set_gdal_config_options(dict(config.GDAL_OFFLINE_OPTIONS))
    pyproj.network.set_network_enabled(False)
    lib = _libgdal()
    if lib is not None and hasattr(lib, "CPLHTTPSetFetchCallback"):
        _install_refusing_fetch(lib)
    _STATE["done"] = True
    return "callback" in _STATE
