"""Starlette routes: the page, its static assets, and the JSON API under /api."""

from __future__ import annotations

import difflib
import hmac
import mimetypes
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .._graph import IMAGE_ATTRIBUTE_PREFIX
from .._store import RunNotFoundError, TraceStore

__all__ = ["create_app"]

_STATIC = Path(__file__).resolve().parent / "static"
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _host_name(header: str) -> str:
    """The name part of a Host header (``[::1]:6007`` → ``[::1]``, ``localhost:6007`` → ``localhost``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _Headers(BaseHTTPMiddleware):
    """Security headers on every response, the access token check, and the Host check without a token.

    Without a token the viewer only answers requests addressed to a loopback name: a web page on some
    other site that points its own domain at 127.0.0.1 (DNS rebinding) sends its domain as the Host
    header and is refused, so a page in the user's browser cannot read the traces.
    """

    def __init__(self, app: Any, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        set_cookie = False
        if not self.token and _host_name(request.headers.get("host", "")) not in _LOOPBACK_NAMES:
            return JSONResponse(
                {"error": "this viewer answers only requests to localhost / 127.0.0.1"}, status_code=403
            )
        if self.token:
            given = (
                request.headers.get("x-goalgraph-token")
                or request.query_params.get("token")
                or request.cookies.get("goalgraph_token")
                or ""
            )
            if not hmac.compare_digest(given, self.token):
                return JSONResponse({"error": "missing or wrong access token"}, status_code=401)
            set_cookie = "token" in request.query_params
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if set_cookie and self.token:
            response.set_cookie("goalgraph_token", self.token, httponly=True, samesite="strict")
        return response


_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _is_image(path: Path) -> bool:
    """Whether the file starts with the signature of one of the served image formats."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head.startswith(_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _int(request: Request, name: str, default: int, high: int) -> int:
    try:
        return max(0, min(high, int(request.query_params.get(name, default))))
    except ValueError:
        return default


def _step_key(span: dict[str, Any], depth: int) -> str:
    return f"{depth}:{span['name']}"


def _ordered(spans: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Spans in tree order (depth-first, children by start time) with their depths."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {s["span_id"] for s in spans}
    for span in spans:
        parent = span["parent_id"] if span["parent_id"] in ids else None
        children.setdefault(parent, []).append(span)
    out: list[tuple[int, dict[str, Any]]] = []
    stack = [(0, s) for s in reversed(children.get(None, []))]
    while stack:
        depth, span = stack.pop()
        out.append((depth, span))
        stack.extend((depth + 1, c) for c in reversed(children.get(span["span_id"], [])))
    return out


def diff_runs(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Which steps differ between two runs: steps aligned by (depth, name), then compared by output/status."""
    steps_a, steps_b = _ordered(a["spans"]), _ordered(b["spans"])
    keys_a = [_step_key(s, d) for d, s in steps_a]
    keys_b = [_step_key(s, d) for d, s in steps_b]

    def brief(depth: int, span: dict[str, Any]) -> dict[str, Any]:
        return {
            "depth": depth,
            "name": span["name"],
            "kind": span["kind"],
            "status": span["status"],
            "span_id": span["span_id"],
            "output": str(span["attributes"].get("output.value", ""))[:300],
        }

    rows: list[dict[str, Any]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False).get_opcodes():
        if op == "equal":
            for (da, sa), (db, sb) in zip(steps_a[i1:i2], steps_b[j1:j2], strict=True):
                same = sa["status"] == sb["status"] and sa["attributes"].get("output.value") == sb[
                    "attributes"
                ].get("output.value")
                rows.append({"op": "same" if same else "changed", "a": brief(da, sa), "b": brief(db, sb)})
            continue
        for d, s in steps_a[i1:i2]:
            rows.append({"op": "removed", "a": brief(d, s), "b": None})
        for d, s in steps_b[j1:j2]:
            rows.append({"op": "added", "a": None, "b": brief(d, s)})
    return rows


def create_app(db: str | Path, *, token: str | None = None) -> Starlette:
    """The viewer app over the SQLite store at `db` (which must exist); `token` guards every route."""
    store = TraceStore(db, create=False)

    def runs(request: Request) -> JSONResponse:
        q = request.query_params
        items = store.list_runs(
            query=q.get("q"),
            status=q.get("status") or None,
            agent=q.get("agent") or None,
            limit=_int(request, "limit", 100, 1000),
            offset=_int(request, "offset", 0, 10**9),
        )
        return JSONResponse({"runs": items, "total": store.count_runs()})

    def run(request: Request) -> JSONResponse:
        try:
            return JSONResponse(store.run(request.path_params["ref"]))
        except RunNotFoundError as error:
            return _error(str(error), 404)

    def diff(request: Request) -> JSONResponse:
        try:
            a, b = store.run(request.query_params.get("a", "")), store.run(request.query_params.get("b", ""))
        except RunNotFoundError as error:
            return _error(str(error), 404)
        return JSONResponse(
            {
                "a": {k: v for k, v in a.items() if k != "spans"},
                "b": {k: v for k, v in b.items() if k != "spans"},
                "steps": diff_runs(a, b),
            }
        )

    def image(request: Request) -> Response:
        # Only a file that a stored span names under an image attribute is served: the client picks a
        # span and a key, never a path, so no path traversal can reach anything else.
        span = store.span(request.path_params["span_id"])
        key = request.query_params.get("key", "")
        if span is None or not key.startswith(IMAGE_ATTRIBUTE_PREFIX):
            return _error("no such span image", 404)
        value = span["attributes"].get(key)
        if not isinstance(value, str) or value.startswith("data:"):
            return _error("no such span image", 404)
        path = Path(value)
        if not path.is_absolute() or ".." in path.parts or path.suffix.lower() not in _IMAGE_SUFFIXES:
            return _error("span image reference is not an absolute image path", 400)
        # The file itself must be an image: a symlink named x.png that points at another file, or a
        # text file renamed .png, is not served (the name is checked on the resolved path, the bytes
        # by their signature).
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _error("span image file is gone", 404)
        if not real.is_file() or real.suffix.lower() not in _IMAGE_SUFFIXES or not _is_image(real):
            return _error("span image reference is not an image file", 400)
        return FileResponse(real, media_type=mimetypes.guess_type(real.name)[0] or "application/octet-stream")

    def index(request: Request) -> FileResponse:
        return FileResponse(_STATIC / "index.html", media_type="text/html")

    routes = [
        Route("/", index),
        Route("/api/runs", runs),
        Route("/api/runs/{ref}", run),
        Route("/api/diff", diff),
        Route("/api/spans/{span_id}/image", image),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(_Headers, token=token)])
    app.state.store = store
    return app
