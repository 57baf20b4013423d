"""The CLI serves until SIGTERM and prints the VK_API_URL to use."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from devtools.vk_emulator import load_dataset


def test_cli_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    out = tmp_path / "ds.json"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "devtools.vk_emulator", "--preset", "tiny", "--seed", "5", "--port", "0",
            "--token", "user:cli-user", "--token", "service:cli-svc", "--write-dataset", str(out),
            "--quota", "wall.getComments=100",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if line.startswith("VK_API_URL="):
                url = line.strip().split("=", 1)[1]
                break
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/method")
        ds = load_dataset(out)
        user = min(ds.users)
        body = httpx.post(f"{url}/users.get", data={"access_token": "cli-svc", "v": "5.199", "user_ids": user}).json()
        assert body["response"][0]["id"] == user
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_benchmark_runs_on_tiny(capsys: pytest.CaptureFixture[str]) -> None:
    from devtools.vk_emulator import benchmark

    assert benchmark.main(["--preset", "tiny", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "generate tiny/42" in out
    assert out.count("execute 25 x wall.getComments") == 2
