"""Access-table rows for mentoring's routes (see tests/access_table.py) and their objects.

In the world the moderator is an approved mentor; the member has a relationship with them
(from one request) and a proposal waiting for their answer (from a second request).
"""

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in

# Mentoring is across networks: a member of any network takes part, so a member who has not yet
# accepted one network's agreement is not kept out of it (they see no network's content here).
PARTICIPANTS = inside_network(agreement_pending=200)


def build(world):
    from mentoring import services

    profile = services.save_mentor_profile(
        actor=world.moderator,
        expertise=["use_of_data", "hr_processes"],
        roles_held=["ned"],
        organisation_kinds=["acute"],
        region="london",
        formats=[],
        capacity=3,
    )
    world.mentor_profile = services.approve_mentor(actor=world.steward, profile=profile)
    first = services.create_request(
        actor=world.member, goals="Use our WRES data.", focus_areas=["use_of_data"]
    )
    proposal = services.propose_mentor(actor=world.member, request=first, mentor=profile)
    world.relationship = services.accept_proposal(actor=world.moderator, proposal=proposal)
    world.mentoring_request = services.create_request(
        actor=world.member, goals="Fair recruitment.", focus_areas=["hr_processes"]
    )
    world.proposal = services.propose_mentor(
        actor=world.member, request=world.mentoring_request, mentor=profile
    )
    services.add_private_note(
        actor=world.member, relationship=world.relationship, body="Secret-private-note-of-mentee"
    )
    # The leak probe: a private note reaches its writer only; goals only the two people.
    world.protect("Secret-private-note-of-mentee", "member")
    world.protect("Use our WRES data.", "member", "moderator")


MENTOR_PROFILE = {
    "expertise": ["use_of_data"],
    "roles_held": ["ned"],
    "organisation_kinds": ["acute"],
    "region": "london",
    "capacity": "2",
    "bio": "Ten years on boards.",
}


def only(role, answer=200):
    """Answered for one role; every other signed-in person gets 404."""
    return {**every(404, anonymous=LOGIN), role: answer}


def posted(role, data, answer=REDIRECT, changes=True):
    """A form posted: `role` gets `answer` (and changes something); everyone else 404s."""
    return {
        "expect": only(role, answer),
        "method": "post",
        "data": data,
        "changes": (role,) if changes else (),
    }


ROUTES = [
    Route("mentoring:home", signed_in(), note="outsiders are told mentoring needs a network"),
    Route("mentoring:directory", PARTICIPANTS, note="members of any network"),
    Route(
        "mentoring:mentor",
        PARTICIPANTS,
        kwargs=lambda w: {"pk": w.mentor_profile.pk},
    ),
    Route("mentoring:profile", PARTICIPANTS),
    Route(
        "mentoring:profile",
        {**every(REDIRECT, anonymous=LOGIN), "outsider": 404},
        method="post",
        data=lambda w: MENTOR_PROFILE,
        changes=("member", "agreement_pending", "moderator", "steward"),
        note="members apply to mentor; the moderator, a mentor already, updates the profile; "
        "a steward may mentor too, and is sent to mentoring's home",
    ),
    Route("mentoring:request_create", PARTICIPANTS),
    Route(
        "mentoring:request",
        only("member"),
        kwargs=lambda w: {"pk": w.mentoring_request.pk},
        note="the mentee's alone",
    ),
    Route(
        "mentoring:request",
        kwargs=lambda w: {"pk": w.mentoring_request.pk},
        **posted("member", lambda w: {"action": "withdraw"}),
    ),
    Route(
        "mentoring:proposal",
        only("moderator"),
        kwargs=lambda w: {"pk": w.proposal.pk},
        note="the mentor asked",
    ),
    Route(
        "mentoring:proposal",
        kwargs=lambda w: {"pk": w.proposal.pk},
        **posted("moderator", lambda w: {"answer": "decline", "reason": "No time this year."}),
    ),
    Route(
        "mentoring:relationship",
        {**only("member"), "moderator": 200},
        kwargs=lambda w: {"pk": w.relationship.pk},
        note="the two people; stewards see statuses in figures only",
    ),
    Route(
        "mentoring:relationship",
        {**only("member", REDIRECT), "moderator": REDIRECT},
        kwargs=lambda w: {"pk": w.relationship.pk},
        method="post",
        data=lambda w: {"action": "goal", "goal-text": "Publish our WRES action plan."},
        changes=("member", "moderator"),
    ),
    Route("mentoring:steward_mentors", only("steward")),
    Route("mentoring:steward_requests", only("steward")),
    Route("mentoring:steward_cohort", only("steward")),
    Route(
        "mentoring:steward_cohort",
        **posted("steward", lambda w: {"mode": "best_total", "min_score": "0", "fixed": ""}),
        note="confirms a cohort: proposals for waiting requests",
    ),
    Route("mentoring:steward_figures", only("steward")),
]
