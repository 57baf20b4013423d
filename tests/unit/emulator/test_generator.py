"""Generator: determinism, realistic shapes, and an exact ground truth for keyword recall/precision."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
import rumorph

from devtools.vk_emulator import Dataset, generate_dataset
from devtools.vk_emulator import vocabulary as voc
from devtools.vk_emulator.detect import find_plants
from devtools.vk_emulator.planted import FORBIDDEN_LEMMAS, FORBIDDEN_STEMS, PLANTED

WORD = re.compile(r"[а-яёa-z]+", re.IGNORECASE)


@pytest.fixture(scope="module")
def small() -> Dataset:
    return generate_dataset("small", seed=42)


@pytest.fixture(scope="module")
def analyzer() -> rumorph.Analyzer:
    return rumorph.Analyzer()


def _all_comments(ds: Dataset) -> list:  # type: ignore[type-arg]
    return [c for p in ds.iter_posts() for top in p.comments for c in (top, *top.replies)]


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _lemmas(analyzer: rumorph.Analyzer, word: str) -> set[str]:
    return {a.lemma.lower().replace("ё", "е") for a in analyzer.analyze(word)} | {word.lower().replace("ё", "е")}


def test_same_seed_same_dataset() -> None:
    assert generate_dataset("tiny", seed=3).to_dict() == generate_dataset("tiny", seed=3).to_dict()
    assert generate_dataset("tiny", seed=3).to_dict() != generate_dataset("tiny", seed=4).to_dict()
    with pytest.raises(ValueError, match="unknown preset"):
        generate_dataset("huge")


def test_small_preset_shape(small: Dataset) -> None:
    truth = small.ground_truth()
    assert 2_000 <= truth["totals"]["comments"] <= 12_000
    assert 100 <= small.post_count <= 300
    posts = list(small.iter_posts())
    open_posts = [p for p in posts if small.wall_accessible(p.owner_id) and not p.comments_closed]
    threads = [len(c.replies) for p in open_posts for c in p.comments]
    assert sum(1 for p in open_posts if len(p.comments) > 100) >= 2
    assert sum(1 for n in threads if n > 100) >= 2
    assert sum(1 for n in threads if n > 10) >= 20
    comments = _all_comments(small)
    assert any(c.deleted for c in comments)
    assert any(c.from_id < 0 and not c.deleted for c in comments)
    assert any(len(c.text) > 500 for c in comments)
    assert any(re.search(r"\[id\d+\|[^\]]+\]", c.text) for c in comments)
    assert any("http" in c.text or "vk.cc" in c.text for c in comments)
    assert any(ord(ch) > 0x1F000 for c in comments for ch in c.text)
    authors = {c.from_id for c in comments if not c.deleted}
    assert any(small.users[a].deactivated == "deleted" for a in authors if a > 0)
    assert any(small.users[a].deactivated == "banned" for a in authors if a > 0)
    assert [c.is_closed for c in small.communities.values()].count(1) == 1
    assert sum(1 for p in posts if p.comments_closed) == 1
    assert sum(1 for p in posts if p.is_pinned) == len(small.walls)
    tones = {c.tone for c in comments}
    assert {"positive", "negative", "neutral", "spam"} <= tones


def test_ids_follow_time_and_threads_are_consistent(small: Dataset) -> None:
    for owner_id in small.walls:
        stream = sorted(
            [(p.id, p.date) for p in small.iter_posts() if p.owner_id == owner_id]
            + [(c.id, c.date) for c in _all_comments(small) if c.owner_id == owner_id]
        )
        assert [d for _, d in stream] == sorted(d for _, d in stream)
    for c in _all_comments(small):
        post = small.post(c.owner_id, c.post_id)
        assert post is not None
        assert c.date > post.date
        if c.parent_id is not None:
            target = small.comment(c.owner_id, c.reply_to_comment or 0)
            assert target is not None
            assert target.id < c.id
            assert c.reply_to_user == target.from_id
            assert target.id == c.parent_id or target.parent_id == c.parent_id


def test_plants_are_exact_and_rediscoverable(small: Dataset) -> None:
    forms_seen: dict[str, set[str]] = defaultdict(set)
    for c in _all_comments(small):
        assert find_plants(c.text) == c.planted, c.text
        for plant in c.planted:
            assert c.text[plant.start : plant.end] == plant.form
            forms_seen[plant.keyword].add(plant.form)
    for kw in PLANTED:
        lower = {f.lower() for f in forms_seen[kw.keyword]}
        assert len(lower) >= 5, (kw.keyword, lower)
    assert {"воды горячей", "водой горячей"} & {f.lower() for f in forms_seen["горячая вода"]}
    assert any(f.isupper() for forms in forms_seen.values() for f in forms)
    assert any(f[0].isupper() and not f.isupper() for f in forms_seen["квартира"])
    truth = small.ground_truth()
    assert sum(truth["totals"]["by_keyword"].values()) == truth["totals"]["plants"] > 1000


def test_vocabulary_never_uses_planted_lemmas(analyzer: rumorph.Analyzer) -> None:
    texts: list[str] = [
        *voc.POSITIVE, *voc.NEGATIVE, *voc.NEUTRAL, *voc.SLANG, *voc.SPAM, *voc.NARRATIVE, *voc.POST_TEXTS,
        *voc.LINKS, *voc.MALE_NAMES, *voc.FEMALE_NAMES, *voc.SURNAMES, *voc.NICKNAMES,
        *(t for group in voc.KEYWORD_TEMPLATES.values() for _, t in group),
        *(part for c in (*voc.COMMUNITIES, voc.CLOSED_COMMUNITY, voc.BANNED_COMMUNITY) for part in c),
    ]  # fmt: skip
    planted_forms = {w.lower().replace("ё", "е") for kw in PLANTED for w in kw.component_words()}
    words = {w.lower().replace("ё", "е") for text in texts for w in WORD.findall(text)}
    for word in sorted(words):
        lemmas = _lemmas(analyzer, word)
        assert not lemmas & FORBIDDEN_LEMMAS, (word, lemmas)
        assert not any(stem in word for stem in FORBIDDEN_STEMS), word
        if len(word) >= 5:
            assert not any(_within_one_edit(word, form) for form in planted_forms), word


def test_generated_text_outside_plants_is_clean(small: Dataset, analyzer: rumorph.Analyzer) -> None:
    """What the analysis engineer relies on: no planted lemma anywhere but the recorded spans."""
    words: set[str] = set()
    for c in _all_comments(small):
        text = c.text
        for plant in reversed(c.planted):
            text = text[: plant.start] + " " + text[plant.end :]
        words.update(w.lower() for w in WORD.findall(text))
    for post in small.iter_posts():
        words.update(w.lower() for w in WORD.findall(post.text))
    bad = {w for w in words if _lemmas(analyzer, w) & FORBIDDEN_LEMMAS}
    assert not bad


def test_ground_truth_format(small: Dataset) -> None:
    truth = small.ground_truth()
    assert truth["format"] == "vk-emulator-ground-truth/1"
    assert truth["keywords"] == [kw.keyword for kw in PLANTED]
    entry = next(c for c in truth["comments"] if c["planted"])
    assert set(entry) == {
        "owner_id", "post_id", "comment_id", "parent_id", "reply_to_comment", "from_id",
        "date", "deleted", "text_sha256", "tone", "planted",
    }  # fmt: skip
    assert set(entry["planted"][0]) == {"keyword", "form", "start", "end"}
    placeholder = next(c for c in truth["comments"] if c["deleted"])
    assert placeholder["text_sha256"] is None
    assert placeholder["planted"] == []
    assert truth["hidden_comments"] > 0
    assert len(truth["comments"]) + truth["hidden_comments"] == small.comment_count
