"""The Streamlit pages of the planning map, wired to geo/ (nothing in geo/ imports this package).

- :mod:`ui.planner` — 规划浏览, the planning map at ``/`` (its tabs: :mod:`ui.planner_map`,
  :mod:`ui.planner_tabs`, :mod:`ui.planner_export`);
- :mod:`ui.promoter` — 招商推介 at ``/promoter``;
- :mod:`ui.boundaries` — 数据维护 at ``/boundaries``;
- :mod:`ui.data` — the plan data every page shares (loaded once through the store);
- :mod:`ui.urlstate` — the pages' state in the URL, and old ``?mode=`` links;
- :mod:`ui.state` — the first view from the link, widget values kept across a language switch;
- :mod:`ui.mapcache` — the base map kept across reruns;
- :mod:`ui.labels`, :mod:`ui.basemap`, :mod:`ui.timing` — option labels and column names in the
  page's language, the basemap picker and Tianditu key, per-run timings.

A new page: a module here with ``page(app: AppData, lang: str)``, and one line in ``PAGES`` in app.py.
"""
