"""Access-table rows for this app's routes (see tests/access_table.py) and their objects.

`build(world)` adds this app's objects to the shared world (one person in each role around
an unlisted network `world.network` and a listed one `world.listed`).
"""

from tests.access_table import LOGIN, REDIRECT, Route, every, inside_network, signed_in  # noqa: F401


def build(world):
    pass


ROUTES = []
