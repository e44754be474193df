"""factory_boy factories. Networks, memberships and profiles go through the real services."""

import itertools

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory
from faker import Faker

from community import services
from community.models import BoardRole, Network, NetworkRole, Organisation, OrganisationKind, Region

PASSWORD = "a long enough test password 42"
fake = Faker("en_GB")
_slugs = itertools.count(1)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Northfield Hospitals NHS Foundation Trust {n}")
    kind = OrganisationKind.ACUTE
    region = Region.MIDLANDS


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "community.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"person{n}@trust.nhs.example")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def make_user(display_name=None, board_role=BoardRole.NED, organisation=None, **kwargs):
    """A signed-up person with a verified e-mail address and a profile."""
    user = UserFactory(**kwargs)
    services.update_profile(
        actor=user,
        # Random names without apostrophes, so "not in the page" checks never pass because
        # the page escaped an O'Brien.
        display_name=display_name or fake.name().replace("'", ""),
        board_role=board_role,
        organisation=organisation or OrganisationFactory(),
    )
    return user


def make_network(
    steward=None,
    name="Chairs' race equality network",
    slug=None,
    listing=Network.Listing.UNLISTED,
    agreement="What is said here stays here.",
    **kwargs,
):
    network = services.create_network(
        actor=None,
        name=name,
        slug=slug or f"network-{next(_slugs)}",
        listing=listing,
        agreement=agreement,
        **kwargs,
    )
    if steward is not None:
        services.set_steward(actor=None, network=network, user=steward, steward=True)
    return network


def add_member(network, user, role=NetworkRole.MEMBER, accept_agreement=True):
    services.add_member(actor=None, network=network, user=user, role=role)
    if accept_agreement:
        services.accept_agreement(actor=user, network=network)
    return user


def enrol_totp(user):
    """Give a user a TOTP authenticator, as the enrolment page would; returns the secret.

    Stewards, moderators and facilitators are sent to enrol before any other page, so browser
    tests that sign in as them enrol first. `totp_code(secret)` gives the current code.
    """
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return get_adapter().decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret):
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))
