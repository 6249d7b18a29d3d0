"""The application for a WSGI server (gunicorn): it starts only if it can serve, else exits 3."""

from meeting import create_app
from meeting.startup import served

app = served(create_app)
