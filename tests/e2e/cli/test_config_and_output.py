"""Unit tests: where the endpoint and key come from, the config file, and what the user reads."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from vkc_cli import config, output
from vkc_cli.client import Api, _clean
from vkc_cli.errors import ApiError, CliError, format_problem
from vkc_cli.main import build_parser, main


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home"), **extra}


def test_config_path_prefers_xdg_then_home(tmp_path: Path) -> None:
    assert config.config_path(env_for(tmp_path)) == tmp_path / "xdg" / "vkc" / "config.toml"
    assert config.config_path({"HOME": str(tmp_path)}) == tmp_path / ".config" / "vkc" / "config.toml"
    assert config.config_path({"VKC_CONFIG_FILE": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"


def test_saved_profile_is_0600_and_reads_back(tmp_path: Path) -> None:
    path = config.config_path(env_for(tmp_path))
    config.save_profile(path, "default", "http://127.0.0.1:3000", 'k"ey\\1', make_default=True)
    config.save_profile(path, "prod", "https://api.example.com", "prodkey", make_default=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    settings = config.resolve(env=env_for(tmp_path))
    assert (settings.profile, settings.endpoint, settings.api_key) == ("default", "http://127.0.0.1:3000", 'k"ey\\1')
    prod = config.resolve(profile="prod", env=env_for(tmp_path))
    assert (prod.endpoint, prod.api_key) == ("https://api.example.com", "prodkey")
    assert "[profiles.prod]" in path.read_text(encoding="utf-8")
    assert '[profiles."a b"]' in config.dump_toml("a b", {"a b": {"endpoint": "x"}})


def test_precedence_flag_over_env_over_file(tmp_path: Path) -> None:
    path = config.config_path(env_for(tmp_path))
    config.save_profile(path, "default", "http://file:1", "filekey", make_default=True)
    config.save_profile(path, "other", "http://other:1", "otherkey", make_default=False)
    from_file = config.resolve(env=env_for(tmp_path))
    assert (from_file.endpoint, from_file.api_key) == ("http://file:1", "filekey")
    assert from_file.endpoint_source.endswith("[profiles.default]")
    env = env_for(tmp_path, VKC_ENDPOINT="http://env:2/", VKC_API_KEY="envkey")
    from_env = config.resolve(env=env)
    assert (from_env.endpoint, from_env.api_key, from_env.endpoint_source) == (
        "http://env:2",
        "envkey",
        "env VKC_ENDPOINT",
    )
    from_flags = config.resolve(endpoint="http://flag:3", api_key="flagkey", env=env)
    assert (from_flags.endpoint, from_flags.api_key, from_flags.api_key_source) == ("http://flag:3", "flagkey", "flag")
    by_env_profile = config.resolve(env=env_for(tmp_path, VKC_PROFILE="other"))
    assert (by_env_profile.profile, by_env_profile.api_key) == ("other", "otherkey")
    mixed = config.resolve(env=env_for(tmp_path, VKC_API_KEY="envkey"))
    assert (mixed.endpoint, mixed.api_key) == ("http://file:1", "envkey")


def test_missing_configuration_says_how_to_configure(tmp_path: Path) -> None:
    settings = config.resolve(env=env_for(tmp_path))
    with pytest.raises(CliError) as info:
        settings.require()
    assert "endpoint and API key" in info.value.message
    assert "vkc configure" in (info.value.hint or "")
    with pytest.raises(CliError, match="No profile 'nope'"):
        config.resolve(profile="nope", env=env_for(tmp_path))
    with pytest.raises(CliError, match="not a URL"):
        config.normalize_endpoint("127.0.0.1:3000")


def test_broken_config_file_is_a_clear_error(tmp_path: Path) -> None:
    path = config.config_path(env_for(tmp_path))
    path.parent.mkdir(parents=True)
    path.write_text("profiles = [", encoding="utf-8")
    with pytest.raises(CliError, match="Cannot read the config file"):
        config.resolve(env=env_for(tmp_path))


def test_local_stack_files_are_found_upwards(tmp_path: Path) -> None:
    local = tmp_path / ".local"
    local.mkdir()
    (local / "stack.json").write_text('{"api_url": "http://127.0.0.1:3000/"}', encoding="utf-8")
    (local / "dev-api-key").write_text("devkey\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert config.find_local_dir(deep) == local
    assert config.read_local_stack(local) == ("http://127.0.0.1:3000", "devkey")
    with pytest.raises(CliError) as info:
        config.find_local_dir(Path("/"))
    assert "make up" in (info.value.hint or "")


def test_problem_is_title_detail_and_field_errors() -> None:
    text = format_problem(
        422,
        {
            "title": "Unprocessable Entity",
            "detail": "The request is not valid.",
            "errors": [{"loc": ["body", "since"], "msg": "Input should be a valid datetime"}],
        },
    )
    assert text == "Unprocessable Entity: The request is not valid.\n  - body.since: Input should be a valid datetime"
    assert format_problem(500, {"message": "Internal Server Error"}) == "HTTP 500: Internal Server Error"


def test_api_errors_carry_hints_and_query_lists_repeat() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/jobs":
            return httpx.Response(
                401, json={"title": "Unauthorized", "status": 401, "detail": "Missing or invalid API key."}
            )
        return httpx.Response(200, json={"items": [{"q": str(request.url.query, "ascii")}], "next_cursor": None})

    with Api("http://api.test", "k", transport=httpx.MockTransport(handler)) as api:
        with pytest.raises(ApiError) as info:
            api.get("/v1/jobs")
        assert info.value.message == "Unauthorized: Missing or invalid API key."
        assert "API key" in (info.value.hint or "")
        items = list(api.pages("/v1/comments", {"sentiment": ["positive", "negative"], "has_match": True, "q": None}))
    assert items[0]["q"] == "sentiment=positive&sentiment=negative&has_match=true&limit=100"
    assert _clean({"a": [1, None], "b": False}) == [("a", "1"), ("b", "false")]


def test_table_aligns_cyrillic_and_cuts_long_cells() -> None:
    text = output.table(["name", "n"], [("Клуб", 1), ("x" * 80, None)], max_col=10)
    lines = text.splitlines()
    assert lines[0] == "name        n"
    assert lines[1] == "Клуб        1"
    assert lines[2] == "xxxxxxxxx…  -"


def test_durations_and_progress_bar() -> None:
    assert [output.duration(s) for s in (None, 3, 65, 7380)] == ["-", "3s", "1m05s", "2h03m"]
    bar = output.progress_bar(
        {"percent": 50.0, "comments_stored": 1234, "comments_expected": 2468, "rate_per_s": 57.3, "eta_s": 21},
        "running",
        bar_width=10,
    )
    assert bar == "[#####·····]  50.0%  1,234/2,468 comments  57.3/s  ETA 21s  running"
    done = output.progress_bar({"unit": "lines", "done": 3, "total": 4}, "succeeded", bar_width=4)
    assert done == "[###·]  75.0%  3/4 lines  succeeded"


def test_collection_summary_reports_completeness() -> None:
    result = {
        "posts": 10,
        "posts_new": 10,
        "comments": 1200,
        "replies": 300,
        "authors": 90,
        "comments_new": 1200,
        "comments_changed": 0,
        "vk_requests": 14,
        "vk_calls": 120,
        "duration_s": 4.2,
        "skipped": [{"code": "vk:212", "reason": "Access to post comments denied", "count": 1}],
        "skipped_total": 1,
        "completeness": {"posts": 10, "vk_comments_count": 1203, "stored_comments": 1200, "missing": 3, "extra": 0,
                         "posts_with_differences": 1, "differences": [{"post_id": 7, "vk_count": 5, "stored": 2}],
                         "note": "VK's count includes replies."},
    }  # fmt: skip
    text = output.collection_summary(result)
    assert "comments   1,200 (replies 300, new 1,200, changed 0)" in text
    assert "1 × vk:212: Access to post comments denied" in text
    assert "stored 1,200 of the 1,203 comments VK counts on 10 posts: 3 missing, 0 extra" in text
    assert "post 7: VK 5, stored 2" in text


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["collect", "x", "--since", "yesterday"])
    assert info.value.code == 2
    assert "not an ISO 8601 date" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["comments", "search", "--sentiment", "angry"])
    assert info.value.code == 2


def test_timestamps_get_a_zone() -> None:
    parser = build_parser()
    args = parser.parse_args(["collect", "x", "--since", "2026-01-31", "--until", "2026-02-01T10:00+03:00"])
    assert (args.since, args.until) == ("2026-01-31T00:00:00+00:00", "2026-02-01T10:00:00+03:00")


def test_common_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--json", "--profile", "p", "jobs", "list"])
    after = parser.parse_args(["jobs", "list", "--json", "--profile", "p"])
    assert (before.json, before.profile) == (after.json, after.profile) == (True, "p")
    assert parser.parse_args(["jobs", "list"]).json is False


def test_no_configuration_is_exit_1_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for name in ("VKC_ENDPOINT", "VKC_API_KEY", "VKC_PROFILE", "VKC_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["jobs", "list"]) == 1
    err = capsys.readouterr().err
    assert "No endpoint and API key configured" in err
    assert "vkc configure" in err


def test_download_streams_to_the_file_and_reports_unwritable_targets(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "x-api-key" not in request.headers  # the presigned link never gets the API key
        return httpx.Response(200, content="\ufeffid,text\n1,Привет\n".encode())

    with Api("http://api.test", "secret", transport=httpx.MockTransport(handler)) as api:
        size = api.download("http://s3.test/file.csv", tmp_path / "out.csv")
        assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig") == "id,text\n1,Привет\n"
        assert size == (tmp_path / "out.csv").stat().st_size
        with pytest.raises(CliError, match="Cannot write"):
            api.download("http://s3.test/file.csv", tmp_path / "missing-dir" / "out.csv")
