"""Dataset files: the generator's output round-trips; short hand-written files get VK-like defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.vk_emulator import Dataset, EmulatorConfig, load_dataset, start_emulator
from devtools.vk_emulator.fileformat import from_dict

from .conftest import TOKENS, Vk


def test_round_trip_is_exact(tiny: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    tiny.to_json(path)
    loaded = load_dataset(path)
    assert loaded.to_dict() == tiny.to_dict()
    assert loaded.ground_truth() == tiny.ground_truth()
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "vk-emulator-dataset/1"


def test_loaded_file_serves_the_same_answers(tiny: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    tiny.to_json(path)
    owner = -min(c.id for c in tiny.communities.values() if c.wall_open)
    answers = []
    for ds in (tiny, load_dataset(path)):
        with start_emulator(EmulatorConfig(dataset=ds, tokens=TOKENS, rate_limits=False)) as emu:
            vk = Vk(emu)
            posts = vk.ok("wall.get", owner_id=owner, count=100)
            first = posts["items"][1]["id"]
            answers.append(
                (posts, vk.ok("wall.getComments", owner_id=owner, post_id=first, count=100, thread_items_count=10))
            )
            vk.http.close()
    assert answers[0] == answers[1]


def test_minimal_hand_written_file() -> None:
    ds = from_dict(
        {
            "users": [
                {"id": 5, "first_name": "Аня", "last_name": "К"},
                {"id": 6, "first_name": "Боря", "last_name": "М"},
            ],
            "communities": [{"id": 77, "name": "Двор"}],
            "posts": [
                {
                    "owner_id": -77,
                    "id": 10,
                    "date": 1700000000,
                    "text": "пост",
                    "comments": [
                        {
                            "id": 11,
                            "from_id": 5,
                            "text": "Третий день без горячей воды",
                            "replies": [
                                {"id": 12, "from_id": 6, "text": "и у нас"},
                                {"id": 13, "from_id": 5, "text": "ок", "reply_to_comment": 12},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    post = ds.post(-77, 10)
    assert post is not None
    assert post.comment_total == 3
    assert ds.communities[77].screen_name == "club77"
    reply = ds.comment(-77, 13)
    assert reply is not None
    assert (reply.parent_id, reply.reply_to_comment, reply.reply_to_user) == (11, 12, 6)
    first = ds.comment(-77, 12)
    assert first is not None
    assert (first.reply_to_comment, first.reply_to_user) == (11, 5)
    plants = ds.ground_truth()["comments"][0]["planted"]
    assert plants == [{"keyword": "горячая вода", "form": "горячей воды", "start": 16, "end": 28}]
    assert ds.allocate_id(-77) == 14


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported dataset format"):
        from_dict({"format": "something-else/9"})
