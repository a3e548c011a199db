"""Text helpers: the reading copy of a text and spans mapped back from it."""
from __future__ import annotations

import html
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veilleur.core.labels import Span
from veilleur.pipeline.text import reading_copy, spans_back_into, unescape_entities

PIECES = ["a", "é", "e\u0301", " ", "  ", "\u00a0", "\u202f", "\n", " \n ", "\t", "06", "😀", "Z", "\u0301"]


def test_a_reading_copy_has_no_marks_and_one_space_per_gap():
    copy, index = reading_copy("rue  E\u0301mile\u00a0Zola\n \n69100")
    assert copy == "rue Emile Zola\n69100"
    assert index is not None and [copy[i] for i in range(4)] == ["r", "u", "e", " "]


def test_a_plain_text_is_its_own_reading_copy():
    assert reading_copy("Née le 3 mai, à Lyon") == ("Née le 3 mai, à Lyon", None)


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_every_character_of_the_copy_comes_from_the_text(text):
    copy, index = reading_copy(text)
    if index is None:
        assert copy == text
        return
    assert len(index) == len(copy) and index == sorted(set(index))
    for c, i in zip(copy, index, strict=True):
        assert c == text[i] or (c in " \n" and text[i].isspace())
    assert "  " not in copy and not any(unicodedata.combining(c) for c in copy)


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join), st.data())
def test_a_span_of_the_copy_maps_back_onto_the_same_letters(text, data):
    copy, index = reading_copy(text)
    start = data.draw(st.integers(0, max(len(copy) - 1, 0)))
    end = data.draw(st.integers(start + 1, max(len(copy), start + 1)))
    if not copy.strip() or end > len(copy):
        return
    [span] = spans_back_into(text, index, [Span(start, end, "x", copy[start:end], "v")])
    assert span.text == text[span.start:span.end]
    def letters(s):
        return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c) and not c.isspace())
    assert letters(span.text) == letters(copy[start:end])


@pytest.mark.parametrize(("escaped", "read"), [
    ("Learn more &amp; apply 👇", "Learn more & apply 👇"),  # as the X API v2 writes a tweet's text
    ("rendement &lt; 17% &gt; prévu", "rendement < 17% > prévu"),
    ("&quot;scandale&quot; l&apos;appli &#39;bug&#39;", "\"scandale\" l'appli 'bug'"),
    ("je t&#x2764;&#xFE0F; &#128512;", "je t❤️ 😀"),
    ("R&amp;amp;D", "R&D"),  # escaped twice by an archive
    ("&amp;amp;amp;", "&amp;"),  # a third level is read twice only
])
def test_markup_entities_are_read(escaped, read):
    assert unescape_entities(escaped) == read


@pytest.mark.parametrize("text", [
    "AT&T et R&D", "bread&nothing", "&copy sans point-virgule", "&amp sans fin", "&#0; &#xD800; &#9999999;",
    "Crédit Agricole & LCL", "&nbsp;",  # not one of the five of XML: left as typed
])
def test_text_that_is_not_an_entity_stays(text):
    assert unescape_entities(text) == text


@given(st.text(alphabet=st.sampled_from("ab &;#x3<>\"'lmpgtquoAE0129"), max_size=40))
def test_escaping_then_reading_gives_the_text_back(text):
    assert unescape_entities(html.escape(text)) == text
