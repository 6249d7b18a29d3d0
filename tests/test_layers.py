"""The layers hold: models ← rules ← pages ← views, minutes/ stands alone, and no import
circle outside the models (whose relationships name each other).

The import-linter contracts in pyproject.toml check what a contract can say
(`lint-imports`); this file checks what needs the modules sorted by their job, as
`test_layout` sorts them, and the circles.
"""

import ast
import subprocess
import sys
from pathlib import Path

import grimp
from test_layout import APPLICATION, WEB, rule_modules

import meeting

ROOT = Path(meeting.__file__).parent


def graph() -> grimp.ImportGraph:
    """Build the import graph of the project's own packages."""
    return grimp.build_graph("meeting", "minutes")


def is_web(module: str) -> bool:
    """Say whether a module speaks HTTP or Socket.IO, or builds the application."""
    parts = module.split(".")
    return (
        "pages" in parts or f"{parts[-1]}.py" in WEB | APPLICATION or parts[-1].endswith("_views")
    )


def circles(found: grimp.ImportGraph) -> list[list[str]]:
    """Return the import circles: each set of modules that import one another, round."""
    edges = {m: sorted(found.find_modules_directly_imported_by(m)) for m in found.modules}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == module:
                    break
            if len(members) > 1:
                result.append(sorted(members))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges)))
    for module in sorted(edges):
        if module not in order:
            visit(module)
    return result


def test_the_only_import_circle_is_inside_the_models():
    found = circles(graph())
    assert found, "the models' relationships name each other: a circle the check must see"
    outside = [c for c in found if not all(m.startswith("meeting.models.") for m in c)]
    assert outside == []


def test_the_rules_import_no_page_view_or_application_module():
    found = graph()
    # The package itself builds the application on demand (see the last test).
    rules = [m for m in rule_modules() if m != "meeting"]
    assert "meeting.cases.carried" in rules and "meeting.agenda.status" in rules
    reached = {
        (rule, imported)
        for rule in rules
        for imported in found.find_modules_directly_imported_by(rule)
        if is_web(imported)
    }
    assert reached == set()


def test_the_import_linter_contracts_hold():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def test_no_module_imports_the_project_inside_a_function():
    """An import hidden in a function dodges a circle instead of removing it. The one
    exception: `meeting.create_app` loads the web layer only when an application is built,
    so importing the rules loads no Flask."""
    hidden = []
    for path in sorted([*ROOT.rglob("*.py"), *(ROOT.parent / "minutes").rglob("*.py")]):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                own = isinstance(node, ast.ImportFrom) and (
                    node.level > 0 or (node.module or "").split(".")[0] in {"meeting", "minutes"}
                )
                own = (
                    own
                    or isinstance(node, ast.Import)
                    and any(a.name.split(".")[0] in {"meeting", "minutes"} for a in node.names)
                )
                if own:
                    hidden.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    lines = (ROOT / "__init__.py").read_text(encoding="utf-8").splitlines()
    factory = lines.index("    from .factory import create_app as build") + 1
    assert hidden == [f"meeting/__init__.py:{factory}"]
