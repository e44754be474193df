import pytest
from django.contrib.auth.models import Group

from community.models import NetworkRole
from forums import policies, services
from tests.factories import add_member, enrol_totp, make_network, make_user


class Space:
    """A network with a forum that allows anonymous posts, a narrower forum, and people."""

    def __init__(self):
        self.steward = make_user(display_name="Grace Steward")
        self.network = make_network(steward=self.steward, slug="space")
        self.author = add_member(
            self.network, make_user(display_name="Zadie Quillfeather", username="zquill", id=987654)
        )
        self.peer = add_member(self.network, make_user(display_name="Peter Peer"))
        self.moderator = add_member(
            self.network, make_user(display_name="Mo Moderator"), role=NetworkRole.MODERATOR
        )
        self.inner = add_member(self.network, make_user(display_name="Ines Inner"))
        self.outsider = make_user(display_name="Olu Outsider")
        # Stewards and moderators must use two-factor authentication.
        enrol_totp(self.steward)
        enrol_totp(self.moderator)
        self.forum = services.create_forum(
            actor=None, network=self.network, name="Open talk", slug="open", allow_anonymous=True
        )
        self.circle = Group.objects.create(name="space:circle")
        self.inner.groups.add(self.circle)
        policies.forget(self.inner)
        self.narrow = services.create_forum(
            actor=None,
            network=self.network,
            name="Ethnic minority board members",
            slug="circle",
            audience=self.circle,
        )

    def topic(self, user=None, forum=None, anonymous=False, title="A topic", body="Hello", **kw):
        return services.create_topic(
            actor=user or self.author,
            forum=forum or self.forum,
            title=title,
            body=body,
            anonymous=anonymous,
            **kw,
        )


@pytest.fixture
def space(db):
    return Space()


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMIT_POSTS", 10_000)
