"""Keyword matching on lemma sets, compiled once per rule set.

How it stays fast with many rules: every keyword word becomes a *slot* with a set of lemmas; an
inverted index maps each lemma to the slots that contain it. A token is folded and lemmatized once
per process (cache), and its slot hits are cached per surface form, so a comment costs one dict
lookup per token whatever the number of rules. Phrases, negatives and regexes are resolved only
for the rules whose slots were hit.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vkc.analysis.morphology import Morphology, WordInfo, abbreviation_stems, default_morphology
from vkc.analysis.normalize import case_shape, fold, fold_cased
from vkc.analysis.results import DumpMixin
from vkc.analysis.rules import KeywordRule, PhraseMode, RuleKind
from vkc.analysis.tokenize import Token, clause_ids, has_break, tokenize

SNIPPET_RADIUS = 60
MIN_FUZZY_LEMMA = 6  # typo tolerance only for keywords whose lemma is this long
MIN_FUZZY_TOKEN = 5  # ... and only for tokens at least this long (a deletion typo of a 6-letter word)
MIN_SUBSTRING = 4  # shorter keywords never match inside a longer word
_HIT_CACHE_MAX = 200_000


@dataclass(slots=True, unsafe_hash=True)
class Match(DumpMixin):
    """One keyword occurrence; offsets index the original text: ``text[start:end] == matched``."""

    rule_id: str | int
    category: str | None
    matched: str
    start: int
    end: int
    lemmas: tuple[str, ...]
    fuzzy: bool
    snippet: str
    snippet_start: int
    highlight_start: int  # offsets of the match inside ``snippet``
    highlight_end: int


@dataclass(frozen=True, slots=True)
class _Slot:
    lemmas: frozenset[str]
    shape: tuple[bool, ...]  # case shape of the keyword word, for case-sensitive rules
    primary: str  # the lemma reported for fuzzy hits


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule_idx: int
    negative: bool
    slots: tuple[_Slot, ...]
    exact: bool
    window: int
    case_sensitive: bool
    within_clause: bool  # any-order words must share a sentence and clause


@dataclass(frozen=True, slots=True)
class Hit:
    """One keyword slot a token fills (opaque outside the matcher; ``token_hits`` gives them)."""

    pid: int
    slot: int
    lemma: str
    fuzzy: bool
    start: int  # offsets inside the token (a substring hit covers part of it)
    end: int


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance ≤ 1 (one substitution, insertion, deletion or swap)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) <= 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# The regex parser of the standard library (private, untyped; only read to prove a pattern needs a digit).
sre_parse: Any = importlib.import_module("re._parser")
sre_c: Any = importlib.import_module("re._constants")
sre_casefix: Any = importlib.import_module("re._casefix")
_sre: Any = importlib.import_module("_sre")
_DIGIT_RE = re.compile(r"\d")
_NO_VETO: frozenset[int] = frozenset()


def _row_key(row: tuple[int, int, int, Match]) -> tuple[int, int, int]:
    return row[0], row[1], row[2]


def _requires_digit(items: Any) -> bool:
    """True if every match of this parsed sequence contains a character of ``\\d``.

    Conservative: only elements the sequence cannot skip are looked at (not alternatives,
    optional parts or look-arounds); a digit class counts only when it holds nothing else.
    """
    for op, av in items:
        if op is sre_c.IN:
            if av and all(
                (o is sre_c.CATEGORY and a is sre_c.CATEGORY_DIGIT)
                or (o is sre_c.LITERAL and 48 <= a <= 57)
                or (o is sre_c.RANGE and a[0] >= 48 and a[1] <= 57)
                for o, a in av
            ):
                return True
        elif op is sre_c.LITERAL and 48 <= av <= 57:
            return True
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            lo, _, sub = av
            if lo >= 1 and _requires_digit(sub):
                return True
        elif op is sre_c.SUBPATTERN:
            if _requires_digit(av[-1]):
                return True
        elif op is sre_c.ATOMIC_GROUP and _requires_digit(av):
            return True
    return False


def needs_digit(pattern: str, flags: int = 0) -> bool:
    """True if the regex can only match a text that holds a digit (``\\d``), so a text without
    one need not be searched. False whenever unsure (the pattern then always runs)."""
    try:
        return _requires_digit(sre_parse.parse(pattern, flags))
    except Exception:
        return False


def _uncased(ch: str) -> bool:
    """A character that case-insensitive matching compares as is (sre emits a plain literal)."""
    return ch.lower() == ch and ch.upper() == ch and ch.casefold() == ch


def required_literal(pattern: str, flags: int = 0) -> str:
    """The longest run of plain characters every match of the regex contains ("://" for
    ``https?://\\S+``), or "" when there is none (or when unsure): a text without it is not
    searched. Only the top-level sequence is read; under IGNORECASE only characters without case
    count (a cased letter matches other letters too, "k" the Kelvin sign)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:
        return ""
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    best = run = ""
    for op, av in parsed:
        ch = chr(av) if op is sre_c.LITERAL else ""
        if ch and (not ignore_case or _uncased(ch)):
            run += ch
            best = max(best, run, key=len)
        else:
            run = ""
    return best


def _lowers_exactly(ch: str) -> bool:
    """Under IGNORECASE, sre matches this character at exactly the characters whose ``str.lower()``
    is its lowercase: one character, sre's own lowercase, without the extra equivalents sre adds
    (ſ for s, ᲀ for в ...), and not "i" (İ lowers to two characters)."""
    lo = ch.lower()
    return (
        len(lo) == 1
        and ord(lo) == _sre.unicode_tolower(ord(ch))
        and ord(lo) not in sre_casefix._EXTRA_CASES
        and lo != "i"
    )


def required_lowered_literal(pattern: str, flags: int = 0) -> str:
    r"""For a case-insensitive regex: the longest run of plain characters every match contains,
    lowercased, to look for in ``text.lower()`` ("заказ" for ``заказ\s*\d+``); "" when the
    pattern is case-sensitive or has none. Only characters that ``_lowers_exactly`` count, so a
    text whose lowercase lacks the run cannot match (``required_literal`` cannot use cased
    letters at all)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:
        return ""
    if not parsed.state.flags & re.IGNORECASE or parsed.state.flags & (re.ASCII | re.LOCALE):
        return ""
    best = run = ""
    for op, av in parsed:
        ch = chr(av) if op is sre_c.LITERAL else ""
        if ch and (_uncased(ch) or _lowers_exactly(ch)):
            run += ch.lower()
            best = max(best, run, key=len)
        else:
            run = ""
    return best


def make_snippet(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> tuple[str, int]:
    """Context around [start, end): about ``radius`` chars each side, cut at whitespace.

    Returns the snippet and its offset in ``text``; nothing is added or removed inside it, so the
    match sits at [start - offset, end - offset) in the snippet.
    """
    lo = max(0, start - radius)
    if lo > 0 and not text[lo - 1].isspace():
        cut = next((i for i in range(lo, start) if text[i].isspace()), start)
        lo = cut
    while lo < start and text[lo].isspace():
        lo += 1
    hi = min(len(text), end + radius)
    if hi < len(text) and not text[hi].isspace():
        cut = next((i for i in range(hi - 1, end - 1, -1) if text[i].isspace()), end)
        hi = cut
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return text[lo:hi], lo


class CompiledMatcher:
    """Immutable compiled rule set; ``match`` is pure and deterministic."""

    def __init__(self, rules: Sequence[KeywordRule], morph: Morphology) -> None:
        self.rules: tuple[KeywordRule, ...] = tuple(r for r in rules if r.active)
        self._morph = morph
        self._patterns: list[_Pattern] = []
        self._index: dict[str, list[tuple[int, int]]] = {}
        self._fuzzy: dict[str, list[tuple[int, int, str]]] = {}
        self._substr: dict[str, list[tuple[int, int]]] = {}
        # (rule, pattern, needs a digit, a substring every match contains or "", else a substring
        # every match's lowercase contains or "")
        self._regexes: list[tuple[int, re.Pattern[str], bool, str, str]] = []
        self._has_negatives: set[int] = set()
        self._hits: dict[str, tuple[Hit, ...]] = {}
        self.unmatchable: tuple[str | int, ...] = ()
        unmatchable: list[str | int] = []
        for idx, rule in enumerate(self.rules):
            if not self._compile_rule(idx, rule):
                unmatchable.append(rule.id)
        self.unmatchable = tuple(unmatchable)
        self._substr_re: re.Pattern[str] | None = None
        if self._substr:
            needles = sorted(self._substr, key=lambda s: (-len(s), s))
            self._substr_re = re.compile("(?=(" + "|".join(map(re.escape, needles)) + "))")

    # compilation ---------------------------------------------------------------------------

    def _slots(self, text: str, rule: KeywordRule | None) -> list[tuple[_Slot, str]]:
        out = []
        for tok in tokenize(text):
            norm = fold(tok.text)
            lemmas = self._morph.keyword_lemmas(norm)
            primary = min(lemmas, key=lambda lem: (lem != norm, lem))
            out.append((_Slot(lemmas, case_shape(fold_cased(tok.text)), primary), norm))
        return out

    def _add_pattern(self, pattern: _Pattern, norms: list[str], rule: KeywordRule, negative: bool) -> None:
        pid = len(self._patterns)
        self._patterns.append(pattern)
        fuzzy = rule.fuzzy and not negative
        substring = not rule.whole_word and not negative and len(pattern.slots) == 1
        for s_idx, slot in enumerate(pattern.slots):
            for lemma in slot.lemmas:
                self._index.setdefault(lemma, []).append((pid, s_idx))
            if substring:
                for needle in {norms[s_idx], *slot.lemmas}:
                    if len(needle) >= MIN_SUBSTRING:
                        self._substr.setdefault(needle, []).append((pid, s_idx))
            if fuzzy and max(len(lem) for lem in slot.lemmas) >= MIN_FUZZY_LEMMA:
                targets: set[str] = {norms[s_idx]}
                for lemma in slot.lemmas:
                    if len(lemma) >= MIN_FUZZY_LEMMA:
                        targets.add(lemma)
                        targets.update(self._morph.forms(lemma))
                for form in targets:
                    if len(form) < MIN_FUZZY_TOKEN:
                        continue
                    for key in {form, *_deletions(form)}:
                        self._fuzzy.setdefault(key, []).append((pid, s_idx, form))

    def _compile_rule(self, idx: int, rule: KeywordRule) -> bool:
        for neg in rule.negatives:
            slots = self._slots(neg, None)
            if slots:
                pat = _Pattern(idx, True, tuple(s for s, _ in slots), False, len(slots) + 2, False, False)
                self._add_pattern(pat, [n for _, n in slots], rule, True)
                self._has_negatives.add(idx)
        if rule.kind is RuleKind.REGEX:
            flags = 0 if rule.case_sensitive else re.IGNORECASE
            literal = required_literal(rule.text, flags)
            lowered = "" if literal else required_lowered_literal(rule.text, flags)
            self._regexes.append((idx, re.compile(rule.text, flags), needs_digit(rule.text, flags), literal, lowered))
            return True
        slots = self._slots(rule.text, rule)
        if not slots:
            return False
        n = len(slots)
        exact = n > 1 and (rule.kind is RuleKind.WORD or rule.phrase_mode is PhraseMode.EXACT)
        window = max(rule.window or n + 2, n)
        within = not exact and rule.phrase_mode is not PhraseMode.ANY_ORDER_ACROSS
        pat = _Pattern(idx, False, tuple(s for s, _ in slots), exact, window, rule.case_sensitive, within)
        self._add_pattern(pat, [nm for _, nm in slots], rule, False)
        return True

    # per-token hits ------------------------------------------------------------------------

    def _token_hits(self, surface: str) -> tuple[Hit, ...]:
        norm = fold(surface)
        info: WordInfo = self._morph.info(norm)
        found: dict[tuple[int, int], Hit] = {}
        whole = len(surface)
        for lemma in info.lemmas:
            for pid, s_idx in self._index.get(lemma, ()):
                found.setdefault((pid, s_idx), Hit(pid, s_idx, lemma, False, 0, whole))
        if info.script == "cyr":
            for stem in abbreviation_stems(fold_cased(surface), norm, info.known):
                for pid, s_idx in self._index.get(stem, ()):
                    found.setdefault((pid, s_idx), Hit(pid, s_idx, stem, False, 0, whole))
        if self._substr_re is not None:
            for cand in info.lemmas:
                for m in self._substr_re.finditer(cand):
                    needle = m.group(1)
                    pos = norm.find(needle)
                    lo, hi = (pos, pos + len(needle)) if pos >= 0 and len(norm) == whole else (0, whole)
                    for pid, s_idx in self._substr[needle]:
                        found.setdefault((pid, s_idx), Hit(pid, s_idx, needle, False, lo, hi))
        if (
            self._fuzzy
            and not info.known
            and info.script in ("cyr", "lat")
            and len(norm) >= MIN_FUZZY_TOKEN
            and norm.isalpha()
        ):
            for key in sorted({norm, *_deletions(norm)}):
                for pid, s_idx, form in self._fuzzy.get(key, ()):
                    if (pid, s_idx) not in found and within_one_edit(norm, form):
                        slot = self._patterns[pid].slots[s_idx]
                        found[(pid, s_idx)] = Hit(pid, s_idx, slot.primary, True, 0, whole)
        if not found:
            return ()
        hits = []
        cased: tuple[bool, ...] | None = None
        for pair in sorted(found):
            hit = found[pair]
            pat = self._patterns[hit.pid]
            if pat.case_sensitive:
                if cased is None:
                    cased = case_shape(fold_cased(surface))
                want = pat.slots[hit.slot].shape
                part = cased[hit.start : hit.end]
                n = min(len(part), len(want))
                if part[:n] != want[:n]:
                    continue
            hits.append(hit)
        return tuple(hits)

    # matching ------------------------------------------------------------------------------

    def token_hits(self, surface: str) -> tuple[Hit, ...]:
        """The keyword slots one token (as written) fills; cached per process."""
        hits = self._hits.get(surface)
        if hits is None:
            if len(self._hits) >= _HIT_CACHE_MAX:
                self._hits.clear()
            hits = self._hits[surface] = self._token_hits(surface)
        return hits

    def match(
        self,
        text: str,
        tokens: Sequence[Token] | None = None,
        hits: Sequence[tuple[Hit, ...]] | None = None,
        lower: str | None = None,
    ) -> list[Match]:
        """All matches of the active rules in ``text``, sorted by (start, end, rule order).

        ``hits``: ``token_hits`` of each token, when the caller keeps them with its own per-token
        data (the analyzer does: one lookup per token serves every pass); ``lower``:
        ``text.lower()``, when the caller has it.
        """
        toks = tokenize(text) if tokens is None else tokens
        if hits is None:
            get = self._hits.get
            hits = [get(t[0]) or self.token_hits(t[0]) for t in toks]
        per_pattern: dict[int, dict[int, list[tuple[int, Hit]]]] = {}
        for i, token_hits in enumerate(hits):
            if token_hits:  # most tokens hit no keyword: no loop, no dict work
                for h in token_hits:
                    per_pattern.setdefault(h.pid, {}).setdefault(h.slot, []).append((i, h))
        if "-" in text:
            # Hyphenated spellings of one-word keywords. Added after every token's own hits: they
            # go to one-word patterns only, whose occurrences are sorted by offset in the end.
            for i in range(1, len(toks)):
                start = toks[i][1]
                if start - toks[i - 1][2] == 1 and text[start - 1] == "-":
                    self._joined_hits(toks[i - 1], toks[i], i - 1, per_pattern)
        if not per_pattern:  # no keyword word in the text (half the comments): no veto either
            if not self._regexes:
                return []
            only = self._regex_rows(text, _NO_VETO, lower)
            only.sort(key=_row_key)
            return [r[3] for r in only]

        occurrences: list[tuple[int, list[tuple[int, Hit]]]] = []
        vetoed: set[int] = set()
        clauses: list[int] | None = None
        patterns = self._patterns
        for pid in sorted(per_pattern):
            pat = patterns[pid]
            by_slot = per_pattern[pid]
            if len(by_slot) < len(pat.slots):
                continue  # a phrase with some of its words missing: the common partial hit
            if pat.negative and pat.rule_idx in vetoed:
                continue
            if pat.within_clause and clauses is None and len(by_slot) == len(pat.slots) > 1:
                clauses = clause_ids(text, toks, [fold(t.text) for t in toks])
            found = self._resolve(pat, by_slot, clauses if pat.within_clause else None)
            if found and pat.exact and len(pat.slots) > 1:
                # adjacent in the text, not across punctuation ("горячая. вода", "платная, парковка")
                found = [
                    occ for occ in found if not any(has_break(text, toks[i - 1].end, toks[i].start) for i, _ in occ[1:])
                ]
            if not found:
                continue
            if pat.negative:
                vetoed.add(pat.rule_idx)
            else:
                occurrences.extend((pat.rule_idx, occ) for occ in found)

        rows: list[tuple[int, int, int, Match]] = []
        lemmas: tuple[str, ...]
        for rule_idx, occ in occurrences:
            if rule_idx in vetoed:
                continue
            if len(occ) == 1:  # a one-word keyword: no generators
                i, h = occ[0]
                at = toks[i][1]
                start, end, lemmas, fuzzy = at + h.start, at + h.end, (h.lemma,), h.fuzzy
            else:
                start = min(toks[i].start + h.start for i, h in occ)
                end = max(toks[i].start + h.end for i, h in occ)
                lemmas = tuple(sorted({h.lemma for _, h in occ}))
                fuzzy = any(h.fuzzy for _, h in occ)
            rows.append((start, end, rule_idx, self._make(text, rule_idx, start, end, lemmas, fuzzy)))
        if self._regexes:
            rows += self._regex_rows(text, vetoed, lower)
        rows.sort(key=_row_key)
        return [r[3] for r in rows]

    def _regex_rows(
        self, text: str, vetoed: set[int] | frozenset[int], lower: str | None = None
    ) -> list[tuple[int, int, int, Match]]:
        """Matches of the regex rules. A pattern that needs a digit is not run on a text without
        one (half the comments), nor one that needs a plain substring on a text without it (for a
        case-insensitive pattern, in the lowercased text), and ``search`` runs before
        ``finditer``: most patterns find nothing, and a failed search is cheaper than an
        exhausted iterator."""
        rows: list[tuple[int, int, int, Match]] = []
        has_digit: bool | None = None
        low = lower
        for rule_idx, rx, digit, literal, lowered in self._regexes:
            if rule_idx in vetoed or (literal and literal not in text):
                continue
            if lowered:
                if low is None:
                    low = text.lower()
                if lowered not in low:
                    continue
            if digit:
                if has_digit is None:
                    has_digit = _DIGIT_RE.search(text) is not None
                if not has_digit:
                    continue
            first = rx.search(text)
            if first is None:
                continue
            for m in rx.finditer(text, first.start()):
                if m.end() > m.start():
                    rows.append((m.start(), m.end(), rule_idx, self._make(text, rule_idx, *m.span(), (), False)))
        return rows

    def _joined_hits(
        self, left: Token, right: Token, i: int, per_pattern: dict[int, dict[int, list[tuple[int, Hit]]]]
    ) -> None:
        """One-word keywords written with a hyphen in the text ("кеш-бэк" for "кешбэк"): the two
        tokens are looked up joined, and a whole-word hit spans both (indexed at the left one)."""
        joined = left.text + right.text
        for h in self.token_hits(joined):
            if len(self._patterns[h.pid].slots) != 1 or h.start != 0 or h.end != len(joined):
                continue
            slot_hits = per_pattern.setdefault(h.pid, {}).setdefault(h.slot, [])
            if any(j in (i, i + 1) for j, _ in slot_hits):
                continue  # one part matched on its own already
            span = Hit(h.pid, h.slot, h.lemma, h.fuzzy, 0, right.end - left.start)
            slot_hits.append((i, span))

    def _make(self, text: str, rule_idx: int, start: int, end: int, lemmas: tuple[str, ...], fuzzy: bool) -> Match:
        rule = self.rules[rule_idx]
        snippet, s0 = make_snippet(text, start, end)
        # positional, in field order: a dataclass __init__ takes keywords more slowly
        return Match(
            rule.id, rule.category, text[start:end], start, end, lemmas, fuzzy, snippet, s0, start - s0, end - s0
        )

    @staticmethod
    def _resolve(
        pat: _Pattern, by_slot: dict[int, list[tuple[int, Hit]]], clauses: list[int] | None = None
    ) -> list[list[tuple[int, Hit]]]:
        """Non-overlapping occurrences of a pattern, leftmost first; with ``clauses`` (each token's
        clause number) an any-order occurrence stays inside one clause."""
        n = len(pat.slots)
        if n == 1:
            return [[h] for h in by_slot.get(0, ())]
        if len(by_slot) < n:
            return []
        maps = [dict(by_slot[k]) for k in range(n)]
        out: list[list[tuple[int, Hit]]] = []
        last = -1
        if pat.exact:
            for i in sorted(maps[0]):
                if i > last and all((i + k) in maps[k] for k in range(1, n)):
                    out.append([(i + k, maps[k][i + k]) for k in range(n)])
                    last = i + n - 1
            return out
        starts = sorted({i for m in maps for i in m})
        for s in starts:
            if s <= last:
                continue
            hi = s + pat.window - 1
            if clauses is not None:  # clause numbers only grow: shrink the window to s's clause
                hi = min(hi, len(clauses) - 1)
                while hi > s and clauses[hi] != clauses[s]:
                    hi -= 1
            chosen = _assign(maps, s, hi)
            if chosen is not None:
                out.append([(i, maps[k][i]) for k, i in enumerate(chosen)])
                last = max(chosen)
        return out


def _assign(maps: list[dict[int, Hit]], lo: int, hi: int) -> list[int] | None:
    """Distinct token indices in [lo, hi], one per slot (earliest first), or None."""
    cands = [sorted(i for i in m if lo <= i <= hi) for m in maps]
    if any(not c for c in cands):
        return None
    chosen: list[int] = []

    def place(k: int) -> bool:
        if k == len(cands):
            return True
        for i in cands[k]:
            if i not in chosen:
                chosen.append(i)
                if place(k + 1):
                    return True
                chosen.pop()
        return False

    return chosen if place(0) else None


class Matcher:
    """Factory: ``Matcher.compile(rules)`` builds the index once per rule set."""

    @staticmethod
    def compile(rules: Iterable[KeywordRule], morph: Morphology | None = None) -> CompiledMatcher:
        return CompiledMatcher(list(rules), morph if morph is not None else default_morphology())
