"""Translate template.yaml (SAM) to the plain CloudFormation `sam deploy` would create, for checkov.

checkov reads SAM resources itself, but the resources SAM generates from them — execution roles
with their policy-template statements, AWS::Lambda::Function, permissions, the HTTP API stage,
event source mappings, schedules — exist only after the transform. `make lint` scans both.

Run with the tools venv (aws-sam-translator, samcli's YAML loader):
    .tools-venv/bin/python scripts/sam_translate.py template.yaml out.json
Local CodeUri/ContentUri paths become placeholder S3 URIs (what `sam package` would upload);
nothing is sent to AWS (no managed policy names are looked up: the template uses ARNs and refs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class _NoManagedPolicyLookup:
    def load(self) -> dict[str, str]:
        return {}


def translate(template_path: Path) -> dict[str, Any]:
    template: dict[str, Any] = yaml_parse(template_path.read_text(encoding="utf-8"))
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://sam-package-placeholder/{props[key].strip('/')}"
    result: dict[str, Any] = transform(template, {}, _NoManagedPolicyLookup())
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    translated = translate(Path(argv[0]))
    Path(argv[1]).write_text(json.dumps(translated, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
