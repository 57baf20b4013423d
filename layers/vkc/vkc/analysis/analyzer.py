"""One entry point for the analyze worker: every per-comment result from a single tokenization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from vkc.analysis.language import detect_language
from vkc.analysis.matcher import CompiledMatcher, Hit, Match, Matcher
from vkc.analysis.morphology import Morphology, default_morphology
from vkc.analysis.normalize import fold
from vkc.analysis.profanity import ProfanityDetector, ProfanityResult, is_profane_word
from vkc.analysis.results import DumpMixin
from vkc.analysis.rules import KeywordRule
from vkc.analysis.sentiment import EMOJI_CHARS_SPAM_ONLY, Sentiment
from vkc.analysis.sentiment_model import SentimentClassifier
from vkc.analysis.spam import SpamVerdict, assess_spam, fingerprint
from vkc.analysis.spam_signals import EMOJI_RE, word_families
from vkc.analysis.terms import content_lemma
from vkc.analysis.tokenize import tokenize

_WORD_CACHE_MAX = 200_000
# folded form, obscene, content lemma (None: not counted), the keyword slots it fills, insult tier
# and its spam word families (bits)
_Word = tuple[str, bool, str | None, tuple[Hit, ...], int, int]
# itemgetter where a C function consumes the column; a comprehension is faster for a list
_OBSCENE, _FAMILIES = itemgetter(1), itemgetter(5)


@dataclass(slots=True, unsafe_hash=True)
class CommentAnalysis(DumpMixin):
    """Everything the engine says about one comment. Deterministic for a given text and rule set.

    A plain read-only record (see ``vkc.analysis.results``); ``model_dump`` gives the dict pydantic gave.
    """

    matches: tuple[Match, ...]
    sentiment: Sentiment
    spam: SpamVerdict
    profanity: ProfanityResult
    language: str
    lemmas: tuple[str, ...]  # content lemmas, for top-term and trend counts
    fingerprint: str  # compare across comments to find the same text under many posts


class Analyzer:
    """Build once per rule set (compiles the matcher), then call ``analyze`` per comment.

    Holds no per-comment state, so one instance can serve a whole Lambda container.
    """

    def __init__(self, rules: Iterable[KeywordRule] = (), morph: Morphology | None = None) -> None:
        self.morph = morph if morph is not None else default_morphology()
        self.matcher: CompiledMatcher = Matcher.compile(rules, self.morph)
        self._sentiment = SentimentClassifier(self.morph)
        self._profanity = ProfanityDetector(self.morph)
        self._words: dict[str, _Word] = {}

    def _word(self, surface: str) -> _Word:
        """What the per-comment passes need of one token as written, computed once per process
        (``self.matcher`` is this analyzer's for its whole life, so its hits can be kept here)."""
        words = self._words
        if len(words) >= _WORD_CACHE_MAX:
            words.clear()
        norm = fold(surface)
        word = words[surface] = (
            norm,
            is_profane_word(surface),
            content_lemma(norm, self.morph),
            self.matcher.token_hits(surface),
            self._profanity.insult_tier(norm),
            word_families(norm),
        )
        return word

    def analyze(self, text: str) -> CommentAnalysis:
        tokens = tokenize(text)
        get = self._words.get
        # one dict lookup per token instead of one cached call per pass (fold, profanity, lemma, hits)
        words = [get(t[0]) or self._word(t[0]) for t in tokens]
        norms = [w[0] for w in words]  # folded once, shared by every scorer
        obscene = [t[0] for t, w in zip(tokens, words, strict=True) if w[1]] if any(map(_OBSCENE, words)) else []
        # one scan for emoji serves spam (all of them) and sentiment (all but ‼ and ⁉)
        emojis = EMOJI_RE.findall(text)
        lexicon_emojis = tuple([c for c in emojis if c not in EMOJI_CHARS_SPAM_ONLY]) if emojis else ()
        return CommentAnalysis(
            tuple(self.matcher.match(text, tokens, [w[3] for w in words])),
            self._sentiment.score(text, tokens, norms, lexicon_emojis),
            assess_spam(text, tokens, norms, map(_FAMILIES, words), emojis),
            self._profanity.detect(text, tokens, norms, obscene, [w[4] for w in words]),
            detect_language(text, tokens),
            tuple([w[2] for w in words if w[2] is not None]),
            fingerprint(text, tokens, norms),
        )

    def analyze_many(self, texts: Iterable[str]) -> list[CommentAnalysis]:
        return [self.analyze(t) for t in texts]
