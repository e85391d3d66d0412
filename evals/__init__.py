"""The evaluation harness behind every `goalgraph eval …`: concurrent episodes, resumable results, Ray.

tasks = [EvalTask(id="q1", system="agent", group="search", payload={...})]
run_eval(tasks, make_runner, EvalConfig(out=Path("results.json"), metrics=("success",)))
# -> results.json {"summary", "by_group", "episodes"} + results.png; --resume skips finished episodes
"""

from ._cli_options import with_harness_options
from ._harness import EvalConfig, EvalTask, Runner, RunnerFactory, load_results, run_eval, summary_table
from ._input_files import InputFileError, check_input_files, with_input_checks
from ._results import Aggregation, check_output, summarize, write_results

__all__ = [
    "Aggregation",
    "EvalConfig",
    "EvalTask",
    "InputFileError",
    "Runner",
    "RunnerFactory",
    "check_input_files",
    "check_output",
    "load_results",
    "run_eval",
    "summarize",
    "summary_table",
    "with_harness_options",
    "with_input_checks",
    "write_results",
]
