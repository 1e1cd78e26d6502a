"""Sign-in and roles: who is using the app, what they may do, and recording what they did.

Three modes (:attr:`User.mode`):

- ``oidc`` / ``signed_out`` — an ``[auth]`` section is in Streamlit's secrets: Streamlit's own OpenID Connect
  sign-in (``st.login``, ``st.user``). A signed-in user's roles come from the identity token's claim
  (:attr:`geo.config.Settings.roles_claim`, default ``roles``), else from the roles file
  (:attr:`geo.config.Settings.roles_file`: ``{"alice@bureau.example": ["editor"], …}``), else ``viewer``.
  Nobody signed in sees only the sign-in page.
- ``local`` — no sign-in configured, and ``SCIMAP_LOCAL_EDITING=1``: one local user may edit; the audit trail
  names them ``local:<account>``, not verified, and the pages say so.
- ``anonymous`` — no sign-in configured (the embedded default): everything can be viewed, nothing edited.

``admin`` holds every role. What each page needs is :data:`NEEDS`; :func:`record` writes the audit trail with
the user's identity and the client's address.
"""

from __future__ import annotations

import getpass
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from geo import config, i18n
from geo.io import audit
from ui import notice

LOG = logging.getLogger("scimap")
ALL = frozenset(config.ROLES)
LOCAL_ROLES = frozenset({"viewer", "planner", "promoter", "editor"})
"""The local single-user mode edits; it is not an admin (the audit trail is read with ``python -m geo audit``)."""
VIEW_ROLES = frozenset({"viewer", "planner", "promoter"})
"""Without sign-in and without local editing: every page to read, nothing to change."""
NEEDS = {"planner": "viewer", "promoter": "viewer", "boundaries": "viewer", "audit": "admin"}
"""Page → the role that lists it (editing on the boundaries page needs ``editor`` besides)."""


@dataclass(frozen=True)
class User:
    """The user of this session.

    Attributes
    ----------
    identity : geo.io.audit.Identity or None
        None when nobody is signed in (or without sign-in and local editing).
    roles : frozenset of str
    mode : {"oidc", "signed_out", "local", "anonymous"}
    """

    identity: audit.Identity | None
    roles: frozenset[str]
    mode: str

    def can(self, role: str) -> bool:
        """Whether the user has ``role`` (``admin`` has every role).

        Parameters
        ----------
        role : str

        Returns
        -------
        bool
        """
        return role in self.roles or "admin" in self.roles


def sign_in_configured() -> bool:
    """Whether Streamlit's secrets hold an ``[auth]`` section (an identity provider).

    Returns
    -------
    bool
    """
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 — no secrets file, or one that does not parse: no sign-in
        return False


def roles_from_file(name: str, settings: config.Settings) -> frozenset[str]:
    """The roles the roles file gives ``name`` (an e-mail, case-insensitive; or a subject).

    Parameters
    ----------
    name : str
    settings : geo.config.Settings

    Returns
    -------
    frozenset of str
        Empty when the file does not name the user; an unreadable file is logged and said, and gives none.
    """
    path = settings.roles_file
    if not path.is_file():
        return frozenset()
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        users = {str(k).strip().lower(): v for k, v in table.items()}
    except (OSError, ValueError, AttributeError) as err:
        LOG.error("roles file %s cannot be read: %s", path, err)
        notice.warning(i18n.t("auth_roles_problem", st.session_state.get("lang", "zh")))
        return frozenset()
    given = users.get(name.strip().lower(), [])
    return frozenset(r for r in (given if isinstance(given, list) else [given]) if r in ALL)


def roles_of(claims: Mapping[str, object], name: str, settings: config.Settings) -> frozenset[str]:
    """A signed-in user's roles: the token's roles claim, else the roles file; and ``viewer`` for everyone.

    Parameters
    ----------
    claims : Mapping
        ``st.user``'s claims.
    name : str
        The user's name (:func:`name_of`).
    settings : geo.config.Settings

    Returns
    -------
    frozenset of str
    """
    claim = claims.get(settings.roles_claim)
    if isinstance(claim, str):
        claim = claim.replace(",", " ").split()
    roles = frozenset(r for r in claim if r in ALL) if isinstance(claim, list) else frozenset()
    return (roles or roles_from_file(name, settings)) | {"viewer"}  # every signed-in user may view


def name_of(claims: Mapping[str, object]) -> str:
    """The signed-in user's name: the e-mail claim, else the subject.

    Parameters
    ----------
    claims : Mapping

    Returns
    -------
    str
    """
    return str(claims.get("email") or claims.get("sub") or "").strip()


def local_name() -> str:
    """``local:<account>`` of the server process (the local single-user mode's name).

    Returns
    -------
    str
    """
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return "local:unknown"


def current() -> User:
    """The user of this session (reads the settings, the secrets and ``st.user`` now).

    Returns
    -------
    User
    """
    settings = config.settings()
    if sign_in_configured():
        claims = st.user.to_dict()
        name = name_of(claims)
        if not claims.get("is_logged_in") or not name:
            return User(None, frozenset(), "signed_out")
        return User(audit.Identity(name, verified=True), roles_of(claims, name, settings), "oidc")
    if settings.local_editing:
        return User(audit.Identity(local_name(), verified=False), LOCAL_ROLES, "local")
    return User(None, VIEW_ROLES, "anonymous")


def client() -> str | None:
    """The client's address as Streamlit sees it (None when unknown: Streamlit gives none for a browser on the
    server itself, nor in tests).

    Returns
    -------
    str or None
    """
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 — no request context
        return None
    return ip if isinstance(ip, str) and ip else None  # (AppTest's mocked runtime gives no address)


def forwarded_for() -> str | None:
    """The ``X-Forwarded-For`` header of the session's request (the client behind a reverse proxy), if any.

    Recorded beside the address, not instead of it: without a proxy a client may send any value.

    Returns
    -------
    str or None
    """
    try:
        value = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 — no request context
        return None
    return value[:200] if isinstance(value, str) and value else None


def record(action: str, details: Mapping[str, object], lang: str, user: User | None = None,
           fallback: str = "anonymous") -> bool:
    """Record what the user did in the audit trail; a log that cannot be written is an error on the page.

    Parameters
    ----------
    action : str
        One of :data:`geo.io.audit.ACTIONS`.
    details : Mapping
    lang : {"zh", "en"}
    user : User, optional
        Default: :func:`current`.
    fallback : str
        The name recorded (not verified) when nobody is signed in (``anonymous``: a viewer without sign-in).

    Returns
    -------
    bool
        Whether it was recorded.
    """
    user = user or current()
    who = user.identity or audit.Identity(fallback or "anonymous", verified=False)
    proxy = forwarded_for()
    try:
        audit.record(action, who, {**details, "via": "app", **({"forwarded_for": proxy} if proxy else {})}, client())
    except audit.AuditError as err:
        LOG.error("audit record %s not written: %s", action, err)
        notice.error(i18n.t("audit_not_recorded", lang))
        return False
    return True


@st.cache_resource(show_spinner=False)
def _signed_in() -> set[tuple[str, str]]:
    """The sign-ins this server recorded: (name, token issued at) — every page load of a signed-in browser is a
    new session with the same token, and is not a new sign-in."""
    return set()


def record_sign_in(user: User, lang: str) -> None:
    """Record a sign-in once per token (a new sign-in gets a new token), else once per session.

    Parameters
    ----------
    user : User
    lang : {"zh", "en"}
    """
    if user.mode != "oidc" or st.session_state.get("_audit_signed_in") == user.identity.name:
        return
    claims = st.user.to_dict()
    key = (user.identity.name, str(claims.get("iat") or st.session_state.setdefault("_audit_session", uuid.uuid4().hex)))
    if key in _signed_in():
        st.session_state["_audit_signed_in"] = user.identity.name
        return
    details = {"roles": sorted(user.roles), "issuer": claims.get("iss"), "token_issued_at": claims.get("iat")}
    if record("sign-in", details, lang, user):
        _signed_in().add(key)
        st.session_state["_audit_signed_in"] = user.identity.name


def role_names(user: User, lang: str) -> str:
    """The user's roles in the language, in the order of :data:`geo.config.ROLES`.

    Parameters
    ----------
    user : User
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    sep = i18n.pick(i18n.REASONS, "list_sep", lang)
    return sep.join(i18n.t(f"role_{r}", lang) for r in config.ROLES if r in user.roles)


def sidebar(user: User, lang: str) -> None:
    """Who is using the app (and the sign-out button), in the sidebar.

    Parameters
    ----------
    user : User
    lang : {"zh", "en"}
    """
    with st.sidebar:
        if user.mode == "oidc":
            notice.caption(i18n.t("auth_signed_in", lang, name=user.identity.name, roles=role_names(user, lang)))
            if st.button(i18n.t("auth_logout", lang), key="auth_logout"):
                st.logout()
        elif user.mode == "local":
            notice.caption(i18n.t("auth_local", lang, name=user.identity.name))
        elif user.mode == "anonymous":
            notice.caption(i18n.t("auth_anonymous", lang))


def sign_in_page(lang: str) -> None:
    """The page shown to nobody signed in when sign-in is configured: why, and the sign-in button.

    Parameters
    ----------
    lang : {"zh", "en"}
    """
    st.title(i18n.t("auth_title", lang))
    notice.info(i18n.t("auth_explain", lang))
    if st.button(i18n.t("auth_login", lang), type="primary", key="auth_login"):
        st.login()
