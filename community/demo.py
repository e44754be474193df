"""Demo people, organisations and networks (DOMAIN.md). Invented, plausible, respectful."""

from allauth.account.models import EmailAddress
from django.db import transaction

from community import policies, services
from community.models import BoardRole, Network, NetworkRole, Organisation, User

DEMO_PASSWORD = "confide-demo-2026"
DEMO_DOMAIN = "demo.confide.invalid"

ORGANISATIONS = [
    ("Northfield Hospitals NHS Foundation Trust", "acute", "midlands"),
    ("Riverside Mental Health NHS Trust", "mental_health", "london"),
    ("Eastmoor Community Health NHS Trust", "community", "east"),
    ("West Coast Ambulance Service NHS Trust", "ambulance", "north_west"),
    ("Harbourside Health and Care NHS Trust", "combined", "south_west"),
    ("Vale and Downs Integrated Care Board", "icb", "south_east"),
    ("Pennine Teaching Hospitals NHS Foundation Trust", "acute", "north_east"),
]

# (key, display name, board role, organisation index, pronouns)
PEOPLE = [
    ("steward", "Grace Adeyemi", BoardRole.OTHER, 5, "she/her"),
    ("moderator", "Owen Pritchard", BoardRole.NED, 1, "he/him"),
    ("facilitator", "Farah Siddiqui", BoardRole.EDI_LEAD, 2, "she/her"),
    ("chair", "Margaret Ellison", BoardRole.CHAIR, 0, "she/her"),
    ("chair2", "Dev Raman", BoardRole.CHAIR, 3, "he/him"),
    ("chair3", "Helen Okonkwo", BoardRole.CHAIR, 4, "she/her"),
    ("ceo", "Tom Brennan", BoardRole.CHIEF_EXECUTIVE, 6, "he/him"),
    ("ned", "Aisha Rahman", BoardRole.NED, 0, "she/her"),
    ("ned2", "Samuel Osei", BoardRole.NED, 2, "he/him"),
    ("director", "Claire Whitfield", BoardRole.EXECUTIVE_DIRECTOR, 1, "she/her"),
    ("governor", "Peter Nowak", BoardRole.GOVERNOR, 0, "he/him"),
    ("edi", "Nkechi Adebayo", BoardRole.EDI_LEAD, 6, "she/her"),
    ("ned3", "James Whitaker", BoardRole.NED, 4, "he/him"),
    ("director2", "Priya Kaur", BoardRole.EXECUTIVE_DIRECTOR, 3, "she/her"),
    ("governor2", "Michael Adeleke", BoardRole.GOVERNOR, 2, "he/him"),
]

AGREEMENT = """What is said here stays here. We follow the Chatham House rule: use what you learn,
never say who said it.

- Speak from your own experience.
- Challenge ideas, not people.
- No screenshots, forwarding or recording.
- The moderators may act on posts that break these."""


def email_for(key):
    return f"{key}@{DEMO_DOMAIN}"


def ensure_user(key, display_name, role, organisation):
    user = User.objects.filter(email=email_for(key)).first()
    if user is None:
        user = User.objects.create_user(
            username=f"demo-{key}", email=email_for(key), password=DEMO_PASSWORD
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        services.update_profile(
            actor=user, display_name=display_name, board_role=role, organisation=organisation
        )
    return user


def ensure_network(steward, **fields):
    network = Network.objects.filter(slug=fields["slug"]).first()
    if network is None:
        network = services.create_network(actor=None, **fields)
        services.set_steward(actor=None, network=network, user=steward, steward=True)
    return network


def ensure_member(network, user, role=NetworkRole.MEMBER):
    if not policies.is_member(user, network):
        services.add_member(actor=None, network=network, user=user, role=role)
        services.accept_agreement(actor=user, network=network)


@transaction.atomic
def seed():
    """Create what is missing; a second run changes nothing."""
    organisations = [
        Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "region": region})[0]
        for name, kind, region in ORGANISATIONS
    ]
    people = {
        key: ensure_user(key, name, role, organisations[org]) for key, name, role, org, _ in PEOPLE
    }
    chairs = ensure_network(
        people["steward"],
        name="Chairs' race equality network",
        slug="chairs",
        description="A closed space for trust chairs to talk honestly about leading on race "
        "equality. Invitation only.",
        listing=Network.Listing.UNLISTED,
        agreement=AGREEMENT,
    )
    learning = ensure_network(
        people["steward"],
        name="Board race equality learning network",
        slug="learning",
        description="For any board member who wants to learn from peers about high-impact "
        "actions on race equality. Ask to join.",
        listing=Network.Listing.LISTED,
        agreement=AGREEMENT,
    )
    ensure_member(chairs, people["moderator"], NetworkRole.MODERATOR)
    for key in ("chair", "chair2", "chair3"):
        ensure_member(chairs, people[key])
    ensure_member(learning, people["moderator"], NetworkRole.MODERATOR)
    for key in (
        "facilitator",
        "chair",
        "ceo",
        "ned",
        "ned2",
        "director",
        "governor",
        "edi",
        "ned3",
        "director2",
    ):
        ensure_member(learning, people[key])
    return {
        "people": people,
        "networks": {"chairs": chairs, "learning": learning},
        "organisations": organisations,
    }


def enrol_two_factor(people):
    """Everyone whose role requires two-factor gets an authenticator already set up, so the demo
    opens on the product rather than a set-up wizard. Returns {key: secret}; a second run keeps
    the secrets it made the first time."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secrets = {}
    for key, user in people.items():
        if not policies.requires_two_factor(user):
            continue
        existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if existing is not None:
            secrets[key] = get_adapter().decrypt(existing.data["secret"])
        else:
            secrets[key] = generate_totp_secret()
            TOTP.activate(user, secrets[key])
    return secrets


def current_code(email):
    """The current six-digit code of a demo account with two-factor, or None."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    authenticator = Authenticator.objects.filter(
        user__email=email, type=Authenticator.Type.TOTP
    ).first()
    if authenticator is None:
        return None
    secret = get_adapter().decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
