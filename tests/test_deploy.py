"""The sample deployment in deploy/, run for real: nginx with TLS in front of two production
server processes (gunicorn, gevent) on one PostgreSQL and one Redis.

nginx here is Debian's (`apt-get install nginx`; .ci/run installs it when missing), run as
this user with deploy/nginx.conf changed only where a deployment changes it: addresses,
ports, the certificate and the list of processes.
"""

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
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
    return text.replace("/var/log/nginx/", f"{folder}/")


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
        # Debian's own access log, which every site writes to unless it sets its own.
        f"  access_log {folder / 'access.log'};\n"
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


@contextlib.contextmanager
def deployed(tmp_path: Path) -> Iterator[tuple[Path, str, int, list[LiveServer]]]:
    """Run the sample site in nginx in front of two production processes; yield its folder
    (config and logs), its public address, its plain-HTTP port and the processes."""
    program = nginx()
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    folder = tmp_path / "nginx"
    folder.mkdir()
    certificate(folder)
    http, https = free_port(), free_port()
    public = f"https://127.0.0.1:{https}"
    databases = postgres_database()
    settings = shared_settings()
    env = {**next(settings), "MEETING_PROXY_HOPS": "1", "MEETING_PUBLIC_URL": public}
    url = next(databases)
    processes = [
        LiveServer(tmp_path / name, url, env, production=True) for name in ("first", "second")
    ]
    site_file = folder / "meeting.conf"
    site_file.write_text(site(folder, http, https, [p.port for p in processes]))
    config = main_config(folder, site_file)
    proxy = None
    try:
        for process in processes:
            process.start()
        proxy = subprocess.Popen(
            [program, "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        until(lambda: (folder / "nginx.pid").exists(), 10, "nginx did not start")
        yield folder, public, http, processes
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.communicate(timeout=10)
        stop_all(*[process for process in processes if process.process is not None])
        next(settings, None)
        next(databases, None)


def test_nginx_logs_no_secret_of_any_link_even_while_the_processes_restart(tmp_path):
    """A display link, a join code and link, and a link to the minutes, each opened in
    Chromium through nginx; the processes stopped while those pages are open, so that nginx
    logs their failed requests (and the Referers of them), and the links opened again while
    nothing answers; then started again. Neither nginx's access log (Debian's own, for plain
    HTTP, included) nor its error log holds any of the secrets."""
    from playwright.sync_api import expect, sync_playwright
    from room import ARGS, CHROMIUM, LIVE

    with deployed(tmp_path) as (folder, public, http, processes), sync_playwright() as p:
        chair = BrowserSession()
        chair.verify, chair.trust_env = False, False
        until(lambda: chair.get(public + "/healthz", timeout=2).ok, 10, "nginx passed nothing on")
        fields = {
            "setup_code": processes[0].setup_code,
            "name": "Sam Chair",
            "agency": "Children's social care",
            "email": "sam@example.org",
            "password": "correct horse battery",
            "confirm": "correct horse battery",
        }
        assert chair.post(public + "/setup", data=fields).ok

        def meeting(title: str) -> tuple[str, str, str]:
            details = {"title": title, "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
            made = chair.post(public + "/meetings/new", data=details, allow_redirects=False)
            page = public + made.headers["Location"]
            assert chair.post(page + "/items", data={"title": "Item", "scale": "safety"}).ok
            shown = chair.get(page).text
            token = re.search(r'href="/display/([\w-]+)"', shown).group(1)
            code = re.search(r'class="join-code"[^>]*>([\w-]+)<', shown).group(1)
            return page, token, code

        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(ignore_https_errors=True)
        # A meeting held and closed, its minutes sent: Priya's link to them.
        held, held_token, held_code = meeting("Held")
        phone = context.new_page()
        phone.goto(f"{public}/join/{held_code}")
        phone.locator("input[name=part][value=professional]").check()
        phone.fill("#f-name", "Priya Shah")
        phone.fill("#f-agency", "Police")
        phone.fill("#f-email", "priya@police.example")
        phone.get_by_role("button", name="Ask to join").click()
        expect(phone.locator("body")).to_contain_text("Waiting for the chair", timeout=LIVE)
        attendee = re.search(r"/people/(\d+)/admit", chair.get(held).text).group(1)
        assert chair.post(f"{held}/people/{attendee}/admit").ok
        assert chair.post(held + "/start").ok
        assert chair.post(held + "/close").ok
        draft = {"undecided_reason": "Not reached.", "then": "circulate"}
        assert chair.post(held + "/minutes/draft", data=draft).ok
        until(
            lambda: "Their link" in chair.get(held + "/minutes").text,
            30,
            "the minutes were not sent",
        )
        minutes = chair.get(held + "/minutes").text
        reader_token = re.search(r'href="/minutes/([\w-]+)">Their link', minutes).group(1)
        # The meeting under way, on a screen, and someone joining it by its code.
        live, token, code = meeting("Live")
        assert chair.post(live + "/start").ok
        screen = context.new_page()
        screen.goto(f"{public}/display/{token}")
        expect(screen.locator("#connection")).to_have_text("Live", timeout=LIVE)
        assert token not in screen.url
        joining = context.new_page()
        joining.goto(f"{public}/join/{code}")
        reader = context.new_page()
        reader.goto(f"{public}/minutes/{reader_token}")
        expect(reader.locator("body")).to_contain_text("Version 1")
        assert reader_token not in reader.url
        plain = requests.get(f"http://127.0.0.1:{http}/display/{token}", allow_redirects=False)
        assert plain.status_code == 301

        # Both processes stop: the screen's connection, its scene, the pages' files and
        # every link fail in nginx, which logs each failure.
        stop_all(*processes)
        expect(screen.locator("#connection")).not_to_have_text("Live", timeout=LIVE)
        for page in (screen, joining, reader):
            page.reload()
        for link in (
            f"/display/{token}",
            f"/display/{token}?share=1",
            f"/join/{code}",
            f"/minutes/{reader_token}",
        ):
            context.new_page().goto(public + link)
        until(lambda: "[error]" in (folder / "error.log").read_text(), 10, "no failure logged")
        for process in processes:
            process.start()
        # nginx rests an upstream that failed for a few seconds before it tries it again.
        until(lambda: chair.get(public + "/healthz", timeout=2).ok, 30, "nginx passed nothing on")
        screen.goto(f"{public}/display/{token}")
        expect(screen.locator("#connection")).to_have_text("Live", timeout=LIVE)
        reader.goto(f"{public}/minutes/{reader_token}")
        expect(reader.locator("body")).to_contain_text("Version 1")
        browser.close()

    logs = {name: (folder / name).read_text() for name in ("access.log", "meeting.access.log")}
    logs["error.log"] = (folder / "error.log").read_text()
    assert logs["error.log"].count("[error]") >= 5, "the restart was logged"
    assert re.search(r'"GET /display/<token>" 303 ', logs["meeting.access.log"])
    assert re.search(r'"GET /minutes/<token>" 303 ', logs["meeting.access.log"])
    assert re.search(r'"GET /join/<code>" 200 ', logs["meeting.access.log"])
    assert re.search(r'"GET /display/<token>" 301 ', logs["meeting.access.log"])
    found = {
        (name, what): text.count(secret)
        for name, text in logs.items()
        for what, secret in (
            ("display link", token),
            ("display link of the closed meeting", held_token),
            ("link to the minutes", reader_token),
            ("join code", code),
            ("join code of the closed meeting", held_code),
        )
    }
    assert not any(found.values()), {k: n for k, n in found.items() if n}
