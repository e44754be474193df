"""Access-table rows for board assurance's routes (see tests/access_table.py) and their objects.

In the world the member chairs a board (a new trust) and the moderator sits on it, with three
more board members; the steward and the outsider each sit on their own trust's board. The board
has a closed round with results and an action, and an open round. Another trust's board, of
people outside the world's roles, has its own free text that no role may see.
"""

from datetime import timedelta

from tests.access_table import LOGIN, Route, signed_in


def build(world):
    from django.utils import timezone

    from assurance import services
    from community import services as community_services
    from community.models import BoardRole
    from tests.assurance.conftest import answers
    from tests.factories import OrganisationFactory, make_user

    trust = OrganisationFactory(name="Riverbank Teaching Hospitals NHS Trust")
    community_services.update_profile(
        actor=world.member, organisation=trust, board_role=BoardRole.CHAIR
    )
    community_services.update_profile(
        actor=world.moderator, organisation=trust, board_role=BoardRole.NED
    )
    for user in (world.member, world.moderator):
        user._state.fields_cache.pop("profile", None)  # read the new board from now on
    others = [make_user(organisation=trust) for _ in range(3)]
    board = [world.member, world.moderator, *others]
    closes = timezone.now() + timedelta(days=7)
    closed = services.open_round(actor=world.member, closes_at=closes)
    for person, score in zip(board, [3, 5, 6, 7, 9], strict=True):
        services.save_response(actor=person, round_=closed, **answers(score))
    services.save_board_answers(
        actor=world.moderator,
        round_=closed,
        answers={"wres_changed": "Secret-board-free-text-of-Riverbank"},
    )
    closed = services.close_round(actor=world.member, round_=closed)
    world.assurance_round = closed
    world.assurance_action = services.create_action(
        actor=world.member,
        round_=closed,
        title="Secret-action-title-of-Riverbank",
        area="retention",
        owner=world.moderator,
        milestones=[("First report", timezone.localdate() + timedelta(days=20))],
    )
    world.assurance_open_round = services.open_round(actor=world.member, closes_at=closes)
    services.save_wres_figures(
        actor=world.moderator, year=timezone.localdate().year, values={"shortlisting": "4321.09"}
    )
    world.protect("Secret-board-free-text-of-Riverbank", "member", "moderator")
    world.protect("Secret-action-title-of-Riverbank", "member", "moderator")
    world.protect("4321.09", "member", "moderator")

    # Another trust's board: its free text reaches none of the world's roles.
    elsewhere = OrganisationFactory(name="Elsewhere Community NHS Trust")
    chair = make_user(organisation=elsewhere, board_role=BoardRole.CHAIR)
    round_ = services.open_round(actor=chair, closes_at=closes)
    services.save_board_answers(
        actor=chair, round_=round_, answers={"network_heard": "Secret-free-text-of-Elsewhere"}
    )
    world.protect("Secret-free-text-of-Elsewhere")


def board(answer=200, steward=404):
    """A page of the member's board: its two members see it, everyone else gets 404."""
    return {
        "anonymous": LOGIN,
        "outsider": 404,
        "member": answer,
        "agreement_pending": 404,  # not on this board: the board is not network content
        "moderator": answer,
        "steward": steward,
    }


ROUTES = [
    Route("assurance:home", signed_in(), note="everyone sees their own board, or how to join"),
    Route(
        "assurance:round_create",
        {**board(), "moderator": 404, "steward": 200},
        note="the chair; the steward is a steward on their own trust's board",
    ),
    Route("assurance:round", board(), kwargs=lambda w: {"pk": w.assurance_round.pk}),
    Route("assurance:answer", board(), kwargs=lambda w: {"pk": w.assurance_open_round.pk}),
    Route("assurance:questions", board(), kwargs=lambda w: {"pk": w.assurance_open_round.pk}),
    Route("assurance:plan", board(), kwargs=lambda w: {"pk": w.assurance_round.pk}),
    Route("assurance:paper", board(), kwargs=lambda w: {"pk": w.assurance_round.pk}),
    Route("assurance:csv", board(), kwargs=lambda w: {"pk": w.assurance_round.pk}),
    Route("assurance:action", board(), kwargs=lambda w: {"pk": w.assurance_action.pk}),
    Route("assurance:wres", signed_in(), note="each board member sees their own trust's figures"),
]
