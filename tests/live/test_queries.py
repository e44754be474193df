"""The cost of one chat message, the most frequent write of a session, held under the row lock."""

import pytest
from django.db import connection

from community.models import User
from events.live import services
from events.models import Event
from tests.live.conftest import LiveWorld


@pytest.mark.django_db
def test_a_chat_message_costs_one_policy_query_and_its_writes(django_assert_max_num_queries):
    lw = LiveWorld()
    services.change_state(actor=lw.facilitator, event=lw.event, state="live")
    # Fresh objects, as a connection's user and event would be after the first message.
    alice, event = User.objects.get(pk=lw.alice.pk), Event.objects.get(pk=lw.event.pk)
    services.send_chat(actor=alice, event=event, text="warm up")
    # policy (1), lock (1, and 1 for its timeout on PostgreSQL: community/locking.py), mute and
    # rate checks (2), message, number, log (3), savepoint (2)
    with django_assert_max_num_queries(10 if connection.vendor == "postgresql" else 9):
        services.send_chat(actor=alice, event=event, text="We publish our WRES data")
