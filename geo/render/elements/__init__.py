"""Leaflet elements of the map page, one per module (as folium's plugins): the legend control, the
page's tooltip/popup renderer and its binding on a GeoJSON layer."""
