"""What every signed-in page asks about its user, cached across requests under versioned keys.

Group ids (memberships and moderation), stewarded network ids, whether two-factor enrolment is
owed, and whether the user has any notice at all. Without this each page paid four queries for
them before showing anything (docs/benchmarks.md: the floor).

Nothing here is ever stale after a change, because the key names two versions and every change
that could alter an answer replaces one of them, from the model signals (so every path that
changes a row, services, admin and allauth's MFA pages alike, bumps; no caller has to remember):

- the user's own version: their groups (m2m_changed, either side), their own grants (steward,
  facilitator), their authenticators, their notices;
- the site version: anything that changes the answer for many people at once (a network saved
  or deleted, a group deleted or emptied, a grant to a group).

A version is a random token, never a counter, so a version key lost to eviction or expiry can
only make a new one (a miss), never bring back an older one's facts. Bumps happen at once and
again after commit, so a request that read the rows before the commit cannot store its answer
under the version a later request will read.

The gate itself (policies.networks_open_to / may_see_network_content) never reads this cache:
it asks the membership table each time, as sockets need.
"""

import uuid

from django.core.cache import caches
from django.db import transaction

SITE_KEY = "confide:uc:site"
TIMEOUT = 3600


def _cache():
    """Its own alias (settings.CACHES["usercache"]): Redis, or files every local process shares."""
    return caches["usercache"]


def _user_key(user_id):
    return f"confide:uc:u:{user_id}"


def _versions(user_id):
    keys = [SITE_KEY, _user_key(user_id)]
    cache = _cache()
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, TIMEOUT)
    if missing:
        found = cache.get_many(keys)
    if len(found) < len(keys):  # a cache that keeps nothing: no versions, no caching
        return None
    return f"{found[SITE_KEY]}:{found[_user_key(user_id)]}"


def facts(user):
    """The cached facts about a signed-in user (a dict), computed once per version.

    Also memoised on the user object for the rest of the request; forget(user) drops that.
    """
    known = getattr(user, "_confide_facts", None)
    if known is not None:
        return known
    version = _versions(user.pk)
    key = f"confide:uc:f:{user.pk}:{version}"
    known = _cache().get(key) if version else None
    if known is None:
        known = _compute(user)
        if version:
            _cache().set(key, known, TIMEOUT)
    user._confide_facts = known
    return known


def _compute(user):
    from community import policies

    return {
        "group_ids": policies.read_group_ids(user),
        "managed_ids": policies.read_managed_network_ids(user),
        "must_enrol": policies.must_enrol_in_two_factor(user),
        "has_notices": user.notifications.exists(),
    }


def forget(user):
    """Drop what this user object remembers, so the next question reads the cache again."""
    if hasattr(user, "_confide_facts"):
        del user._confide_facts


def _replace(key):
    _cache().set(key, uuid.uuid4().hex, TIMEOUT)


def bump_user(user_id):
    key = _user_key(user_id)
    _replace(key)
    transaction.on_commit(lambda: _replace(key))


def bump_site():
    _replace(SITE_KEY)
    transaction.on_commit(lambda: _replace(SITE_KEY))


# Signal receivers (connected in community.signals.connect) ---------------------------------


def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:  # user.groups.add/remove/clear
        bump_user(instance.pk)
    elif pk_set:  # group.user_set.add/remove
        for user_id in pk_set:
            bump_user(user_id)
    else:  # group.user_set.clear(): who was in it is gone
        bump_site()


def row_changed(sender, instance, **kwargs):
    """post_save/post_delete of any model: bump for the rows the facts are read from.

    Grants are matched by guardian's base classes, so an app's own grant tables (events'
    facilitators) bump without community naming them.
    """
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    from community.models import Network, Notification, User

    if isinstance(instance, (Notification, Authenticator, UserObjectPermissionBase)):
        bump_user(instance.user_id)
    elif isinstance(instance, User):
        bump_user(instance.pk)
    elif isinstance(instance, (Network, Group, GroupObjectPermissionBase)):
        bump_site()


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from community.models import User

    m2m_changed.connect(groups_changed, sender=User.groups.through, dispatch_uid="confide-uc-m2m")
    post_save.connect(row_changed, dispatch_uid="confide-uc-save")
    post_delete.connect(row_changed, dispatch_uid="confide-uc-delete")
