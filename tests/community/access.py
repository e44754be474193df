"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in  # noqa: F401


def build(world):
    from community import services

    world.notification = services.notify(user=world.member, kind="added_to_network", url="/")


ROUTES = [
    Route("community:network", inside_network(), kwargs=lambda w: {"slug": w.network.slug}),
    Route("community:agreement", inside_network(), kwargs=lambda w: {"slug": w.network.slug}),
    Route("community:notifications", signed_in()),
    Route(
        "community:notification_open",
        {"anonymous": LOGIN, "outsider": 404, "member": REDIRECT, "moderator": 404, "steward": 404},
        kwargs=lambda w: {"pk": w.notification.pk},
        note="a notice is its recipient's alone",
    ),
]
