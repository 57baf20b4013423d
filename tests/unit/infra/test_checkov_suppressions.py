"""Every checkov suppression says why (`make lint` runs checkov; see README "Security model").

checkov accepts a skip without a reason; we don't: each `Metadata.checkov.skip` entry in
template.yaml carries a comment, and each class-wide `skip-check` in .checkov.yaml is preceded by
a comment block.
"""

from __future__ import annotations

import re

import yaml

from devtools.local_stack.template import REPO_ROOT, SamTemplate

CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


def test_every_template_suppression_has_a_reason() -> None:
    skips = [
        (logical_id, entry)
        for logical_id, resource in SamTemplate.load().resources.items()
        for entry in ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip", [])
    ]
    assert skips, "no suppressions found: did the Metadata layout change?"
    for logical_id, entry in skips:
        assert CHECK_ID.match(str(entry.get("id", ""))), (logical_id, entry)
        assert len(str(entry.get("comment", "")).split()) >= 8, f"{logical_id} skips {entry['id']} without a reason"


def test_every_class_wide_skip_has_a_reason() -> None:
    path = REPO_ROOT / ".checkov.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    for check_id in config.get("skip-check", []):
        assert CHECK_ID.match(check_id), check_id
        index = next(i for i, line in enumerate(lines) if line.strip() == f"- {check_id}")
        assert lines[index - 1].strip().startswith("#"), f".checkov.yaml skips {check_id} without a comment above it"
    # our replacement for the skipped CKV_AWS_27 is really loaded
    assert "scripts/checkov" in config.get("external-checks-dir", [])
