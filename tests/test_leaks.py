"""Leak probe: protected strings reach no page, e-mail or log line of someone who may not see them.

Each app's `build(world)` declares its protected strings with `world.protect(text, *roles)`:
forum titles and bodies, anonymous authors, private notes, ethnicity, decline reasons...
"""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from tests.access_table import ROLES, all_routes

ROUTES = all_routes()


def responses_for(client, world):
    """Every page as this client sees it (the search with its words), following redirects."""
    for route in ROUTES:
        if route.method != "get":
            continue
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else {})
        response = client.get(url, follow=True, **route.extra)
        yield route.name, response.content.decode(errors="replace")


PAGE_ROLES = ROLES


@pytest.mark.django_db
@pytest.mark.parametrize("role", PAGE_ROLES)
def test_protected_strings_reach_no_page_of_a_role_that_may_not_see_them(
    role, world, client, caplog
):
    if role != "anonymous":
        client.force_login(world.user(role))
    assert world.secrets, "the world declares no protected strings"
    hidden = [text for text, may_see in world.secrets if role not in may_see]
    leaks = []
    with caplog.at_level(logging.DEBUG):
        for name, body in responses_for(client, world):
            leaks += [f"{name}: {text!r}" for text in hidden if text in body]
    leaks += [f"log: {text!r}" for text in hidden for r in caplog.records if text in r.getMessage()]
    assert leaks == []


# E-mail ------------------------------------------------------------------------------------------
# E-mails leave after commit (notify() and invite() queue them with transaction.on_commit), so
# the world is built and each flow run with the commit callbacks executed: the outbox holds the
# real e-mails, and a flow that sends none fails rather than passing on an empty outbox.


@pytest.fixture
def mailed_world(db, django_capture_on_commit_callbacks):
    from tests.conftest import World

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        world = World()
    world.build_mail = list(mail.outbox)
    mail.outbox.clear()
    return world


def _reply(w):
    from forums import services

    body = "Secret-reply-body-about-our-WRES-figures"
    services.reply(actor=w.moderator, topic=w.topic, body=body)
    return [w.member], [body]


def _mention(w):
    from forums import services

    body = "Secret-mention-body, what do you think @Owen Moderator?"
    services.reply(actor=w.member, topic=w.topic, body=body)
    return [w.moderator], [body]


def _hide(w):
    from forums import services

    reason = "Secret-hide-reason"
    services.set_post_hidden(actor=w.moderator, post=w.post, hidden=True, reason=reason)
    return [w.member], [reason]


def _reveal(w):
    from forums import services

    body = "Secret-anonymous-body"
    post = services.reply(actor=w.member, topic=w.topic, body=body, anonymous=True)
    reason = "Secret-reveal-reason"
    services.reveal_author(actor=w.moderator, post=post, reason=reason)
    return [w.member], [body, reason]


def _flag(w):
    from forums import services

    detail = "Secret-flag-detail"
    post = services.reply(actor=w.moderator, topic=w.topic, body="Secret-flagged-body")
    services.flag_post(actor=w.member, post=post, reason="other", detail=detail)
    return [w.moderator], ["Secret-flagged-body", detail]


def _invitation(w):
    from community import services

    services.invite(actor=w.steward, email="new.chair@example.org", networks=[w.network])
    return ["new.chair@example.org"], []


def _join_request(w):
    from community import services

    message = "Secret-join-request-message"
    services.request_to_join(actor=w.outsider, network=w.listed, message=message)
    return [w.steward], [message]


def _agreement(w):
    from community import services

    text = "Secret-agreement-text: what is said here stays here, always."
    services.update_agreement(actor=w.steward, network=w.network, text=text)
    return [w.member], [text]


def _event_reminder(w):
    from datetime import timedelta

    from events import services

    services.send_due_reminders(now=w.event.starts_at - timedelta(hours=12))
    return [w.event_attendee], []


def _event_cancelled(w):
    from events import services

    services.cancel_event(actor=w.steward, event=w.event)
    return [w.event_attendee], []


def _proposal_declined(w):
    from mentoring import services

    reason = "Secret-decline-reason"
    services.decline_proposal(actor=w.moderator, proposal=w.proposal, reason=reason)
    return [w.member], [reason]


MAIL_FLOWS = {
    "forum reply": _reply,
    "forum mention": _mention,
    "post hidden": _hide,
    "anonymous author revealed": _reveal,
    "post flagged": _flag,
    "invitation": _invitation,
    "join request": _join_request,
    "agreement changed": _agreement,
    "event reminder": _event_reminder,
    "event cancelled": _event_cancelled,
    "mentoring proposal declined": _proposal_declined,
}


# The invitation names who invited and to which network (issue 12): the invitee is being invited
# to it, so that network's name and the inviter's name are theirs to know. Nothing else is.
MAIL_ALLOWED = {"invitation": lambda w: {w.network.name, w.steward.display_name}}


def content_of(world):
    """What no e-mail may carry: every protected string, network names, people's profile text."""
    from community.models import Network, Profile
    from forums.models import Post, Topic

    texts = {text for text, _ in world.secrets}
    texts |= set(Network.objects.values_list("name", flat=True))
    texts |= set(Topic.objects.values_list("title", flat=True))
    texts |= {body for body in Post.objects.values_list("source", flat=True) if body}
    for profile in Profile.objects.all():
        texts |= {profile.display_name, profile.ethnicity, profile.lived_experience}
    return sorted(text for text in texts if text)


def leaks_in(messages, texts):
    return [
        f"to {message.to}: {text!r}"
        for message in messages
        for text in texts
        if text in message.subject
        or text in message.body
        or any(text in str(alt[0]) for alt in getattr(message, "alternatives", []))
    ]


def recipients(messages):
    return {address for message in messages for address in message.to}


def test_building_the_world_sends_e_mails_and_none_carries_content(mailed_world):
    assert mailed_world.build_mail, "the world's own notices sent no e-mail: is the outbox real?"
    assert leaks_in(mailed_world.build_mail, content_of(mailed_world)) == []


@pytest.mark.parametrize("flow", MAIL_FLOWS)
def test_each_flow_e_mails_its_recipient_without_content(
    flow, mailed_world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people, said = MAIL_FLOWS[flow](mailed_world)
    assert mail.outbox, f"{flow}: no e-mail was sent"
    expected = {getattr(person, "email", person) for person in people}
    assert expected <= recipients(mail.outbox)
    allowed = MAIL_ALLOWED.get(flow, lambda w: set())(mailed_world)
    texts = [text for text in [*content_of(mailed_world), *said] if text not in allowed]
    assert leaks_in(mail.outbox, texts) == []
