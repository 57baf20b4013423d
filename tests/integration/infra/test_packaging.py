"""The artifacts `sam build` ships: packaging/Makefile, with bytecode Lambda can use as it is.

Lambda's /var/task and /opt are read-only: modules without usable .pyc files are compiled again on
every cold start (bench/coldstart_bench.py measures how much that costs).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from devtools.local_stack.template import REPO_ROOT, load_template

MAKEFILE = REPO_ROOT / "packaging" / "Makefile"
FUNCTIONS = ("ApiFunction", "ParseWorkerFunction", "AnalyzeWorkerFunction", "SchedulerFunction", "MigrateFunction")
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


def build(logical_id: str, code_uri: Path, tmp_path: Path) -> Path:
    """What sam build does: make in a scratch copy of the CodeUri, ARTIFACTS_DIR set."""
    scratch = tmp_path / "scratch"
    shutil.copytree(code_uri, scratch)
    (scratch / "__pycache__").mkdir(exist_ok=True)
    (scratch / "__pycache__" / "stale.cpython-313.pyc").write_bytes(b"left over from a dev run")
    out = tmp_path / "artifact"
    subprocess.run(
        [
            *("make", "--makefile", str(MAKEFILE), f"build-{logical_id}"),
            *(f"ARTIFACTS_DIR={out}", f"PYTHON={sys.executable}"),
        ],
        cwd=scratch,
        check=True,
        capture_output=True,
    )
    return out


def assert_every_module_precompiled(tree: Path) -> None:
    sources = list(tree.rglob("*.py"))
    assert sources
    tag = sys.implementation.cache_tag
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert pyc.is_file(), f"no bytecode for {source.relative_to(tree)}"
        header = pyc.read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, pyc
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, pyc
    assert not list(tree.rglob("stale.*.pyc")), "a dev run's __pycache__ was shipped"


def test_every_function_and_the_layer_build_with_packaging_makefile() -> None:
    resources = load_template()["Resources"]
    for logical_id in (*FUNCTIONS, "VkcLayer"):
        metadata = resources[logical_id].get("Metadata", {})
        assert metadata.get("BuildMethod") == "makefile", logical_id
        assert metadata.get("ContextPath") == "packaging", logical_id
        dry_run = subprocess.run(
            ["make", "-n", "--makefile", str(MAKEFILE), f"build-{logical_id}", "ARTIFACTS_DIR=/nowhere"],
            capture_output=True,
            text=True,
        )
        assert dry_run.returncode == 0, dry_run.stderr
    assert resources["VkcLayer"]["Metadata"]["BuildArchitecture"] == "arm64"


@pytest.mark.parametrize("logical_id", ["ApiFunction", "ParseWorkerFunction"])
def test_function_artifact_is_the_door_with_unchecked_hash_bytecode(logical_id: str, tmp_path: Path) -> None:
    code_uri = REPO_ROOT / load_template()["Resources"][logical_id]["Properties"]["CodeUri"]
    artifact = build(logical_id, code_uri, tmp_path)
    assert (artifact / "app.py").is_file()
    assert {p.name for p in artifact.iterdir()} <= {p.name for p in code_uri.iterdir()} | {"__pycache__"}
    assert_every_module_precompiled(artifact)


def test_layer_artifact_has_arm64_wheels_matching_sdk_and_bytecode(tmp_path: Path) -> None:
    """The real recipe, wheels from PyPI for Lambda's platform (takes ~15 s)."""
    artifact = build("VkcLayer", REPO_ROOT / "layers" / "vkc", tmp_path) / "python"
    assert (artifact / "vkc" / "__init__.py").is_file()
    assert not (artifact / "bin").exists()
    extensions = [p.name for p in artifact.rglob("*.so")]
    assert any("pydantic_core" in name and "aarch64" in name for name in extensions), extensions
    assert not [name for name in extensions if "x86_64" in name]
    # boto3 travels with the botocore it was released against (aws-xray-sdk brings a botocore anyway)
    boto3_meta = next(artifact.glob("boto3-*.dist-info")) / "METADATA"
    botocore_version = next(artifact.glob("botocore-*.dist-info")).name.removesuffix(".dist-info").split("-")[1]
    requires = [line.removeprefix("Requires-Dist: ") for line in boto3_meta.read_text().splitlines()]
    botocore_range = next(Requirement(line) for line in requires if line.startswith("botocore"))
    assert botocore_range.specifier.contains(botocore_version), (str(botocore_range), botocore_version)
    assert_every_module_precompiled(artifact)
