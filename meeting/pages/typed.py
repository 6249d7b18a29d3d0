"""What people type, made safe where it enters: no control characters, no direction tricks.

Every form value is cleaned as the request is read, before any rule sees it:
- control characters (a NUL, \\x01, an escape) are removed, except tab and newline;
  CR LF and a lone CR become a newline, so an address or a name cannot carry a header
  break into an email, and PostgreSQL never meets a NUL;
- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
  removed, so a name or reason cannot display reversed text ("gnp.exe" tricks) on the
  screen, in the minutes or in an email.
"""

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

_NEWLINES = re.compile(r"\r\n?")
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def typed(text: str) -> str:
    """Return text as a person meant it: newlines kept, controls and overrides gone."""
    return _UNWANTED.sub("", _NEWLINES.sub("\n", text))


class TypedRequest(Request):
    """A request whose form values are cleaned as they are read."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            cleaned = [(key, typed(value)) for key, value in form.items(multi=True)]
            self.__dict__["form"] = ImmutableMultiDict(cleaned)
