"""One entry point for the analyze worker: every per-comment result from a single tokenization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
# folded form, obscene, content lemma (None: not counted), the keyword slots it fills, insult tier,
# its spam word families (bits) and whether it is one character long
_Word = tuple[str, bool, str | None, tuple[Hit, ...], int, int, bool]
_NO_WORDS: tuple[tuple[()], ...] = ((),) * 7  # the columns of a text without words


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
            len(surface) == 1,
        )
        return word

    def analyze(self, text: str) -> CommentAnalysis:
        tokens = tokenize(text)
        get = self._words.get
        # one dict lookup per token instead of one cached call per pass (fold, profanity, lemma, hits)
        words = [get(t[0]) or self._word(t[0]) for t in tokens]
        # the entries turned into columns in one C call; norms are folded once, shared by every scorer
        norms, obscene_flags, lemmas, hits, tiers, families, one_letter = (
            zip(*words, strict=True) if words else _NO_WORDS
        )
        obscene = [t[0] for t, o in zip(tokens, obscene_flags, strict=True) if o] if any(obscene_flags) else []
        # one scan for emoji serves spam (all of them) and sentiment (all but ‼ and ⁉)
        emojis = EMOJI_RE.findall(text)
        lexicon_emojis = tuple([c for c in emojis if c not in EMOJI_CHARS_SPAM_ONLY]) if emojis else ()
        lower = text.lower()  # for the regex rules' gate and the spam signals
        return CommentAnalysis(
            tuple(self.matcher.match(text, tokens, hits, lower)),
            self._sentiment.score(text, tokens, norms, lexicon_emojis),
            assess_spam(text, tokens, norms, families, emojis, lower),
            self._profanity.detect(text, tokens, norms, obscene, tiers, one_letter),
            detect_language(text, tokens),
            tuple([lemma for lemma in lemmas if lemma is not None]),
            fingerprint(text, tokens, norms),
        )

    def analyze_many(self, texts: Iterable[str]) -> list[CommentAnalysis]:
        return [self.analyze(t) for t in texts]
