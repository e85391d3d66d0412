"""The Ray backend: the same episodes as Ray actor calls, one runner built per actor."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._harness import EvalTask, RunnerFactory, run_task

if TYPE_CHECKING:
    from ._harness import EvalConfig

__all__ = ["run_on_ray"]

# Environment a worker needs to behave like the driver: shared data, offline model hubs, the trace
# store or OTLP collector the driver's spans go to, and the model server to share.
_FORWARDED_ENV = (
    "GOALGRAPH_SHARED_DATA",
    "GOALGRAPH_CACHE_DIR",
    "GOALGRAPH_TRACES_DB",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "OPENAI_API_KEY",
    "RAY_AUTH_MODE",
)


class _Worker:
    """A Ray actor body: builds the runner once, then runs up to `concurrency` episodes at a time."""

    def __init__(self, factory: RunnerFactory) -> None:
        self.runner = factory()

    async def run(self, task: EvalTask) -> dict[str, Any]:
        return await run_task(self.runner, task)


def _ship_by_value(factory: RunnerFactory) -> None:
    # Workers import installed packages by name, but a factory defined in a script or a test module
    # is not importable there: ship that module's code with the pickle instead.
    import inspect

    from ray import cloudpickle

    module = inspect.getmodule(factory)
    if module is not None and module.__name__ != "__main__" and not module.__name__.startswith("goalgraph"):
        cloudpickle.register_pickle_by_value(module)


def run_on_ray(
    tasks: Sequence[EvalTask],
    factory: RunnerFactory,
    config: EvalConfig,
    finished: Callable[[dict[str, Any]], None],
) -> None:
    """Fan `tasks` out over `config.ray_workers` actors; `finished` is called in the driver per episode."""
    import ray

    started_here = False
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in _FORWARDED_ENV if k in os.environ}
        kwargs: dict[str, Any] = {
            "runtime_env": {"env_vars": env},
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if config.ray_address:
            ray.init(address=config.ray_address, **kwargs)
        else:
            ray.init(num_cpus=max(config.ray_workers, 1), **kwargs)
        started_here = True
    _ship_by_value(factory)
    try:
        # Async actors: each worker keeps `concurrency` episodes in flight, as the asyncio backend does.
        actor: Any = ray.remote(_Worker)
        workers = [
            actor.options(num_cpus=1, max_concurrency=max(1, config.concurrency)).remote(factory)
            for _ in range(max(1, config.ray_workers))
        ]
        pending = [workers[i % len(workers)].run.remote(task) for i, task in enumerate(tasks)]
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            finished(ray.get(ready[0]))
    finally:
        if started_here:
            ray.shutdown()
