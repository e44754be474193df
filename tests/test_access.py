"""The access-control sweep: every route has a row for each method it accepts, and every role
gets its row's answer, changing the database only where the row says.

One world is built per module and every request runs in a savepoint that is rolled back, so each
row sees the same world however many rows change it. POST rows are sent with a CSRF-valid form
through a client that enforces CSRF, as a browser would send them.
"""

import functools

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_table import GATED, LOGIN, PREFIX_RULES, REDIRECT, ROLES, all_routes

ROUTES = all_routes()
ROWS = {route.name: route for route in ROUTES}
METHODS = ("get", "post")
CSRF_TOKEN = "a" * 32  # an unmasked secret: the cookie and the form carry the same one
# What the database holds of the site's own state; sessions and allauth's bookkeeping are not it.
STATE_APPS = ("auth", "guardian", "community", "forums", "mentoring", "events", "live")
IGNORED_FIELDS = {"last_login"}


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


def test_every_row_answers_for_every_role():
    incomplete = [
        f"{route.name} {route.method}: {sorted(set(ROLES) - set(route.expect))}"
        for route in ROUTES
        if set(route.expect) != set(ROLES)
    ]
    assert incomplete == []


# The shared world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction that is rolled back at its end."""
    from tests.conftest import World

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def sweep(shared_world, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return shared_world


@functools.cache
def _state_queries():
    queries = []
    for label in STATE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            columns = [f.column for f in meta.concrete_fields if f.attname not in IGNORED_FIELDS]
            sql = "SELECT {} FROM {} ORDER BY {}".format(
                ", ".join(connection.ops.quote_name(c) for c in columns),
                connection.ops.quote_name(meta.db_table),
                connection.ops.quote_name(meta.pk.column),
            )
            queries.append((meta.label, sql))
    return queries


def fingerprint():
    """Every row of every table of the site's state (bar sign-in times)."""
    with connection.cursor() as cursor:
        state = {}
        for label, sql in _state_queries():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def changed_tables(before, after):
    return sorted(label for label in before if before[label] != after[label])


def client_for(world, role):
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world.user(role))
    client.cookies["csrftoken"] = CSRF_TOKEN
    return client


def request(client, method, url, data=None, extra=None, csrf=True):
    kwargs = dict(extra or {})
    if method == "post":
        kwargs["data"] = {**(data or {}), **({"csrfmiddlewaretoken": CSRF_TOKEN} if csrf else {})}
    return getattr(client, method)(url, **kwargs)


def url_of(route, world):
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else {})


def check_answer(response, expected, where, client=None):
    location = response.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: got {response.status_code}"
        assert location.startswith(reverse("account_login")), f"{where} -> {location}"
    elif expected == REDIRECT:
        assert response.status_code == 302, f"{where}: got {response.status_code}"
        assert not location.startswith(reverse("account_login") + "?next"), f"{where} -> {location}"
    elif expected == GATED:
        # Sent to the agreement (perhaps through the page asked for), or 404: nothing else.
        hops = 0
        while response.status_code == 302 and "/agreement/" not in location and client and hops < 5:
            response = client.get(location)
            location, hops = response.get("Location", ""), hops + 1
        sent_to_agreement = response.status_code == 302 and "/agreement/" in location
        assert sent_to_agreement or response.status_code == 404, (
            f"{where}: got {response.status_code} {location}"
        )
    else:
        assert response.status_code == expected, f"{where}: got {response.status_code} {location}"


def row_id(index, route):
    return f"{route.name}-{route.method}-{index}"


CASES = [
    pytest.param(route, role, id=f"{row_id(index, route)}-{role}", marks=route.marks(role))
    for index, route in enumerate(ROUTES)
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_every_row_answers_each_role_as_the_table_says(route, role, sweep):
    """The row's answer, and a change in the database exactly for the roles the row names."""
    client = client_for(sweep, role)
    url = url_of(route, sweep)
    data = route.data(sweep) if route.data else None
    where = f"{route.method.upper()} {route.name} as {role}"
    with transaction.atomic():
        before = fingerprint()
        response = request(client, route.method, url, data, route.extra)
        after = fingerprint()
        check_answer(response, route.expect[role], where, client if route.method == "get" else None)
        transaction.set_rollback(True)
    changed = changed_tables(before, after)
    if role in route.changes:
        assert changed, f"{where}: the row says this changes something; nothing changed"
    else:
        assert changed == [], f"{where} changed {changed}"


POST_CASES = [
    pytest.param(route, role, id=f"{row_id(index, route)}-{role}")
    for index, route in enumerate(ROUTES)
    if route.method == "post"
    for role in route.changes
]


@pytest.mark.parametrize(("route", "role"), POST_CASES)
def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(route, role, sweep):
    client = client_for(sweep, role)
    data = route.data(sweep) if route.data else None
    with transaction.atomic():
        before = fingerprint()
        response = request(client, "post", url_of(route, sweep), data, csrf=False)
        after = fingerprint()
        transaction.set_rollback(True)
    assert response.status_code == 403
    assert changed_tables(before, after) == []


def undeclared():
    """Each route and method the table has no row for (a GET to a route that only takes POST, a
    POST to a page that only shows something), as each role the route lets in: whoever it
    refuses is refused before any handler runs."""
    declared = {(route.name, route.method) for route in ROUTES}
    let_in = {}
    for route in ROUTES:
        admitted = {role for role, answer in route.expect.items() if answer in (200, REDIRECT)}
        let_in.setdefault(route.name, (route, set()))[1].update(admitted)
    return [
        pytest.param(route, method, role, id=f"{name}-{method}-{role}")
        for name, (route, roles) in let_in.items()
        for method in METHODS
        if (name, method) not in declared
        for role in ROLES
        if role in roles
    ]


@pytest.mark.parametrize(("route", "method", "role"), undeclared())
def test_a_method_without_a_row_changes_nothing(route, method, role, sweep):
    """A GET to a state-changing route, or an empty CSRF-valid POST to a page, changes nothing.

    A route that starts to act on a method it has no row for fails here (or changes nothing).
    """
    client = client_for(sweep, role)
    with transaction.atomic():
        before = fingerprint()
        response = request(client, method, url_of(route, sweep), {})
        after = fingerprint()
        transaction.set_rollback(True)
    assert response.status_code != 500
    assert changed_tables(before, after) == [], f"{method.upper()} {route.name} as {role}"
    if route.method == "post" and method == "get" and role != "anonymous":
        # A route that acts only on POST says so to a GET, or 404s to whoever may not use it.
        assert response.status_code in (405, 404), f"GET {route.name} as {role}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_closed_to_everyone_but_staff(role, sweep):
    client = client_for(sweep, role)
    response = client.get("/admin/")
    check_answer(response, PREFIX_RULES["admin/"][role], f"admin as {role}")
