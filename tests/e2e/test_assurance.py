"""Board assurance in Chromium: the chair opens a round, five board members answer, the round
closes, the chair reads the results beside the reference and a peer group, turns the two weakest
areas into owned actions with milestones, sees suggestions and prints the board paper; a member
of another trust gets 404. axe on every new page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assurance import questionnaire
from tests.conftest import off_loop

pytestmark = pytest.mark.browser


def go(session, path, axe, status=200):
    response = session.page.goto(path)
    assert response.status == status, path
    if status == 200:
        axe(session.page)


def setup_world():
    from events import services as event_services
    from forums import services as forum_services
    from forums.models import TopicKind
    from mentoring import services as mentoring_services
    from tests.assurance.conftest import Board
    from tests.factories import add_member, make_network, make_user

    steward = make_user(display_name="Grace Steward")
    network = make_network(slug="assurance-e2e", steward=steward)
    for _ in range(5):
        Board(network, size=5).run_round([4, 5, 6, 6, 7], "progressing")
    board = Board(network, size=6, name="Northfield Hospitals NHS Foundation Trust")
    stranger = Board(network, size=5).chair
    forum = forum_services.create_forum(actor=None, network=network, name="Library", slug="lib")
    writer = add_member(network, make_user(display_name="Case Study Writer"))
    forum_services.create_topic(
        actor=writer,
        forum=forum,
        title="Buying differently: our supplier diversity case study",
        body="What we changed in procurement.",
        kind=TopicKind.CASE_STUDY,
        areas=["accountability"],
    )
    mentor = add_member(network, make_user(display_name="Nkechi Adebayo"))
    profile = mentoring_services.save_mentor_profile(
        actor=mentor,
        expertise=["hr_processes"],
        roles_held=["edi_lead"],
        organisation_kinds=[],
        region="",
        formats=[],
        capacity=2,
    )
    mentoring_services.approve_mentor(actor=steward, profile=profile)
    start = timezone.now() + timedelta(days=12)
    event = event_services.create_event(
        actor=steward,
        networks=[network],
        title="Retention of ethnic minority staff: a peer-learning session",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    event_services.publish_event(actor=steward, event=event)
    return board, stranger


def answer(session, overall, weak):
    page = session.page
    page.get_by_role("link", name="Answer now").click()
    expect(page.get_by_role("heading", name="Your answers", level=1)).to_be_visible()
    page.locator(f"#id_overall_{overall}").check()
    levels = [code for code, _ in questionnaire.PROGRESS_SCALE]
    for item in questionnaire.version(1).items:
        level = "none" if item.code in weak else "progressing"
        page.locator(f"#id_progress_{item.code}_{levels.index(level)}").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved. Only you can see them.")).to_be_visible()


def test_a_board_assesses_itself_compares_and_plans(browser_session, axe):
    board, stranger = off_loop(setup_world)

    chair = browser_session().sign_in(board.chair)
    go(chair, "/assurance/", axe)
    chair.page.get_by_role("link", name="Open a round").click()
    expect(chair.page.get_by_role("heading", name="Open a self-assessment round")).to_be_visible()
    axe(chair.page)
    closes = (timezone.localdate() + timedelta(days=14)).isoformat()
    chair.page.get_by_label("Closing date").fill(closes)
    chair.page.get_by_role("button", name="Open the round").click()
    expect(chair.page.get_by_text("The round is open.")).to_be_visible()
    axe(chair.page)
    round_url = chair.page.url

    # Five board members answer, each in their own browser; two areas lag for everyone.
    weak = {"procurement", "retention"}
    for member, overall in zip(board.members[1:6], [3, 5, 6, 6, 8], strict=True):
        session = browser_session().sign_in(member)
        go(session, round_url, axe)
        answer(session, overall, weak)
        if overall == 3:
            axe(session.page)
            session.page.goto(round_url.rstrip("/") + "/answer/")
            axe(session.page)
        session.close()

    # The board's shared answer to a key assurance question.
    go(chair, round_url + "questions/", axe)
    chair.page.get_by_label("What did our WRES data tell us this year").fill(
        "Shortlisting improved; disciplinary referrals did not."
    )
    chair.page.get_by_role("button", name="Save the board's answers").click()
    expect(chair.page.get_by_text("Shortlisting improved; disciplinary referrals")).to_be_visible()
    expect(chair.page.get_by_text("5 of 6 board members have answered")).to_be_visible()
    chair.page.get_by_role("button", name="Close the round now").click()
    expect(chair.page.get_by_text("The round is closed.")).to_be_visible()

    # Results: charts with tables, the national reference and a peer group.
    expect(
        chair.page.get_by_role("img", name="Overall position on the 0 to 10 scale")
    ).to_be_visible()
    expect(
        chair.page.get_by_role("img", name="Where boards report progress, per cent")
    ).to_be_visible()
    expect(
        chair.page.get_by_role("rowheader", name="National reference 2022: all respondents").first
    ).to_be_visible()
    expect(
        chair.page.get_by_role("rowheader", name="All boards on Confide: median of 5 boards")
    ).to_be_visible()
    axe(chair.page)

    # The two weakest areas become actions with owners and milestones.
    chair.page.get_by_role("link", name="Action plan and suggestions").click()
    expect(chair.page.get_by_role("heading", name="Action plan", level=1)).to_be_visible()
    axe(chair.page)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    for area, title, owner in [
        ("retention", "Exit interviews by ethnicity, reported quarterly", board.members[2]),
        ("procurement", "Supplier diversity in every major tender", board.members[3]),
    ]:
        chair.page.locator("#id_title").fill(title)
        chair.page.locator("#id_area").select_option(area)
        chair.page.get_by_label("Owner (a board member)").select_option(str(owner.pk))
        chair.page.locator("#id_milestone_1").fill("Agree the measure")
        chair.page.locator("#id_due_1").fill(due)
        chair.page.get_by_role("button", name="Add the action").click()
        expect(chair.page.get_by_role("link", name=title)).to_be_visible()

    # Suggestions from what the chair may see.
    expect(
        chair.page.get_by_role("link", name="Buying differently: our supplier diversity case study")
    ).to_be_visible()
    expect(chair.page.get_by_role("link", name="Nkechi Adebayo")).to_be_visible()
    expect(
        chair.page.get_by_role(
            "link", name="Retention of ethnic minority staff: a peer-learning session"
        )
    ).to_be_visible()
    axe(chair.page)

    chair.page.get_by_role("link", name="Exit interviews by ethnicity, reported quarterly").click()
    expect(chair.page.get_by_role("heading", name="Record progress")).to_be_visible()
    axe(chair.page)

    # The board paper, printed on A4.
    chair.page.goto(round_url)
    chair.page.get_by_role("link", name="Board paper (printable)").click()
    expect(
        chair.page.get_by_role("heading", name="Race equality self-assessment: board paper")
    ).to_be_visible()
    axe(chair.page)
    chair.page.emulate_media(media="print")
    expect(chair.page.locator(".site-header")).to_be_hidden()
    pdf = chair.page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    chair.page.emulate_media(media="screen")
    go(chair, "/assurance/wres/", axe)
    assert chair.console_errors == []

    # A member of another trust sees none of it.
    other = browser_session().sign_in(stranger)
    for path in (round_url, round_url + "plan/", round_url + "paper/", round_url + "results.csv"):
        go(other, path, axe, status=404)
    go(other, "/assurance/", axe)
    expect(other.page.get_by_text("Northfield")).to_have_count(0)
