"""Read template.yaml into typed specs: the single source for queues, functions and schedules.

The local stack and the infra tests both read the deployed architecture from here, so nothing
about queues, timeouts or environments is repeated in Python.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (!Ref, !GetAtt, !Sub…) into their long form."""


def _construct_cfn_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{tag_suffix}", node.start_mark)
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_cfn_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain dicts, intrinsic functions in their long (`Fn::…`) form."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
    if not isinstance(data, dict) or "Resources" not in data:
        raise ValueError(f"{path} is not a CloudFormation template")
    return data


def is_intrinsic(value: Any) -> bool:
    """True for `{"Ref": …}` / `{"Fn::…": …}`: a value only CloudFormation can resolve."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def merge_globals(global_props: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (resource wins), lists concatenate, scalars are overridden."""
    merged = copy.deepcopy(global_props)
    for key, value in props.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict) and not is_intrinsic(value) and not is_intrinsic(base):
            merged[key] = merge_globals(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            merged[key] = base + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def ref_target(value: Any) -> str | None:
    """Logical id behind `!Ref X` or `!GetAtt X.Attr`, else None."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        getatt = value.get("Fn::GetAtt")
        if isinstance(getatt, list) and getatt:
            return str(getatt[0])
    return None


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    visibility_timeout: int
    message_retention: int
    sse: bool
    dlq_logical_id: str | None
    max_receive_count: int | None


@dataclass(frozen=True)
class SqsEventSpec:
    name: str
    function_id: str
    queue_id: str
    batch_size: int
    max_batching_window: int
    maximum_concurrency: int | None
    response_types: tuple[str, ...]


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    function_id: str
    expression: str
    input: str | None
    event_type: str

    @property
    def interval_seconds(self) -> float:
        """Period of a `rate(...)` expression; cron schedules are ticked on demand only (0)."""
        expr = self.expression.strip()
        if not expr.startswith("rate(") or not expr.endswith(")"):
            return 0.0
        amount, unit = expr[5:-1].split()
        seconds = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[unit]
        return float(int(amount) * seconds)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    runtime: str
    architectures: tuple[str, ...]
    timeout: int
    memory_size: int
    environment: dict[str, Any]
    reserved_concurrency: int | None
    properties: dict[str, Any] = field(repr=False)

    @property
    def module_name(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def function_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


class SamTemplate:
    """Typed views over template.yaml (Globals already merged into each function)."""

    def __init__(self, data: dict[str, Any], root: Path = REPO_ROOT) -> None:
        self.data = data
        self.root = root
        self.resources: dict[str, dict[str, Any]] = data["Resources"]
        self.globals_function: dict[str, Any] = data.get("Globals", {}).get("Function", {})

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH) -> SamTemplate:
        return cls(load_template(path), root=path.parent)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == resource_type}

    def function_properties(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources[logical_id]
        if resource.get("Type") != "AWS::Serverless::Function":
            raise KeyError(f"{logical_id} is not an AWS::Serverless::Function")
        return merge_globals(self.globals_function, resource.get("Properties", {}))

    def function(self, logical_id: str) -> FunctionSpec:
        props = self.function_properties(logical_id)
        env = props.get("Environment", {}).get("Variables", {})
        return FunctionSpec(
            logical_id=logical_id,
            code_uri=(self.root / str(props["CodeUri"])).resolve(),
            handler=str(props["Handler"]),
            runtime=str(props.get("Runtime", "")),
            architectures=tuple(props.get("Architectures", ["x86_64"])),
            timeout=int(props.get("Timeout", 3)),
            memory_size=int(props.get("MemorySize", 128)),
            environment=dict(env),
            reserved_concurrency=props.get("ReservedConcurrentExecutions"),
            properties=props,
        )

    @property
    def function_ids(self) -> list[str]:
        return list(self.of_type("AWS::Serverless::Function"))

    def queues(self) -> dict[str, QueueSpec]:
        specs: dict[str, QueueSpec] = {}
        for logical_id, resource in self.of_type("AWS::SQS::Queue").items():
            props = resource.get("Properties", {})
            redrive = props.get("RedrivePolicy") or {}
            specs[logical_id] = QueueSpec(
                logical_id=logical_id,
                visibility_timeout=int(props.get("VisibilityTimeout", 30)),
                message_retention=int(props.get("MessageRetentionPeriod", 345600)),
                sse=bool(props.get("SqsManagedSseEnabled", False)),
                dlq_logical_id=ref_target(redrive.get("deadLetterTargetArn")),
                max_receive_count=int(redrive["maxReceiveCount"]) if "maxReceiveCount" in redrive else None,
            )
        return specs

    def sqs_events(self, function_id: str | None = None) -> list[SqsEventSpec]:
        events: list[SqsEventSpec] = []
        for fid in self.function_ids:
            if function_id is not None and fid != function_id:
                continue
            for name, event in self.function_properties(fid).get("Events", {}).items():
                if event.get("Type") != "SQS":
                    continue
                props = event["Properties"]
                queue_id = ref_target(props["Queue"])
                if queue_id is None:
                    raise ValueError(f"{fid}.{name}: Queue must be !GetAtt <Queue>.Arn")
                events.append(
                    SqsEventSpec(
                        name=name,
                        function_id=fid,
                        queue_id=queue_id,
                        batch_size=int(props.get("BatchSize", 10)),
                        max_batching_window=int(props.get("MaximumBatchingWindowInSeconds", 0)),
                        maximum_concurrency=(props.get("ScalingConfig") or {}).get("MaximumConcurrency"),
                        response_types=tuple(props.get("FunctionResponseTypes", [])),
                    )
                )
        return events

    def schedules(self) -> list[ScheduleSpec]:
        specs: list[ScheduleSpec] = []
        for fid in self.function_ids:
            for name, event in self.function_properties(fid).get("Events", {}).items():
                if event.get("Type") not in ("Schedule", "ScheduleV2"):
                    continue
                props = event["Properties"]
                expression = props.get("ScheduleExpression") or props.get("Schedule")
                specs.append(
                    ScheduleSpec(
                        name=name,
                        function_id=fid,
                        expression=str(expression),
                        input=props.get("Input"),
                        event_type=str(event["Type"]),
                    )
                )
        return specs

    def buckets(self) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in self.of_type("AWS::S3::Bucket").items()}
