"""Access-table rows for mentoring's routes (see tests/access_table.py) and their objects.

In the world the moderator is an approved mentor; the member has a relationship with them
(from one request) and a proposal waiting for their answer (from a second request).
"""

from tests.access_table import LOGIN, Route, inside_network, signed_in


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


def only(role, answer=200):
    """Answered for one role; every other signed-in person gets 404."""
    expect = {"anonymous": LOGIN, "outsider": 404, "member": 404, "moderator": 404}
    expect["steward"] = 404
    expect[role] = answer
    return expect


ROUTES = [
    Route("mentoring:home", signed_in(), note="outsiders are told mentoring needs a network"),
    Route("mentoring:directory", inside_network(), note="members of any network"),
    Route(
        "mentoring:mentor",
        inside_network(),
        kwargs=lambda w: {"pk": w.mentor_profile.pk},
    ),
    Route("mentoring:profile", inside_network()),
    Route("mentoring:request_create", inside_network()),
    Route(
        "mentoring:request",
        only("member"),
        kwargs=lambda w: {"pk": w.mentoring_request.pk},
        note="the mentee's alone",
    ),
    Route(
        "mentoring:proposal",
        only("moderator"),
        kwargs=lambda w: {"pk": w.proposal.pk},
        note="the mentor asked",
    ),
    Route(
        "mentoring:relationship",
        {**only("member"), "moderator": 200},
        kwargs=lambda w: {"pk": w.relationship.pk},
        note="the two people; stewards see statuses in figures only",
    ),
    Route("mentoring:steward_mentors", only("steward")),
    Route("mentoring:steward_requests", only("steward")),
    Route("mentoring:steward_cohort", only("steward")),
    Route("mentoring:steward_figures", only("steward")),
]
