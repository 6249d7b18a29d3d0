"""The two ways the domain says no: input to correct, or an action the record no longer allows."""


class Invalid(ValueError):
    """Input that needs correcting; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Refused(Exception):
    """An action the meeting's state does not allow (a 409): the message says what happened."""

    status = 409


class TooMany(Refused):
    """More of something than one person may add in a while: wait, then send it again."""

    status = 429


class Forbidden(Refused):
    """An action this person may not take."""

    status = 403
