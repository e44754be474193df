"""Board assurance set-up through the real services: boards of real people in organisations."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from assurance import questionnaire, services
from community.models import BoardRole
from tests.factories import OrganisationFactory, add_member, make_network, make_user

_boards = itertools.count(1)


def answers(overall, level="started", **overrides):
    """A full set of answers: every progress item at `level` unless overridden."""
    progress = {item.code: level for item in questionnaire.version(1).items}
    progress.update(overrides)
    return {"overall": overall, "progress": progress}


class Board:
    """An organisation's board: a chair and `size - 1` other members, all in one network."""

    def __init__(self, network, size=6, kind="acute", region="midlands", name=None):
        number = next(_boards)
        self.organisation = OrganisationFactory(
            name=name or f"Board test trust {number}", kind=kind, region=region
        )
        self.chair = add_member(
            network,
            make_user(
                display_name=f"Chair {number}",
                board_role=BoardRole.CHAIR,
                organisation=self.organisation,
            ),
        )
        self.members = [self.chair] + [
            add_member(
                network,
                make_user(
                    display_name=f"Board member {number}-{i}",
                    board_role=BoardRole.NED,
                    organisation=self.organisation,
                ),
            )
            for i in range(1, size)
        ]

    def open(self, days=14):
        return services.open_round(
            actor=self.chair, closes_at=timezone.now() + timedelta(days=days)
        )

    def answer(self, round_, member, overall, level="started", **overrides):
        return services.save_response(
            actor=member, round_=round_, **answers(overall, level, **overrides)
        )

    def run_round(self, scores, level="started", **overrides):
        """Open, have the first len(scores) members answer, and close."""
        round_ = self.open()
        for member, score in zip(self.members, scores, strict=False):
            self.answer(round_, member, score, level, **overrides)
        return services.close_round(actor=self.chair, round_=round_)


@pytest.fixture
def network(db):
    return make_network(slug="assurance-net")


@pytest.fixture
def make_board(network):
    def make(**kwargs):
        return Board(network, **kwargs)

    return make
