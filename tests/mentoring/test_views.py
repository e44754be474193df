"""Mentoring pages: the flow through real requests, privacy, and fixed query counts."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from community import data as community_data
from mentoring import services
from mentoring.models import MentoringRelationship, Proposal

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"mentoring:{name}", args=args)


def test_a_mentee_requests_sees_explained_suggestions_and_proposes(people, client, other_org):
    mentor = people.mentor(organisation=other_org, roles_held=["ned"])
    mentee = people.member()
    client.force_login(mentee)
    response = client.post(
        url("request_create"),
        {
            "goals": "Use our WRES data to change recruitment.",
            "focus_1": "use_of_data",
            "focus_2": "hr_processes",
            "focus_3": "safe_spaces",
            "wants_role": "ned",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Covers 2 of your 3 focus areas: use of data, HR processes" in text
    assert "Has been a non-executive director" in text
    response = client.post(response["Location"], {"mentor": mentor.pk})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.mentor == mentor and proposal.status == Proposal.Status.PENDING


def test_the_form_refuses_the_same_focus_area_twice(people, client):
    client.force_login(people.member())
    response = client.post(
        url("request_create"),
        {"goals": "x", "focus_1": "use_of_data", "focus_2": "use_of_data"},
    )
    assert response.status_code == 200
    assert "Choose each focus area once." in response.content.decode()


def test_the_mentor_accepts_and_both_see_the_relationship(people, client):
    mentee = people.member()
    mentor = people.mentor()
    proposal = services.propose_mentor(
        actor=mentee,
        request=people.request(mentee, goals="Goals **abc** <script>x()</script>"),
        mentor=mentor,
    )
    client.force_login(mentor.user)
    page = client.get(url("proposal", proposal.pk)).content.decode()
    assert "Goals <strong>abc</strong>" in page
    assert "<script>x()" not in page
    response = client.post(url("proposal", proposal.pk), {"answer": "accept"})
    relationship = MentoringRelationship.objects.get()
    assert response["Location"] == url("relationship", relationship.pk)
    client.force_login(mentee)
    assert client.get(url("relationship", relationship.pk)).status_code == 200


def test_a_refused_acceptance_is_a_readable_message_not_an_error_page(people, client):
    mentor = people.mentor(capacity=1)
    a, b = people.member(), people.member()
    p1 = services.propose_mentor(actor=a, request=people.request(a), mentor=mentor)
    p2 = services.propose_mentor(actor=b, request=people.request(b), mentor=mentor)
    services.accept_proposal(actor=mentor.user, proposal=p1)
    client.force_login(mentor.user)
    response = client.post(url("proposal", p2.pk), {"answer": "accept"}, follow=True)
    assert response.status_code == 200
    assert "You have no places left" in response.content.decode()


def test_both_people_log_meetings_goals_and_progress(people, client):
    relationship = people.relationship()
    client.force_login(relationship.mentee)
    page = url("relationship", relationship.pk)
    client.post(page, {"action": "goal", "goal-text": "Present WRES data to the board"})
    goal = relationship.goals.get()
    client.post(page, {"action": "progress", "goal": goal.pk, "progress": 50})
    client.post(
        page,
        {
            "action": "meeting",
            "meeting-date": timezone.localdate().isoformat(),
            "meeting-minutes": 45,
            "meeting-summary": "shared-summary-77",
        },
    )
    client.force_login(relationship.mentor.user)
    text = client.get(page).content.decode()
    assert "Present WRES data to the board" in text and "50% done" in text
    assert "shared-summary-77" in text


# Privacy --------------------------------------------------------------------------------------


def _every_page(client, world_objects):
    return "".join(
        client.get(path).content.decode()
        for path in world_objects
        if client.get(path).status_code == 200
    )


def test_private_notes_appear_nowhere_but_for_their_writer(
    people, client, django_capture_on_commit_callbacks
):
    relationship = people.relationship()
    mentee, mentor_user = relationship.mentee, relationship.mentor.user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(mentee)
        client.post(
            url("relationship", relationship.pk), {"action": "note", "note-body": "note-x91"}
        )
    assert "note-x91" in client.get(url("relationship", relationship.pk)).content.decode()
    paths = [
        url("home"),
        url("relationship", relationship.pk),
        url("steward_requests"),
        url("steward_figures"),
        url("steward_cohort"),
        url("directory"),
        reverse("community:notifications"),
    ]
    for other in (mentor_user, people.steward):
        client.force_login(other)
        assert "note-x91" not in _every_page(client, paths)
        assert "note-x91" not in str(community_data.export_user_data(actor=other))
    assert all("note-x91" not in m.body and "note-x91" not in m.subject for m in mail.outbox)


def test_decline_reasons_reach_stewards_only(people, client, django_capture_on_commit_callbacks):
    mentee = people.member()
    mentor = people.mentor()
    request = people.request(mentee)
    proposal = services.propose_mentor(actor=mentee, request=request, mentor=mentor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(mentor.user)
        client.post(url("proposal", proposal.pk), {"answer": "decline", "reason": "why-q42"})
    client.force_login(mentee)
    paths = [url("home"), url("request", request.pk), reverse("community:notifications")]
    assert "why-q42" not in _every_page(client, paths)
    assert all("why-q42" not in m.body for m in mail.outbox)
    assert mail.outbox, "the mentee is told by e-mail that the proposal was answered"
    client.force_login(people.steward)
    assert "why-q42" in client.get(url("steward_requests")).content.decode()


def test_stewards_do_not_see_request_goals_or_relationship_pages(people, client):
    relationship = people.relationship()
    client.force_login(people.steward)
    assert client.get(url("relationship", relationship.pk)).status_code == 404
    text = client.get(url("steward_requests")).content.decode()
    assert "Use our WRES data." not in text


def test_mentoring_emails_carry_no_content(people, django_capture_on_commit_callbacks):
    mentee = people.member()
    mentor = people.mentor()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_mentor(
            actor=mentee, request=people.request(mentee, goals="goal-text-55"), mentor=mentor
        )
    assert len(mail.outbox) == 1
    assert "Someone has asked you to be their mentor." in mail.outbox[0].body
    assert "goal-text-55" not in mail.outbox[0].body
    assert mentee.display_name not in mail.outbox[0].body


# Stewards -------------------------------------------------------------------------------------


def test_a_steward_approves_a_mentor_from_the_page(people, client):
    profile = people.mentor(approve=False)
    client.force_login(people.steward)
    page = client.get(url("steward_mentors")).content.decode()
    assert escape(profile.user.display_name) in page
    client.post(url("steward_mentors"), {"mentor": profile.pk})
    profile.refresh_from_db()
    assert profile.status == "approved"


def test_cohort_preview_and_confirm(people, client):
    mentor = people.mentor(capacity=1)
    a, b = people.member("Ada Mentee"), people.member("Ben Mentee")
    people.request(a, focus_areas=["use_of_data"])
    rb = people.request(b, focus_areas=["safe_spaces"])
    client.force_login(people.steward)
    text = client.get(
        url("steward_cohort"), {"mode": "most_matched", "min_score": 0, f"fix_{rb.pk}": ""}
    ).content.decode()
    assert "1 matched, 1 not matched" in text
    assert "Covers their focus area: use of data" in text
    assert "Ben Mentee: others scored higher for the remaining places" in text
    client.post(url("steward_cohort"), {"mode": "most_matched", "min_score": 0, "fixed": ""})
    assert Proposal.objects.get().mentor == mentor


def test_figures_are_an_svg_chart_with_the_numbers_in_a_table(people, client):
    people.relationship()
    client.force_login(people.steward)
    text = client.get(url("steward_figures")).content.decode()
    assert '<svg class="chart" role="img"' in text
    assert '<title id="chart-title">' in text
    assert '<th scope="row">Active relationships</th><td>1</td>' in text


# Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["directory", "home", "steward_requests"])
def test_list_pages_use_a_fixed_number_of_queries(
    people, client, page, django_assert_max_num_queries
):
    viewer = people.steward

    def grow(n):
        for _ in range(n):
            mentor = people.mentor()
            mentee = people.member()
            people.request(mentee)
            people.relationship(mentor=mentor, mentee=people.member())

    client.force_login(viewer)
    grow(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url(page)).status_code == 200
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(page)).status_code == 200
