"""Liveness of the two things every page needs: the database and the channel layer."""

import asyncio
import logging

from channels.layers import get_channel_layer
from django.db import connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database unavailable", exc_info=True)
        return False


async def _round_trip(layer):
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    message = await layer.receive(channel)
    return message.get("type") == "health.ping"


async def check_channel_layer():
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        return await asyncio.wait_for(_round_trip(layer), CHECK_TIMEOUT)
    except Exception:
        logger.warning("health check: channel layer unavailable", exc_info=True)
        return False
