"""Forms already acted on, so a repeat of one is recognised rather than done again."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class FormToken(Base):
    """The one-time token of a form whose change was saved (kept for a day)."""

    __tablename__ = "form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
