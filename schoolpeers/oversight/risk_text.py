"""Words of a note as screening reads them: one normal form for the many ways a
young mentor writes the same thing. A pure core (no Flask, no database).

"Her stepdad hit her w/ his belt", "my step dad hits me with his belt" and
"he's hittin him wiv a belt" all read "me stepdad hit me with me belt": case
and compatibility forms folded, contractions written out, text speak and
leetspeak spelled out, repeated letters squeezed, every word reduced to its
dictionary form (simplemma, which ships its own data), and every personal
pronoun and possessive folded to "me" (reflexives to "self"), so that a
phrase written once in the first person also matches third-person notes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from schoolpeers.lazy import LazyModule

simplemma = LazyModule("simplemma")  # its dictionaries load with the first note screened


# A word: letters or digits, possibly joined by an apostrophe or a symbol that
# stands in for a letter ("don't", "k!ll", "s*icide", "$elf"). A line break or
# sentence punctuation is a boundary that no phrase crosses.
_TOKEN = re.compile(
    # two letters around a slash are one shorthand ("s/h", "w/o"); longer ones ("and/or") are two words
    r"((?<![\w/])[^\W\d_]/[^\W\d_](?![\w/])|[$@]?[^\W_]+(?:['’*@$!\u200b-\u200d\u2060\ufeff][^\W_]+)*)"
    # a full stop after a lone letter is an initial or a spelled-out word ("K.I.L.L."), not a sentence end
    r"|([\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|(?<!(?<![^\W_])[^\W\d_])[.!?;]+(?=\s|$))"
)
BOUNDARY = ""

PRONOUN = "me"  # the one form of every personal pronoun and possessive
SELF = "self"  # the one form of every reflexive
_PRONOUNS = frozenset(
    "i me my mine he him his she her hers they them their theirs you your yours u ur ya yu we us our ours".split()
)
_REFLEXIVES = frozenset(
    "myself meself himself herself hisself themselves themself theirself yourself yourselves urself "
    "ourselves oneself itself".split()
)
_CONTRACTION_ENDINGS = {"n't": ("not",), "'m": ("be",), "'re": ("be",), "'ve": ("have",), "'ll": ("will",),
                        "'d": ("would",), "'s": ()}  # 's: possessive or "is"; both read as nothing more
_IRREGULAR_NEGATIVES = {"won't": ("will", "not"), "can't": ("can", "not"), "shan't": ("shall", "not"),
                        "ain't": ("be", "not")}
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width characters inside a word
_RUN_OF_THREE = re.compile(r"(.)\1{2,}")
_DOUBLE = re.compile(r"(.)\1")
# Dictionary forms that simplemma gets wrong for these notes, or leaves as nouns.
_LEMMA_FIXES = {"gone": "go", "shot": "shoot", "hung": "hang", "lay": "lie", "lied": "lie",
                "left": "leave", "felt": "feel", "ODing": "overdose", "pills": "pill", "meds": "med",
                "cutting": "cut", "ending": "end", "hanging": "hang", "cuts": "cut", "burns": "burn",
                "scratches": "scratch", "starving": "starve", "saying": "say", "feeling": "feel",
                "drinking": "drink", "bruises": "bruise", "threw": "throw", "wanna": "want", "writing": "write",
                "playing": "play",  # the dictionary reads "playe"
                # kept as written: as cues they must not read "kid" or a school "trip"
                "kidding": "kidding", "kiddin": "kidding", "tripped": "tripped"}


_word = tuple.__new__


class Word(NamedTuple):
    form: str  # the normal form; BOUNDARY for a line break or sentence end
    start: int  # span in the text as written
    end: int


def words(text: str, variants: Mapping[str, tuple[str, ...]]) -> list[Word]:
    """The note's words in normal form, each with the span it came from.

    A written word may give several normal words ("kms" -> kill self), each
    with the written word's span; single letters spelled out ("k i l l") are
    read as one word.
    """
    found: list[Word] = []
    letters: list[re.Match[str]] = []
    cache: dict[str, tuple[str, ...]] = getattr(variants, "cache", {})
    for token in _TOKEN.finditer(text):
        word = token.group(1)
        if word is not None and len(word) == 1 and word.isalpha():
            letters.append(token)
            continue
        if letters:
            _flush_letters(letters, found, variants)
        if word is None:
            if found and found[-1].form != BOUNDARY:
                found.append(Word(BOUNDARY, *token.span()))
            continue
        start, end = token.span()
        forms = cache.get(word)
        for form in forms if forms is not None else normal_forms(word, variants):
            if form == SELF and found and found[-1].form == PRONOUN and _joins_self(text, found[-1]):
                found[-1] = Word(SELF, found[-1].start, end)
            else:
                found.append(_word(Word, (form, start, end)))  # tuple's own constructor: many words per note
    if letters:
        _flush_letters(letters, found, variants)
    return found


_BEFORE_SELF = frozenset("my her him his them their your ur our".split())


def _joins_self(text: str, pronoun: Word) -> bool:
    """'my self', 'her self' are one reflexive; 'I self-harm' is a subject and a verb."""
    return text[pronoun.start:pronoun.end].casefold() in _BEFORE_SELF


def _flush_letters(letters: list[re.Match[str]], found: list[Word], variants: Mapping[str, tuple[str, ...]]) -> None:
    """Three or more single letters in a row spell one word ("k i l l"), when they spell a word
    screening knows; otherwise ("u r a") each is a word of its own."""
    spelled = "".join(letter.group(1) for letter in letters)
    if len(letters) >= 3 and (written_form(spelled) in variants or simplemma.is_known(spelled.casefold(), lang="en")):
        found.extend(Word(form, letters[0].start(), letters[-1].end()) for form in normal_forms(spelled, variants))
    else:
        for letter in letters:
            found.extend(Word(form, letter.start(), letter.end()) for form in normal_forms(letter.group(1), variants))
    letters.clear()


class Variants(dict[str, tuple[str, ...]]):
    """Whole-word spellings (written form -> normal forms), with a cache of the
    normal forms of every word read with them: notes repeat their words."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache: dict[str, tuple[str, ...]] = {}


_CACHE_LIMIT = 1 << 17


def normal_forms(word: str, variants: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """One written word in normal form: usually one word, sometimes none or several."""
    cache = getattr(variants, "cache", None)
    if cache is not None:
        found = cache.get(word)
        if found is None:
            found = _normal_forms(word, variants)
            if len(cache) < _CACHE_LIMIT:
                cache[word] = found
        return found
    return _normal_forms(word, variants)


def _normal_forms(word: str, variants: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    word = written_form(word)
    if word in variants:
        return variants[word]
    if "'" in word:
        return _contraction(word, variants)
    if any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word) or word[0] in "$@" or "!" in word:
        word = word.translate(_LEET)
    word = word.replace("*", "")  # censored letters ("s*icide") are left to the spelling variants
    if word in variants:
        return variants[word]
    if word in _PRONOUNS or word in _REFLEXIVES:
        return (_fold(word),)
    return (_fold(_lemma(word)),)


def written_form(word: str) -> str:
    """How variants are keyed: the word as written, case and compatibility forms folded."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", word).casefold().replace("’", "'"))


def _contraction(word: str, variants: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if word in _IRREGULAR_NEGATIVES:
        return _IRREGULAR_NEGATIVES[word]
    if word.count("'") > 1:  # not one contraction ("ll'll'll…"): each part on its own, with no recursion
        return tuple(form for part in word.split("'") if part for form in normal_forms(part, variants))
    for ending, spelled in _CONTRACTION_ENDINGS.items():
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)]
            return tuple(form for part in (stem, *spelled) for form in normal_forms(part, variants))
    return tuple(form for part in word.split("'") if part for form in normal_forms(part, variants))


def _fold(lemma: str) -> str:
    if lemma in _PRONOUNS:
        return PRONOUN
    if lemma in _REFLEXIVES:
        return SELF
    return lemma


def _lemma(word: str) -> str:
    if word in _LEMMA_FIXES:
        return _LEMMA_FIXES[word]
    if not word.isalpha():
        return word
    if not simplemma.is_known(word, lang="en") and _RUN_OF_THREE.search(word):
        word = _squeezed(word)
    lemma = _LEMMA_FIXES.get(word) or simplemma.lemmatize(word, lang="en")
    if lemma == word and len(word) > 5:
        lemma = _verb_stem(word) or lemma
    return lemma


def _squeezed(word: str) -> str:
    """'soooo' -> 'so', 'killll' -> 'kill': the longest known squeeze, else every run to one letter."""
    double = _RUN_OF_THREE.sub(r"\1\1", word)
    if simplemma.is_known(double, lang="en"):
        return double
    single = _DOUBLE.sub(r"\1", double)
    return single if simplemma.is_known(single, lang="en") else double


def _verb_stem(word: str) -> str | None:
    """A verb form that the dictionary keeps as a noun or does not know ('hanging', 'cuttin', 'selfharming')."""
    for ending in ("ing", "in", "ed"):
        if word.endswith(ending):
            stem = word[: -len(ending)]
            candidates = (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None)
            for candidate in candidates:
                if candidate and len(candidate) >= 3 and simplemma.is_known(candidate, lang="en"):
                    return simplemma.lemmatize(candidate, lang="en")
    return None
