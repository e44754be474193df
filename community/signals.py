"""Account events from allauth written to the audit log (DESIGN.md rule 7: MFA changes), and
the ones that end sessions passed to the services that close their WebSockets (rule 11)."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals


def _audit(verb, user, **detail):
    from community import services

    services.audit(actor=user, verb=verb, target=user, subject=user, **detail)


def authenticator_added(sender, request, user, authenticator, **kwargs):
    _audit("mfa.add", user, kind=authenticator.type)


def authenticator_removed(sender, request, user, authenticator, **kwargs):
    _audit("mfa.remove", user, kind=authenticator.type)


def authenticator_reset(sender, request, user, authenticator, **kwargs):
    _audit("mfa.reset", user, kind=authenticator.type)


def password_changed(sender, request, user, **kwargs):
    from community import services

    _audit("account.password_change", user)
    services.password_changed(user=user)


def password_set(sender, request, user, **kwargs):
    from community import services

    services.password_changed(user=user)


def password_reset(sender, request, user, **kwargs):
    from community import services

    _audit("account.password_reset", user)
    services.password_changed(user=user)


def user_logged_out(sender, request, user, **kwargs):
    """Any sign-out (allauth's, the admin's): the session's sockets close on every process."""
    from community import services

    session = getattr(request, "session", None)
    services.end_session(session_key=getattr(session, "session_key", None))


def connect():
    from community import usercache

    usercache.connect()
    mfa_signals.authenticator_added.connect(authenticator_added, dispatch_uid="confide-mfa-add")
    mfa_signals.authenticator_removed.connect(
        authenticator_removed, dispatch_uid="confide-mfa-remove"
    )
    mfa_signals.authenticator_reset.connect(authenticator_reset, dispatch_uid="confide-mfa-reset")
    account_signals.password_changed.connect(password_changed, dispatch_uid="confide-pw-change")
    account_signals.password_reset.connect(password_reset, dispatch_uid="confide-pw-reset")
    account_signals.password_set.connect(password_set, dispatch_uid="confide-pw-set")
    auth_signals.user_logged_out.connect(user_logged_out, dispatch_uid="confide-logged-out")
