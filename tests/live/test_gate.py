"""The one gate on the live session socket, and its session ending (DESIGN.md rule 11)."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community import services as community_services
from events.live.models import ChatMessage
from tests.live.conftest import HEADERS, close_all

pytestmark = pytest.mark.django_db(transaction=True)


def new_agreement(lw):
    community_services.update_agreement(
        actor=lw.steward, network=lw.network, text="A new version: what is said stays."
    )


async def test_a_participant_pending_a_new_agreement_is_closed_before_acting(lw, sockets):
    await sync_to_async(lw.go_live)()
    alice = await sockets(lw.alice, lw.event)
    try:
        await sync_to_async(new_agreement)(lw)
        await alice.send({"type": "chat.send", "text": "Should not be kept"})
        assert await alice.closed_with(timeout=10) == 4403
        assert not await sync_to_async(ChatMessage.objects.exists)()
    finally:
        await close_all(alice)


async def test_a_participant_pending_the_agreement_cannot_join(lw, sockets):
    await sync_to_async(lw.go_live)()
    await sync_to_async(new_agreement)(lw)
    alice = await sockets(lw.alice, lw.event, expect_snapshot=False)
    try:
        assert await alice.closed_with(timeout=10) == 4404
    finally:
        await close_all(alice)


async def test_sign_out_closes_the_live_socket(lw):
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from confide.asgi import application

    await sync_to_async(lw.go_live)()
    client = Client()
    await sync_to_async(client.force_login)(lw.alice)
    comm = WebsocketCommunicator(
        application,
        f"/ws/events/{lw.event.pk}/live/",
        headers=[*HEADERS, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())],
    )
    connected, _ = await comm.connect(timeout=10)
    assert connected
    try:
        assert (await comm.receive_json_from(timeout=10))["type"] == "snapshot"
        await sync_to_async(client.post)(reverse("account_logout"))
        output = await comm.receive_output(timeout=10)
        while output["type"] == "websocket.send":  # presence frames may come first
            assert '"chat.message"' not in output.get("text", "")
            output = await comm.receive_output(timeout=10)
        assert output["type"] == "websocket.close" and output["code"] == 4401
    finally:
        await comm.disconnect()
