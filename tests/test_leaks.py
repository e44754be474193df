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
    for route in ROUTES:
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else {})
        response = client.get(url, follow=True)
        yield route.name, response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
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


@pytest.mark.django_db
def test_protected_strings_are_in_no_e_mail(world):
    every_secret = [text for text, _ in world.secrets]
    leaks = [
        f"to {message.to}: {text!r}"
        for message in mail.outbox
        for text in every_secret
        if text in message.subject
        or text in message.body
        or any(text in str(alt[0]) for alt in getattr(message, "alternatives", []))
    ]
    assert leaks == []
