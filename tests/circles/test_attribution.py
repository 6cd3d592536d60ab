"""Whom a passage of a leader's notes is about (pure): examples, and properties over any notes and
members: only members the notes name, never a name inside another word, whatever the members' order."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.circles.attribution import Member, attribute, name_forms, sentences, words_of

MAYA, SAM, ANA = Member(1, "Maya", "Lopez"), Member(2, "Sam", "Green"), Member(3, "Ana", "Ruiz")
MEMBERS = [MAYA, SAM, ANA]


def about(notes: str, passage: str, members=MEMBERS) -> set[int]:
    start = notes.index(passage)
    (found,) = attribute(notes, [(start, start + len(passage))], members)
    return set(found)


# --- examples ------------------------------------------------------------------------------------

def test_a_member_named_in_the_sentence():
    assert about("We played a game. Maya wants to die.", "wants to die") == {1}
    assert about("maya lopez wants to die", "wants to die") == {1}  # case-insensitive, full name
    assert about("MAYA'S brother hits her", "hits her") == {1}  # possessive
    assert about("Maya’s friend said so. Sam and Ana cut themselves", "cut themselves") == {2, 3}


def test_a_pronoun_points_to_the_one_member_named_just_before():
    assert about("Sam was quiet. He said he wants to die.", "wants to die") == {2}
    assert about("Sam was quiet\nshe'd been crying", "crying") == {2}
    assert about("Sam and Ana were quiet. She said she wants to die.", "wants to die") == set()  # two before
    assert about("Sam was quiet. Then the bell. He said he wants to die.", "wants to die") == set()  # not just before
    assert about("Sam was quiet. They said they want to die.", "want to die") == set()  # not singular


def test_otherwise_it_is_about_the_group():
    assert about("Some of them want to die.", "want to die") == set()
    assert about("Samantha wants to die. Anatole too.", "wants to die") == set()  # names inside other words
    assert about("Ann-Marie wants to die.", "wants to die", [Member(4, "Ann", "Lee")]) == set()


def test_a_shared_given_name_names_nobody_unless_written_in_full():
    twins = [MAYA, Member(5, "Maya", "Chen")]
    assert about("Maya wants to die.", "wants to die", twins) == set()
    assert about("Maya Chen wants to die.", "wants to die", twins) == {5}


def test_a_longer_name_hides_the_shorter_one_inside_it():
    members = [Member(6, "Ann", "Smith"), Member(7, "Ann Marie", "Jones")]
    assert about("Ann Marie wants to die.", "wants to die", members) == {7}


def test_a_passage_across_sentences_is_about_everyone_named_in_them():
    notes = "Maya hurt. Sam too"
    assert attribute(notes, [(0, len(notes))], MEMBERS) == [frozenset({1, 2})]


def test_sentences_end_at_stops_and_line_breaks():
    assert [s.words for s in sentences("One two. Three!\n\nFour? e.g five")] == [
        ("one", "two"), ("three",), ("four",), ("e", "g", "five")]


def test_no_spans_no_members():
    assert attribute("Maya wants to die.", [], MEMBERS) == []
    assert attribute("Maya wants to die.", [(5, 10)], []) == [frozenset()]


# --- properties ----------------------------------------------------------------------------------

NAME = st.text(st.characters(categories=("Lu", "Ll")), min_size=2, max_size=7)
MEMBER_LISTS = st.lists(st.builds(lambda i, g, f: (i, g, f), st.integers(1, 50), NAME, NAME),
                        max_size=6, unique_by=lambda m: m[0]).map(lambda ms: [Member(*m) for m in ms])
FILLER = ["he", "she", "her", "his", "they", "said", "wants", "to", "die", "Maya", "Sam", "Lopez", "and",
          "'s", ".", "\n", "!", ","]


@st.composite
def notes_and_members(draw):
    """Notes made of the members' names, pronouns and filler (so mentions are likely), and spans in them."""
    members = draw(MEMBER_LISTS)
    pieces = FILLER + [m.given_name for m in members] + [m.family_name for m in members]
    notes = " ".join(draw(st.lists(st.sampled_from(pieces) | NAME, max_size=25)))
    spans = draw(st.lists(st.tuples(st.integers(0, len(notes)), st.integers(0, len(notes))).map(sorted).map(tuple),
                          max_size=4))
    return notes, spans, members


def contains(words: tuple[str, ...], form: tuple[str, ...]) -> bool:
    return any(words[i:i + len(form)] == form for i in range(len(words)))


@given(notes_and_members())
def test_never_attributes_to_a_member_the_notes_do_not_name(case):
    notes, spans, members = case
    words = words_of(notes)
    by_id = {m.id: m for m in members}
    for found in attribute(notes, spans, members):
        for member_id in found:
            assert any(contains(words, form) for form in name_forms(by_id[member_id])), (member_id, notes)


@given(NAME, NAME, st.text(st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=3),
       st.text(st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=3), st.booleans())
def test_a_name_inside_another_word_is_not_a_mention(given_name, family_name, before, after, glue_before):
    member = Member(1, given_name, family_name)
    word = before + given_name if glue_before else given_name + after
    notes = f"{word} wants to die."
    (found,) = attribute(notes, [(0, len(notes))], [member])
    assert found == frozenset()


@given(notes_and_members(), st.randoms(use_true_random=False))
def test_the_order_of_the_members_does_not_matter(case, random):
    notes, spans, members = case
    shuffled = list(members)
    random.shuffle(shuffled)
    assert attribute(notes, spans, members) == attribute(notes, spans, shuffled)
