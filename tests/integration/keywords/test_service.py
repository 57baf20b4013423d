"""Keyword CRUD and import against the real database: duplicates, scoping, paging, categories."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.keywords import importer, service
from vkc.keywords.errors import PayloadTooLarge
from vkc.keywords.schemas import ImportOutcome, KeywordCreate, KeywordImportRequest, KeywordUpdate
from vkc.workspaces.service import create_workspace


class Changes:
    """Records on_change calls; returns a fake job id like the real re-analysis would."""

    def __init__(self) -> None:
        self.calls = 0
        self.job_id = uuid.uuid4()

    def __call__(self, session: Session, workspace_id: uuid.UUID) -> uuid.UUID:
        self.calls += 1
        return self.job_id


@pytest.fixture
def workspace(engine: Engine) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"kw-{uuid.uuid4().hex[:6]}")
    return ws.id


def test_create_get_and_case_insensitive_duplicate(engine: Engine, workspace: uuid.UUID) -> None:
    changes = Changes()
    with Session(engine, expire_on_commit=False) as s:
        view = service.create_keyword(
            s, workspace, KeywordCreate(text=" Квартира ", category="Жильё"), on_change=changes
        )
        assert (view.text, view.kind, view.category, view.reanalysis_job_id) == (
            "Квартира",
            "word",
            "Жильё",
            changes.job_id,
        )
        assert service.get_keyword(s, workspace, view.id).id == view.id
        with pytest.raises(Conflict) as info:
            service.create_keyword(s, workspace, KeywordCreate(text="КВАРТИРА"), on_change=changes)
        assert info.value.extra["existing_id"] == str(view.id)
        with pytest.raises(InvalidInput, match="invalid regular expression"):
            service.create_keyword(s, workspace, KeywordCreate(text="(", kind="regex"), on_change=changes)
        service.create_keyword(s, workspace, KeywordCreate(text="квартира", kind="regex"), on_change=changes)
    assert changes.calls == 2


def test_other_workspace_sees_nothing(engine: Engine, workspace: uuid.UUID) -> None:
    with Session(engine, expire_on_commit=False) as s:
        view = service.create_keyword(s, workspace, KeywordCreate(text="доставка"), on_change=Changes())
        other, _ = create_workspace(s, "other")
        s.commit()
        with pytest.raises(NotFound):
            service.get_keyword(s, other.id, view.id)
        with pytest.raises(NotFound):
            service.update_keyword(s, other.id, view.id, KeywordUpdate(active=False), on_change=Changes())
        with pytest.raises(NotFound):
            service.delete_keyword(s, other.id, view.id, on_change=Changes())
        # the same text is no duplicate in another workspace
        service.create_keyword(s, other.id, KeywordCreate(text="доставка"), on_change=Changes())


def test_update_only_sent_fields_and_reanalysis_only_when_matching_changes(
    engine: Engine, workspace: uuid.UUID
) -> None:
    changes = Changes()
    with Session(engine, expire_on_commit=False) as s:
        kw = service.create_keyword(s, workspace, KeywordCreate(text="курьер"), on_change=changes)
        service.create_keyword(s, workspace, KeywordCreate(text="доставка"), on_change=changes)
        renamed = service.update_keyword(s, workspace, kw.id, KeywordUpdate(category="сервис"), on_change=changes)
        assert renamed.category == "сервис"
        assert renamed.reanalysis_job_id is None
        assert renamed.text == "курьер"
        phrase = service.update_keyword(s, workspace, kw.id, KeywordUpdate(text="курьер опоздал"), on_change=changes)
        assert phrase.kind == "phrase"
        assert phrase.reanalysis_job_id == changes.job_id
        assert phrase.category == "сервис"
        with pytest.raises(Conflict):
            service.update_keyword(s, workspace, kw.id, KeywordUpdate(text="Доставка"), on_change=changes)
        with pytest.raises(InvalidInput):
            service.update_keyword(s, workspace, kw.id, KeywordUpdate(kind="regex", text="("), on_change=changes)
        assert service.get_keyword(s, workspace, kw.id).text == "курьер опоздал"


def test_list_filters_paging_and_categories(engine: Engine, workspace: uuid.UUID) -> None:
    with Session(engine, expire_on_commit=False) as s:
        for i in range(5):
            service.create_keyword(
                s, workspace, KeywordCreate(text=f"слово{i}", category="Б" if i % 2 else "а"), on_change=Changes()
            )
        service.create_keyword(s, workspace, KeywordCreate(text="без категории", active=False), on_change=Changes())
        seen: list[str] = []
        cursor = None
        while True:
            page = service.list_keywords(s, workspace, category=None, active=None, q=None, limit=2, cursor=cursor)
            seen += [k.text for k in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted([f"слово{i}" for i in range(5)] + ["без категории"])
        assert len(seen) == len(set(seen))
        by_cat = service.list_keywords(s, workspace, category="б", active=None, q=None, limit=50, cursor=None)
        assert sorted(k.text for k in by_cat.items) == ["слово1", "слово3"]
        inactive = service.list_keywords(s, workspace, category=None, active=False, q=None, limit=50, cursor=None)
        assert [k.text for k in inactive.items] == ["без категории"]
        found = service.list_keywords(s, workspace, category=None, active=None, q="ОВО_", limit=50, cursor=None)
        assert found.items == []  # _ is literal, not a wildcard
        found = service.list_keywords(s, workspace, category=None, active=None, q="ОВО3", limit=50, cursor=None)
        assert [k.text for k in found.items] == ["слово3"]
        cats = service.list_categories(s, workspace)
        assert [(c.category, c.keywords, c.active) for c in cats.items] == [("а", 3, 3), ("Б", 2, 2)]
        assert cats.uncategorized == 1


def test_import_reports_every_line(engine: Engine, workspace: uuid.UUID) -> None:
    changes = Changes()
    with Session(engine, expire_on_commit=False) as s:
        existing = service.create_keyword(s, workspace, KeywordCreate(text="Сбербанк"), on_change=changes)
        content = (
            "слово,категория,тип\n"
            "квартира,жильё,\n"
            "# комментарий\n"
            "\n"
            "КВАРТИРА,жильё,\n"
            "сбербанк,,\n"
            "сдать квартиру,,\n"
            "(ab,,regex\n"
            "!!!,,\n"
            "доставка,,\n"
        )
        report = importer.import_keywords(
            s, workspace, KeywordImportRequest(content=content, default_category="общее"), on_change=changes
        )
    assert report.header == ["слово", "категория", "тип"]
    assert (report.created, report.duplicates, report.invalid, report.ignored_lines) == (3, 2, 2, 2)
    outcome = {ln.line: ln for ln in report.lines}
    assert outcome[2].outcome is ImportOutcome.CREATED
    assert outcome[2].keyword_id
    assert outcome[5].outcome is ImportOutcome.DUPLICATE
    assert outcome[5].duplicate_of_line == 2
    assert outcome[6].outcome is ImportOutcome.DUPLICATE
    assert outcome[6].keyword_id == existing.id
    assert outcome[8].outcome is ImportOutcome.INVALID
    assert "regular expression" in (outcome[8].reason or "")
    assert outcome[9].outcome is ImportOutcome.INVALID
    assert report.reanalysis_job_id == changes.job_id
    with Session(engine) as s:
        page = service.list_keywords(s, workspace, category="общее", active=None, q=None, limit=50, cursor=None)
        assert sorted(k.text for k in page.items) == ["доставка", "сдать квартиру"]
        assert {k.kind for k in page.items} == {"word", "phrase"}
    with Session(engine) as s:
        again = importer.import_keywords(s, workspace, KeywordImportRequest(content=content), on_change=changes)
    assert again.created == 0
    assert again.reanalysis_job_id is None


def test_import_limits_are_problems(engine: Engine, workspace: uuid.UUID) -> None:
    with Session(engine) as s:
        with pytest.raises(PayloadTooLarge):
            importer.import_keywords(
                s, workspace, KeywordImportRequest(content="ж" * (600 * 1024)), on_change=Changes()
            )
        with pytest.raises(InvalidInput):
            importer.import_keywords(s, workspace, KeywordImportRequest(content="# nothing\n"), on_change=Changes())
