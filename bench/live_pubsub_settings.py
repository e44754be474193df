"""confide.settings with channels_redis's PubSub layer (bench/live_fanout.py --layer pubsub)."""

from confide.settings import *  # noqa: F403
from confide.settings import CHANNELS_PREFIX, REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL}], "prefix": CHANNELS_PREFIX},
    }
}
