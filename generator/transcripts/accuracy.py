"""How close a transcript is to what was said: character and word error rates for the tests and the
benchmark. Text is normalised for the figure only (never in an article): Unicode NFKC (full-width
digits and letters become ASCII), numerals in kanji become digits (九十日 -> 90日), case, punctuation
and spaces are dropped, so a transcript is not counted wrong for writing a number another way.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {character: value for value, character in enumerate("〇一二三四五六七八九")}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MYRIADS = {"万": 10_000, "億": 100_000_000}
_KANJI_NUMBER = re.compile(f"[{''.join(_DIGITS)}{''.join(_UNITS)}{''.join(_MYRIADS)}]+")


def kanji_number(text: str) -> int:
    """The value of a numeral in kanji: 九十 -> 90, 二千二十六 -> 2026, 一〇 -> 10 (digit by digit)."""
    if all(character in _DIGITS for character in text):
        return int("".join(str(_DIGITS[character]) for character in text))
    total = section = digit = 0
    for character in text:
        if character in _DIGITS:
            digit = digit * 10 + _DIGITS[character]
        elif character in _UNITS:
            section += (digit or 1) * _UNITS[character]
            digit = 0
        else:
            total += (section + digit or 1) * _MYRIADS[character]
            section = digit = 0
    return total + section + digit


def normalise(text: str) -> str:
    """``text`` as compared for an error rate: NFKC, numerals as digits, lower case, letters and digits
    only (spaces kept between words of languages that use them)."""
    text = unicodedata.normalize("NFKC", text)
    text = _KANJI_NUMBER.sub(lambda match: str(kanji_number(match.group())) if match.group()[0] not in _MYRIADS else match.group(), text)
    kept = "".join(character if unicodedata.category(character)[0] in "LN" else " " for character in text.lower())
    return " ".join(kept.split())


def _distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance: substitutions, deletions and insertions."""
    previous = list(range(len(hypothesis) + 1))
    for row, expected in enumerate(reference, 1):
        current = [row]
        for column, found in enumerate(hypothesis, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (expected != found)))
        previous = current
    return previous[-1]


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Character edits per reference character, spaces ignored (the figure for Japanese)."""
    expected, found = normalise(reference).replace(" ", ""), normalise(hypothesis).replace(" ", "")
    return _distance(list(expected), list(found)) / max(len(expected), 1)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edits per reference word (the figure for languages written with spaces)."""
    expected, found = normalise(reference).split(), normalise(hypothesis).split()
    return _distance(expected, found) / max(len(expected), 1)
