"""Markdown to HTML that cannot carry script: `markdown` renders, `nh3` cleans."""

import markdown as md
import nh3

# No images: nothing in a meeting's record is a picture, and an image could call out.
ALLOWED_TAGS = nh3.ALLOWED_TAGS - {"img"}


def clean(html: str) -> str:
    """Return HTML with every tag and attribute outside a safe list removed."""
    return nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer nofollow")


def to_html(text: str, line_breaks: bool = True) -> str:
    """Render Markdown to clean HTML; single line breaks are kept as breaks by default."""
    extensions = ["sane_lists", "tables"] + (["nl2br"] if line_breaks else [])
    return clean(md.markdown(text or "", extensions=extensions, output_format="html"))
