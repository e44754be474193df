"""The community pages: thin views over the services, fixed query counts on lists."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from community import policies
from community.models import AgreementAcceptance, JoinRequest, Profile
from tests.factories import add_member, make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request would load them, without cached group ids."""
    return type(user).objects.get(pk=user.pk)


def test_the_network_list_shows_mine_and_listed_ones_to_ask(world, client):
    client.force_login(world.outsider)
    page = client.get(reverse("community:networks")).content.decode()
    assert world.listed.name in page
    assert world.network.name not in page
    response = client.post(
        reverse("community:network_join", args=[world.listed.slug]), {"message": "Hello"}
    )
    assert response.status_code == 302
    assert JoinRequest.objects.filter(user=world.outsider, network=world.listed).exists()
    page = client.get(reverse("community:networks")).content.decode()
    assert "waiting for a steward" in page


def test_asking_to_join_an_unlisted_network_is_a_404(world, client):
    client.force_login(world.outsider)
    for slug in (world.network.slug, "no-such-network"):
        response = client.post(reverse("community:network_join", args=[slug]), {"message": "x"})
        assert response.status_code == 404
    assert not JoinRequest.objects.exists()


def test_a_steward_approves_and_declines_requests(world, client):
    asker = make_user()
    other = make_user()
    from community import services

    first = services.request_to_join(actor=asker, network=world.listed)
    second = services.request_to_join(actor=other, network=world.listed)
    client.force_login(world.steward)
    page = client.get(reverse("community:steward_requests", args=[world.listed.slug]))
    assert escape(asker.display_name) in page.content.decode()
    url = reverse("community:steward_requests", args=[world.listed.slug])
    client.post(url, {"request_id": first.pk, "decision": "approve", "reply": ""})
    client.post(url, {"request_id": second.pk, "decision": "decline", "reply": "Not this year."})
    assert policies.is_member(fresh(asker), world.listed)
    assert not policies.is_member(fresh(other), world.listed)
    second.refresh_from_db()
    assert second.reply == "Not this year."


def test_a_steward_cannot_answer_another_networks_request(world, client):
    from community import services
    from tests.factories import make_network

    elsewhere = make_network(slug="elsewhere", listing="listed")
    asker = make_user()
    join = services.request_to_join(actor=asker, network=elsewhere)
    client.force_login(world.steward)
    response = client.post(
        reverse("community:steward_requests", args=[world.listed.slug]),
        {"request_id": join.pk, "decision": "approve"},
    )
    assert response.status_code == 404
    assert not policies.is_member(fresh(asker), elsewhere)


def test_a_steward_invites_several_addresses_with_a_result_each(world, client):
    client.force_login(world.steward)
    response = client.post(
        reverse("community:steward_invite", args=[world.network.slug]),
        {"emails": "one@trust.nhs.example\nnot an address\n" + world.outsider.email},
    )
    page = response.content.decode()
    assert "one@trust.nhs.example" in page and "Invitation sent." in page
    assert "not a valid e-mail address" in page
    # An existing account gets the same answer and is not added until it accepts.
    assert page.count("Invitation sent.") == 2
    assert not policies.is_member(fresh(world.outsider), world.network)


def test_a_steward_makes_and_unmakes_a_moderator(world, client):
    client.force_login(world.steward)
    url = reverse("community:steward_members", args=[world.network.slug])
    client.post(url, {"user": world.member.pk, "moderator": "1"})
    assert policies.is_moderator(fresh(world.member), world.network)
    client.post(url, {"user": world.member.pk, "moderator": "0"})
    assert not policies.is_moderator(fresh(world.member), world.network)


def test_removing_a_member_asks_first_then_the_member_gets_404(world, client):
    client.force_login(world.steward)
    url = reverse("community:steward_remove", args=[world.network.slug, world.member.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert policies.is_member(fresh(world.member), world.network)
    client.post(url)
    assert not policies.is_member(fresh(world.member), world.network)
    client.force_login(world.member)
    assert client.get(reverse("community:network", args=[world.network.slug])).status_code == 404


def test_a_new_agreement_version_asks_members_again(world, client):
    client.force_login(world.steward)
    client.post(
        reverse("community:steward_edit", args=[world.network.slug]),
        {"save_agreement": "1", "agreement-text": "Version two of our rules."},
    )
    world.network.refresh_from_db()
    assert world.network.agreement_version == 2
    client.force_login(world.member)
    response = client.get(reverse("community:network", args=[world.network.slug]))
    assert response["Location"] == reverse("community:agreement", args=[world.network.slug])
    client.post(reverse("community:agreement", args=[world.network.slug]))
    assert AgreementAcceptance.objects.filter(user=world.member, version=2).exists()
    assert client.get(reverse("community:members", args=[world.network.slug])).status_code == 200


def test_a_steward_edits_the_network(world, client):
    client.force_login(world.steward)
    client.post(
        reverse("community:steward_edit", args=[world.network.slug]),
        {
            "save_details": "1",
            "details-name": "Renamed network",
            "details-description": "About *us*",
            "details-listing": "unlisted",
            "details-requires_two_factor": "on",
        },
    )
    world.network.refresh_from_db()
    assert world.network.name == "Renamed network"
    assert world.network.requires_two_factor
    assert "<em>us</em>" in world.network.description_html


def test_profile_edit_saves_through_the_sanitiser(world, client):
    client.force_login(world.member)
    response = client.post(
        reverse("community:profile"),
        {
            "display_name": "Amara M.",
            "pronouns": "she/her",
            "board_role": "chair",
            "organisation": "",
            "bio": "Hello <script>alert(1)</script> **there**",
            "ethnicity": "",
            "ethnicity_visibility": "only_me",
            "lived_experience": "Something personal",
            "lived_experience_visibility": "stewards",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=world.member)
    assert "<script" not in profile.bio_html
    assert "<strong>there</strong>" in profile.bio_html
    # Shown to the steward, not to a fellow member.
    client.force_login(world.moderator)
    url = reverse("community:member_profile", args=[world.network.slug, world.member.pk])
    assert "Something personal" not in client.get(url).content.decode()
    client.force_login(world.steward)
    assert "Something personal" in client.get(url).content.decode()


def test_the_dashboard_shows_my_networks_and_what_waits(world, client):
    from community import services

    services.request_to_join(actor=world.member, network=world.listed)
    client.force_login(world.member)
    page = client.get(reverse("community:dashboard")).content.decode()
    assert escape(world.network.name) in page
    assert "waiting for a steward" in page
    client.force_login(world.steward)
    page = client.get(reverse("community:dashboard")).content.decode()
    assert "1 request to join" in page


def _grow(network, count):
    for _ in range(count):
        add_member(network, make_user())


@pytest.mark.parametrize(
    "name", ["community:members", "community:steward_members", "community:steward_audit"]
)
def test_lists_use_a_fixed_number_of_queries(world, client, name, django_assert_max_num_queries):
    client.force_login(world.steward)
    url = reverse(name, args=[world.network.slug])
    client.get(url)
    _grow(world.network, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world.network, 8)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_the_network_list_uses_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_network

    client.force_login(world.member)
    url = reverse("community:networks")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    small = len(small)  # now: the next request empties the log it reads
    for i in range(5):
        add_member(make_network(slug=f"more-{i}", listing="listed"), world.member)
        make_network(slug=f"open-{i}", listing="listed")
    client.get(url)  # the changes replaced the cached facts' version: one request reads them
    with django_assert_max_num_queries(small):
        client.get(url)


def test_the_person_who_asked_sees_the_stewards_answer(world, client):
    from community import services

    join = services.request_to_join(actor=world.outsider, network=world.listed)
    services.decide_join_request(
        actor=world.steward, join_request=join, approve=False, reply="Try again in spring."
    )
    client.force_login(world.outsider)
    page = client.get(reverse("community:dashboard")).content.decode()
    assert "was declined" in page
    assert "Try again in spring." in page


def test_every_xss_payload_in_a_bio_and_a_display_name_renders_inert(world, client):
    """Profile pages show the bio (stored HTML) and the name (escaped text) of a member."""
    import re

    from community import services
    from tests.xss_corpus import PAYLOADS, assert_inert

    client.force_login(world.moderator)
    url = reverse("community:member_profile", args=[world.network.slug, world.member.pk])
    for payload in PAYLOADS:
        services.update_profile(actor=world.member, bio=payload, display_name=payload[:80])
        page = client.get(url).content.decode()
        main = re.search(r'<main id="main".*?</main>', page, re.S).group(0)
        inner = re.sub(r'^<main id="main" class="page" tabindex="-1">|</main>$', "", main)
        assert_inert(
            inner,
            tags={
                "p",
                "br",
                "em",
                "strong",
                "ul",
                "ol",
                "li",
                "blockquote",
                "code",
                "pre",
                "a",
                "h1",
                "h2",
                "h3",
                "div",
                "dl",
                "dt",
                "dd",
                "span",
                "section",
                "nav",
            },
            attributes={
                "a": {"href", "rel", "aria-current"},
                "*": {
                    "class",
                    "id",
                    "aria-label",
                    "aria-labelledby",
                    "hidden",
                    "type",
                    "name",
                    "value",
                    "method",
                    "action",
                    "for",
                    "alt",
                },
            },
            allow_relative_urls=True,
        )


def test_a_steward_is_never_offered_ask_to_join_for_a_network_they_run(world, client):
    from community import services

    client.force_login(world.steward)
    page = client.get(reverse("community:networks")).content.decode()
    assert "Ask to join" not in page
    assert world.listed.name in page  # listed under "Your networks" instead
    answer = client.get(reverse("community:network_join", args=[world.listed.slug]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("community:steward_members", args=[world.listed.slug])
    with pytest.raises(services.CommunityError):
        services.request_to_join(actor=world.steward, network=world.listed)
    assert not JoinRequest.objects.filter(user=world.steward).exists()
