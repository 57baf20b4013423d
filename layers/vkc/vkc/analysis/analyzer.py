"""One entry point for the analyze worker: every per-comment result from a single tokenization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vkc.analysis.language import detect_language
from vkc.analysis.matcher import CompiledMatcher, Match, Matcher
from vkc.analysis.morphology import Morphology, default_morphology
from vkc.analysis.normalize import fold
from vkc.analysis.profanity import ProfanityDetector, ProfanityResult
from vkc.analysis.results import DumpMixin
from vkc.analysis.rules import KeywordRule
from vkc.analysis.sentiment import Sentiment
from vkc.analysis.sentiment_model import SentimentClassifier
from vkc.analysis.spam import SpamVerdict, assess_spam, fingerprint
from vkc.analysis.terms import content_lemmas
from vkc.analysis.tokenize import tokenize


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

    def analyze(self, text: str) -> CommentAnalysis:
        tokens = tokenize(text)
        norms = [fold(t.text) for t in tokens]  # folded once, shared by every scorer
        return CommentAnalysis(
            matches=tuple(self.matcher.match(text, tokens)),
            sentiment=self._sentiment.score(text, tokens, norms),
            spam=assess_spam(text, tokens, norms),
            profanity=self._profanity.detect(text, tokens, norms),
            language=detect_language(text, tokens),
            lemmas=tuple(content_lemmas(tokens, self.morph, norms)),
            fingerprint=fingerprint(text, tokens, norms),
        )

    def analyze_many(self, texts: Iterable[str]) -> list[CommentAnalysis]:
        return [self.analyze(t) for t in texts]
