"""Where the endpoint and the API key come from, in this order: command-line flags, the environment
(`VKC_ENDPOINT`, `VKC_API_KEY`, `VKC_PROFILE`), then the profile in the config file
(`$XDG_CONFIG_HOME/vkc/config.toml`, else `~/.config/vkc/config.toml`; mode 0600).

The file holds one table per profile:

    default_profile = "default"

    [profiles.default]
    endpoint = "http://127.0.0.1:3000"
    api_key = "..."
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vkc_cli.errors import CliError

DEFAULT_PROFILE = "default"
ENV_ENDPOINT = "VKC_ENDPOINT"
ENV_API_KEY = "VKC_API_KEY"
ENV_PROFILE = "VKC_PROFILE"
ENV_CONFIG_FILE = "VKC_CONFIG_FILE"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CONFIG_FILE):
        return Path(env[ENV_CONFIG_FILE]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base).expanduser() / "vkc" / "config.toml"


@dataclass(frozen=True)
class Settings:
    """The effective connection settings, with where each came from (for `vkc configure` and errors)."""

    profile: str
    endpoint: str | None
    api_key: str | None
    endpoint_source: str
    api_key_source: str
    path: Path

    def require(self) -> tuple[str, str]:
        if not self.endpoint or not self.api_key:
            missing = " and ".join(n for n, v in (("endpoint", self.endpoint), ("API key", self.api_key)) if not v)
            raise CliError(
                f"No {missing} configured (profile {self.profile!r}).",
                hint="Run `vkc configure --endpoint URL --api-key KEY`, or `vkc configure --local` after `make up`, "
                f"or set {ENV_ENDPOINT} and {ENV_API_KEY}.",
            )
        return self.endpoint, self.api_key


def load_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CliError(
            f"Cannot read the config file {path}: {exc}", hint="Fix or delete it, then configure again."
        ) from exc


def resolve(
    *,
    profile: str | None = None,
    endpoint: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Flags beat the environment, which beats the config file's profile."""
    env = os.environ if env is None else env
    path = config_path(env)
    data = load_file(path)
    name = profile or env.get(ENV_PROFILE) or str(data.get("default_profile") or DEFAULT_PROFILE)
    profiles = data.get("profiles") or {}
    stored = profiles.get(name) or {}
    if profile and profile not in profiles and not (endpoint and api_key):
        known = ", ".join(sorted(profiles)) or "none"
        raise CliError(f"No profile {profile!r} in {path} (profiles: {known}).", hint="Create it with `vkc configure`.")

    def pick(flag: str | None, env_name: str, key: str) -> tuple[str | None, str]:
        if flag:
            return flag, "flag"
        if env.get(env_name):
            return env[env_name], f"env {env_name}"
        if stored.get(key):
            return str(stored[key]), f"{path} [profiles.{name}]"
        return None, "not set"

    url, url_source = pick(endpoint, ENV_ENDPOINT, "endpoint")
    key, key_source = pick(api_key, ENV_API_KEY, "api_key")
    return Settings(name, normalize_endpoint(url) if url else None, key, url_source, key_source, path)


def normalize_endpoint(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        raise CliError(f"The endpoint {url!r} is not a URL.", hint="Give it with its scheme: https://… or http://…")
    return url.rstrip("/")


def save_profile(path: Path, profile: str, endpoint: str, api_key: str, *, make_default: bool) -> None:
    """Write (or update) one profile, keeping the others; the file is created 0600 in a 0700 directory."""
    data = load_file(path)
    profiles: dict[str, Any] = dict(data.get("profiles") or {})
    profiles[profile] = {**dict(profiles.get(profile) or {}), "endpoint": endpoint, "api_key": api_key}
    default = profile if make_default or not data.get("default_profile") else str(data["default_profile"])
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dump_toml(default, profiles))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def dump_toml(default_profile: str, profiles: Mapping[str, Mapping[str, Any]]) -> str:
    """The config file's text. Values are strings (JSON escapes are valid TOML basic strings)."""
    lines = ["# vkc configuration (written by `vkc configure`)", f"default_profile = {_toml_str(default_profile)}"]
    for name in sorted(profiles):
        lines.append("")
        lines.append(f"[profiles.{name if _BARE_KEY.fullmatch(name) else _toml_str(name)}]")
        for key, value in profiles[name].items():
            lines.append(f"{key} = {_toml_str(str(value))}")
    return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    return json.dumps(value)


def find_local_dir(start: Path | None = None) -> Path:
    """`.local/` with `stack.json` in the current directory or a parent (where `make up` writes it)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / ".local"
        if (candidate / "stack.json").is_file():
            return candidate
    raise CliError(
        "No local stack found (.local/stack.json in this directory or a parent).",
        hint="Start it with `make up` in the project directory, then run `vkc configure --local` there.",
    )


def read_local_stack(local_dir: Path) -> tuple[str, str]:
    """The API URL from `stack.json` and the dev key from `dev-api-key`."""
    try:
        state = json.loads((local_dir / "stack.json").read_text(encoding="utf-8"))
        api_key = (local_dir / "dev-api-key").read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as exc:
        raise CliError(
            f"Cannot read the local stack's files in {local_dir}: {exc}", hint="Run `make up` again."
        ) from exc
    api_url = state.get("api_url") if isinstance(state, dict) else None
    if not api_url or not api_key:
        raise CliError(f"{local_dir} has no API URL or dev key.", hint="Run `make up` again.")
    return normalize_endpoint(str(api_url)), api_key


def mask_key(key: str | None) -> str:
    if not key:
        return "-"
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "****"
