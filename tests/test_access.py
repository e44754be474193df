"""The access-control sweep: every route has a row, and every role gets its row's answer."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_table import LOGIN, PREFIX_RULES, REDIRECT, ROLES, all_routes

ROUTES = all_routes()

ROWS = {route.name: route for route in ROUTES}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


def routes_without_a_row(urlconf=None):
    missing = []
    for name, route in walk(get_resolver(urlconf).url_patterns):
        if any(route.startswith(prefix) for prefix in PREFIX_RULES):
            continue
        if name not in ROWS:
            missing.append(name or route)
    return missing


def test_every_route_has_a_row_in_the_access_table():
    assert routes_without_a_row() == []


def test_a_route_without_a_row_fails_the_sweep(settings):
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "tests.urls_with_an_extra_route"
    clear_url_caches()
    try:
        assert routes_without_a_row() == ["forgotten-page"]
    finally:
        clear_url_caches()


def test_every_row_names_a_real_route():
    names = {name for name, _ in walk(get_resolver().url_patterns)}
    assert sorted(set(ROWS) - names) == []


def check_answer(response, expected, role, route):
    where = f"{route.name} as {role}"
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("account_login")), where
    elif expected == REDIRECT:
        assert response.status_code == 302, where
        assert not response["Location"].startswith(reverse("account_login") + "?next"), where
    else:
        assert response.status_code == expected, f"{where}: got {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(role, world, client):
    if role != "anonymous":
        client.force_login(world.user(role))
    wrong = []
    for route in ROUTES:
        kwargs = route.kwargs(world) if route.kwargs else {}
        url = reverse(route.name, kwargs=kwargs)
        response = getattr(client, route.method)(url, **route.extra)
        try:
            check_answer(response, route.expect[role], role, route)
        except AssertionError as error:
            wrong.append(f"{str(error).splitlines()[0]} -> {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_closed_to_everyone_but_staff(role, world, client):
    if role != "anonymous":
        client.force_login(world.user(role))
    response = client.get("/admin/")
    expected = PREFIX_RULES["admin/"][role]
    check_answer(response, expected, role, type("R", (), {"name": "admin"})())
