"""`goalgraph traces ...`: serve the viewer, list and show runs, move traces as OTLP-JSON lines.

goalgraph traces serve --db .goalgraph/traces.db       # http://127.0.0.1:6007
goalgraph traces show last                             # the newest run as a tree
"""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from ._otlp_json import OtlpJsonError, export_otlp_json, import_otlp_json, rows_to_sdk_spans
from ._setup import DEFAULT_PATH
from ._store import RunNotFoundError, TraceStore, TraceStoreError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Inspect traces in the local store.")


def _out() -> Console:
    # Built per command, not at import, so COLUMNS and redirected streams are honoured.
    return Console()


DbOption = Annotated[Path, typer.Option("--db", help="The SQLite trace store.")]


def _fail(message: str) -> None:
    # Messages quote user input and trace content: escaped, so "[...]" in them is text, not rich markup.
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


def _open(db: Path) -> TraceStore:
    try:
        return TraceStore(db, create=False)
    except FileNotFoundError:
        _fail(f"--db {db}: no trace store there (run something with tracing on, or pass --db)")
        raise  # unreachable: _fail exits
    except TraceStoreError as error:
        _fail(f"--db {error}")
        raise  # unreachable: _fail exits


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    db: DbOption = DEFAULT_PATH,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 6007,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but loopback needs --allow-remote.")
    ] = "127.0.0.1",
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Permit a non-loopback --host.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(help="Access token (or GOALGRAPH_VIEWER_TOKEN); required with --allow-remote."),
    ] = None,
) -> None:
    """Open the trace viewer (a local web page) on the store."""
    token = token or os.environ.get("GOALGRAPH_VIEWER_TOKEN")
    if not _is_loopback(host):
        if not allow_remote:
            _fail(f"--host {host} is not a loopback address; add --allow-remote and --token to expose traces")
        if not token or len(token) < 16:
            _fail("--allow-remote needs --token (or GOALGRAPH_VIEWER_TOKEN) of at least 16 characters")
    _open(db).close()
    import uvicorn

    from .viewer import create_app

    suffix = f"/?token={token}" if token else "/"
    _out().print(f"trace viewer on [bold]http://{host}:{port}{suffix}[/bold] ({escape(str(db))})")
    uvicorn.run(create_app(db, token=token), host=host, port=port, log_level="warning")


def _when(ns: int | None) -> str:
    return datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S") if ns else "-"


def _ms(value: float | None) -> str:
    return "running" if value is None else (f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s")


@app.command("ls")
def list_runs(
    db: DbOption = DEFAULT_PATH,
    query: Annotated[
        str | None, typer.Option("--search", "-s", help="Full-text search over span content.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="OK, ERROR or RUNNING.")] = None,
    limit: Annotated[int, typer.Option(help="Most runs to list.")] = 20,
) -> None:
    """List runs, newest first."""
    if status and status.upper() not in ("OK", "ERROR", "RUNNING"):
        _fail(f"--status {status!r}: use OK, ERROR or RUNNING")
    store = _open(db)
    table = Table("run", "agent", "start", "duration", "status", "spans", "errors", "tokens in/out")
    for run in store.list_runs(query=query, status=status, limit=limit):
        table.add_row(
            run["trace_id"][:12],
            escape(run["agent"] or ""),
            _when(run["start_ns"]),
            _ms(run["duration_ms"]),
            run["status"],
            str(run["span_count"]),
            str(run["error_count"]),
            f"{run['input_tokens']}/{run['output_tokens']}",
        )
    _out().print(table)


@app.command()
def show(
    run: Annotated[str, typer.Argument(help="'last' or a trace id (prefix).")] = "last",
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Show one run as a tree of spans."""
    store = _open(db)
    try:
        data = store.run(run)
    except RunNotFoundError as error:
        _fail(str(error))
    # Span names, agent names and status messages are trace content: escaped, never read as rich markup.
    root = Tree(
        f"[bold]{escape(str(data['agent']))}[/bold] {data['trace_id']} {data['status']} {_ms(data['duration_ms'])} "
        f"tokens {data['input_tokens']}/{data['output_tokens']}"
    )
    nodes: dict[str | None, Any] = {}
    ids = {s["span_id"] for s in data["spans"]}
    for span in data["spans"]:
        parent = nodes.get(span["parent_id"]) if span["parent_id"] in ids else root
        style = {"ERROR": "red", "RUNNING": "yellow"}.get(span["status"], "green")
        kind = escape(str(span["kind"] or "SPAN"))
        label = f"[{style}]{kind}[/{style}] {escape(span['name'])} ({_ms(span['duration_ms'])})"
        if span["status_message"]:
            label += f" [red]{escape(span['status_message'])}[/red]"
        nodes[span["span_id"]] = (parent or root).add(label, highlight=False)
    _out().print(root)


@app.command("export")
def export_cmd(
    run: Annotated[str, typer.Argument(help="'last', a trace id (prefix), or 'all'.")] = "last",
    otlp_json: Annotated[Path | None, typer.Option("--otlp-json", help="Write OTLP-JSON lines here.")] = None,
    otlp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--otlp-endpoint", help="Send to an OTLP/HTTP collector (e.g. Phoenix at http://127.0.0.1:6006)."
        ),
    ] = None,
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Export a run (or all) as OTLP-JSON lines, or send it to an OTLP/HTTP endpoint."""
    if otlp_json is None and otlp_endpoint is None:
        _fail("give --otlp-json FILE and/or --otlp-endpoint URL")
    store = _open(db)
    try:
        trace_ids = store.trace_ids() if run == "all" else [store.resolve(run)]
    except RunNotFoundError as error:
        _fail(str(error))
    if otlp_json is not None:
        try:
            count = export_otlp_json(store, trace_ids, otlp_json)
        except (OtlpJsonError, OSError) as error:
            _fail(f"--otlp-json {error}")
        _out().print(f"wrote {count} spans of {len(trace_ids)} runs to {escape(str(otlp_json))}")
    if otlp_endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import SpanExportResult

        from ._setup import _otlp_url

        exporter = OTLPSpanExporter(endpoint=_otlp_url(otlp_endpoint))
        spans = rows_to_sdk_spans(row for t in trace_ids for row in store.spans(t))
        if exporter.export(spans) is not SpanExportResult.SUCCESS:
            _fail(f"--otlp-endpoint {otlp_endpoint}: the collector did not accept the spans")
        _out().print(f"sent {len(spans)} spans to {otlp_endpoint}")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="An OTLP-JSON lines file.")],
    db: DbOption = DEFAULT_PATH,
) -> None:
    """Load traces from an OTLP-JSON lines file into the store."""
    try:
        count = import_otlp_json(TraceStore(db), file)
    except TraceStoreError as error:
        _fail(f"--db {error}")
    except OtlpJsonError as error:
        _fail(str(error))
    _out().print(f"imported {count} spans into {escape(str(db))}")
