"""The site's own 404, 403 and 500 pages, with DEBUG on as in `make demo`, and with it off."""

import pytest

from tests.factories import make_network, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_with_failing_routes")]


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    settings.DEBUG_ERROR_PAGES = False
    return request.param


def test_a_mistyped_url_shows_the_sites_404_page(client, debug):
    response = client.get("/netwroks/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'class="site-header"' in page
    # Not Django's technical page, which lists every URL pattern of the site.
    assert "URLconf" not in page and "networks/&lt;slug:slug&gt;" not in page


def test_a_hidden_network_gets_the_same_404_page_as_a_missing_one_and_no_title(client, debug):
    network = make_network(steward=make_user(), name="Secret chairs circle", slug="secret")
    client.force_login(make_user())
    hidden = client.get(f"/networks/{network.slug}/")
    missing = client.get("/networks/no-such-network/")
    assert hidden.status_code == missing.status_code == 404
    assert "No such network." in hidden.content.decode()
    assert "No such network." in missing.content.decode()
    assert "Secret chairs circle" not in hidden.content.decode()


def test_forbidden_shows_the_sites_403_page(client, debug):
    client.force_login(make_user())
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "<h1>You cannot do that here</h1>" in response.content.decode()


def test_a_bug_shows_the_sites_500_page_and_an_outage_the_503_page(client, debug):
    client.raise_request_exception = False
    client.force_login(make_user())
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    response = client.get("/database-down/")
    assert response.status_code == 503
    assert "Confide is briefly unavailable" in response.content.decode()


def test_debug_error_pages_bring_back_djangos_technical_pages(client, settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    response = client.get("/netwroks/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()
