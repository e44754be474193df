"""Mentoring services: the flow, its limits, reminders and data rights."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import data as community_data
from mentoring import retention, selectors, services
from mentoring.models import (
    EndFeedback,
    MentoringRelationship,
    MentoringRequest,
    MentorProfile,
    PrivateNote,
    Proposal,
)
from mentoring.services import MentoringError
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_new_mentor_waits_for_approval_and_the_approval_is_audited(people):
    from community.models import AuditEvent

    profile = people.mentor(approve=False)
    assert profile.status == MentorProfile.Status.APPLIED
    services.approve_mentor(actor=people.steward, profile=profile)
    profile.refresh_from_db()
    assert profile.status == MentorProfile.Status.APPROVED
    assert AuditEvent.objects.filter(verb="mentor.approve", target_id=profile.pk).exists()


def test_a_member_who_is_not_a_steward_cannot_approve_mentors(people):
    profile = people.mentor(approve=False)
    with pytest.raises(MentoringError):
        services.approve_mentor(actor=people.member(), profile=profile)


def test_someone_in_no_network_cannot_offer_to_mentor_or_ask_for_one():
    outsider = make_user()
    with pytest.raises(MentoringError):
        services.create_request(actor=outsider, goals="x", focus_areas=["use_of_data"])
    with pytest.raises(MentoringError):
        services.save_mentor_profile(
            actor=outsider,
            expertise=[],
            roles_held=[],
            organisation_kinds=[],
            region="",
            formats=[],
            capacity=1,
        )


def test_lived_experience_is_used_in_matching_only_with_consent(people):
    without = people.mentor(lived_experience="I have experienced racism.")
    assert not without.uses_lived_experience
    consented = people.mentor(
        lived_experience="I have experienced racism.", lived_experience_consent=True
    )
    assert consented.uses_lived_experience
    mentee = people.member()
    request = people.request(mentee, wants_lived_experience=True)
    suggestions = selectors.suggestions_for(actor=mentee, request=request)
    reasons = {s.mentor.pk: s.reasons for s in suggestions}
    assert "offers lived experience of racism" in reasons[consented.pk]
    assert "offers lived experience of racism" not in reasons[without.pk]


def test_a_mentee_may_have_at_most_three_open_requests(people):
    mentee = people.member()
    for _ in range(3):
        people.request(mentee)
    with pytest.raises(MentoringError, match="at most 3 open requests"):
        people.request(mentee)


def test_a_mentee_may_wait_for_at_most_three_answers_at_once(people):
    mentee = people.member()
    mentors = [people.mentor() for _ in range(4)]
    request = people.request(mentee)
    for mentor in mentors[:3]:
        services.propose_mentor(actor=mentee, request=request, mentor=mentor)
    with pytest.raises(MentoringError, match="at most 3"):
        services.propose_mentor(actor=mentee, request=request, mentor=mentors[3])


def test_a_request_takes_at_most_three_focus_areas(people):
    with pytest.raises(MentoringError):
        people.request(
            people.member(),
            focus_areas=["use_of_data", "hr_processes", "safe_spaces", "accountability"],
        )


def test_suggestions_explain_themselves_with_the_words_people_use(people, other_org):
    mentor = people.mentor(roles_held=["ned"], organisation=other_org)
    mentee = people.member()
    request = people.request(
        mentee, focus_areas=["use_of_data", "hr_processes", "safe_spaces"], wants_role="ned"
    )
    [suggestion] = selectors.suggestions_for(actor=mentee, request=request)
    assert suggestion.mentor == mentor
    assert "covers 2 of your 3 focus areas: use of data, HR processes" in suggestion.reasons
    assert "has been a non-executive director" in suggestion.reasons


def test_suggestions_leave_out_mentors_of_the_same_organisation_and_paused_ones(people):
    mentee = people.member()
    same_org = people.mentor(organisation=mentee.profile.organisation)
    paused = people.mentor()
    services.set_mentor_availability(actor=paused.user, status=MentorProfile.Status.PAUSED)
    fine = people.mentor()
    request = people.request(mentee)
    found = [s.mentor for s in selectors.suggestions_for(actor=mentee, request=request)]
    assert found == [fine]
    assert same_org not in found


def test_accepting_starts_a_relationship_and_takes_a_place(people):
    mentor = people.mentor(capacity=1)
    relationship = people.relationship(mentor=mentor)
    mentor.refresh_from_db()
    assert relationship.status == MentoringRelationship.Status.ACTIVE
    assert mentor.active_mentees == 1
    assert relationship.request.status == MentoringRequest.Status.MATCHED


def test_a_full_mentor_gets_a_readable_refusal(people):
    mentor = people.mentor(capacity=1)
    first, second = people.member(), people.member()
    p1 = services.propose_mentor(actor=first, request=people.request(first), mentor=mentor)
    p2 = services.propose_mentor(actor=second, request=people.request(second), mentor=mentor)
    services.accept_proposal(actor=mentor.user, proposal=p1)
    with pytest.raises(MentoringError, match="no places left"):
        services.accept_proposal(actor=mentor.user, proposal=p2)
    mentor.refresh_from_db()
    assert mentor.active_mentees == 1


def test_the_database_refuses_more_mentees_than_capacity(people):
    mentor = people.mentor(capacity=1)
    people.relationship(mentor=mentor)
    from django.db.models import F

    with pytest.raises(IntegrityError), transaction.atomic():
        MentorProfile.objects.filter(pk=mentor.pk).update(active_mentees=F("active_mentees") + 1)


def test_accepting_withdraws_the_other_proposals_of_that_request(people):
    mentee = people.member()
    first, second = people.mentor(), people.mentor()
    request = people.request(mentee)
    p1 = services.propose_mentor(actor=mentee, request=request, mentor=first)
    p2 = services.propose_mentor(actor=mentee, request=request, mentor=second)
    services.accept_proposal(actor=first.user, proposal=p1)
    p2.refresh_from_db()
    assert p2.status == Proposal.Status.WITHDRAWN


def test_only_the_mentor_asked_can_answer(people):
    mentee = people.member()
    mentor = people.mentor()
    proposal = services.propose_mentor(actor=mentee, request=people.request(mentee), mentor=mentor)
    with pytest.raises(MentoringError):
        services.accept_proposal(actor=mentee, proposal=proposal)
    with pytest.raises(MentoringError):
        services.decline_proposal(actor=people.steward, proposal=proposal)


def test_a_declined_pair_is_never_suggested_again(people):
    mentee = people.member()
    mentor = people.mentor()
    request = people.request(mentee)
    proposal = services.propose_mentor(actor=mentee, request=request, mentor=mentor)
    services.decline_proposal(actor=mentor.user, proposal=proposal, reason="I am too busy.")
    request.refresh_from_db()
    assert request.status == MentoringRequest.Status.OPEN
    assert selectors.suggestions_for(actor=mentee, request=request) == []
    later = people.request(mentee)
    assert selectors.suggestions_for(actor=mentee, request=later) == []
    with pytest.raises(MentoringError):
        services.propose_mentor(actor=mentee, request=later, mentor=mentor)


def test_ending_frees_the_place_and_keeps_private_feedback(people):
    mentor = people.mentor(capacity=1)
    relationship = people.relationship(mentor=mentor)
    services.end_relationship(
        actor=relationship.mentee, relationship=relationship, rating=4, goals_met=True
    )
    mentor.refresh_from_db()
    relationship.refresh_from_db()
    assert mentor.active_mentees == 0
    assert relationship.status == MentoringRelationship.Status.ENDED
    assert EndFeedback.objects.get().writer == relationship.mentee
    with pytest.raises(MentoringError):
        services.log_meeting(
            actor=relationship.mentee,
            relationship=relationship,
            date=timezone.localdate(),
            minutes=60,
        )


def test_capacity_cannot_be_lowered_below_current_mentees(people):
    mentor = people.mentor(capacity=2)
    people.relationship(mentor=mentor)
    people.relationship(mentor=mentor)
    with pytest.raises(MentoringError, match="capacity cannot be lower"):
        services.save_mentor_profile(
            actor=mentor.user,
            expertise=mentor.expertise,
            roles_held=mentor.roles_held,
            organisation_kinds=[],
            region="",
            formats=[],
            capacity=1,
        )


def test_pause_and_resume_are_for_the_two_people_only(people):
    relationship = people.relationship()
    with pytest.raises(MentoringError):
        services.pause_relationship(actor=people.steward, relationship=relationship)
    services.pause_relationship(actor=relationship.mentee, relationship=relationship)
    services.resume_relationship(actor=relationship.mentor.user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == MentoringRelationship.Status.ACTIVE


def test_feedback_figures_stay_hidden_until_five_answers(people):
    mentor = people.mentor(capacity=5)
    for count in range(1, 6):
        relationship = people.relationship(mentor=mentor)
        services.end_relationship(actor=relationship.mentee, relationship=relationship, rating=3)
        figures = selectors.figures(actor=people.steward)
        if count < 5:
            assert figures["feedback"] is None
    assert figures["feedback"] == {"answers": 5, "useful_or_better": 5, "goals_met": 0}
    assert figures["ended_relationships"] == 5


def test_figures_are_for_stewards_only(people):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.figures(actor=people.member())


# Cohort matching -------------------------------------------------------------------------------


def test_cohort_preview_explains_pairs_and_who_stays_unmatched(people, other_org):
    mentor = people.mentor(capacity=1, organisation=other_org)
    first, second = people.member(), people.member()
    r1 = people.request(first, focus_areas=["use_of_data"])
    r2 = people.request(second, focus_areas=["safe_spaces"])
    preview = selectors.preview_cohort(actor=people.steward)
    [(request, matched, pair)] = preview.rows
    assert (request, matched) == (r1, mentor)
    assert "covers your focus area: use of data" in pair.reasons
    assert preview.unmatched == [(r2, "others scored higher for the remaining places")]


def test_a_steward_can_fix_a_pair_by_hand_and_confirm_sends_proposals(people):
    mentor = people.mentor(capacity=1)
    first, second = people.member(), people.member()
    people.request(first, focus_areas=["use_of_data"])
    r2 = people.request(second, focus_areas=["safe_spaces"])
    preview = selectors.preview_cohort(actor=people.steward, fixed_pairs=[(r2.pk, mentor.user_id)])
    assert [(r, p.fixed) for r, _, p in preview.rows] == [(r2, True)]
    proposals = services.confirm_cohort(actor=people.steward, fixed_pairs=[(r2.pk, mentor.user_id)])
    assert [(p.request, p.mentor, p.source) for p in proposals] == [
        (r2, mentor, Proposal.Source.COHORT)
    ]
    r2.refresh_from_db()
    assert r2.status == MentoringRequest.Status.PROPOSED


def test_a_fixed_pair_that_breaks_a_rule_is_refused_readably(people):
    mentee = people.member()
    mentor = people.mentor(organisation=mentee.profile.organisation)
    request = people.request(mentee)
    with pytest.raises(MentoringError, match="breaks a matching rule"):
        selectors.preview_cohort(actor=people.steward, fixed_pairs=[(request.pk, mentor.user_id)])


def test_a_minimum_score_leaves_weak_pairs_unmatched(people):
    people.mentor(expertise=["safe_spaces"])
    people.request(people.member(), focus_areas=["use_of_data"])
    preview = selectors.preview_cohort(actor=people.steward, min_score=0.9)
    assert preview.rows == []
    assert preview.unmatched[0][1] == "no mentor above the minimum score"


# Reminders -------------------------------------------------------------------------------------


def _pending(people):
    mentee = people.member()
    mentor = people.mentor()
    proposal = services.propose_mentor(actor=mentee, request=people.request(mentee), mentor=mentor)
    return mentee, mentor, proposal


def test_the_mentor_is_reminded_once_two_days_before_a_proposal_expires(
    people, django_capture_on_commit_callbacks
):
    _, mentor, proposal = _pending(people)
    soon = proposal.expires_at - timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.send_reminders(now=soon)["expiring"] == 1
        assert retention.send_reminders(now=soon)["expiring"] == 0
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]
    assert mentor.user.notifications.filter(kind="mentoring_proposal_expiring").count() == 1


def test_an_unanswered_proposal_expires_the_mentee_is_told_and_offered_others(
    people, django_capture_on_commit_callbacks
):
    mentee, mentor, proposal = _pending(people)
    other = people.mentor()
    later = proposal.expires_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.send_reminders(now=later)["expired"] == 1
        assert retention.send_reminders(now=later)["expired"] == 0
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.EXPIRED
    assert mentee.notifications.filter(kind="mentoring_proposal_expired").count() == 1
    found = [s.mentor for s in selectors.suggestions_for(actor=mentee, request=proposal.request)]
    assert found == [other]


def test_both_people_are_reminded_after_six_weeks_without_a_meeting(people):
    relationship = people.relationship()
    start = relationship.started_at
    assert retention.send_reminders(now=start + timedelta(weeks=5))["no_meeting"] == 0
    assert retention.send_reminders(now=start + timedelta(weeks=7))["no_meeting"] == 1
    assert retention.send_reminders(now=start + timedelta(weeks=7, hours=1))["no_meeting"] == 0
    for person in (relationship.mentee, relationship.mentor.user):
        assert person.notifications.filter(kind="mentoring_meeting_reminder").count() == 1


def test_a_logged_meeting_restarts_the_six_weeks(people):
    relationship = people.relationship()
    services.log_meeting(
        actor=relationship.mentee, relationship=relationship, date=timezone.localdate(), minutes=60
    )
    assert retention.send_reminders(now=timezone.now() + timedelta(weeks=5))["no_meeting"] == 0


def test_the_reminder_command_is_safe_to_run_again(people):
    from django.core.management import call_command

    _pending(people)
    call_command("mentoring_reminders")
    call_command("mentoring_reminders")
    assert Proposal.objects.get().status == Proposal.Status.PENDING


# Data rights -----------------------------------------------------------------------------------


def test_export_holds_my_private_notes_and_nobody_elses(people):
    relationship = people.relationship()
    mentee, mentor_user = relationship.mentee, relationship.mentor.user
    services.add_private_note(actor=mentee, relationship=relationship, body="mentee-secret-17")
    services.add_private_note(actor=mentor_user, relationship=relationship, body="mentor-secret-23")
    mentee_export = str(community_data.export_user_data(actor=mentee))
    mentor_export = str(community_data.export_user_data(actor=mentor_user))
    assert "mentee-secret-17" in mentee_export and "mentor-secret-23" not in mentee_export
    assert "mentor-secret-23" in mentor_export and "mentee-secret-17" not in mentor_export


def test_the_decline_reason_is_in_the_mentors_export_only(people):
    mentee, mentor, proposal = _pending(people)
    services.decline_proposal(actor=mentor.user, proposal=proposal, reason="reason-zq81")
    assert "reason-zq81" in str(community_data.export_user_data(actor=mentor.user))
    assert "reason-zq81" not in str(community_data.export_user_data(actor=mentee))


def test_erasure_ends_relationships_frees_places_and_removes_private_notes(people):
    mentor = people.mentor(capacity=1)
    relationship = people.relationship(mentor=mentor)
    services.add_private_note(actor=relationship.mentee, relationship=relationship, body="x")
    community_data.erase_user(actor=relationship.mentee)
    relationship.refresh_from_db()
    mentor.refresh_from_db()
    assert relationship.status == MentoringRelationship.Status.ENDED
    assert mentor.active_mentees == 0
    assert not PrivateNote.objects.exists()
    assert MentoringRequest.objects.get().goals == ""


def test_an_erased_mentor_leaves_the_directory(people):
    mentor = people.mentor(lived_experience="text", lived_experience_consent=True)
    community_data.erase_user(actor=mentor.user)
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.RETIRED
    assert mentor.lived_experience == "" and mentor.bio == ""
