"""Names come from one function (DESIGN.md confidentiality rule 12): a guard for the next page.

Every page, row, export, notice and log line that names someone asks
community.policies.person_label (templates: the `label_for` filter; forums: author_label).
Reading `.display_name` straight off a user elsewhere is how an anonymous author gets named by
a channel nobody thought of, so this test lists every place that still does it. The list may
only shrink: a new file that names people its own way fails here.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_DIRS = ["community", "forums", "events", "mentoring", "confide"]
DIRECT_NAME = re.compile(r"\.display_name\b")
TEMPLATE_NAME = re.compile(r"\{\{[^}]*\.(display_name|username|email)\b[^}]*\}\}")

# Where a name is read for what it is, not shown for someone.
NOT_A_LABEL = {
    "community/policies.py",  # person_label itself
    "community/models.py",  # the display_name property person_label reads
    "community/data.py",  # the member's own profile in their own export
    "community/demo.py",
    "community/management/commands/seed_demo.py",  # the demo's own sign-in list
    "templates/account/email.html",  # a person's own addresses, shown to them
    "templates/account/email_confirm.html",
    "events/demo.py",
    "mentoring/demo.py",
    "forums/demo.py",
}
# Still naming people directly, outside the forums and community (events, live, mentoring and
# the header's "signed in as" are other branches' ground). Move each to person_label and remove
# it from this list.
NOT_YET = {
    "events/forms.py",
    "events/views.py",
    "events/live/selectors.py",
    "mentoring/models.py",
    "mentoring/forms.py",
    "mentoring/views.py",
    "templates/events/event_manage.html",
    "templates/includes/header.html",
    "templates/mentoring/home_page.html",
    "templates/mentoring/mentor_detail.html",
    "templates/mentoring/mentor_directory.html",
    "templates/mentoring/proposal_detail.html",
    "templates/mentoring/relationship_detail.html",
    "templates/mentoring/request_detail.html",
    "templates/mentoring/steward_cohort.html",
    "templates/mentoring/steward_mentors.html",
    "templates/mentoring/steward_requests.html",
}


def places_that_name_people_directly():
    found = set()
    for directory in PYTHON_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if DIRECT_NAME.search(path.read_text()):
                found.add(str(path.relative_to(ROOT)))
    for path in (ROOT / "templates").rglob("*.html"):
        if TEMPLATE_NAME.search(path.read_text()):
            found.add(str(path.relative_to(ROOT)))
    return found - NOT_A_LABEL


def test_no_new_place_names_people_except_through_person_label():
    assert places_that_name_people_directly() <= NOT_YET


def test_the_forums_and_community_pages_name_no_one_directly():
    direct = places_that_name_people_directly()
    assert not {p for p in direct if p.startswith(("forums/", "templates/forums/"))}
    assert not {p for p in direct if p.startswith(("community/", "templates/community/"))}
