"""The typed `Tool`: a function from a pydantic input model to a typed output, with GOAP metadata."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast, get_type_hints, overload

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from goalgraph.traces import SpanKind, set_output, start_span, to_json

from ._errors import ToolError, ToolInputError, ToolOutputError, ToolTimeoutError

__all__ = ["Tool", "format_validation_error", "tool", "type_condition"]

InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT")

CostFunction = Callable[[Mapping[str, Any]], float]


def type_condition(tp: type) -> str:
    """The GOAP condition meaning "the blackboard holds an object of type `tp`" (e.g. ``has:Question``)."""
    return f"has:{tp.__name__}"


def format_validation_error(error: ValidationError) -> str:
    """One line per failing field: ``field.path: message``."""
    parts = []
    for item in error.errors():
        location = ".".join(str(p) for p in item["loc"]) or "(input)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class Tool(Generic[InputT, OutputT]):
    """A named, typed, traced step that agents, the GOAP planner and LangGraph graphs can all run.

    Build one with the `@tool` decorator; call it with `await t.acall(args)` or `t.call(args)`.
    """

    name: str
    """Unique name, used as the pydantic-ai tool name, the LangGraph node name and the GOAP action name."""
    description: str
    """What the tool does, shown to LLMs."""
    input_type: type[InputT]
    """Pydantic model the arguments validate against."""
    output_type: Any
    """Type the result validates against (usually a pydantic model)."""
    function: Callable[..., Any] = field(repr=False)
    """The wrapped user function."""
    cost: float | CostFunction = 1.0
    """Planning cost: a number, or a function of the world state (a mapping of condition values)."""
    requires: frozenset[str] = frozenset()
    """Extra GOAP preconditions, on top of the input-type default."""
    produces: frozenset[str] = frozenset()
    """Extra GOAP effects, on top of the output-type default."""
    timeout: float | None = None
    """Seconds a call may take before it fails with `ToolTimeoutError`; `None` waits forever."""
    rerunnable: bool = False
    """Whether the planner may run this tool again once its effects already hold."""
    tags: frozenset[str] = frozenset()
    """Free-form labels (e.g. the image task an expert serves)."""
    unpack_arguments: bool = field(default=False, repr=False)
    """True when `function` takes the input model's fields as keyword arguments instead of the model."""

    @property
    def preconditions(self) -> frozenset[str]:
        """Conditions that must hold before the tool runs: its input types' and its explicit `requires`."""
        return self.requires | frozenset(type_condition(t) for t in _model_inputs(self))

    @property
    def effects(self) -> frozenset[str]:
        """Conditions that hold after it runs: its output type's and its explicit `produces`."""
        defaults = {type_condition(self.output_type)} if _is_model(self.output_type) else set()
        return self.produces | frozenset(defaults)

    def cost_in(self, state: Mapping[str, Any]) -> float:
        """The tool's cost in a given world state."""
        return float(self.cost(state) if callable(self.cost) else self.cost)

    def validate_input(self, arguments: InputT | Mapping[str, Any] | BaseModel) -> InputT:
        """Validate `arguments` (the model, a compatible model, or a mapping) or raise `ToolInputError`."""
        if isinstance(arguments, self.input_type):
            return arguments
        if isinstance(arguments, BaseModel):
            if self.unpack_arguments and _accepts_model(self.input_type, arguments):
                arguments = {_single_field(self.input_type): arguments}
            else:
                arguments = arguments.model_dump()
        if not isinstance(arguments, Mapping):
            raise ToolInputError(
                self.name, f"expected {self.input_type.__name__} or a mapping, got {type(arguments).__name__}"
            )
        try:
            return self.input_type.model_validate(dict(arguments))
        except ValidationError as error:
            raise ToolInputError(
                self.name, f"invalid arguments: {format_validation_error(error)}", error
            ) from None

    async def acall(self, arguments: InputT | Mapping[str, Any] | BaseModel) -> OutputT:
        """Run the tool; every failure is a `ToolError` (input, output, timeout or the function's own)."""
        with start_span(
            f"execute_tool {self.name}",
            kind=SpanKind.TOOL,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": self.name,
                "gen_ai.tool.description": self.description,
                "gen_ai.tool.type": "function",
                "tool.name": self.name,
            },
        ) as span:
            validated = self.validate_input(arguments)
            if span.is_recording():
                payload = to_json(validated)
                span.set_attribute("gen_ai.tool.call.arguments", payload)
                span.set_attribute("input.value", payload)
            result = await self._invoke(validated)
            try:
                output = cast(OutputT, TypeAdapter(self.output_type).validate_python(result))
            except ValidationError as error:
                raise ToolOutputError(
                    self.name,
                    f"returned a value that is not {_type_name(self.output_type)}: "
                    f"{format_validation_error(error)}",
                    error,
                ) from None
            if span.is_recording():
                span.set_attribute("gen_ai.tool.call.result", to_json(output))
                set_output(span, output)
            return output

    def call(self, arguments: InputT | Mapping[str, Any] | BaseModel) -> OutputT:
        """Synchronous `acall`; usable inside or outside a running event loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.acall(arguments))
        box: dict[str, Any] = {}

        def runner() -> None:
            try:
                box["value"] = asyncio.run(self.acall(arguments))
            except BaseException as error:
                box["error"] = error

        thread = threading.Thread(target=runner, name=f"tool-{self.name}", daemon=True)
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return cast(OutputT, box["value"])

    async def _invoke(self, validated: InputT) -> Any:
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        if self.unpack_arguments:
            kwargs = {name: getattr(validated, name) for name in type(validated).model_fields}
        else:
            args = (validated,)
        deadline = asyncio.timeout(self.timeout)
        try:
            async with deadline:
                if inspect.iscoroutinefunction(self.function):
                    return await self.function(*args, **kwargs)
                return await _run_sync(self.function, args, kwargs)
        except TimeoutError as error:
            if not deadline.expired():  # the tool's own work timed out (a model call, a socket): its failure
                raise ToolError(self.name, f"TimeoutError: {error}", error) from error
            raise ToolTimeoutError(self.name, f"did not finish within {self.timeout:g} s") from None
        except ToolError:
            raise
        except (Exception, SystemExit) as error:
            # SystemExit too: a tool (or a library inside it) calling sys.exit() must not end the agent's
            # process. KeyboardInterrupt and cancellation still go through.
            raise ToolError(self.name, f"{type(error).__name__}: {error}", error) from error

    def as_pydantic_ai(self, *, max_retries: int | None = None) -> Any:
        """This tool as a pydantic-ai function tool (arguments = the input model's JSON schema).

        Invalid arguments become a `ModelRetry` so the model gets the field errors as feedback; a tool
        that fails returns the failure as text, so the model can react instead of the run crashing.
        """
        from pydantic_ai import ModelRetry
        from pydantic_ai import Tool as PydanticAITool

        async def run(**kwargs: Any) -> Any:
            try:
                result = await self.acall(kwargs)
            except ToolInputError as error:
                raise ModelRetry(error.reason) from None
            except ToolError as error:
                return f"ERROR: {error}"
            return result.model_dump(mode="json") if isinstance(result, BaseModel) else result

        pydantic_tool = PydanticAITool.from_schema(
            run, name=self.name, description=self.description, json_schema=self.input_type.model_json_schema()
        )
        if max_retries is not None:
            pydantic_tool.max_retries = max_retries
        return pydantic_tool

    def as_node(
        self,
        *,
        input_key: str | None = None,
        output_key: str | None = None,
        errors_key: str | None = None,
    ) -> Any:
        """This tool as a LangGraph node (sync and async) reading `state[input_key]`, writing `{output_key: result}`.

        Keys default to the snake_case names of the input and output types; when the input key is
        absent the whole state is validated as the input. With `errors_key`, a failure is written to
        that key (a list of `{"tool", "kind", "reason"}`) instead of raised.
        """
        from langchain_core.runnables import RunnableLambda

        in_key = input_key or _snake(self.input_type.__name__)
        out_key = output_key or _snake(_type_name(self.output_type))

        def arguments_from(state: Any) -> Any:
            value = state.get(in_key) if isinstance(state, Mapping) else getattr(state, in_key, None)
            if value is None:
                value = state if isinstance(state, Mapping) else {}
            return value

        def failure(error: ToolError) -> dict[str, Any]:
            if errors_key is None:
                raise error
            return {errors_key: [{"tool": error.tool, "kind": error.kind, "reason": error.reason}]}

        async def anode(state: Any) -> dict[str, Any]:
            try:
                return {out_key: await self.acall(arguments_from(state))}
            except ToolError as error:
                return failure(error)

        def node(state: Any) -> dict[str, Any]:
            try:
                return {out_key: self.call(arguments_from(state))}
            except ToolError as error:
                return failure(error)

        return RunnableLambda(node, afunc=anode, name=self.name)


@overload
def tool(function: Callable[..., Any], /) -> Tool[Any, Any]: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    cost: float | CostFunction = 1.0,
    requires: Iterable[str] = (),
    produces: Iterable[str] = (),
    timeout: float | None = None,
    rerunnable: bool = False,
    tags: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Tool[Any, Any]]: ...


def tool(
    function: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    cost: float | CostFunction = 1.0,
    requires: Iterable[str] = (),
    produces: Iterable[str] = (),
    timeout: float | None = None,
    rerunnable: bool = False,
    tags: Iterable[str] = (),
) -> Tool[Any, Any] | Callable[[Callable[..., Any]], Tool[Any, Any]]:
    """Make a `Tool` from a typed function (sync or async) and its docstring.

    A function whose only parameter is a pydantic model takes that model as input; otherwise an input
    model is built from its parameters (documented by a Google-style ``Args:`` section). The return
    annotation is the output type.

        @tool
        def search(query: Query) -> Documents:
            '''Find documents for a query.'''
    """

    def build(fn: Callable[..., Any]) -> Tool[Any, Any]:
        hints = get_type_hints(fn)
        if "return" not in hints:
            raise TypeError(f"@tool function {fn.__qualname__} needs a return annotation (its output type)")
        summary, param_docs = _parse_docstring(fn)
        params = list(inspect.signature(fn).parameters.values())
        unpack = not (len(params) == 1 and _is_model(hints.get(params[0].name)))
        if unpack:
            fields: dict[str, Any] = {}
            for param in params:
                if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                    raise TypeError(f"@tool function {fn.__qualname__} cannot take *args or **kwargs")
                if param.name not in hints:
                    raise TypeError(
                        f"@tool parameter {param.name!r} of {fn.__qualname__} needs a type annotation"
                    )
                default = ... if param.default is param.empty else param.default
                from pydantic import Field

                fields[param.name] = (
                    hints[param.name],
                    Field(default, description=param_docs.get(param.name)),
                )
            input_type = create_model(  # type: ignore[call-overload]
                f"{_camel(fn.__name__)}Input", __config__=ConfigDict(extra="forbid"), **fields
            )
        else:
            input_type = hints[params[0].name]
        return Tool(
            name=name or fn.__name__,
            description=description or summary or fn.__name__.replace("_", " "),
            input_type=input_type,
            output_type=hints["return"],
            function=fn,
            cost=cost,
            requires=frozenset(requires),
            produces=frozenset(produces),
            timeout=timeout,
            rerunnable=rerunnable,
            tags=frozenset(tags),
            unpack_arguments=unpack,
        )

    return build(function) if function is not None else build


async def _run_sync(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # A dedicated daemon thread per call, not the shared executor: a tool that hangs past its timeout
    # keeps its own thread and cannot starve the pool that every other tool call uses.
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(setter: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            setter(value)

    def report(setter: Callable[[Any], None], value: Any) -> None:
        # The caller may have given up (timeout) and closed its event loop: then there is nobody to tell.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, setter, value)

    def target() -> None:
        try:
            value = fn(*args, **kwargs)
        except BaseException as error:
            report(future.set_exception, error)
        else:
            report(future.set_result, value)

    # The thread runs in a copy of the caller's context, so the spans the tool opens (an LLM call, a
    # memory search) stay children of its `execute_tool` span instead of starting traces of their own.
    context = contextvars.copy_context()
    name = f"tool-{getattr(fn, '__name__', 'fn')}"
    threading.Thread(target=context.run, args=(target,), name=name, daemon=True).start()
    return await future


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_inputs(t: Tool[Any, Any]) -> list[type]:
    if not t.unpack_arguments:
        return [t.input_type]
    return [
        f.annotation
        for f in t.input_type.model_fields.values()
        if _is_model(f.annotation) and f.is_required()
    ]


def _accepts_model(input_type: type[BaseModel], value: BaseModel) -> bool:
    if len(input_type.model_fields) != 1:
        return False
    annotation = next(iter(input_type.model_fields.values())).annotation
    return isinstance(annotation, type) and isinstance(value, annotation)


def _single_field(input_type: type[BaseModel]) -> str:
    return next(iter(input_type.model_fields))


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _parse_docstring(fn: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    doc = inspect.getdoc(fn)
    if not doc:
        return "", {}
    from griffe import Docstring, DocstringSectionKind

    logging.getLogger("griffe").setLevel(logging.ERROR)
    summary_parts: list[str] = []
    params: dict[str, str] = {}
    for section in Docstring(doc, lineno=1).parse("google"):
        if section.kind is DocstringSectionKind.text and not summary_parts:
            summary_parts.append(str(section.value).strip())
        elif section.kind is DocstringSectionKind.parameters:
            params.update({p.name: p.description for p in section.value})
    return (summary_parts[0] if summary_parts else ""), params
