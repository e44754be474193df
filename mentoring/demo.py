"""Demo mentors and requests (DOMAIN.md): three mentors with different expertise, two requests.

Called by `manage.py seed_demo` with the context from community.demo.seed(); a second run
changes nothing.
"""

from community.models import BoardRole, PracticeArea
from mentoring import services
from mentoring.models import Format, MentoringRequest, MentorProfile

MENTORS = [
    (
        "chair3",
        dict(
            expertise=[
                PracticeArea.ACCOUNTABILITY,
                PracticeArea.CULTURE_OF_CHALLENGE,
                PracticeArea.SAFE_SPACES,
            ],
            roles_held=[BoardRole.CHAIR, BoardRole.NED],
            organisation_kinds=["combined", "acute"],
            region="south_west",
            formats=[Format.VIDEO, Format.IN_PERSON],
            capacity=2,
            bio="Chair of a combined trust. I led our board from talking about inclusion to "
            "acting on discrimination, and I am glad to share what worked and what did not.",
        ),
    ),
    (
        "edi",
        dict(
            expertise=[
                PracticeArea.USE_OF_DATA,
                PracticeArea.HR_PROCESSES,
                PracticeArea.HEALTH_INEQUALITIES,
            ],
            roles_held=[BoardRole.EDI_LEAD, BoardRole.EXECUTIVE_DIRECTOR],
            organisation_kinds=["acute"],
            region="north_east",
            formats=[Format.VIDEO, Format.PHONE],
            capacity=3,
            lived_experience="I have experienced racism at work and in recruitment, and I "
            "talk about it when it helps.",
            lived_experience_consent=True,
            bio="EDI lead. I help boards use WRES data to change recruitment and discipline.",
        ),
    ),
    (
        "ned2",
        dict(
            expertise=[
                PracticeArea.STAFF_NETWORKS,
                PracticeArea.CHALLENGING_DISCRIMINATION,
                PracticeArea.PERSONAL_VALUES,
            ],
            roles_held=[BoardRole.NED],
            organisation_kinds=["community", "mental_health"],
            region="east",
            formats=[],
            capacity=1,
            bio="Non-executive director and sponsor of our ethnic minority staff network.",
        ),
    ),
]

REQUESTS = [
    (
        "ned",
        dict(
            goals="Use our WRES data to change how we recruit to senior roles.",
            focus_areas=[PracticeArea.USE_OF_DATA, PracticeArea.HR_PROCESSES],
            wants_different_region=True,
            formats=[Format.VIDEO],
        ),
    ),
    (
        "chair",
        dict(
            goals="Get our board past 'nice' conversations about inclusion.",
            focus_areas=[PracticeArea.CULTURE_OF_CHALLENGE, PracticeArea.ACCOUNTABILITY],
            wants_role=BoardRole.CHAIR,
        ),
    ),
]


def seed(context):
    people = context["people"]
    steward = people["steward"]
    for key, fields in MENTORS:
        user = people[key]
        if not MentorProfile.objects.filter(user=user).exists():
            profile = services.save_mentor_profile(actor=user, **fields)
            services.approve_mentor(actor=steward, profile=profile)
    for key, fields in REQUESTS:
        user = people[key]
        if not MentoringRequest.objects.filter(mentee=user).exists():
            services.create_request(actor=user, **fields)
