"""Every permission answer lives in a policies.py (DESIGN.md: the rooms; CONVENTIONS.md).

This walks the source of the site and of every app (not tests, not migrations) and fails on
a permission question asked, or a permission named, anywhere else:
- guardian's and Django's permission questions (`has_perm`, `get_users_with_perms`,
  `get_objects_for_user`, `ObjectPermissionChecker`, `get_perms`) outside policies.py;
- grants (`assign_perm`, `remove_perm`) outside policies.py and services.py, the only room
  that changes state;
- any permission codename as a string ("view_forum", "events.facilitate_event", ...) and any
  `...codename=` lookup outside policies.py. Models declare their codenames in Meta (that is
  where they are defined); services that grant name them through constants from policies.py.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()

QUESTIONS = {
    "has_perm",
    "has_perms",
    "get_users_with_perms",
    "get_groups_with_perms",
    "get_objects_for_user",
    "get_objects_for_group",
    "get_perms",
    "get_user_perms",
    "get_group_perms",
    "ObjectPermissionChecker",
}
GRANTS = {"assign_perm", "remove_perm", "bulk_assign_perm", "bulk_remove_perm"}


def _our_packages():
    """The site package and every installed app whose code is in this repository."""
    packages = {ROOT / "confide"}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            packages.add(path)
    return sorted(packages)


def _source_files():
    seen = set()
    for package in _our_packages():
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if path in seen or "migrations" in relative.parts or "tests" in relative.parts:
                continue
            seen.add(path)
            yield path


def _codenames():
    """Every permission codename of our apps, bare and as "app_label.codename"."""
    names = set()
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(ROOT):
            continue
        for model in config.get_models():
            opts = model._meta
            declared = [codename for codename, _ in opts.permissions]
            defaults = [f"{action}_{opts.model_name}" for action in opts.default_permissions]
            for codename in (*declared, *defaults):
                names |= {codename, f"{opts.app_label}.{codename}"}
    return names


def _called_name(node):
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def violations(source, room, codenames, where="<source>"):
    """What `source`, a module of the room `room` ("policies", "services", ...), must not do."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = f"{where}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in QUESTIONS and room != "policies":
                    found.append(f"{line}: imports {alias.name} (a permission question)")
                if alias.name in GRANTS and room not in ("policies", "services"):
                    found.append(f"{line}: imports {alias.name} (grants belong to services)")
        elif isinstance(node, ast.Call):
            name = _called_name(node)
            if name in QUESTIONS and room != "policies":
                found.append(f"{line}: calls {name} (ask a policy instead)")
            if name in GRANTS and room not in ("policies", "services"):
                found.append(f"{line}: calls {name} (grants belong to services)")
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.endswith("codename") and room != "policies":
                    found.append(f"{line}: looks up {keyword.arg}= (a permission query)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in codenames and room not in ("policies", "models"):
                found.append(f"{line}: names the permission {node.value!r}")
    return found


def _room(path):
    """services/, services_*.py and a split services package all count as the services room."""
    stem = path.stem
    if stem.startswith("services") or "services" in path.parent.name:
        return "services"
    return stem


def test_permission_answers_live_only_in_policies():
    codenames = _codenames()
    assert {"view_forum", "forums.post_in_forum", "events.facilitate_event"} <= codenames
    found = []
    files = list(_source_files())
    assert any(p.name == "policies.py" for p in files) and len(files) > 40
    for path in files:
        found += violations(
            path.read_text(), _room(path), codenames, where=str(path.relative_to(ROOT))
        )
    assert not found, "Permission answers outside policies.py:\n" + "\n".join(found)


def test_the_walker_sees_each_kind_of_side_door():
    """The check above is only worth its silence if it catches these."""
    codenames = _codenames()
    doors = {
        "views": [
            "if request.user.has_perm('forums.view_forum', forum): pass",
            "from guardian.shortcuts import get_objects_for_user",
            "get_users_with_perms(network, only_with_perms_in=[MANAGE])",
            "assign_perm(perm, user, event)",
            "Grant.objects.filter(permission__codename=FACILITATE)",
            "x = 'facilitate_event'",
            "ObjectPermissionChecker(user)",
        ],
        "services": [
            "assign_perm('events.register_for_event', group, event)",
            "User.objects.filter(eventuserobjectpermission__permission__codename=c)",
            "checker.has_perm(name, network)",
        ],
        "forms": ["codes = ('view_network', 'manage_network')"],
    }
    for room, lines in doors.items():
        for line in lines:
            assert violations(line, room, codenames), (room, line)
    allowed = {
        "policies": "checker.has_perm(MANAGE, network); x = 'view_forum'",
        "services": "assign_perm(policies.FACILITATE_PERM, user, event)",
        "models": "permissions = [('facilitate_event', 'Facilitate the event')]",
    }
    for room, line in allowed.items():
        assert not violations(line, room, codenames), (room, line)
