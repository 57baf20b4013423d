"""The domain's shape: no import cycle between vkc's packages, and every layer imports downward."""

from __future__ import annotations

from pathlib import Path

from devtools import layers


def test_the_domain_has_no_cycle_and_imports_downward() -> None:
    assert layers.problems() == []


def _package(root: Path, files: dict[str, str]) -> Path:
    package = root / "vkc"
    for name, body in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    (package / "__init__.py").write_text("")
    return package


def test_a_cycle_through_a_lazy_import_is_found(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "collection/__init__.py": "",
            "collection/plan.py": "from vkc.exports.task import run\n",
            "exports/__init__.py": "",
            "exports/task.py": "def run():\n    from vkc.collection import plan\n",
        },
    )
    (found,) = layers.problems(package)
    assert found.startswith("import cycle between vkc.collection, vkc.exports")


def test_the_kernel_importing_a_feature_is_found(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "jobs/__init__.py": "",
            "jobs/types.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from vkc.exports import x\n",
            "exports/__init__.py": "x = 1\n",
        },
    )
    assert layers.problems(package) == ["kernel vkc.jobs imports features vkc.exports (vkc/jobs/types.py:3)"]


def test_a_feature_building_an_adapter_is_found(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {"webhooks/alerts.py": "def queue():\n    from vkc.adapters.sqs_queue import Q\n", "adapters/sqs_queue.py": ""},
    )
    assert layers.problems(package) == [
        "features vkc.webhooks imports adapters vkc.adapters (vkc/webhooks/alerts.py:2)"
    ]


def test_a_package_without_a_layer_is_found(tmp_path: Path) -> None:
    package = _package(tmp_path, {"gadgets/__init__.py": ""})
    assert layers.problems(package) == ["vkc.gadgets has no layer: add it to devtools/layers.py"]
