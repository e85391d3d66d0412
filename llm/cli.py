"""`goalgraph llm …`: serve the embedded model over an OpenAI-compatible API, or chat with it once."""

from __future__ import annotations

import typer
from rich.console import Console

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="The embedded local model: serve it, or chat with it.")
_console = Console(stderr=True)


def _load(spec: str):  # type: ignore[no-untyped-def]
    from ._local import LocalModel
    from ._spec import model

    try:
        loaded = model(spec)
    except (ValueError, FileNotFoundError) as error:
        _console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    if not isinstance(loaded, LocalModel):
        _console.print(
            f"[red]error:[/red] --model {spec!r} is not a local model (expected 'local' or 'local:PATH')"
        )
        raise typer.Exit(2)
    with _console.status(f"loading {loaded.model_name} …"):
        _ = loaded.engine
    return loaded


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    model: str = typer.Option("local", "--model", help="A local model spec: 'local' or 'local:PATH'."),
    host: str = typer.Option(
        "127.0.0.1", help="Interface to bind (loopback by default; others need --allow-remote)."
    ),
    port: int = typer.Option(8765, min=1, max=65535, help="TCP port."),
    name: str = typer.Option("local", help="The model id clients send."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Permit a non-loopback --host (the server has no authentication)."
    ),
) -> None:
    """Serve a local model at /v1/chat/completions and /v1/models (OpenAI-compatible)."""
    import uvicorn

    from ._server import create_app

    if not _is_loopback(host) and not allow_remote:
        # Checked before the model loads: the server has no authentication, so exposing it is a choice.
        _console.print(
            f"[red]error:[/red] --host {host} is not a loopback address; the model server has no "
            "authentication: add --allow-remote to expose it anyway"
        )
        raise typer.Exit(2)
    loaded = _load(model)
    _console.print(
        f"serving {loaded.model_name} as [b]{name}[/b] on http://{host}:{port}/v1 "
        f"— use the spec [b]openai:{name}@http://{host}:{port}/v1[/b]"
    )
    uvicorn.run(create_app(loaded, served_name=name), host=host, port=port, log_level="warning")


@app.command()
def chat(
    prompt: str = typer.Argument(..., help="What to ask."),
    model: str = typer.Option("local", "--model", help="Model spec."),
    max_tokens: int = typer.Option(128, help="Most tokens in the reply."),
) -> None:
    """Ask the model one question and print its reply."""
    from pydantic_ai import Agent

    from ._spec import model as resolve

    try:
        loaded = resolve(model)
    except (ValueError, FileNotFoundError) as error:
        _console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    with _console.status("thinking …"):
        reply = Agent(loaded).run_sync(prompt, model_settings={"max_tokens": max_tokens})
    print(reply.output)
