"""Build a function's environment from template.yaml with local values for what only AWS resolves.

Literals are taken as-is; the contract variables of docs/architecture.md that describe *where*
things are (DB, Redis, VK, stage) get local values even when the template has a literal (the
template says DB_IAM_AUTH=1, a laptop Postgres wants 0). Remaining intrinsics are evaluated:
parameters/conditions with their defaults (Stage=local), Ref/GetAtt of queues and buckets with the
moto resources. Anything else fails loudly so a new variable can't silently be wrong locally.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from devtools.local_stack.template import SamTemplate

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class UnresolvableValue(ValueError):
    """A template value the local stack has no local equivalent for."""


@dataclass(frozen=True)
class LocalResources:
    """Where the local stand-ins for the stack's resources live."""

    run_id: str
    region: str
    moto_url: str
    db_name: str
    queue_urls: Mapping[str, str]
    queue_arns: Mapping[str, str]
    buckets: Mapping[str, str]
    redis_url: str
    vk_api_url: str | None
    api_url: str
    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = "postgres"
    extra: Mapping[str, str] = field(default_factory=dict)

    def overrides(self) -> dict[str, str | None]:
        """Contract variables whose local value differs from the template's, literal or not."""
        return {
            "STAGE": "local",
            "DB_HOST": self.db_host,
            "DB_PORT": str(self.db_port),
            "DB_NAME": self.db_name,
            "DB_USER": self.db_user,
            "DB_PASSWORD": "",
            "DB_IAM_AUTH": "0",
            "DB_SSL": "0",
            "REDIS_URL": self.redis_url,
            "VK_API_URL": self.vk_api_url,
            "VK_TOKENS_SECRET_PREFIX": f"vkc/{self.run_id}/",
            "CORS_ORIGINS": self.api_url,
        }

    def process_env(self) -> dict[str, str]:
        """Variables Lambda's runtime provides and the local processes need (moto, region, no X-Ray)."""
        return {
            **DUMMY_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "POWERTOOLS_TRACE_DISABLED": "1",
            **self.extra,
        }


class ValueResolver:
    """Evaluates the few intrinsics an Environment block uses, against local resources."""

    def __init__(self, tpl: SamTemplate, res: LocalResources) -> None:
        self.tpl = tpl
        self.res = res
        self.parameters: dict[str, str] = {
            name: str(spec.get("Default", "")) for name, spec in tpl.data.get("Parameters", {}).items()
        }
        self.parameters["Stage"] = "local"
        self.pseudo = {
            "AWS::Region": res.region,
            "AWS::AccountId": "123456789012",
            "AWS::Partition": "aws",
            "AWS::StackName": f"vkc-{res.run_id}",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def resolve(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict) or len(value) != 1:
            raise UnresolvableValue(f"not a CloudFormation value: {value!r}")
        ((key, arg),) = value.items()
        match key:
            case "Ref":
                return self._ref(str(arg))
            case "Fn::GetAtt":
                return self._getatt(str(arg[0]), str(arg[1]))
            case "Fn::Sub":
                return self._sub(arg)
            case "Fn::Join":
                return str(arg[0]).join(str(v) for v in self.resolve(arg[1]))
            case "Fn::Split":
                return str(self.resolve(arg[1])).split(str(arg[0]))
            case "Fn::Select":
                return self.resolve(arg[1])[int(arg[0])]
            case "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.condition(str(name)) else no)
        raise UnresolvableValue(f"no local value for {key}: {arg!r}")

    def condition(self, name: str) -> bool:
        return self._truth(self.tpl.data.get("Conditions", {})[name])

    def _truth(self, expr: Any) -> bool:
        ((key, arg),) = expr.items()
        match key:
            case "Fn::Equals":
                return bool(self.resolve(arg[0]) == self.resolve(arg[1]))
            case "Fn::Not":
                return not self._truth(arg[0])
            case "Fn::And":
                return all(self._truth(a) for a in arg)
            case "Fn::Or":
                return any(self._truth(a) for a in arg)
            case "Condition":
                return self.condition(str(arg))
        raise UnresolvableValue(f"unsupported condition {key}")

    def _ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.res.queue_urls:
            return self.res.queue_urls[name]
        if name in self.res.buckets:
            return self.res.buckets[name]
        raise UnresolvableValue(f"no local value for Ref {name}")

    def _getatt(self, name: str, attribute: str) -> str:
        if name in self.res.queue_arns and attribute == "Arn":
            return self.res.queue_arns[name]
        if name in self.res.queue_urls and attribute == "QueueName":
            return self.res.queue_urls[name].rsplit("/", 1)[1]
        if name in self.res.buckets and attribute == "Arn":
            return f"arn:aws:s3:::{self.res.buckets[name]}"
        raise UnresolvableValue(f"no local value for GetAtt {name}.{attribute}")

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            ref = match.group(1)
            if ref in variables:
                return str(self.resolve(variables[ref]))
            if "." in ref:
                return self._getatt(*ref.split(".", 1))
            return self._ref(ref)

        return re.sub(r"\$\{([^}!]+)\}", replace, str(text))


def function_environment(tpl: SamTemplate, logical_id: str, res: LocalResources) -> dict[str, str]:
    """The environment `logical_id` gets in AWS (Globals + its own), with local values substituted."""
    resolver = ValueResolver(tpl, res)
    overrides = res.overrides()
    env: dict[str, str] = {}
    for name, value in tpl.function(logical_id).environment.items():
        if name in overrides:
            local = overrides[name]
            if local is not None:
                env[name] = local
            continue
        try:
            env[name] = str(resolver.resolve(value))
        except UnresolvableValue as exc:
            raise UnresolvableValue(f"{logical_id}: {name}: {exc}") from None
    env.setdefault("DB_PASSWORD", "")  # trust auth locally; IAM tokens in AWS
    env.update(res.process_env())
    return env


def stack_environment(tpl: SamTemplate, res: LocalResources) -> dict[str, str]:
    """One environment for every function's containers (and the stack's own process, for tests).

    Functions' own variables must not disagree: the stack's process can hold only one value.
    """
    merged: dict[str, str] = {}
    for fid in tpl.function_ids:
        for name, value in function_environment(tpl, fid, res).items():
            if merged.get(name, value) != value:
                raise UnresolvableValue(f"{name} differs between functions; the local stack needs one value")
            merged[name] = value
    return merged


#: Modules whose caches are built from the environment (settings, boto3/Redis clients, route deps).
_ENV_CACHED_MODULES = ("vkc.settings", "vkc.adapters", "api_routes")


def reset_process_caches() -> None:
    """Forget everything built from the previous environment: like a Lambda cold start for caches."""
    engine = sys.modules.get("vkc.db.engine")
    dispose = getattr(engine, "dispose_engines", None)
    if callable(dispose):
        dispose()
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_ENV_CACHED_MODULES):
            continue
        for attr in list(vars(module).values()):
            clear = getattr(attr, "cache_clear", None)
            if callable(clear) and getattr(attr, "__module__", None) == name:
                clear()


@contextmanager
def applied(env: Mapping[str, str]) -> Iterator[None]:
    """Set `env` process-wide (handlers read os.environ), restoring the previous values afterwards."""
    previous = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    reset_process_caches()
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_process_caches()
