"""Every action that changes board assurance (DESIGN.md: services.py).

Each function checks the policy, writes in a transaction, audits (never an answer's content),
and notifies after commit through the community's content-free notices.
"""

from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assurance import policies, questionnaire
from assurance.models import (
    Action,
    ActionStatus,
    BoardAnswer,
    BoardResult,
    Milestone,
    Response,
    Round,
    WresFigure,
)
from community.models import Organisation
from community.services import audit, notify


class AssuranceError(Exception):
    """A refusal a person can read."""


def round_url(round_):
    return reverse("assurance:round", args=[round_.pk])


def _require(allowed, message):
    if not allowed:
        raise AssuranceError(message)


# Rounds ---------------------------------------------------------------------------------------


@transaction.atomic
def open_round(*, actor, closes_at: datetime) -> Round:
    """Open a round for the actor's board; every board member is told (content-free)."""
    organisation_id = policies.board_of(actor)
    _require(
        policies.can_run_rounds(actor, organisation_id),
        "Only the chair, or a steward on the board, opens a round.",
    )
    _require(closes_at > timezone.now(), "Choose a closing date in the future.")
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if Round.objects.filter(organisation=organisation, closed_at__isnull=True).exists():
        raise AssuranceError("Your board already has an open round.")
    round_ = Round.objects.create(
        organisation=organisation,
        questionnaire_version=questionnaire.CURRENT_VERSION,
        opened_by=actor,
        closes_at=closes_at,
    )
    audit(actor=actor, verb="assurance.round_open", target=round_)
    for member in policies.board_members(organisation_id):
        notify(user=member, kind="assurance_round_opened", url=round_url(round_), target=round_)
    return round_


@transaction.atomic
def save_response(*, actor, round_: Round, overall: int, progress: dict) -> Response:
    """Answer once, change until the round closes. Never audited with its content."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require(policies.can_answer(actor, round_), "This round is closed.")
    version = questionnaire.version(round_.questionnaire_version)
    levels = {code for code, _ in questionnaire.PROGRESS_SCALE}
    codes = {item.code for item in version.items}
    if not 0 <= int(overall) <= 10 or set(progress) != codes:
        raise AssuranceError("Answer every question.")
    if any(value not in levels for value in progress.values()):
        raise AssuranceError("Choose one of the answers offered.")
    response, created = Response.objects.get_or_create(
        round=round_, user=actor, defaults={"overall": overall, "progress": progress}
    )
    if not created:
        response.overall = overall
        response.progress = progress
        response.updated_at = timezone.now()
        response.save(update_fields=["overall", "progress", "updated_at"])
    return response


@transaction.atomic
def save_board_answers(*, actor, round_: Round, answers: dict) -> None:
    """The board's shared answers to its key assurance questions (while the round is open)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require(policies.can_answer(actor, round_), "This round is closed.")
    version = questionnaire.version(round_.questionnaire_version)
    known = dict(version.assurance_questions)
    changed = []
    for code, text in answers.items():
        if code not in known:
            continue
        text = (text or "").strip()
        existing = BoardAnswer.objects.filter(round=round_, question=code).first()
        if existing is None and not text:
            continue
        if existing is not None and existing.text == text:
            continue
        BoardAnswer.objects.update_or_create(
            round=round_,
            question=code,
            defaults={"text": text, "updated_by": actor, "updated_at": timezone.now()},
        )
        changed.append(code)
    if changed:
        audit(actor=actor, verb="assurance.board_answers", target=round_, questions=changed)


def aggregate(responses, version) -> dict:
    """A round's aggregates from its responses: rounded, never per person. Pure."""
    count = len(responses)
    overall = [r.overall for r in responses]
    progress = {}
    for item in version.items:
        answers = [r.progress.get(item.code) for r in responses]
        progress[item.code] = {
            "progress": round(
                100 * sum(a in questionnaire.PROGRESS_LEVELS for a in answers) / count
            ),
            "embedded": round(100 * sum(a == "embedded" for a in answers) / count),
        }
    return {
        "respondents": count,
        "overall_mean": round(sum(overall) / count, 1),
        "share_8_to_10": round(100 * sum(v >= 8 for v in overall) / count),
        "share_fully_embedded": round(100 * sum(v == 10 for v in overall) / count),
        "progress": progress,
    }


@transaction.atomic
def close_round(*, actor, round_: Round) -> Round:
    """Close once, for good: results are computed now or never (no reopening, no late answers).

    `actor` None is the scheduler closing a round whose date has passed.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if actor is not None:
        _require(policies.can_close_round(actor, round_), "This round cannot be closed by you.")
    if not round_.is_open:
        raise AssuranceError("This round has already closed.")
    now = timezone.now()
    responses = list(round_.responses.all())
    round_.closed_at = now
    round_.responses_at_close = len(responses)
    round_.save(update_fields=["closed_at", "responses_at_close"])
    if len(responses) >= policies.min_responses():
        figures = aggregate(responses, questionnaire.version(round_.questionnaire_version))
        organisation = round_.organisation
        BoardResult.objects.filter(organisation=organisation, is_latest=True).update(
            is_latest=False
        )
        BoardResult.objects.create(
            round=round_,
            organisation=organisation,
            organisation_kind=organisation.kind,
            region=organisation.region,
            closed_at=now,
            is_latest=True,
            **figures,
        )
    audit(actor=actor, verb="assurance.round_close", target=round_)
    for member in policies.board_members(round_.organisation_id):
        notify(user=member, kind="assurance_round_closed", url=round_url(round_), target=round_)
    return round_


def close_due_rounds(*, now=None) -> int:
    """Close every round whose closing date has passed. Safe to run every hour."""
    now = now or timezone.now()
    closed = 0
    for round_ in Round.objects.filter(closed_at__isnull=True, closes_at__lte=now):
        try:
            close_round(actor=None, round_=round_)
            closed += 1
        except AssuranceError:
            continue  # closed by the chair in the meantime
    return closed


# WRES figures ---------------------------------------------------------------------------------


@transaction.atomic
def save_wres_figures(*, actor, year: int, values: dict) -> None:
    organisation_id = policies.board_of(actor)
    _require(organisation_id is not None, "Only board members enter their trust's figures.")
    known = {code for code, _ in questionnaire.WRES_INDICATORS}
    for code, value in values.items():
        if code not in known:
            continue
        if value is None:
            WresFigure.objects.filter(
                organisation_id=organisation_id, year=year, indicator=code
            ).delete()
            continue
        WresFigure.objects.update_or_create(
            organisation_id=organisation_id,
            year=year,
            indicator=code,
            defaults={"value": value, "updated_by": actor, "updated_at": timezone.now()},
        )
    audit(actor=actor, verb="assurance.wres_save", year=year)


# Action plan ----------------------------------------------------------------------------------


def _check_owner(round_, owner):
    if owner is None or not policies.is_board_member(owner, round_.organisation_id):
        raise AssuranceError("The owner must be a member of the board.")


@transaction.atomic
def create_action(*, actor, round_: Round, title: str, area: str, owner, milestones=()) -> Action:
    _require(policies.can_plan(actor, round_), "Only the chair plans from a closed round.")
    version = questionnaire.version(round_.questionnaire_version)
    _require(version.item(area) is not None, "Choose an area from the questionnaire.")
    _check_owner(round_, owner)
    action = Action.objects.create(
        round=round_,
        organisation_id=round_.organisation_id,
        title=title.strip(),
        area=area,
        owner=owner,
        created_by=actor,
    )
    for milestone_title, due_on in milestones:
        Milestone.objects.create(action=action, title=milestone_title.strip(), due_on=due_on)
    audit(
        actor=actor,
        verb="assurance.action_create",
        target=action,
        subject=owner,
        milestones=len(milestones),
    )
    if owner.pk != actor.pk:
        notify(user=owner, kind="assurance_action_owner", url=action_url(action), target=action)
    return action


def action_url(action):
    return reverse("assurance:action", args=[action.pk])


@transaction.atomic
def update_action(
    *, actor, action: Action, status: str, evidence_url="", evidence_note="", owner=None
) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    _require(policies.can_update_action(actor, action), "Only the owner or the chair can do that.")
    _require(status in ActionStatus.values, "Choose a status.")
    fields = {"status": status, "evidence_url": evidence_url, "evidence_note": evidence_note}
    new_owner = None
    if owner is not None and owner.pk != action.owner_id:
        _require(
            policies.can_run_rounds(actor, action.organisation_id),
            "Only the chair changes an action's owner.",
        )
        _check_owner(action.round, owner)
        fields["owner"] = new_owner = owner
    changed = [name for name, value in fields.items() if getattr(action, name) != value]
    if not changed:
        return action
    for name, value in fields.items():
        setattr(action, name, value)
    action.updated_at = timezone.now()
    action.save()
    audit(
        actor=actor,
        verb="assurance.action_update",
        target=action,
        subject=new_owner,
        changed=changed,
        status=status,
    )
    if new_owner is not None and new_owner.pk != actor.pk:
        notify(
            user=new_owner,
            kind="assurance_action_owner",
            url=action_url(action),
            target=action,
        )
    return action


@transaction.atomic
def add_milestone(*, actor, action: Action, title: str, due_on: date) -> Milestone:
    _require(policies.can_update_action(actor, action), "Only the owner or the chair can do that.")
    milestone = Milestone.objects.create(action=action, title=title.strip(), due_on=due_on)
    audit(actor=actor, verb="assurance.milestone_add", target=action, milestone=milestone.pk)
    return milestone


@transaction.atomic
def complete_milestone(*, actor, milestone: Milestone) -> Milestone:
    action = milestone.action
    _require(policies.can_update_action(actor, action), "Only the owner or the chair can do that.")
    if milestone.done_at is None:
        milestone.done_at = timezone.now()
        milestone.save(update_fields=["done_at"])
        audit(actor=actor, verb="assurance.milestone_done", target=action, milestone=milestone.pk)
    return milestone


def send_overdue_notices(*, now=None) -> int:
    """Tell each overdue milestone's owner once (content-free). Safe to run every hour."""
    now = now or timezone.now()
    sent = 0
    for milestone in policies.overdue_milestones(now):
        with transaction.atomic():
            if not Milestone.objects.filter(
                pk=milestone.pk, overdue_notified_at__isnull=True, done_at__isnull=True
            ).update(overdue_notified_at=now):
                continue
            owner = milestone.action.owner
            if owner is None:
                continue
            notify(
                user=owner,
                kind="assurance_milestone_overdue",
                url=action_url(milestone.action),
                target=milestone.action,
            )
            sent += 1
    return sent


def run_reminders(*, now=None) -> dict:
    return {
        "closed": close_due_rounds(now=now),
        "overdue": send_overdue_notices(now=now),
    }
