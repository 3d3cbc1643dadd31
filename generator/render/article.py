"""A talk as a written article: readable paragraphs, chapters and a short summary. Pure functions.

Japanese (and Chinese) text has no spaces between words: its paragraphs close only at a sentence end
(。！？) or a pause, its titles are cut between phrases (after a particle or 、), and its summary
scores sentences by character pairs holding kanji or katakana instead of by space-separated words.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from generator.model.talk import Cue, Talk

PARAGRAPH_WORDS = 80
"""A paragraph closes after about this many words (at the end of a cue)."""
PARAGRAPH_PAUSE = 2.0
"""...or at a pause of this many seconds, or when the speaker changes."""
CHAPTER_MIN, CHAPTER_MAX = 180.0, 420.0
"""Without explicit chapters, one starts every 3 to 7 minutes, at the longest pause in that window."""
TITLE_WORDS = 8
TITLE_CHARACTERS = 24
"""Chapter titles in languages written without spaces: at most this many characters, cut between phrases."""
SUMMARY_SENTENCES = 3

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|[0-9]+")
_KANA = re.compile(r"[\u3040-\u309f]")
"""Hiragana: particles and endings, which close a phrase when kanji, katakana or Latin follow."""
_SENTENCE_CLOSE = tuple("。！？!?.")
_PHRASE_CLOSE = tuple("。！？、，」』）!?.,")

# The patterns below span thousands of code points and take milliseconds each to compile: they are
# compiled on first use, and text in ASCII, which holds no kana or kanji, never needs them.


@functools.cache
def _cjk() -> re.Pattern[str]:
    """Kana, kanji and katakana."""
    return re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@functools.cache
def _content() -> re.Pattern[str]:
    """Kanji and katakana: where Japanese content words are."""
    return re.compile(r"[\u30a0-\u30ff\u3400-\u9fff]")


@functools.cache
def _pause_space() -> re.Pattern[str]:
    """A space between Japanese characters: Whisper writes one where the speaker paused, in place of
    punctuation (and cues are joined with one); it ends a sentence."""
    return re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff])[ \u3000]+(?=[\u3040-\u30ff\u3400-\u9fff])")


def _has_cjk(text: str) -> bool:
    return not text.isascii() and _cjk().search(text) is not None
STOPWORDS = frozenset(
    "a an and are as at be but by can do for from has have i if in is it its just me my not of on or our so "
    "that the their them then there these they this to was we were what when which who will with you your "
    "yeah okay um uh like really very also about into out up".split()
)


@dataclass(frozen=True)
class Paragraph:
    start: float
    end: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str
    paragraphs: list[Paragraph]


@dataclass(frozen=True)
class Article:
    chapters: list[Chapter]
    summary: list[str]
    timed: bool
    """False for transcripts without timestamps (plain text)."""


def _words(text: str) -> int:
    return len(text.split()) + (0 if text.isascii() else len(_cjk().findall(text)) // 2)


def _long_enough(cues: list[Cue], punctuated: bool) -> bool:
    """A paragraph may close: about ``PARAGRAPH_WORDS`` long, and, in Japanese text, at a sentence end
    (a cue ending in 。！？ when the transcript has them; any cue end, which falls at a pause, when it
    has none, as Whisper often writes Japanese), unless it has grown to twice that."""
    words = sum(_words(cue.text) for cue in cues)
    if words < PARAGRAPH_WORDS:
        return False
    last = cues[-1].text.rstrip()
    return not _has_cjk(last) or not punctuated or last.endswith(_SENTENCE_CLOSE) or words >= 2 * PARAGRAPH_WORDS


def _join(cues: list[Cue], punctuated: bool) -> str:
    """Cue texts joined with a space; in Japanese with none, except a space where a transcript without
    punctuation (Whisper's) changes cue at a pause."""
    if not all(_has_cjk(cue.text) for cue in cues):
        return " ".join(cue.text for cue in cues)
    text = cues[0].text
    for cue in cues[1:]:
        text += ("" if punctuated or text.endswith(_PHRASE_CLOSE) else " ") + cue.text
    return text


def to_paragraphs(cues: list[Cue]) -> list[Paragraph]:
    """Join cues into paragraphs, breaking on long pauses, speaker changes and length."""
    paragraphs: list[Paragraph] = []
    current: list[Cue] = []
    punctuated = any(cue.text.rstrip().endswith(tuple("。！？")) for cue in cues)

    def close() -> None:
        if current:
            paragraphs.append(Paragraph(current[0].start, current[-1].end, current[0].speaker, _join(current, punctuated)))
            current.clear()

    for cue in cues:
        if current and (
            cue.speaker != current[-1].speaker
            or cue.start - current[-1].end >= PARAGRAPH_PAUSE
            or _long_enough(current, punctuated)
            or (cue.start == cue.end == 0 and current[-1].start == current[-1].end == 0)
        ):
            close()
        current.append(cue)
    close()
    return paragraphs


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph: after . ! ? 。！？, and at a pause in Japanese (a space between its characters)."""
    return [part.strip() for chunk in _SENTENCE_END.split(text) for part in ([chunk] if chunk.isascii() else _pause_space().split(chunk)) if part.strip()]


def _title(paragraphs: list[Paragraph]) -> str:
    first = sentences(paragraphs[0].text)[0] if paragraphs else ""
    if _has_cjk(first):
        return _phrase_title(first)
    words = first.rstrip(".!?").split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def _phrase_title(sentence: str) -> str:
    """The sentence without its closing mark, or its first ``TITLE_CHARACTERS`` cut where a phrase
    ends (after 、 or a space, or where a particle or ending in hiragana meets kanji, katakana or Latin)."""
    sentence = sentence.rstrip("。！？!?.")
    if len(sentence) <= TITLE_CHARACTERS:
        return sentence
    cuts = [i for i in range(2, TITLE_CHARACTERS + 1)
            if sentence[i - 1] in "、，, 　" or (_KANA.match(sentence[i - 1]) and not _KANA.match(sentence[i]))]
    cut = cuts[-1] if cuts else TITLE_CHARACTERS
    return sentence[:cut].rstrip("、，, 　") + "…"


def to_chapters(talk: Talk, paragraphs: list[Paragraph]) -> list[Chapter]:
    """Chapters from the transcript's own marks; otherwise cut at long pauses every few minutes."""
    if not paragraphs:
        return []
    end = max(paragraph.end for paragraph in paragraphs)
    if talk.chapters:
        marks = [(mark.start, mark.title) for mark in talk.chapters]
        if marks[0][0] > paragraphs[0].start:
            marks.insert(0, (paragraphs[0].start, _title(paragraphs)))
    else:
        starts = [0]
        for index in range(1, len(paragraphs)):
            elapsed = paragraphs[index].start - paragraphs[starts[-1]].start
            if elapsed < CHAPTER_MIN:
                continue
            window = [i for i in range(starts[-1] + 1, len(paragraphs))
                      if CHAPTER_MIN <= paragraphs[i].start - paragraphs[starts[-1]].start <= CHAPTER_MAX]
            if window and index >= window[-1] or elapsed > CHAPTER_MAX:
                candidates = window or [index]
                cut = max(candidates, key=lambda i: paragraphs[i].start - paragraphs[i - 1].end)
                if cut > starts[-1]:
                    starts.append(cut)
        marks = [(paragraphs[i].start, "") for i in starts]
    chapters = []
    for number, (start, title) in enumerate(marks):
        stop = marks[number + 1][0] if number + 1 < len(marks) else end
        inside = [p for p in paragraphs if start <= p.start < stop] if number + 1 < len(marks) else [p for p in paragraphs if p.start >= start]
        if inside:
            chapters.append(Chapter(start, stop, title or _title(inside), inside))
    return chapters


def summarize(paragraphs: list[Paragraph], count: int = SUMMARY_SENTENCES) -> list[str]:
    """The ``count`` sentences that carry the talk's most frequent content words, in spoken order."""
    all_sentences = [sentence for paragraph in paragraphs for sentence in sentences(paragraph.text)]
    if len(all_sentences) <= count:
        return all_sentences

    def terms(sentence: str) -> list[str]:
        latin = [word.lower() for word in _WORD.findall(sentence) if word.lower() not in STOPWORDS]
        if sentence.isascii():  # no kana or kanji: no character pairs to count
            return latin
        pairs = (sentence[i:i + 2] for i in range(len(sentence) - 1))
        cjk = [pair for pair in pairs if _cjk().fullmatch(pair[0]) and _cjk().match(pair[1]) and _content().search(pair)]
        return latin + cjk

    terms_of = {sentence: terms(sentence) for sentence in all_sentences}
    frequency = Counter(term for sentence in all_sentences for term in set(terms_of[sentence]))
    scored = [
        (sum(frequency[term] for term in set(terms_of[sentence])) / (len(terms_of[sentence]) ** 0.5 or 1), index)
        for index, sentence in enumerate(all_sentences) if len(terms_of[sentence]) >= 4
    ]
    best = sorted(index for _, index in sorted(scored, reverse=True)[:count])
    return [all_sentences[index] for index in best]


def build_article(talk: Talk) -> Article:
    paragraphs = to_paragraphs(talk.cues)
    summary = [talk.meta.summary] if talk.meta.summary else summarize(paragraphs)
    return Article(to_chapters(talk, paragraphs), summary, timed=talk.duration > 0)


DIGIT_LANGUAGES = ("en",)
"""Languages whose spelled-out numbers the summary writes as digits (text2num's ``alpha2digit``; a
Japanese transcript already has digits)."""
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{5,}(?![\d])")


def with_digits(sentence: str, language: str) -> str:
    """``sentence`` with its spelled-out numbers as digits ("seven hundred and twenty thousand" →
    "720,000", "twenty percent" → "20 percent"); unchanged in other languages."""
    if language not in DIGIT_LANGUAGES:
        return sentence
    from text_to_num import alpha2digit

    written = alpha2digit(sentence, language)
    return _LONG_NUMBER.sub(lambda match: f"{int(match.group(0)):,}", written)
