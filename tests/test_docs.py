"""The documentation holds together: every link resolves inside the repository, and none is lost.

Checks README.md, every docs/*.md, bench/README.md and CHANGELOG.md as GitHub would show them:
links and images outside fenced code blocks, `#anchor` fragments against the target's headings
(GitHub's slugs), no link to another site and none that climbs out of the repository.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS, ROOT / "bench" / "README.md", ROOT / "CHANGELOG.md"]
README_MOST_LINES = 150

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](target) and ![alt](target), with an optional title; text may hold one level of [].
LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]"
    r"\(\s*(<[^>]*>|[^\s()]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(\S+)")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)>")
# What GitHub turns into a link by itself, outside code.
BARE_ADDRESS = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


def outside_code(page: Path) -> list[tuple[int, str]]:
    """Return the page's lines outside fenced code blocks, numbered from 1."""
    kept: list[tuple[int, str]] = []
    fence = ""
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        opened = FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            fence = opened.group(1)
        else:
            kept.append((number, line))
    return kept


def prose(page: Path) -> list[tuple[int, str]]:
    """Return the page's lines outside code blocks, with inline code spans taken out."""
    return [(number, INLINE_CODE.sub("", line)) for number, line in outside_code(page)]


def targets(page: Path) -> list[tuple[int, str]]:
    """Return every link and image target on the page, with its line number."""
    found: list[tuple[int, str]] = []
    for number, line in prose(page):
        for match in LINK.finditer(line):
            found.append((number, match.group(1).strip("<>")))
        for pattern in (REFERENCE, AUTOLINK):
            found.extend((number, match.group(1)) for match in pattern.finditer(line))
    return found


def slug(heading: str) -> str:
    """Return GitHub's anchor for a heading's text."""
    text = LINK.sub(lambda match: match.group(0)[1 : match.group(0).index("](")], heading)
    text = re.sub(r"[^\w\- ]", "", text.lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Return the anchors of a page's headings, numbering repeats as GitHub does."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _number, line in outside_code(page):
        heading = HEADING.match(line)
        if not heading:
            continue
        base = slug(heading.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def resolve(page: Path, target: str) -> Path:
    """Return the file a relative link on the page points to."""
    path = unquote(target.partition("#")[0])
    return (page.parent / path).resolve() if path else page.resolve()


def link_problems(page: Path, root: Path = ROOT) -> list[str]:
    """Return what is wrong with the page's links: each a line saying where and why."""
    problems: list[str] = []
    for number, target in targets(page):
        where = f"{page.relative_to(root)}:{number}: {target}"
        if SCHEME.match(target) or target.startswith("//"):
            problems.append(f"{where}: links outside the repository")
            continue
        if target.startswith("/"):
            problems.append(f"{where}: use a path relative to the page")
            continue
        file = resolve(page, target)
        if not file.is_relative_to(root):
            problems.append(f"{where}: climbs out of the repository")
            continue
        if not file.exists():
            problems.append(f"{where}: no such file")
            continue
        fragment = unquote(target.partition("#")[2])
        if not fragment:
            continue
        if file.suffix != ".md" or not file.is_file():
            problems.append(f"{where}: an anchor into something that is not a Markdown page")
        elif fragment not in anchors(file):
            problems.append(f"{where}: no heading with that anchor in {file.relative_to(root)}")
    for number, line in prose(page):
        for address in BARE_ADDRESS.findall(line):
            problems.append(f"{page.relative_to(root)}:{number}: {address}: a web address")
    return problems


def page_id(page: Path) -> str:
    """Name a page by its path in the repository, for the test's id."""
    return str(page.relative_to(ROOT))


def test_readme_is_the_front_door_only() -> None:
    """The README stays short: what, the two commands, a first meeting, links."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MOST_LINES, f"README.md has {len(lines)} lines"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_links_resolve_inside_the_repository(page: Path) -> None:
    """Every link and image on the page reaches a file, and heading, in this repository."""
    assert link_problems(page) == []


def test_every_page_is_linked_from_the_readme() -> None:
    """No page under docs/, nor the benchmark's, is left for nobody to find."""
    linked = {resolve(README, target) for _number, target in targets(README)}
    orphans = [page_id(page) for page in PAGES[1:] if page.resolve() not in linked]
    assert orphans == []


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's test command is, byte for byte, the command .ci/run runs."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in README.read_text(encoding="utf-8").splitlines()


def test_slugs_follow_github() -> None:
    """Anchors are made as GitHub makes them from headings."""
    assert slug("A child's case across meetings") == "a-childs-case-across-meetings"
    assert slug("Checking a meeting: verify") == "checking-a-meeting-verify"
    assert slug("20×25 on the production server") == "2025-on-the-production-server"
    assert slug("(a) One process on SQLite") == "a-one-process-on-sqlite"
    assert slug("The `purge` command_x") == "the-purge-command_x"
    assert slug("See [Design](docs/design.md)") == "see-design"


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    """The check fails on a missing file, a missing heading, a climb out and another site."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n\n## A part\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "\n".join(
            [
                "# Page",
                "[fine](there.md#a-part) and [here](#page) and ![also](there.md)",
                "[gone](missing.md)",
                "[no part](there.md#another-part)",
                "[out](../../shared/DESIGN.md)",
                "[away](https://example.org/) and www.example.org",
                "```",
                "[in code](missing-too.md)",
                "```",
                "`[in code too](missing-three.md)`",
            ]
        ),
        encoding="utf-8",
    )
    problems = link_problems(page, tmp_path)
    assert [problem.split(": ", 1)[0] for problem in problems] == [
        "docs/page.md:3",
        "docs/page.md:4",
        "docs/page.md:5",
        "docs/page.md:6",
        "docs/page.md:6",
        "docs/page.md:6",
    ]
    assert "no such file" in problems[0]
    assert "no heading" in problems[1]
    assert "climbs out" in problems[2]
    assert "outside the repository" in problems[3]
