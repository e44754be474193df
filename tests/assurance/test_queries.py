"""The results page's query count does not grow with the number of boards or members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def queries_for(client, user, url):
    client.force_login(user)
    client.get(url)  # warm caches that are per process, not per request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_round_page_queries_are_flat_in_boards_and_members(client, make_board):
    for _ in range(5):
        make_board(size=5).run_round([5] * 5)
    board = make_board(size=5)
    round_ = board.run_round([4, 5, 6, 7, 8])
    url = reverse("assurance:round", args=[round_.pk])
    few = queries_for(client, board.chair, url)
    for _ in range(6):
        make_board(size=8, region="london").run_round([6] * 8)
    many = queries_for(client, board.chair, url)
    assert few == many
    assert many <= 12
