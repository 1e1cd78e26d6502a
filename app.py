"""科学城规划一张图 — the frame of the app: page config, the plan data, the language and the pages.

Each page is one module of ``ui/`` with its own URL path: the planning map at ``/``
(:mod:`ui.planner`), investment promotion at ``/promoter`` (:mod:`ui.promoter`), boundary
maintenance at ``/boundaries`` (:mod:`ui.boundaries`), the audit trail at ``/audit`` (:mod:`ui.audit_view`,
admins only). Which pages exist depends on the user (:mod:`ui.auth`): with sign-in configured, nobody signed in
sees only the sign-in page. Links from before the pages had paths (``?mode=promoter``, ``?mode=edit``) open the
page they meant, with their other parameters.

    streamlit run app.py
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from geo import i18n
from ui import audit_view, auth, boundaries, guard, planner, promoter, state, urlstate
from ui.data import AppData, app_data

# page name → (the page's function, its URL path, the key of its title in i18n.STRINGS). No bare strings at the
# top level of this file: Streamlit's "magic" would write them on every page.
PAGES: dict[str, tuple[Callable[[AppData, str], None], str, str]] = {
    "planner": (planner.page, "planner", "mode_planner"),  # the default page: served at /
    "promoter": (promoter.page, "promoter", "mode_promoter"),
    "boundaries": (boundaries.page, "boundaries", "mode_edit"),
    "audit": (audit_view.page, "audit", "mode_audit"),  # admins only (ui.auth.NEEDS)
}


def language() -> str:
    """The language picker (the first run takes it from the link); returns the language."""
    with st.sidebar:
        # one bilingual label in both languages: a label that followed the language would make the radio a new
        # widget on the switch, and the switch could be lost
        st.radio(i18n.t("language"), list(i18n.LANGS), key="lang", horizontal=True,
                 format_func=lambda code: i18n.t("language_name", code))
    return st.session_state["lang"]


def pages(app: AppData, lang: str, user: auth.User) -> dict[str, st.Page]:
    """The pages the user may open, titled in the language (only the sign-in page for nobody signed in)."""
    if user.mode == "signed_out":
        return {"signin": st.Page(partial(auth.sign_in_page, lang), title=i18n.t("mode_signin", lang),
                                  url_path="signin", default=True)}
    return {name: st.Page(partial(guard.guarded(run), app, lang), title=i18n.t(title, lang), url_path=path, default=name == "planner")
            for name, (run, path, title) in PAGES.items() if user.can(auth.NEEDS[name])}


def follow_old_link(by_name: dict[str, st.Page]) -> None:
    """Send a link with ``?mode=`` to the page it means, keeping its other parameters."""
    target, rest = urlstate.legacy_page({k: st.query_params.get(k) for k in st.query_params})
    if target in by_name:
        st.switch_page(by_name[target], query_params=rest)


def main() -> None:
    """One run of the app: frame, then the page the URL names."""
    st.set_page_config(page_title=i18n.t("page_title"), layout="wide", page_icon="🗺️")
    state.init_from_url()
    lang = language()
    state.restore(lang)
    user = auth.current()
    auth.sidebar(user, lang)
    auth.record_sign_in(user, lang)
    app = app_data(lang)
    by_name = pages(app, lang, user)
    current = st.navigation(list(by_name.values()))
    follow_old_link(by_name)
    current.run()
    state.commit(lang)  # only a run that completed keeps its widget values (see ui.state)


main()
