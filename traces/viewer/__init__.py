"""The trace viewer: a Starlette app over a `TraceStore` with a JSON API and a no-CDN page.

from goalgraph.traces.viewer import create_app
app = create_app(".goalgraph/traces.db")      # serve with uvicorn; `goalgraph traces serve` does this
"""

from ._app import create_app

__all__ = ["create_app"]
