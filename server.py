"""The app's server: Streamlit's own (``st.App``) serving the pages of ``app.py`` and, beside them, the parcel
layer's vector tiles (:data:`geo.io.tiles.ROUTE`) — no separate tile server to install.

    streamlit run server.py
"""

from __future__ import annotations

import anyio
import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.io import tiles


async def tile(request: Request) -> Response:
    """One vector tile (or a message naming what is wrong with its address), read off the event loop."""
    p = request.path_params
    answer = await anyio.to_thread.run_sync(tiles.respond, p["key"], p["z"], p["x"], p["y"])
    return Response(answer.body, status_code=answer.status, headers=answer.headers)


tiles.mount()
app = st.App("app.py", routes=[Route(tiles.ROUTE, tile, methods=["GET"])])
