"""The rules are plain Python: no module of rules loads Flask, Werkzeug or a Flask extension.

Views (`views.py`, `reader_views.py`, `delivery_views.py`, `council_views.py`), Socket.IO handlers
(`events.py`), the command line (`cli.py`), the page machinery (`pages/`) and what starts the
application (its instance folder, database and connections, migrations, templates, checks
and log) are the web layer; every other module of an area is a rule, and so are the schema,
the clock, the policy and the errors.
"""

import subprocess
import sys
from pathlib import Path

import meeting

ROOT = Path(meeting.__file__).parent
WEB = {"views.py", "reader_views.py", "delivery_views.py", "events.py", "cli.py"}
WEB |= {"council_views.py"}
APPLICATION = {"factory.py", "settings.py", "extensions.py", "__main__.py"}
# Starting the application: its instance folder, its database and connections, its
# templates, its checks, its log.
APPLICATION |= {"instance.py", "database.py", "connections.py", "templating.py"}
APPLICATION |= {"startup.py", "logs.py"}
# Backing up and restoring the database with its own tools (backups/).
APPLICATION |= {"copies.py"}


def rule_modules() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        web = "pages" in relative.parts or "migrations" in relative.parts
        if path.name in WEB or path.name in APPLICATION or web:
            continue
        found.append(".".join(relative.with_suffix("").parts).removesuffix(".__init__"))
    return found


def test_rules_load_no_flask():
    modules = rule_modules()
    assert {"meeting.rating.rounds", "meeting.circulation.mail", "meeting.models"} <= set(modules)
    assert len(modules) > 30
    probe = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + (
            "web = ('flask', 'werkzeug', 'flask_sqlalchemy', 'flask_socketio', 'flask_limiter')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & set(web)))"
        )
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
