"""The sample deployment in deploy/, run for real: nginx with TLS in front of two production
server processes (gunicorn, gevent) on one PostgreSQL and one Redis.

nginx here is Debian's (`apt-get install nginx`; .ci/run installs it when missing), run as
this user with deploy/nginx.conf changed only where a deployment changes it: addresses,
ports, the certificate and the list of processes.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
import socketio
import urllib3
from conftest import (
    ROOT,
    BrowserSession,
    LiveServer,
    free_port,
    postgres_database,
    shared_settings,
    stop_all,
    until,
)
from room import STARTS_AT

SAMPLE = ROOT / "deploy" / "nginx.conf"


def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        if os.environ.get("CI"):
            raise AssertionError("nginx is not installed (.ci/run installs it)")
        pytest.skip("needs nginx (Debian: apt-get install nginx)")
    return found


def site(folder: Path, http: int, https: int, processes: list[int]) -> str:
    """deploy/nginx.conf as a deployment fills it in, on loopback ports of this machine."""
    text = SAMPLE.read_text()
    upstream = "".join(f"    server 127.0.0.1:{port};\n" for port in processes)
    text, listed = re.subn(r"(    server 127\.0\.0\.1:\d+;\n)+", upstream, text)
    assert listed == 1, "the sample lists its processes in one block"
    text = re.sub(r"\n\s*listen \[::\]:\d+( ssl)?;", "", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http};")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
    text = text.replace("/etc/ssl/certs/meetings.example.org.pem", str(folder / "cert.pem"))
    text = text.replace("/etc/ssl/private/meetings.example.org.key", str(folder / "key.pem"))
    return text


def main_config(folder: Path, site_file: Path) -> Path:
    """nginx's own settings around the site, as /etc/nginx/nginx.conf, for this user."""
    temp = folder / "temp"
    temp.mkdir()
    config = folder / "nginx.conf"
    config.write_text(
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "worker_processes 1;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"  client_body_temp_path {temp};\n  proxy_temp_path {temp};\n"
        f"  fastcgi_temp_path {temp};\n  uwsgi_temp_path {temp};\n  scgi_temp_path {temp};\n"
        f"  include {site_file};\n"
        "}\n"
    )
    return config


def certificate(folder: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem")]
        + ["-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )


def test_nginx_passes_pages_and_live_screens_to_the_processes_over_tls(tmp_path):
    program = nginx()
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    folder = tmp_path / "nginx"
    folder.mkdir()
    certificate(folder)
    http, https = free_port(), free_port()
    public = f"https://127.0.0.1:{https}"
    databases = postgres_database()
    settings = shared_settings()
    env = {
        **next(settings),
        "MEETING_PROXY_HOPS": "1",
        "MEETING_PUBLIC_URL": public,
    }
    url = next(databases)
    processes = [
        LiveServer(tmp_path / name, url, env, production=True) for name in ("first", "second")
    ]
    site_file = folder / "meeting.conf"
    site_file.write_text(site(folder, http, https, [p.port for p in processes]))
    config = main_config(folder, site_file)
    checked = subprocess.run([program, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr

    for process in processes:
        process.start()
    proxy = subprocess.Popen(
        [program, "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The test's own certificate: not checked (nor replaced by REQUESTS_CA_BUNDLE's).
    unchecked = requests.Session()
    unchecked.verify, unchecked.trust_env = False, False
    display = socketio.Client(reconnection=False, ssl_verify=False, http_session=unchecked)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if requests.get(public + "/healthz", verify=False, timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        # Plain HTTP is sent to HTTPS.
        plain = requests.get(f"http://127.0.0.1:{http}/login", allow_redirects=False, timeout=5)
        assert plain.status_code == 301
        assert plain.headers["Location"].startswith("https://")

        # The first chair, through nginx: the server knows it was reached over HTTPS.
        chair = BrowserSession()
        chair.verify, chair.trust_env = False, False
        login_page = chair.get(public + "/login")
        assert login_page.headers["Strict-Transport-Security"] == "max-age=31536000"
        fields = {
            "setup_code": processes[0].setup_code,
            "name": "Sam Chair",
            "agency": "Children's social care",
            "email": "sam@example.org",
            "password": "correct horse battery",
            "confirm": "correct horse battery",
        }
        made = chair.post(public + "/setup", data=fields, allow_redirects=False)
        assert made.status_code == 302, made.text
        cookie = next(c for c in chair.cookies if c.name == "session")
        assert cookie.secure, "the session cookie must be Secure behind TLS"
        details = {"title": "Nginx", "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
        made = chair.post(public + "/meetings/new", data=details, allow_redirects=False)
        page = public + made.headers["Location"]
        assert chair.post(page + "/items", data={"title": "Item", "scale": "safety"}).ok
        shown = chair.get(page).text
        token = re.search(r"/display/([\w-]+)", shown).group(1)
        # Links people open on their own devices start with the public address.
        assert f"{public}/join/" in shown

        # A screen connects as the page does (long-polling, then a WebSocket upgrade) and
        # hears a change made through nginx.
        heard: list[dict] = []
        display.on("changed", heard.append)
        display.connect(public, auth={"display": token}, wait_timeout=10)
        until(
            lambda: display.transport() == "websocket",
            5,
            "the WebSocket upgrade did not pass nginx",
        )
        assert chair.post(page + "/start").ok
        until(lambda: heard, 10, "the screen did not hear the meeting start")
        assert heard[0]["reload"], "the screen did not hear the meeting start"
        # Nothing went wrong in nginx while it served (closing connections at the end is
        # another matter: a WebSocket torn down may be reset).
        log = folder / "error.log"
        errors = log.read_text() if log.exists() else ""
        assert "[error]" not in errors and "[crit]" not in errors, errors
    finally:
        if display.connected:
            display.disconnect()
        proxy.terminate()
        proxy.communicate(timeout=10)
        stop_all(*[process for process in processes if process.process is not None])
        next(settings, None)
        next(databases, None)
    output = "".join("".join(p.said) for p in processes)
    assert "Traceback" not in output, output
