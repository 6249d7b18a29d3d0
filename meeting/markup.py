"""User Markdown to safe HTML: rendered by `markdown`, then cleaned by `nh3`."""

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}


def render_markdown(text: str | None) -> Markup:
    """Render user-written Markdown to HTML that cannot carry script."""
    html = md.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow"))
