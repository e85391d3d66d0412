"""Security of the trace viewer: loopback by default, flag + token to listen elsewhere, no file outside
what spans reference, Host check against DNS rebinding, and every piece of trace content inert in a
real browser (headless Chromium).

Requests with traversal paths are sent over a raw socket: an HTTP client library would normalise the
``..`` segments away before they reach the server.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn
from PIL import Image as PILImage
from pydantic import BaseModel
from typer.testing import CliRunner

from goalgraph import traces
from goalgraph.traces.viewer import create_app

STATIC = Path(traces.__file__).resolve().parent / "viewer" / "static"
TOKEN = "t0ken-for-the-tests-0123456789"
SECRET = "SECRET-MARKER-7f3a"
PAYLOADS = (
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '"><svg onload="window.__pwned = 3">',
    "javascript:window.__pwned = 4",
    '<iframe srcdoc="<script>parent.__pwned = 5</script>"></iframe>',
    "</pre><img src=x onerror=window.__pwned=6>",
    "{{constructor.constructor('window.__pwned = 7')()}}",
    "[/] [link=file:///etc/passwd]x[/link]",
)
HOSTILE = " ".join(PAYLOADS)


class Query(BaseModel):
    text: str


class Found(BaseModel):
    text: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Path]]]:
    """A store whose every field an agent or a model can influence holds markup, plus image references."""
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart

    from goalgraph.llm import scripted
    from goalgraph.tools import tool

    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "traces.db"
    secret = folder / "secret.txt"
    secret.write_text(SECRET)
    real = folder / "real.png"
    PILImage.fromarray(np.zeros((8, 8, 3), "uint8")).save(real)
    fake = folder / "fake.png"
    fake.write_text(SECRET)  # a text file with an image name
    link = folder / "link.png"
    link.symlink_to(secret)  # an image name that points at another file
    images = {
        "real": real,
        "fake": fake,
        "link": link,
        "passwd": Path("/etc/passwd"),
        "relative": Path("../x.png"),
    }

    @tool(name=f"search{PAYLOADS[1]}")
    def search(query: Query) -> Found:
        """Search."""
        return Found(text=f"result {HOSTILE}")

    @tool(name="explode")
    def explode(query: Query) -> Found:
        """Fail with markup in the message."""
        raise RuntimeError(f"failed {HOSTILE}")

    def reply(messages: list[Any], info: Any) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart(info.function_tools[0].name, {"text": HOSTILE})])
        return ModelResponse(parts=[TextPart(f"answer {HOSTILE}")])

    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=20))
    agent = Agent(scripted(reply), name=f"agent {PAYLOADS[0]}", system_prompt=f"system {HOSTILE}")
    agent_tools = [search.as_pydantic_ai()]
    for run in range(2):
        with traces.agent_run(f"{PAYLOADS[2]} run{run}", input={"question": HOSTILE}) as span:
            Agent(
                agent.model, name=agent.name, system_prompt=f"system {HOSTILE}", tools=agent_tools
            ).run_sync(f"question {HOSTILE}")
            with traces.start_span(f"step {PAYLOADS[5]}", kind=traces.SpanKind.CHAIN) as step:
                step.set_attribute(f"attr {PAYLOADS[1]}", HOSTILE)
                step.set_attribute("gen_ai.tool.call.arguments", json.dumps({"q": HOSTILE}))
                step.set_attribute("gen_ai.tool.call.result", HOSTILE)
                for name, path in images.items():
                    step.set_attribute(f"{traces.IMAGE_ATTRIBUTE_PREFIX}{name}", str(path))
                step.set_attribute(
                    f"{traces.IMAGE_ATTRIBUTE_PREFIX}svg",
                    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9IndpbmRvdy5fX3B3bmVkPTgiLz4=",
                )
            if run == 1:
                try:
                    explode.call({"text": "x"})
                except Exception as error:
                    span.set_attribute("goalgraph.run.error", str(error))
            traces.set_output(span, HOSTILE)
    traces.shutdown()
    yield db, images


@pytest.fixture(scope="module")
def server(hostile_db: tuple[Path, dict[str, Path]]) -> Iterator[tuple[str, int]]:
    """The viewer without a token on a loopback port (as `goalgraph traces serve` runs it)."""
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(hostile_db[0]), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", port
    srv.should_exit = True
    thread.join(timeout=10)


def _raw(port: int, target: str, host: str | None = None, headers: str = "") -> tuple[int, str]:
    """Send one GET with `target` exactly as written; return (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request = f"GET {target} HTTP/1.1\r\nHost: {f'127.0.0.1:{port}' if host is None else host}\r\n{headers}Connection: close\r\n\r\n"
        sock.sendall(request.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body.decode("utf-8", "replace")


def _traversals(secret: Path) -> list[str]:
    up = "../" * (len(STATIC.parts) + 2)
    target = f"{up}{str(secret).lstrip('/')}"
    encoded = target.replace("../", "%2e%2e%2f")
    return [
        f"/static/{target}",
        f"/static/{encoded}",
        f"/static/{target.replace('../', '..%2f')}",
        f"/static/{target.replace('../', '%252e%252e%252f')}",
        f"/static/{target.replace('../', '..%5c')}",
        f"/static/{target.replace('../', '....//')}",
        f"/static/%00{target}",
        f"/static/{target.replace('../', '%c0%ae%c0%ae/')}",
        f"/static//{str(secret).lstrip('/')}",
        f"/{target}",
        f"//{str(secret).lstrip('/')}",
        "/static/../../../../../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"/api/runs/{encoded}",
        f"/api/spans/{encoded}/image?key=goalgraph.image.real",
        "/api/spans/..%2F..%2Fetc%2Fpasswd/image?key=goalgraph.image.passwd",
    ]


def test_no_route_serves_a_file_outside_the_viewer(
    hostile_db: tuple[Path, dict[str, Path]], server: tuple[str, int]
) -> None:
    _, port = server
    secret = hostile_db[0].parent / "secret.txt"
    assert _raw(port, "/static/app.js")[0] == 200  # the route itself works
    for target in _traversals(secret):
        status, body = _raw(port, target)
        assert status in (400, 403, 404), (target, status)
        assert SECRET not in body and "root:" not in body, target


def test_image_route_serves_only_real_images_that_spans_name(
    hostile_db: tuple[Path, dict[str, Path]], server: tuple[str, int]
) -> None:
    url, _ = server
    store = traces.TraceStore(hostile_db[0], create=False)
    span = next(s for t in store.trace_ids() for s in store.spans(t) if s["name"].startswith("step "))
    store.close()
    get = lambda key: httpx.get(f"{url}/api/spans/{span['span_id']}/image", params={"key": key})  # noqa: E731
    ok = get("goalgraph.image.real")
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    for key in ("fake", "link", "passwd", "relative", "svg", "missing"):
        response = get(f"goalgraph.image.{key}")
        assert response.status_code in (400, 404), key
        assert SECRET not in response.text and "root:" not in response.text, key
    for key in ("input.value", "gen_ai.tool.call.result", "../../etc/passwd"):
        assert get(key).status_code == 404


def test_default_binding_is_loopback_and_remote_needs_flag_and_token(
    hostile_db: tuple[Path, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from goalgraph.cli import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.delenv("GOALGRAPH_VIEWER_TOKEN", raising=False)
    db = str(hostile_db[0])
    runner = CliRunner()
    assert runner.invoke(app, ["traces", "serve", "--db", db]).exit_code == 0
    assert calls[-1]["host"] == "127.0.0.1"
    for argv in (
        ["--host", "0.0.0.0"],
        ["--host", "::"],
        ["--host", "10.1.2.3", "--token", TOKEN],  # a token alone is not enough: the flag is explicit
        ["--host", "0.0.0.0", "--allow-remote"],
        ["--host", "0.0.0.0", "--allow-remote", "--token", "short"],
    ):
        result = runner.invoke(app, ["traces", "serve", "--db", db, *argv])
        assert result.exit_code == 2, argv
    assert len(calls) == 1
    result = runner.invoke(
        app, ["traces", "serve", "--db", db, "--host", "0.0.0.0", "--allow-remote", "--token", TOKEN]
    )
    assert result.exit_code == 0 and calls[-1]["host"] == "0.0.0.0"
    monkeypatch.setenv("GOALGRAPH_VIEWER_TOKEN", TOKEN)
    assert (
        runner.invoke(app, ["traces", "serve", "--db", db, "--host", "0.0.0.0", "--allow-remote"]).exit_code
        == 0
    )
    from starlette.testclient import TestClient

    remote = TestClient(calls[-1]["app"])
    assert remote.get("/api/runs").status_code == 401
    assert remote.get("/api/runs", headers={"x-goalgraph-token": TOKEN}).status_code == 200


def test_token_guards_every_route_over_http(hostile_db: tuple[Path, dict[str, Path]]) -> None:
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(hostile_db[0], token=TOKEN), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        for route in (
            "/",
            "/static/app.js",
            "/api/runs",
            "/api/runs/last",
            "/api/diff?a=x&b=y",
            "/api/spans/00/image",
        ):
            assert _raw(port, route)[0] == 401, route
            assert _raw(port, route, headers="x-goalgraph-token: wrong-token-0123456789\r\n")[0] == 401, route
            assert _raw(port, route, headers=f"Cookie: goalgraph_token={TOKEN[:-1]}\r\n")[0] == 401, route
        assert _raw(port, "/api/runs", headers=f"x-goalgraph-token: {TOKEN}\r\n")[0] == 200
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            first = client.get("/", params={"token": TOKEN})  # the link the CLI prints
            assert first.status_code == 200 and "httponly" in first.headers["set-cookie"].lower()
            assert client.get("/api/runs").status_code == 200  # the cookie carries the token from then on
        # with a token the viewer may be reached under any host name
        assert (
            _raw(port, "/api/runs", host="viewer.example", headers=f"x-goalgraph-token: {TOKEN}\r\n")[0]
            == 200
        )
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_without_a_token_only_loopback_host_names_are_answered(server: tuple[str, int]) -> None:
    _, port = server
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert _raw(port, "/api/runs", host=host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "", "localhost.evil"):
        status, body = _raw(port, "/api/runs", host=host)
        assert status in (400, 403), host
        assert "trace_id" not in body


def test_security_headers_on_every_response(server: tuple[str, int]) -> None:
    url, _ = server
    for route in ("/", "/static/app.js", "/api/runs", "/api/runs/ffffffff", "/api/spans/zz/image"):
        response = httpx.get(url + route)
        assert "script-src 'self'" in response.headers["content-security-policy"], route
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], route
        assert response.headers["x-content-type-options"] == "nosniff", route


@pytest.mark.browser
def test_hostile_trace_content_stays_inert_in_the_browser(
    server: tuple[str, int], chromium: Any, run_diff: Any, tmp_path: Path
) -> None:
    url, _ = server
    browser = chromium
    # CSP off: the escaping alone must keep the markup inert (the CSP is tested as a second line).
    page = browser.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def assert_inert(where: str) -> None:
        assert page.evaluate("window.__pwned === undefined && parent.__pwned === undefined"), where
        injected = page.evaluate(
            "document.querySelectorAll('#main script, #main iframe, #main svg, #main img[src=x], "
            "#main [onerror], #main [onload]').length"
        )
        assert injected == 0, where
        assert dialogs == [], where

    page.goto(url + "/")
    page.wait_for_selector("#runs tbody tr")
    assert PAYLOADS[2] in page.locator("#runs").inner_text()  # shown, as text
    assert_inert("run list")
    page.fill("#q", "<script>")
    page.click("#search button")
    page.wait_for_timeout(300)
    assert_inert("search")
    page.goto(url + "/")
    page.wait_for_selector("#runs tbody tr")
    page.locator("#runs tbody tr").first.click()
    page.wait_for_selector("#tree .row")
    rows = page.locator("#tree .row")
    shown = ""
    for i in range(rows.count()):
        rows.nth(i).click()
        page.wait_for_selector("#panel h3")
        shown += page.locator("#panel").inner_text()
        assert_inert(f"span {i}")
    assert PAYLOADS[0] in shown and PAYLOADS[1] in shown  # the content is there, as text
    page.screenshot(path=str(tmp_path / "hostile-run.png"), full_page=True)
    run_diff(page, url, 0, 1)
    assert_inert("diff")
    for route in (f"#/run/{PAYLOADS[1]}", f"#/diff/{PAYLOADS[0]}/{PAYLOADS[1]}"):
        page.goto(url + "/" + route)
        page.wait_for_timeout(500)
        assert_inert(route)
