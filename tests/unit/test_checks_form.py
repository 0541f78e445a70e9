"""Form checks (line_count, stanza_shape, syllables, acrostic, alphabetical_starts, refrain,
rhyme) and the definitions they share (benchmark.analysis.verse, benchmark.analysis.syllables, benchmark.analysis.rhymes),
on hand-written poems whose counts and rhymes were made by hand."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from benchmark.analysis.rhymes import end_word, rhymes, spelling_rhyme
from benchmark.analysis.syllables import rule_syllables, word_syllables
from benchmark.analysis.verse import parse_verse, verse_mask
from tests.check_helpers import make, run

# --------------------------------------------------------------------------- verse


@pytest.mark.parametrize(
    ("text", "shape", "title"),
    [
        ("", [], None),
        ("a\nb\n\nc", [2, 1], None),
        ("a\r\nb\r\n\r\nc", [2, 1], None),
        ("**Rain**\n\na\nb", [2], "**Rain**"),
        ("*Rain*\n\na\nb", [2], "*Rain*"),
        ("**Rain**\na\nb", [3], None),  # no blank line after it: an emphasised first line
        ("Rain\n\na\nb", [1, 2], None),  # a plain title cannot be told from a stanza
        ("# Rain\n\na\nb\n\n## II\nc", [2, 1], None),  # headings are never lines
        ("a\n* * *\nb\n---\nc", [1, 1, 1], None),  # scene breaks end stanzas
        ("> a\n>\n> b", [1, 1], None),  # a blank blockquote line ends a stanza
        ("a  \nb\\\nc", [3], None),  # markdown hard breaks
        ("Here is your poem:\n\n```text\na\nb\n```\nEnjoy!", [1, 2, 1], None),
        ("\n\n   \n\t\n", [], None),
    ],
)
def test_verse_lines_and_stanzas(text: str, shape: list[int], title: str | None) -> None:
    verse = parse_verse(text)
    assert [len(s) for s in verse.stanzas] == shape
    assert len(verse.lines) == sum(shape)
    assert verse.title == title
    assert all(line.text in text for line in verse.lines)


def test_verse_reports_chatter_around_a_fenced_poem() -> None:
    verse = parse_verse("Here is your poem:\n\n```\na\nb\n```\nEnjoy!")
    assert [line.text for line in verse.unfenced] == ["Here is your poem:", "Enjoy!"]
    assert (
        verse.describe() == "4 line(s) in 3 stanza(s) (1+2+1); 2 of them outside the fenced block"
    )


def test_verse_cleans_markdown_for_analysis() -> None:
    verse = parse_verse("> - first line\\\n1. second line")
    assert [ln.clean for ln in verse.lines] == ["first line", "second line"]
    assert [ln.text for ln in verse.lines] == ["> - first line\\", "1. second line"]


def test_verse_mask_blanks_what_is_not_the_poem() -> None:
    text = "# T\n```\na b\n```"
    masked = verse_mask(text)
    assert len(masked) == len(text)
    assert masked == "   \n   \na b\n   "


# --------------------------------------------------------------------------- line_count


def lines(n: int, prefix: str = "line") -> str:
    return "\n".join(f"{prefix} {i}" for i in range(1, n + 1))


SONNET = {"type": "line_count", "min": 14, "max": 14}


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (SONNET, lines(14), True, ""),
        (SONNET, lines(13), False, ""),
        (SONNET, lines(15), False, "line 15"),
        (SONNET, "**Sonnet**\n\n" + lines(14), True, ""),  # a marked-up title is not a line
        (SONNET, "Here is your sonnet:\n\n" + lines(14), False, "line 14"),  # chatter is
        (SONNET, "```\n" + lines(14) + "\n```", True, ""),
        (SONNET, "", False, ""),
        ({"type": "line_count", "min": 3}, lines(40), True, ""),
        ({"type": "line_count", "min": 3}, "one\n\n* * *\n\ntwo", False, ""),
    ],
)
def test_line_count(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run(check, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_line_count_rationale_names_chatter() -> None:
    r = run(SONNET, "Here:\n```\n" + lines(14) + "\n```")
    assert r.rationale == (
        "15 line(s) in 2 stanza(s) (1+14); 1 of them outside the fenced block; "
        "between 14 and 14 lines required"
    )


@pytest.mark.parametrize("fields", [{"min": 0}, {"max": 14}, {"min": 5, "max": 4}])
def test_line_count_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="line_count", **fields)


# --------------------------------------------------------------------------- stanza_shape


def poem(*stanzas: int) -> str:
    out, n = [], 0
    for size in stanzas:
        block = []
        for _ in range(size):
            n += 1
            block.append(f"line {n}")
        out.append("\n".join(block))
    return "\n\n".join(out)


VILLANELLE_SHAPE = {"type": "stanza_shape", "stanzas": 6, "lines": [3, 3, 3, 3, 3, 4]}
FOUR_QUATRAINS = {"type": "stanza_shape", "stanzas": 4, "lines": 4}


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (VILLANELLE_SHAPE, poem(3, 3, 3, 3, 3, 4), True, ""),
        (VILLANELLE_SHAPE, poem(3, 3, 4, 3, 3, 4), False, "line 7"),
        (VILLANELLE_SHAPE, poem(3, 3, 3, 3, 3, 4, 1), False, "line 20"),
        (VILLANELLE_SHAPE, poem(3, 3, 3, 3, 3), False, ""),
        (VILLANELLE_SHAPE, poem(19), False, "line 1"),
        (FOUR_QUATRAINS, poem(4, 4, 4, 4), True, ""),
        (FOUR_QUATRAINS, "# Title\n\n" + poem(4, 4, 4, 4), True, ""),
        (FOUR_QUATRAINS, "Title\n\n" + poem(4, 4, 4, 4), False, "Title"),
        (FOUR_QUATRAINS, poem(4, 4) + "\n* * *\n" + poem(4, 4).replace("line", "verse"), True, ""),
        (FOUR_QUATRAINS, "", False, ""),
    ],
)
def test_stanza_shape(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run(check, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_stanza_shape_rationale() -> None:
    r = run(FOUR_QUATRAINS, poem(4, 4, 5))
    assert r.rationale == (
        "13 line(s) in 3 stanza(s) (4+4+5); 4 stanza(s) of 4+4+4+4 required: not met"
    )


@pytest.mark.parametrize(
    "fields",
    [{"stanzas": 0, "lines": 3}, {"stanzas": 2, "lines": [3]}, {"stanzas": 1, "lines": 0}],
)
def test_stanza_shape_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="stanza_shape", **fields)


# --------------------------------------------------------------------------- syllables

# Counted by hand, syllable by syllable, and agreeing with the CMU dictionary:
HAIKU = "\n".join(
    [
        "Cold rain on the roof",  # cold rain on the roof: 5
        "the kettle forgets its song",  # the ket-tle for-gets its song: 7
        "I wait for the tea",  # I wait for the tea: 5
    ]
)
TANKA = "\n".join(
    [
        HAIKU,
        "a letter I never sent",  # a let-ter I ne-ver sent: 7
        "folded in my winter coat",  # fol-ded in my win-ter coat: 7
    ]
)
FIVE_SEVEN_FIVE = {"type": "syllables", "per_line": [5, 7, 5]}


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (FIVE_SEVEN_FIVE, HAIKU, True, ""),
        (FIVE_SEVEN_FIVE, "**Tea**\n\n" + HAIKU, True, ""),
        (FIVE_SEVEN_FIVE, "> Cold rain on the roof\\\n> " + HAIKU.split("\n", 1)[1], True, ""),
        (
            FIVE_SEVEN_FIVE,
            HAIKU.replace("its song", "its old song"),  # 8 syllables
            False,
            "the kettle forgets its old song",
        ),
        ({**FIVE_SEVEN_FIVE, "tolerance": 1}, HAIKU.replace("its song", "its old song"), True, ""),
        (FIVE_SEVEN_FIVE, TANKA, False, ""),  # five lines for three counts
        ({"type": "syllables", "per_line": [5, 7, 5, 7, 7]}, TANKA, True, ""),
        ({"type": "syllables", "per_line": [7, 7], "line_range": [4, 5]}, TANKA, True, ""),
        ({"type": "syllables", "per_line": [7], "line_range": [4, 5]}, TANKA, True, ""),
        ({"type": "syllables", "per_line": [7, 7], "line_range": [5, 6]}, TANKA, False, ""),
        (
            {"type": "syllables", "per_line": [5]},
            "Cold rain on the roof\nI wait for the tea",
            True,
            "",
        ),
        # "fire" is one syllable or two: the line is 5 or 6.
        ({"type": "syllables", "per_line": [5]}, "fire in the cold grate", True, ""),
        ({"type": "syllables", "per_line": [6]}, "fire in the cold grate", True, ""),
        (
            {"type": "syllables", "per_line": [7]},
            "fire in the cold grate",
            False,
            "fire in the cold grate",
        ),
        (
            {"type": "syllables", "per_line": [7], "tolerance": 1},
            "fire in the cold grate",
            True,
            "",
        ),
        # Not in the dictionary: "glimmerfane" is counted by rule (glim-mer-fane: 3).
        ({"type": "syllables", "per_line": [5]}, "the glimmerfane sings", True, ""),
        ({"type": "syllables", "per_line": [5]}, "Don’t wake the baby", True, ""),  # curly ’
        (FIVE_SEVEN_FIVE, "", False, ""),
        ({"type": "syllables", "per_line": [5]}, "", False, ""),
    ],
)
def test_syllables(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run(check, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_syllables_rationale_gives_every_line_and_the_words_counted_by_rule() -> None:
    r = run(
        {"type": "syllables", "per_line": [5, 7]}, "the glimmerfane sings\nfire in the cold grate"
    )
    assert r.rationale == (
        "line 1: 5 (5); line 2: 5-6 (7) ✗. "
        "Not in the CMU dictionary, counted by rule: 'glimmerfane' 3"
    )


@pytest.mark.parametrize(
    ("word", "n"),
    [
        ("stone", 1),  # silent final e
        ("table", 2),  # consonant + le is a syllable
        ("whale", 1),
        ("walked", 1),  # -ed after k
        ("wanted", 2),  # -ed after t
        ("stones", 1),
        ("horses", 2),  # -es after a sibilant
        ("glimmerfane", 3),
        ("shh", 1),  # no vowel: still a syllable
        ("crème", 1),  # accents folded, then the silent final e
        ("2024", 5),  # two, zero, two, four
        ("7", 2),
    ],
)
def test_rule_syllables(word: str, n: int) -> None:
    assert rule_syllables(word) == n


@pytest.mark.parametrize(
    ("word", "low", "high", "known"),
    [
        ("silent", 2, 2, True),
        ("every", 2, 3, True),
        ("Café", 2, 2, True),  # looked up as "cafe"
        ("horse's", 2, 2, True),  # a possessive after a sibilant adds one
        ("kettle's", 2, 2, True),
        ("glimmerfane", 3, 3, False),
    ],
)
def test_word_syllables(word: str, low: int, high: int, known: bool) -> None:
    got = word_syllables(word)
    assert (got.low, got.high, got.known) == (low, high, known)


@pytest.mark.parametrize(
    "fields",
    [
        {"per_line": []},
        {"per_line": [0]},
        {"per_line": [5], "tolerance": -1},
        {"per_line": [5, 7], "line_range": [1, 3]},
        {"per_line": [5], "line_range": [3, 1]},
        {"per_line": [5], "line_range": [0, 1]},
    ],
)
def test_syllables_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="syllables", **fields)


# --------------------------------------------------------------------------- acrostic

MAPLE = "\n".join(
    [
        "Morning frost on the gate,",
        "all the garden holding still;",
        "‘Plums,’ my mother said,",
        "leaves in the gutter,",
        "Évening already.",
    ]
)


@pytest.mark.parametrize(
    ("word", "text", "verdict", "evidence"),
    [
        ("MAPLE", MAPLE, True, ""),
        ("maple", "**Maple**\n\n" + MAPLE, True, ""),
        ("MAPLE", MAPLE.replace("‘Plums,’", "Apples,"), False, "Apples, my mother said,"),
        ("MAPLE", MAPLE + "\nSo it ends.", False, "So it ends."),
        ("MAPLE", MAPLE.rsplit("\n", 1)[0], False, ""),
        ("MAPLE", "Here is an acrostic:\n\n" + MAPLE, False, "Here is an acrostic:"),
        ("MAP LE!", MAPLE, True, ""),  # spaces and punctuation in the word are ignored
        ("MAPLE", "", False, ""),
        ("MAPLE", "- Morning\n- all\n- Plums\n- leaves\n- Evening", True, ""),
    ],
)
def test_acrostic(word: str, text: str, verdict: bool, evidence: str) -> None:
    r = run({"type": "acrostic", "word": word}, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_acrostic_rationale_spells_what_the_lines_spell() -> None:
    r = run({"type": "acrostic", "word": "MAPLE"}, MAPLE.replace("‘Plums,’", "Apples,"))
    assert r.rationale == (
        "5 line(s) with initials MAALE; MAPLE required (5 lines): line 3 is wrong"
    )


def test_acrostic_rejects_a_word_without_letters() -> None:
    with pytest.raises(ValidationError):
        make(type="acrostic", word="123 !")


# --------------------------------------------------------------------------- alphabet

ALPHABET = [
    "Anna woke early.",
    "Bread was burning.",
    "Carl shouted.",
    "Doors slammed.",
    "Everyone ran outside.",
    "Firefighters came.",
    "Gloria filmed it all.",
    "Hoses sprayed the roof.",
    "It was over quickly.",
    "Jam jars had exploded.",
    "Kitchen tiles were black.",
    "Laughter came later.",
    "Mr. Ode brought soup.",  # an abbreviation does not end the sentence
    "Nobody was hurt.",
    "Our cat hid for a day.",
    "Pancakes were off the menu.",
    '"Quiet," said Quinn.',  # the opening quote is skipped
    '"Really?" she asked.',  # ? then a lower-case word: one sentence
    "Smoke lingered.",
    "The insurers called.",
    "Uncle Ted laughed.",
    "Very funny, said Carl.",
    "We ate outside.",
    "Xylophone music played next door.",
    "You had to laugh.",
    "Zero toast, though.",
]
STORY = " ".join(ALPHABET)
SWAPPED = " ".join([*ALPHABET[:3], ALPHABET[4], ALPHABET[3], *ALPHABET[5:]])


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        ({}, STORY, True, ""),
        ({}, "\n".join(ALPHABET), True, ""),
        ({"unit": "line"}, "\n".join(ALPHABET), True, ""),
        ({"unit": "line"}, STORY, False, ""),  # one line
        ({}, SWAPPED, False, "Everyone ran outside."),
        ({}, " ".join(ALPHABET[:-1]), False, ""),
        ({}, STORY + " And then we slept.", False, "And then we slept."),
        ({}, "# Breakfast\n\n" + STORY, True, ""),
        ({}, "Here is the story:\n\n" + STORY, False, "Here is the story:"),
        ({"start": "M"}, " ".join(ALPHABET[12:] + ALPHABET[:12]), True, ""),
        ({"start": "m"}, STORY, False, "Anna woke early."),
        ({}, STORY.replace("Our cat", "3 cats"), False, "3 cats hid for a day."),
        ({}, "", False, ""),
    ],
)
def test_alphabetical_starts(
    check: dict[str, Any], text: str, verdict: bool, evidence: str
) -> None:
    r = run({"type": "alphabetical_starts", **check}, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_alphabetical_starts_rationale() -> None:
    r = run({"type": "alphabetical_starts"}, SWAPPED)
    assert r.rationale == (
        "26 sentence(s) with initials ABCEDFGHIJKLMNOPQRSTUVWXYZ; "
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ required (26 sentences): sentence 4 is wrong"
    )


@pytest.mark.parametrize("fields", [{"start": "ab"}, {"start": "1"}, {"unit": "word"}])
def test_alphabetical_starts_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="alphabetical_starts", **fields)


# --------------------------------------------------------------------------- refrain

REFRAIN = "The river keeps what it is given,"
RIVER = [
    REFRAIN,
    "a boot, a ring, a name,",
    "and gives back only cold.",
    "The river keeps what it is given.",  # trailing punctuation differs
    "We asked it for the summer",
    "and it sent back ice.",
    "the river keeps what it is given!",  # case differs
]


def river(**changes: str) -> str:
    lines = list(RIVER)
    for key, value in changes.items():
        lines[int(key.removeprefix("l")) - 1] = value
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("verbatim", "text", "verdict", "evidence"),
    [
        (True, river(), True, ""),
        (False, river(), True, ""),
        (
            True,
            river(l7="The river, keeps what it is given"),
            False,
            "The river, keeps what it is given",
        ),
        (False, river(l7="The river, keeps what it is given"), True, ""),  # punctuation only
        (
            True,
            river(l7="The river keeps what it was given."),
            False,
            "The river keeps what it was given.",
        ),
        (
            False,
            river(l7="The river keeps what it was given."),
            False,
            "The river keeps what it was given.",
        ),
        (True, river(l4="*The river keeps what it is given*"), True, ""),  # emphasis at the ends
        (
            True,
            river(l1="The river keeps what it’s given,", l4="The river keeps what it's given"),
            False,
            "the river keeps what it is given!",
        ),
        (True, "\n".join(RIVER[:6]), False, ""),  # no line 7
        (True, "", False, ""),
    ],
)
def test_refrain(verbatim: bool, text: str, verdict: bool, evidence: str) -> None:
    r = run({"type": "refrain", "line": 1, "repeats_at": [4, 7], "verbatim": verbatim}, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_refrain_folds_curly_quotes() -> None:
    text = "It’s late,\nso late,\nit's late."
    assert run({"type": "refrain", "line": 1, "repeats_at": [3]}, text).verdict is True


def test_refrain_counts_lines_across_stanzas_and_skips_a_title() -> None:
    text = "**River**\n\n" + "\n".join(RIVER[:3]) + "\n\n" + "\n".join(RIVER[3:])
    r = run({"type": "refrain", "line": 1, "repeats_at": [4, 7]}, text)
    assert r.verdict is True
    assert (
        r.rationale == f"line 1 {REFRAIN!r} returns (same words and punctuation) at: line 4, line 7"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"line": 1, "repeats_at": []},
        {"line": 1, "repeats_at": [1, 6]},
        {"line": 1, "repeats_at": [6, 6]},
        {"line": 0, "repeats_at": [6]},
        {"line": 1, "repeats_at": [0]},
    ],
)
def test_refrain_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="refrain", **fields)


# --------------------------------------------------------------------------- rhyme

# Written for these tests; the rhyme sounds (CMU, last stressed vowel onwards) were checked by
# hand against the dictionary: light / tonight AY T, round / sound AW N D, collide / side AY D,
# steam / dream IY M, two / new UW, shelf / self EH L F, unlock / sock AA K.
LAUNDRETTE = """The laundrette hums beneath the station light,
its dryers turning shirts of strangers round;
a student folds her jeans with care tonight,
the drum gives back a low, contented sound.

I watch the porthole where my socks collide,
a blue one chasing red through rising steam;
the attendant sweeps the lint from every side,
and hums along to something from a dream.

The coins run out. The student lends me two;
we do not speak, but share the folding shelf;
her grandmother's old sweater, patched and new,
she smooths as if it were her younger self.

At ten the lights go half, the doors unlock —
we carry home the warmth of someone's sock."""
SHAKESPEAREAN = {"type": "rhyme", "scheme": "ABAB CDCD EFEF GG"}

# A: night, might, white, candlelight, flight, polite, plight (AY T); B: blur, fur, her, sir,
# were (ER) and "whir", which the dictionary lacks: matched on spelling (-ir, as "sir").
# Line 1 returns at 6, 12 and 18; line 3 at 9, 15 and 19.
GLASSES = """I set my glasses somewhere safe last night,
and now the house is one soft yellow blur;
I'll find them if I squint with all my might.

The kettle wears a halo, round and white,
the cat becomes a cushion made of fur;
I set my glasses somewhere safe last night.

I read the cereal box by candlelight
and hug the coat rack, thinking it is her;
I'll find them if I squint with all my might.

The neighbour's hedge looks like a dog in flight,
the bathroom mirror shows a stranger, sir;
I set my glasses somewhere safe last night.

I phone the optician. She is polite;
she asks me what I see. I say, "A whir."
I'll find them if I squint with all my might.

My son comes home and grins at my plight,
then taps my forehead, where they always were.
I set my glasses somewhere safe last night.
I'll find them if I squint with all my might."""
VILLANELLE = {"type": "rhyme", "scheme": "ABA ABA ABA ABA ABA ABAA"}


def swap(poem: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert poem.count(old) == 1, old
        poem = poem.replace(old, new)
    return poem


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (SHAKESPEAREAN, LAUNDRETTE, True, ""),
        (SHAKESPEAREAN, "**Laundrette**\n\n" + LAUNDRETTE, True, ""),  # a bold title is no line
        (SHAKESPEAREAN, "```\n" + LAUNDRETTE + "\n```", True, ""),
        ({"type": "rhyme", "scheme": "ababcdcdefefgg"}, LAUNDRETTE, True, ""),  # case, no spaces
        # Capitals, markdown and punctuation at the line's end do not matter.
        (
            SHAKESPEAREAN,
            swap(LAUNDRETTE, ("with care tonight,", "with care TONIGHT!"), ("sock.", "**sock**.")),
            True,
            "",
        ),
        # The spaces are for the reader: the stanza breaks are stanza_shape's to check.
        (SHAKESPEAREAN, LAUNDRETTE.replace("\n\n", "\n"), True, ""),
        # A plain title or chatter is a line: 15 lines for a scheme of 14.
        (
            SHAKESPEAREAN,
            "Laundrette\n\n" + LAUNDRETTE,
            False,
            "we carry home the warmth of someone's sock.",
        ),
        (SHAKESPEAREAN, LAUNDRETTE.rsplit("\n", 1)[0], False, ""),  # 13 lines
        # The wrong scheme: the poem is ABAB, the item asks for couplets.
        (
            {"type": "rhyme", "scheme": "AABB CCDD EEFF GG"},
            LAUNDRETTE,
            False,
            "its dryers turning shirts of strangers round;",
        ),
        # The first quatrain rewritten AABB against ABAB: line 3 is the first off the scheme.
        (
            SHAKESPEAREAN,
            swap(
                LAUNDRETTE,
                ("strangers round;", "strangers bright;"),
                ("care tonight,", "care around,"),
            ),
            False,
            "a student folds her jeans with care around,",
        ),
        # A word rhymed with itself is no rhyme.
        (
            SHAKESPEAREAN,
            swap(LAUNDRETTE, ("care tonight,", "care tonight, in the light,")),
            False,
            "a student folds her jeans with care tonight, in the light,",
        ),
        # C on A's sound (bright / night, AY T) is ABAB ADAD: not met, whatever the tolerance.
        (
            {**SHAKESPEAREAN, "min_share": 0.5},
            swap(
                LAUNDRETTE,
                ("socks collide,", "socks burn bright,"),
                ("from every side,", "from every night,"),
            ),
            False,
            "I watch the porthole where my socks burn bright,",
        ),
        # A near rhyme (stop / up: AA P, AH P) misses one rhyme of seven...
        (
            SHAKESPEAREAN,
            swap(LAUNDRETTE, ("doors unlock", "buses stop"), ("someone's sock.", "someone's cup.")),
            False,
            "we carry home the warmth of someone's cup.",
        ),
        # ... which an item allowing one miss in seven (6 / 7 = 0.857) accepts.
        (
            {**SHAKESPEAREAN, "min_share": 0.85},
            swap(LAUNDRETTE, ("doors unlock", "buses stop"), ("someone's sock.", "someone's cup.")),
            True,
            "",
        ),
        (SHAKESPEAREAN, "", False, ""),
        (VILLANELLE, GLASSES, True, ""),
        (VILLANELLE, "*Glasses*\n\n" + GLASSES, True, ""),
        # A third sound: "air" on an A line.
        (
            VILLANELLE,
            swap(GLASSES, ("a dog in flight,", "a dog in the air,")),
            False,
            "The neighbour's hedge looks like a dog in the air,",
        ),
        (
            {**VILLANELLE, "min_share": 0.94},  # 16 of 17
            swap(GLASSES, ("a dog in flight,", "a dog in the air,")),
            True,
            "",
        ),
        # The refrain's word again on a line that is not the refrain: a word rhymed with itself.
        (
            VILLANELLE,
            swap(GLASSES, ("a halo, round and white,", "a halo in the night,")),
            False,
            "The kettle wears a halo in the night,",
        ),
        # A varied refrain that keeps its last word is that word again, not a rhyme.
        (
            VILLANELLE,
            swap(
                GLASSES,
                (
                    "I set my glasses somewhere safe last night.\n\nI phone",
                    "I left my glasses somewhere safe last night.\n\nI phone",
                ),
            ),
            False,
            "I left my glasses somewhere safe last night.",
        ),
        # Both refrains may end on one word ("...last night" / "...all night"): refrain lines
        # always count ...
        (
            VILLANELLE,
            GLASSES.replace("squint with all my might", "search for them all night"),
            True,
            "",
        ),
        # ... but the word again on a line that is not a refrain does not.
        (
            VILLANELLE,
            swap(
                GLASSES.replace("squint with all my might", "search for them all night"),
                ("a halo, round and white,", "a halo in the night,"),
            ),
            False,
            "The kettle wears a halo in the night,",
        ),
        # Only two sounds: B on A's sound is one sound.
        (
            VILLANELLE,
            swap(
                GLASSES,
                ("soft yellow blur;", "soft yellow light;"),
                ("made of fur;", "made of tight;"),
                ("thinking it is her;", "thinking it is bright;"),
                ("a stranger, sir;", "a stranger, kite;"),
                ('I say, "A whir."', 'I say, "A sight."'),
                ("where they always were.", "where they always site."),
            ),
            False,
            "and now the house is one soft yellow light;",
        ),
        (VILLANELLE, "", False, ""),
    ],
)
def test_rhyme(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run(check, text)
    assert r.verdict is verdict, r.rationale
    assert r.evidence == evidence


@pytest.mark.parametrize(
    ("scheme", "text", "verdict"),
    [
        # Several pronunciations: any of them rhymes.
        ("AA", "I lean against the wind\nas if I'd never sinned", True),  # IH N D
        ("AA", "I lean against the wind\nand leave the world behind", True),  # AY N D
        ("AA", "we meet again\nout in the rain", True),  # EY N
        ("AA", "we meet again\nI lift my pen", True),  # EH N
        ("AAA", "I leave behind\nthe winter wind\nand all I sinned", False),  # no one sound
        ("AA", "the night\nthe knight", True),  # homophones are different words
        ("AA", "the light\nthe delight", True),  # a rich rhyme
        ("AA", "for love\nI move", False),  # an eye rhyme
        ("AA", "I watched the night\nand feared the night", False),  # the same word
        ("AA", "the night is long\nThe night is long!", False),  # a line repeated: no rhyme
        ("AA", "we met at yesterday\nand then you went away", True),  # secondary stress: EY
        # Not in the dictionary: matched on spelling, -ane.
        ("AA", "the glimmerfane\ncame down the lane", True),
        ("AA", "the glimmerfane\nwent out in rain", False),  # -ane, -ain
        ("AA", "a glimmerfane\na zorbulane", True),  # two unknown words
        # With a dictionary word of its spelling on the sound, it joins the sound's other words.
        ("AAA", "the glimmerfane\ncame down the lane\nand through the main", True),
        ("AAA", "the glimmerfane\ncame through the main\nin pouring rain", False),
        # Possessives the dictionary lacks: the word's sound plus S, Z or IH Z.
        ("AA", "I heard the lock's\nreply of clocks", True),  # AA K S
        ("AA", "I fixed the bus's\nbroken fusses", True),  # AH S IH Z
        ("AA", "I found the keys'\nold ring by my knees", True),  # a final ' is dropped: IY Z
        ("AA", "I woke from the dream's\nend into a dream", False),  # IY M Z, IY M
        ("AA", "we caught the bus at 9\nthe night was fine", False),  # digits rhyme with nothing
    ],
)
def test_rhyme_words(scheme: str, text: str, verdict: bool) -> None:
    r = run({"type": "rhyme", "scheme": scheme}, text)
    assert r.verdict is verdict, r.rationale


@pytest.mark.parametrize(
    ("line", "word", "known"),
    [
        ("The station light,", "light", True),
        ("with care TONIGHT!**", "tonight", True),
        ("the doors unlock —", "unlock", True),
        ("a moon-white.", "white", True),  # hyphens split words
        ("> - the Café.", "cafe", True),  # accents folded
        ("o’er", "o'er", False),  # curly apostrophe folded; not in the dictionary
        ("we caught the 214", "214", False),
    ],
)
def test_end_word(line: str, word: str, known: bool) -> None:
    got = end_word(line)
    assert got is not None
    assert (got.key, got.known) == (word, known)


@pytest.mark.parametrize(
    ("word", "spelling"),
    [
        ("glimmerfane", "ane"),  # a final e after a consonant is silent
        ("blorp", "orp"),
        ("table", "able"),
        ("glee", "ee"),
        ("shh", "shh"),
        ("zorbay", "ay"),
        ("214", None),
    ],
)
def test_spelling_rhyme(word: str, spelling: str | None) -> None:
    assert spelling_rhyme(word) == spelling


def test_rhymes_pairwise() -> None:
    def w(s: str) -> Any:
        return end_word(s)

    assert rhymes(w("wind"), w("kind")) and rhymes(w("wind"), w("sinned"))
    assert not rhymes(w("kind"), w("sinned"))
    assert not rhymes(w("Night"), w("night!"))
    assert rhymes(w("glimmerfane"), w("lane")) and not rhymes(w("glimmerfane"), w("main"))


def test_rhyme_rationale_names_each_group_and_the_words_matched_on_spelling() -> None:
    r = run(
        SHAKESPEAREAN,
        swap(LAUNDRETTE, ("doors unlock", "buses stop"), ("someone's sock.", "someone's cup.")),
    )
    assert r.rationale == (
        "14 lines; A light / tonight (AY T); B round / sound (AW N D); C collide / side (AY D); "
        "D steam / dream (IY M); E two / new (UW); F shelf / self (EH L F); G stop / cup ✗: "
        "6 of 7 rhymes (at least 7 required)"
    )
    r = run(VILLANELLE, GLASSES)
    assert r.rationale.endswith(
        "B blur / fur / her / sir / whir / were (ER): 17 of 17 rhymes (at least 17 required). "
        "Not in the CMU dictionary, matched on spelling: 'whir' -ir"
    )
    r = run(SHAKESPEAREAN, "Laundrette\n\n" + LAUNDRETTE)
    assert r.rationale == (
        "15 line(s) in 5 stanza(s) (1+4+4+4+2); the scheme ABAB CDCD EFEF GG has 14 lines: not met"
    )


def test_rhyme_letters_on_one_sound_are_named() -> None:
    text = "the night\nthe day\nthe light\nthe sight"
    r = run({"type": "rhyme", "scheme": "ABAC"}, text)  # B and C are unrhymed: no clash
    assert r.verdict is True
    r = run({"type": "rhyme", "scheme": "AABB"}, text.replace("day", "bright"))
    assert r.verdict is False
    assert r.rationale == (
        "4 lines; A night / bright (AY T); B light / sight (AY T); B is on A's sound ✗: "
        "2 of 2 rhymes (at least 2 required)"
    )
    assert r.evidence == "the light"


@pytest.mark.parametrize(
    "fields",
    [
        {"scheme": ""},
        {"scheme": "ABCD"},  # no letter twice: nothing to rhyme
        {"scheme": "A1 b A2"},
        {"scheme": "AB-AB"},
        {"scheme": "ABAB", "min_share": 0},
        {"scheme": "ABAB", "min_share": 1.5},
    ],
)
def test_rhyme_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="rhyme", **fields)
