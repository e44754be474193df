"""Account events from allauth written to the audit log (DESIGN.md rule 7: MFA changes)."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals


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
    _audit("account.password_change", user)


def password_reset(sender, request, user, **kwargs):
    _audit("account.password_reset", user)


def connect():
    mfa_signals.authenticator_added.connect(authenticator_added, dispatch_uid="confide-mfa-add")
    mfa_signals.authenticator_removed.connect(
        authenticator_removed, dispatch_uid="confide-mfa-remove"
    )
    mfa_signals.authenticator_reset.connect(authenticator_reset, dispatch_uid="confide-mfa-reset")
    account_signals.password_changed.connect(password_changed, dispatch_uid="confide-pw-change")
    account_signals.password_reset.connect(password_reset, dispatch_uid="confide-pw-reset")
