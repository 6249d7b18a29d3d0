"""The application for a WSGI server (gunicorn): it starts only if it can serve."""

from meeting import create_app
from meeting.startup import ready

app = ready(create_app())
