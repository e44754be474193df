"""Demo board assessments: six trusts' boards with closed rounds, so a newcomer signed in as
the chair (Margaret Ellison, Northfield) sees real charts, the national reference and a peer
group at once, and a trend over two rounds.

Why six, not three or four: a peer group is shown only when it has at least k = 5 other boards,
so fewer boards would show no comparison at all. Board members who are not demo sign-ins are
invented people without a usable password. `seed(context)` is safe to run again.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assurance import questionnaire, services
from assurance.models import BoardResult, Round
from community import services as community_services
from community.models import BoardRole, Notification, User

# organisation index -> (chair key or None, demo sign-ins on the board, invented members,
#                        how far along the board is, 0 to 1)
BOARDS = {
    0: ("chair", ["ned", "governor"], ["Ruth Hallam", "Kwame Asante", "Linda Marsh"], 0.45),
    1: (None, ["moderator", "director"], ["Joseph Mensah", "Alice Turner", "Ravi Patel"], 0.6),
    2: (None, ["facilitator", "ned2", "governor2"], ["Hannah Cole", "Yusuf Ali"], 0.55),
    3: ("chair2", ["director2"], ["Fiona Grant", "Obi Nwosu", "Sarah Lindqvist"], 0.35),
    4: ("chair3", ["ned3"], ["Daniel Boateng", "Emma Rowe", "Leah Goldberg"], 0.7),
    6: (None, ["ceo", "edi"], ["Martin Hughes", "Grace Owusu", "Ian Fraser"], 0.5),
}
INVENTED_CHAIRS = {1: "Bernadette Quinn", 2: "Colin Ashworth", 6: "Patricia Eze"}

LEVELS = ["none", "started", "progressing", "embedded"]


def _invented(name, role, organisation):
    key = name.lower().replace(" ", ".")
    email = f"{key}@board.demo.confide.invalid"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(username=f"demo-board-{key}", email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        community_services.update_profile(
            actor=user, display_name=name, board_role=role, organisation=organisation
        )
    return user


def _answers(rng, strength):
    version = questionnaire.version(questionnaire.CURRENT_VERSION)
    progress = {}
    for item in version.items:
        if rng.random() < 0.08:
            progress[item.code] = "not_sure"
            continue
        level = min(3, max(0, round(rng.gauss(strength * 3, 0.9))))
        progress[item.code] = LEVELS[level]
    overall = min(10, max(0, round(rng.gauss(strength * 10, 1.5))))
    return {"overall": overall, "progress": progress}


def _run_round(chair, members, rng, strength, closed_days_ago):
    round_ = services.open_round(actor=chair, closes_at=timezone.now() + timedelta(days=14))
    for member in members:
        services.save_response(actor=member, round_=round_, **_answers(rng, strength))
    services.save_board_answers(
        actor=chair,
        round_=round_,
        answers={
            "wres_changed": "Our shortlisting ratio improved a little; the disciplinary ratio "
            "did not. We asked for the data by directorate.",
        },
    )
    round_ = services.close_round(actor=chair, round_=round_)
    when = timezone.now() - timedelta(days=closed_days_ago)
    Round.objects.filter(pk=round_.pk).update(opened_at=when - timedelta(days=14), closed_at=when)
    BoardResult.objects.filter(round=round_).update(closed_at=when)
    return round_


@transaction.atomic
def seed(context):
    people = context["people"]
    organisations = context["organisations"]
    rng = random.Random(2022)
    started = timezone.now()
    for index, (chair_key, keys, invented, strength) in BOARDS.items():
        organisation = organisations[index]
        if Round.objects.filter(organisation=organisation).exists():
            continue
        if chair_key:
            chair = people[chair_key]
        else:
            chair = _invented(INVENTED_CHAIRS[index], BoardRole.CHAIR, organisation)
        members = [chair, *(people[k] for k in keys)]
        members += [_invented(name, BoardRole.NED, organisation) for name in invented]
        if index == 0:
            # Northfield: an earlier round, for a trend, then the latest.
            _run_round(chair, members, rng, strength - 0.12, closed_days_ago=200)
        latest = _run_round(chair, members, rng, strength, closed_days_ago=10)
        if index == 0:
            services.create_action(
                actor=chair,
                round_=latest,
                title="Put race equality into the board assurance framework",
                area="assurance_framework",
                owner=people["ned"],
                milestones=[
                    (
                        "Draft a risk entry for the audit committee",
                        timezone.localdate() + timedelta(days=21),
                    ),
                    (
                        "First quarterly report to the board",
                        timezone.localdate() + timedelta(days=90),
                    ),
                ],
            )
    # The rounds are backdated, so their notices would be stale news: drop them before commit,
    # which also stops their e-mails (the task finds no notice to send).
    Notification.objects.filter(kind__startswith="assurance_", created_at__gte=started).delete()
