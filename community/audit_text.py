"""The audit trail in sentences ("Owen Pritchard hid a post in 'Recruitment panels'").

Names arrive already labelled by community.policies.person_label; this module only words them.
Apps register sentences for their own verbs in AppConfig.ready(), as they do for notices. A
sentence may use {actor}, {subject} and {where} (the forum or place the detail names).
"""

from django.db.models import Q

SENTENCES = {
    "network.create": "{actor} created the network",
    "network.update": "{actor} changed the network's settings",
    "network.agreement_update": "{actor} published a new safe-space agreement",
    "network.agreement_accept": "{actor} accepted the safe-space agreement",
    "membership.add": "{actor} added {subject} to the network",
    "membership.remove": "{actor} removed {subject} from the network",
    "moderator.grant": "{actor} made {subject} a moderator",
    "moderator.revoke": "{actor} ended {subject}'s role as moderator",
    "steward.grant": "{actor} made {subject} a steward",
    "steward.revoke": "{actor} ended {subject}'s role as steward",
    "join_request.create": "{actor} asked to join the network",
    "join_request.approve": "{actor} approved {subject}'s request to join",
    "join_request.decline": "{actor} declined {subject}'s request to join",
    "invitation.create": "{actor} sent an invitation",
    "invitation.accept": "{actor} accepted an invitation",
    "account.export": "{actor} downloaded their data",
    "account.erase": "{actor} erased their account",
    "account.password_change": "{actor} changed their password",
    "account.password_reset": "{actor} reset their password",
    "mfa.add": "{actor} turned on two-factor authentication",
    "mfa.remove": "{actor} turned off two-factor authentication",
    "mfa.reset": "{actor} made new two-factor recovery codes",
}

# Kinds a reader can filter by: a label and the verb prefixes that belong to it.
KINDS = {
    "membership": ("Membership and roles", ("membership.", "moderator.", "steward.", "join_")),
    "invitations": ("Invitations", ("invitation.",)),
    "network": ("Network settings and agreement", ("network.",)),
    "moderation": ("Forums and moderation", ("forum.",)),
    "account": ("Accounts and two-factor", ("account.", "mfa.")),
    "events": ("Events and live sessions", ("event.", "live.")),
    "mentoring": ("Mentoring", ("mentor", "proposal.", "relationship.")),
}


def register(verb, sentence):
    SENTENCES[verb] = sentence


def kind_choices():
    return [(key, label) for key, (label, _) in KINDS.items()]


def kind_filter(kind):
    """A Q() matching the verbs of one kind (an unknown kind matches nothing)."""
    query = Q(pk__in=[])
    for prefix in KINDS.get(kind, ("", ()))[1]:
        query |= Q(verb__startswith=prefix)
    return query


def _where(event):
    name = event.detail.get("forum") if isinstance(event.detail, dict) else None
    return f"‘{name}’" if name else "a forum"


def sentence(event, *, actor, subject):
    """One plain sentence for the event; names are the labels the caller was given."""
    template = SENTENCES.get(event.verb)
    if template is None:
        words = event.verb.replace(".", ": ", 1).replace("_", " ")
        return f"{actor} ({words})"
    return template.format(actor=actor, subject=subject or "a member", where=_where(event))
