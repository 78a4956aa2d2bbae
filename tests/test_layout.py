"""The house rules that keep the code findable: one door for state changes, rooms by concern.

These read the source (with Python's own parser, so strings and comments do not count) rather
than run it: a rule that holds only until someone forgets it is not a rule.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "articles"
SOURCES = sorted(
    path
    for room in ("articles", "caching", "newsroom", "images", "fronts")
    for path in (ROOT / room).rglob("*.py")
    if "migrations" not in path.parts
)
STATE_FIELDS = {"status", "publish_at"}
# The one door, and the model that declares the fields.
DOOR = APP / "editorial" / "publishing.py"
# Bulk demo data (generate_articles) writes live rows directly, for speed (its docstring).
DOCUMENTED_EXCEPTION = APP / "ingest" / "demo.py"
# Calls that write rows: a state keyword given to one of these sets the state.
WRITES = {"Article", "create", "update", "update_or_create", "get_or_create", "bulk_update"}


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def state_writes(module: ast.Module) -> list[int]:
    """Lines that set a story's status or publish time: `x.status = …`, `Article(status=…)`,
    `.update(status=…)`, `setattr(x, "status", …)`. Filters (`.filter(status=…)`) are reads,
    and so is an HTTP response's `status=`."""
    lines = []
    for node in ast.walk(module):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in ast.walk(target):
                    if isinstance(element, ast.Attribute) and element.attr in STATE_FIELDS:
                        lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name == "setattr" and len(node.args) > 1:
                key = node.args[1]
                if isinstance(key, ast.Constant) and key.value in STATE_FIELDS:
                    lines.append(node.lineno)
            elif name in WRITES and any(k.arg in STATE_FIELDS for k in node.keywords):
                lines.append(node.lineno)
    return lines


def test_only_the_publishing_door_changes_a_storys_status_or_publish_time():
    offenders = [
        f"{relative(path)}:{line}"
        for path in SOURCES
        if path not in {DOOR, DOCUMENTED_EXCEPTION}
        for line in state_writes(tree(path))
    ]
    assert offenders == [], "state changes outside articles/editorial/publishing.py"


def test_the_door_check_finds_a_state_change_where_there_is_one():
    sample = ast.parse(
        "story.status = 'published'\n"
        "Article(status='draft')\n"
        "Article.objects.filter(pk=1).update(publish_at=None)\n"
        "setattr(story, 'publish_at', None)\n"
        "Article.objects.filter(status='published')\n"
        "render(request, 'gone.html', status=410)\n"
    )
    assert state_writes(sample) == [1, 2, 3, 4]


def test_intent_reaches_revisions_only_through_the_recording_block():
    loose = [
        f"{relative(path)}:{node.lineno}"
        for path in [*SOURCES, *sorted((ROOT / "tests").glob("*.py"))]
        for node in ast.walk(tree(path))
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_revision_"))
        or (isinstance(node, ast.Attribute) and node.attr in {"run_on_commit", "__dict__"})
    ]
    assert loose == []


# What each room may not import: lower rooms never import higher ones.
FORBIDDEN_IMPORTS = {
    "articles/models.py": {"admin", "editorial", "outputs", "ingest", "search", "views"},
    "articles/querysets.py": {
        "admin",
        "editorial",
        "outputs",
        "ingest",
        "search",
        "views",
        "models",
    },
    "articles/records.py": {"admin", "editorial", "outputs", "ingest", "search", "views", "models"},
    "articles/editorial": {"admin", "outputs", "ingest", "views"},
    "articles/search": {"admin", "editorial", "outputs", "ingest", "views"},
    "articles/outputs": {"admin", "ingest", "views"},
    "articles/ingest": {"admin", "views"},
}


def imported_modules(module: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def imported_rooms(module: ast.Module) -> set[str]:
    return {name.split(".")[1] for name in imported_modules(module) if name.startswith("articles.")}


@pytest.mark.parametrize("room", sorted(FORBIDDEN_IMPORTS))
def test_lower_rooms_never_import_higher_ones(room):
    paths = [ROOT / room] if room.endswith(".py") else sorted((ROOT / room).rglob("*.py"))
    found = {
        relative(path): sorted(imported_rooms(tree(path)) & FORBIDDEN_IMPORTS[room])
        for path in paths
    }
    assert {path: rooms for path, rooms in found.items() if rooms} == {}


def test_the_cache_knows_nothing_of_stories():
    """caching/ serves and purges pages by key; what the keys mean is the articles' business."""
    found = {
        relative(path): name
        for path in sorted((ROOT / "caching").rglob("*.py"))
        for name in imported_modules(tree(path))
        if name.split(".")[0] == "articles"
    }
    assert found == {}


MAX_MODULE_LINES = 450  # "about 400"; past it, split by concern
MAX_FUNCTION_LINES = 60
MAX_COMMAND_LINES = 150


def test_no_module_is_too_long_to_hold_one_concern():
    long = {
        relative(path): length
        for path in SOURCES
        if (length := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_management_commands_are_thin():
    commands = sorted((APP / "management" / "commands").glob("*.py"))
    long = {
        relative(path): length
        for path in commands
        if (length := len(path.read_text().splitlines())) > MAX_COMMAND_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_a_screen():
    long = [
        f"{relative(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in SOURCES
        for node in ast.walk(tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
