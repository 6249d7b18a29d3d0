"""User Markdown to safe HTML for the live pages, with the minutes' cleaner."""

from markupsafe import Markup

from minutes.html import to_html


def render_markdown(text: str | None) -> Markup:
    """Render user-written Markdown to HTML that cannot carry script."""
    return Markup(to_html(text or "", line_breaks=False))
