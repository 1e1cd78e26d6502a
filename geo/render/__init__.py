"""Drawing the plan: Leaflet maps (layers, elements, style, basemaps, vendored assets) and fact sheets.

Importing the package makes every map built with it render safely (:mod:`geo.render.safe_render`):
rendered output is never run through Jinja a second time, and every layer control writes layer names as
text (:mod:`geo.render.elements.layercontrol`).
"""

from geo.render import safe_render

safe_render.install()

from geo.render.elements import layercontrol  # noqa: E402  (after install: its class is guarded as defined)

layercontrol.install()
