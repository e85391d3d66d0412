"""Peer benchmark: goalgraph's A* (bitsets; LM-cut or h_max) vs pyperplan (A* + lmcut / hmax) on generated STRIPS.

    python benchmarks/goap_bench.py --out results/goap_bench.json [--timeout 60] [--instances 3]
        [--heuristic lmcut|hmax]   # pyperplan's; goalgraph's is --goalgraph-heuristic (default lmcut)

Blocks world (4–12 blocks) and a logistics-style domain are generated here as PDDL; pyperplan parses and
grounds them (grounding is not timed for either side) and both planners search the same ground task.
goalgraph's time includes compiling the actions to bitsets. pyperplan (GPL) is imported only here.
Also times planning in a generated 200-tool typed domain.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import create_model
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from goalgraph.planners import (
    Action,
    Blackboard,
    Goal,
    HeuristicName,
    Plan,
    SearchBudget,
    WorldState,
    plan,
)
from goalgraph.tools import Tool

BLOCKS_DOMAIN = """(define (domain blocks) (:requirements :strips)
 (:predicates (on ?x ?y) (ontable ?x) (clear ?x) (handempty) (holding ?x))
 (:action pick-up :parameters (?x) :precondition (and (clear ?x) (ontable ?x) (handempty))
  :effect (and (not (ontable ?x)) (not (clear ?x)) (not (handempty)) (holding ?x)))
 (:action put-down :parameters (?x) :precondition (holding ?x)
  :effect (and (not (holding ?x)) (clear ?x) (handempty) (ontable ?x)))
 (:action stack :parameters (?x ?y) :precondition (and (holding ?x) (clear ?y))
  :effect (and (not (holding ?x)) (not (clear ?y)) (clear ?x) (handempty) (on ?x ?y)))
 (:action unstack :parameters (?x ?y) :precondition (and (on ?x ?y) (clear ?x) (handempty))
  :effect (and (holding ?x) (clear ?y) (not (clear ?x)) (not (handempty)) (not (on ?x ?y)))))"""

LOGISTICS_DOMAIN = """(define (domain logistics) (:requirements :strips :typing)
 (:types truck airplane - vehicle package vehicle - physobj airport location - place city place physobj - object)
 (:predicates (in-city ?loc - place ?city - city) (at ?obj - physobj ?loc - place) (in ?pkg - package ?veh - vehicle))
 (:action load-truck :parameters (?pkg - package ?truck - truck ?loc - place)
  :precondition (and (at ?truck ?loc) (at ?pkg ?loc)) :effect (and (not (at ?pkg ?loc)) (in ?pkg ?truck)))
 (:action load-airplane :parameters (?pkg - package ?airplane - airplane ?loc - place)
  :precondition (and (at ?pkg ?loc) (at ?airplane ?loc)) :effect (and (not (at ?pkg ?loc)) (in ?pkg ?airplane)))
 (:action unload-truck :parameters (?pkg - package ?truck - truck ?loc - place)
  :precondition (and (at ?truck ?loc) (in ?pkg ?truck)) :effect (and (not (in ?pkg ?truck)) (at ?pkg ?loc)))
 (:action unload-airplane :parameters (?pkg - package ?airplane - airplane ?loc - place)
  :precondition (and (in ?pkg ?airplane) (at ?airplane ?loc)) :effect (and (not (in ?pkg ?airplane)) (at ?pkg ?loc)))
 (:action drive-truck :parameters (?truck - truck ?loc-from - place ?loc-to - place ?city - city)
  :precondition (and (at ?truck ?loc-from) (in-city ?loc-from ?city) (in-city ?loc-to ?city))
  :effect (and (not (at ?truck ?loc-from)) (at ?truck ?loc-to)))
 (:action fly-airplane :parameters (?airplane - airplane ?loc-from - airport ?loc-to - airport)
  :precondition (at ?airplane ?loc-from) :effect (and (not (at ?airplane ?loc-from)) (at ?airplane ?loc-to))))"""


def _towers(blocks: list[str], rng: random.Random) -> list[list[str]]:
    order = blocks[:]
    rng.shuffle(order)
    towers: list[list[str]] = []
    for b in order:
        if towers and rng.random() < 0.6:
            rng.choice(towers).append(b)
        else:
            towers.append([b])
    return towers


def _tower_facts(towers: list[list[str]]) -> list[str]:
    facts = []
    for t in towers:
        facts.append(f"(ontable {t[0]})")
        facts += [f"(on {t[i]} {t[i - 1]})" for i in range(1, len(t))]
        facts.append(f"(clear {t[-1]})")
    return facts


def blocks_problem(n: int, seed: int) -> str:
    rng = random.Random(seed)
    blocks = [f"b{i}" for i in range(n)]
    init = [*_tower_facts(_towers(blocks, rng)), "(handempty)"]
    goal = [f for f in _tower_facts(_towers(blocks, rng)) if not f.startswith("(clear ")]
    return (
        f"(define (problem bw{n}-{seed}) (:domain blocks) (:objects {' '.join(blocks)})\n"
        f" (:init {' '.join(init)}) (:goal (and {' '.join(goal)})))"
    )


def logistics_problem(packages: int, seed: int, cities: int = 2) -> str:
    rng = random.Random(seed)
    objs, init = [], []
    places = []
    for c in range(cities):
        objs += [f"city{c} - city", f"ap{c} - airport", f"loc{c} - location", f"truck{c} - truck"]
        init += [f"(in-city ap{c} city{c})", f"(in-city loc{c} city{c})", f"(at truck{c} loc{c})"]
        places += [f"ap{c}", f"loc{c}"]
    objs.append("plane0 - airplane")
    init.append("(at plane0 ap0)")
    goal = []
    for p in range(packages):
        objs.append(f"p{p} - package")
        src, dst = rng.sample(places, 2)
        init.append(f"(at p{p} {src})")
        goal.append(f"(at p{p} {dst})")
    return (
        f"(define (problem log{packages}-{seed}) (:domain logistics) (:objects {' '.join(objs)})\n"
        f" (:init {' '.join(init)}) (:goal (and {' '.join(goal)})))"
    )


def _ground(domain: str, problem: str) -> Any:
    from pyperplan.grounding import ground
    from pyperplan.pddl.parser import Parser

    with tempfile.TemporaryDirectory() as tmp:
        d, p = Path(tmp, "d.pddl"), Path(tmp, "p.pddl")
        d.write_text(domain)
        p.write_text(problem)
        parser = Parser(str(d), str(p))
        dom = parser.parse_domain()
        return ground(parser.parse_problem(dom))


def _pyperplan_worker(domain: str, problem: str, heuristic: str, queue: Any) -> None:
    from pyperplan.heuristics.lm_cut import LmCutHeuristic
    from pyperplan.heuristics.relaxation import hMaxHeuristic
    from pyperplan.search.a_star import astar_search

    task = _ground(domain, problem)
    started = time.perf_counter()
    h = (LmCutHeuristic if heuristic == "lmcut" else hMaxHeuristic)(task)
    solution = astar_search(task, h)
    queue.put((time.perf_counter() - started, None if solution is None else len(solution)))


def run_pyperplan(
    domain: str, problem: str, heuristic: str, timeout: float
) -> tuple[float | None, int | None]:
    queue: Any = mp.get_context("fork").Queue()
    process = mp.get_context("fork").Process(
        target=_pyperplan_worker, args=(domain, problem, heuristic, queue)
    )
    process.start()
    process.join(timeout + 30)  # grounding is not timed, so allow for it on top
    if process.is_alive():
        process.kill()
        process.join()
        return None, None
    seconds, cost = queue.get()
    return (seconds, cost) if seconds <= timeout else (None, None)


def run_goalgraph(
    domain: str, problem: str, timeout: float, heuristic: HeuristicName = "lmcut"
) -> tuple[float | None, float | None]:
    task = _ground(domain, problem)
    actions = [
        Action(
            op.name,
            pre={f: True for f in op.preconditions},
            effects={**{f: False for f in op.del_effects}, **{f: True for f in op.add_effects}},
        )
        for op in task.operators
    ]
    state = WorldState(task.initial_state)
    goal = Goal.of(*sorted(task.goals))
    started = time.perf_counter()
    budget = SearchBudget(max_nodes=10**8, max_seconds=timeout)
    result = plan(actions, goal, state, budget=budget, heuristic=heuristic)
    seconds = time.perf_counter() - started
    return (seconds, result.cost) if isinstance(result, Plan) else (None, None)


def typed_domain(n_tools: int, seed: int) -> tuple[list[Tool[Any, Any]], Any, Blackboard]:
    """A layered typed tool graph: each tool turns 1–2 types into a type of a later layer."""
    rng = random.Random(seed)
    types = [create_model(f"T{i}", value=(int, 0)) for i in range(n_tools // 2)]
    tools = []
    for k in range(n_tools):
        # The first tools form a chain T0 -> T1 -> ... so the last type is always reachable.
        out = k + 1 if k + 1 < len(types) else rng.randrange(1, len(types))
        inputs = (
            [k]
            if k + 1 < len(types) and rng.random() < 0.5
            else rng.sample(range(out), k=min(out, rng.choice((1, 2))))
        )
        input_model = create_model(f"In{k}", **{f"a{j}": (types[j], ...) for j in inputs})  # type: ignore[call-overload]
        tools.append(
            Tool(
                name=f"tool{k:03d}",
                description="generated",
                input_type=input_model,
                output_type=types[out],
                function=lambda **kw: None,
                cost=rng.uniform(0.5, 3.0),
                unpack_arguments=True,
            )
        )
    return tools, types[-1], Blackboard([types[0]()])


def _by_size(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Per (family, size): instances solved by both, cost agreement, median times and their ratio."""
    sizes: list[dict[str, Any]] = []
    mismatches = 0
    for family, size in dict.fromkeys((r["family"], r["size"]) for r in rows):
        sized = [r for r in rows if r["family"] == family and r["size"] == size]
        both = [r for r in sized if r["goalgraph_s"] is not None and r["pyperplan_s"] is not None]
        bad = [r for r in both if abs(r["goalgraph_cost"] - r["pyperplan_cost"]) > 1e-9]
        mismatches += len(bad)
        entry: dict[str, Any] = {
            "family": family,
            "size": size,
            "instances": len(sized),
            "both_solved": len(both),
            "goalgraph_solved": sum(r["goalgraph_s"] is not None for r in sized),
            "costs_equal": not bad,
        }
        if both:
            entry["goalgraph_median_s"] = statistics.median(r["goalgraph_s"] for r in both)
            entry["pyperplan_median_s"] = statistics.median(r["pyperplan_s"] for r in both)
            entry["ratio"] = entry["goalgraph_median_s"] / entry["pyperplan_median_s"]
        sizes.append(entry)
    return sizes, mismatches


def _typed200(heuristic: HeuristicName) -> tuple[float, int | None]:
    """Median planning time (ms) of a generated 200-action typed domain, and its plan length."""
    tools, target, board = typed_domain(200, 0)
    times = []
    for _ in range(21):
        started = time.perf_counter()
        result = plan(tools, target, board, heuristic=heuristic)
        times.append((time.perf_counter() - started) * 1000)
    typed_ms = statistics.median(times)
    return typed_ms, len(result.steps) if isinstance(result, Plan) else None


def _document(
    rows: list[dict[str, Any]], typed: tuple[float, int | None], heuristic: str, ours: str
) -> dict[str, Any]:
    sizes, mismatches = _by_size(rows)
    largest: dict[str, float] = {}
    for entry in sizes:
        if entry.get("both_solved") == entry["instances"] and "ratio" in entry:
            largest[entry["family"]] = entry["ratio"]
    summary = {
        "time_ratio_largest": max(largest.values()) if largest else None,
        "time_ratio_largest_by_family": largest,
        "cost_mismatches": mismatches,
        "typed200_median_ms": typed[0],
        "typed200_plan_steps": typed[1],
        "pyperplan_heuristic": heuristic,
        "goalgraph_heuristic": ours,
    }
    return {"summary": summary, "sizes": sizes, "instances": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="JSON file to write")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per planner per instance")
    parser.add_argument("--instances", type=int, default=3, help="instances per size")
    parser.add_argument("--blocks", default="4,5,6,7,8,9,10,11,12", help="blocks-world sizes")
    parser.add_argument("--packages", default="1,2,3,4,5", help="logistics package counts")
    parser.add_argument(
        "--heuristic", default="lmcut", choices=["hmax", "lmcut"], help="pyperplan's heuristic"
    )
    parser.add_argument(
        "--goalgraph-heuristic", default="lmcut", choices=["hmax", "lmcut"], help="goalgraph's heuristic"
    )
    args = parser.parse_args()

    suites = [("blocks", int(n), BLOCKS_DOMAIN, blocks_problem) for n in args.blocks.split(",")]
    suites += [("logistics", int(n), LOGISTICS_DOMAIN, logistics_problem) for n in args.packages.split(",")]
    rows: list[dict[str, Any]] = []
    peer_gave_up: set[str] = set()
    ours: HeuristicName = args.goalgraph_heuristic
    typed = _typed200(ours)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with Progress() as progress:
        bar = progress.add_task("instances", total=len(suites) * args.instances)
        for family, size, domain, make in suites:
            for seed in range(args.instances):
                problem = make(size, seed)
                if family in peer_gave_up:
                    py_s, py_cost = None, None
                else:
                    py_s, py_cost = run_pyperplan(domain, problem, args.heuristic, args.timeout)
                gg_s, gg_cost = run_goalgraph(domain, problem, args.timeout, ours)
                rows.append(
                    {
                        "family": family,
                        "size": size,
                        "seed": seed,
                        "goalgraph_s": gg_s,
                        "goalgraph_cost": gg_cost,
                        "pyperplan_s": py_s,
                        "pyperplan_cost": py_cost,
                        "pyperplan_heuristic": args.heuristic,
                        "goalgraph_heuristic": ours,
                    }
                )
                progress.advance(bar)
            sized = [r for r in rows if r["family"] == family and r["size"] == size]
            if all(r["pyperplan_s"] is None for r in sized):
                peer_gave_up.add(family)  # a bigger size will not finish either: save the minutes
            # Written after every size, so a run cut short keeps what it measured.
            args.out.write_text(json.dumps(_document(rows, typed, args.heuristic, ours), indent=2))
    document = _document(rows, typed, args.heuristic, ours)
    summary, sizes = document["summary"], document["sizes"]
    args.out.write_text(json.dumps(document, indent=2))
    table = Table(title=f"goalgraph (astar + {ours}) vs pyperplan (astar + {args.heuristic})")
    for column in (
        "family",
        "size",
        "inst",
        "both",
        "costs equal",
        "goalgraph med s",
        "pyperplan med s",
        "ratio",
    ):
        table.add_column(column)
    for e in sizes:
        table.add_row(
            e["family"],
            str(e["size"]),
            str(e["instances"]),
            str(e["both_solved"]),
            str(e["costs_equal"]),
            f"{e.get('goalgraph_median_s', float('nan')):.4f}",
            f"{e.get('pyperplan_median_s', float('nan')):.4f}",
            f"{e.get('ratio', float('nan')):.3f}",
        )
    console = Console()
    console.print(table)
    console.print(summary)


if __name__ == "__main__":
    main()
