"""One label for a person (DESIGN.md rule 12) and the audit trail that reads as sentences."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import data as community_data
from community import policies as community_policies
from community import services as community_services
from community.models import AuditEvent, NetworkRole
from forums import policies, services
from tests.factories import add_member, enrol_totp, make_user


@pytest.fixture
def writing(space):
    """A signed post, an anonymous post revealed to `space.moderator`, and one not revealed."""
    space.revealer = space.moderator
    space.other_moderator = add_member(
        space.network, make_user(display_name="Owen Pritchard"), role=NetworkRole.MODERATOR
    )
    enrol_totp(space.other_moderator)
    topic = space.topic(user=space.peer, title="Recruitment panels")
    signed = services.reply(actor=space.author, topic=topic, body="Signed")
    revealed = services.reply(actor=space.author, topic=topic, body="Frank", anonymous=True)
    hidden = services.reply(actor=space.author, topic=topic, body="Franker", anonymous=True)
    services.reveal_author(actor=space.revealer, post=revealed, reason="Safeguarding")
    return {"signed": signed, "revealed": revealed, "unrevealed": hidden}


NAME = "Zadie Quillfeather"
REVEALED = f"Anonymous member 1 (revealed to you: {NAME})"
LABELS = {
    # viewer:           signed, revealed,            unrevealed
    "author": (NAME, "You (anonymous)", "You (anonymous)"),
    "revealer": (NAME, REVEALED, "Anonymous member 1"),
    "other_moderator": (NAME, "Anonymous member 1", "Anonymous member 1"),
    "peer": (NAME, "Anonymous member 1", "Anonymous member 1"),
    "steward": (NAME, "Anonymous member 1", "Anonymous member 1"),
}


@pytest.mark.parametrize("viewer", LABELS)
def test_person_label_is_the_one_answer_for_every_viewer(space, writing, viewer):
    user = getattr(space, viewer)
    for which, expected in zip(("signed", "revealed", "unrevealed"), LABELS[viewer], strict=True):
        post = writing[which]
        post.refresh_from_db()
        assert policies.author_label(user, post) == expected, which
        label = community_policies.person_label(user, space.author, anonymous_in=post)
        assert label == expected, which


def test_a_moderator_who_lost_the_role_no_longer_sees_the_revealed_name(space, writing):
    community_services.set_moderator(
        actor=None, network=space.network, user=space.revealer, moderator=False
    )
    policies.forget(space.revealer)
    post = writing["revealed"]
    assert policies.author_label(space.revealer, post) == "Anonymous member 1"


def test_people_are_named_by_display_name_or_former_member_never_username_or_email(space):
    assert community_policies.person_label(space.peer, space.author) == NAME
    assert community_policies.person_label(space.peer, None) == "Former member"
    community_data.erase_user(actor=space.author)
    space.author.refresh_from_db()
    assert community_policies.person_label(space.peer, space.author) == "Former member"


# The audit trail ------------------------------------------------------------------------------


def test_the_steward_reads_the_audit_trail_as_sentences(space, client, writing):
    services.set_post_hidden(
        actor=space.other_moderator, post=writing["signed"], hidden=True, reason="Checking"
    )
    client.force_login(space.steward)
    page = client.get(reverse("community:steward_audit", args=[space.network.slug]))
    sentences = [event.sentence for event in page.context["events"]]
    assert "Owen Pritchard hid a post in ‘Open talk’" in sentences
    assert "Mo Moderator saw who wrote an anonymous post in ‘Open talk’, with a reason" in sentences
    assert "Owen Pritchard hid a post in ‘Open talk’" in page.content.decode()


def test_the_audit_trail_filters_by_kind_and_date(space, client, writing):
    url = reverse("community:steward_audit", args=[space.network.slug])
    client.force_login(space.steward)

    def verbs(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {event.verb for event in response.context["events"]}

    everything = verbs()
    assert {"forum.anonymous_reveal", "membership.add"} <= everything
    assert verbs(kind="moderation") == {v for v in everything if v.startswith("forum.")}
    roles = verbs(kind="membership")
    assert "membership.add" in roles
    assert all(v.split(".")[0] in {"membership", "moderator", "steward"} for v in roles)
    today = timezone.localdate()
    assert verbs(since=today.isoformat(), until=today.isoformat()) == everything
    assert verbs(since=(today + timedelta(days=1)).isoformat()) == set()
    assert verbs(until=(today - timedelta(days=1)).isoformat()) == set()
    # Input that does not parse is shown as a form error, never a 500.
    response = client.get(url, {"since": "not a date", "kind": "nonsense"})
    assert response.status_code == 200 and response.context["filter_form"].errors


def test_my_activity_is_filterable_and_shows_the_author_the_reveal_of_their_post(
    space, client, writing
):
    client.force_login(space.author)
    page = client.get(reverse("community:my_activity"), {"kind": "moderation"})
    rows = [(e.verb, e.sentence, e.subject_name) for e in page.context["events"]]
    assert rows == [
        (
            "forum.anonymous_reveal",
            "Mo Moderator saw who wrote an anonymous post in ‘Open talk’, with a reason",
            "You (anonymous)",
        )
    ]


def test_an_audit_row_about_anonymous_writing_names_nobody_even_if_written_unmarked(
    space, client, writing
):
    """A row written before the services marked them (or by a careless new service)."""
    post = writing["unrevealed"]
    community_services.audit(
        actor=space.other_moderator,
        verb="forum.post_hide",
        target=post,
        network=space.network,
        subject=space.author,
    )
    for viewer in (space.steward, space.other_moderator, space.revealer):
        rows = community_policies.audit_rows(viewer, AuditEvent.objects.all())
        unmarked = next(e for e in rows if e.verb == "forum.post_hide")
        assert unmarked.subject_name == "An anonymous member"
    client.force_login(space.steward)
    html = client.get(reverse("community:steward_audit", args=[space.network.slug])).content
    hides = html.decode().split("Owen Pritchard hid a post")[1]
    assert NAME not in hides.split("</tr>")[0]
