"""The normalize stage: clean text, extracted URLs, handles, hashtags, emoji."""
from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veilleur.core.labels import Analysis
from veilleur.core.post import Platform, Post
from veilleur.pipeline.base import make_doc
from veilleur.pipeline.normalize import Normalize, clean, fold_elongations
from veilleur.pipeline.text import fold, split_hashtag

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def analyse(text: str) -> Analysis:
    doc = make_doc(Post(platform=Platform.X, external_id="1", text=text, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    Normalize().process([doc])
    return doc.analysis


def test_nfc():
    decomposed = "Socie\u0301te\u0301 Ge\u0301ne\u0301rale"
    assert analyse(decomposed).clean_text == "Société Générale"


def test_markup_entities_are_read_before_urls_hashtags_and_words():
    a = analyse("Tarifs &amp; frais &lt;3 #R&amp;D https://x.com/s?a=1&amp;b=2 &#7;fin")
    assert a.clean_text == "Tarifs & frais <3 r&D fin"  # a hashtag ends at "&", as on X
    assert a.urls == ["https://x.com/s?a=1&b=2"]
    assert analyse("top &#128077;").emojis == ["👍"]  # the emoji list reads the same text as clean_text


def test_zero_width_and_bidi_controls_removed():
    text = "ma\u200b ca\u200crte\ufeff est\u2060 blo\u202equ\u202cée \u2066ici\u2069 \u200fok\u200e"
    assert analyse(text).clean_text == "ma carte est bloquée ici ok"


def test_removing_an_invisible_character_keeps_the_text_nfc():
    # "e", zero-width space, combining acute: once the space goes, the accent joins the e
    assert analyse("caf e\u200b\u0301").clean_text == "caf é"


def test_control_characters_become_spaces():
    assert analyse("ligne\x01un\x07deux\x1fok").clean_text == "ligne un deux ok"


def test_urls_extracted_and_dropped_from_clean_text():
    a = analyse("Voir https://t.co/AbC123. et www.lcl.fr/aide, merci")
    assert a.urls == ["https://t.co/AbC123", "www.lcl.fr/aide"]
    assert "http" not in a.clean_text
    assert "www" not in a.clean_text
    assert a.clean_text.startswith("Voir")
    assert a.clean_text.endswith("merci")


def test_url_stops_at_a_glued_emoji_or_ellipsis():
    a = analyse("lisez ça https://t.co/xyz👇 et https://t.co/ab…")
    assert a.urls == ["https://t.co/xyz", "https://t.co/ab"]
    assert a.emojis == ["👇"]


def test_handles_extracted_and_kept_in_clean_text():
    a = analyse("@SG_Vous et @BNPParibas répondez ! mail: jean@exemple.fr")
    assert a.handles == ["SG_Vous", "BNPParibas"]
    assert "@SG_Vous" in a.clean_text


def test_hashtags_extracted_and_split_in_clean_text():
    a = analyse("Encore #CarteBloquée chez #SGVous #JO2024")
    assert a.hashtags == ["CarteBloquée", "SGVous", "JO2024"]
    assert a.clean_text == "Encore carte bloquée chez sg vous jo 2024"


@pytest.mark.parametrize(("tag", "words"), [
    ("CarteBloquée", "carte bloquée"),
    ("SGVous", "sg vous"),
    ("JO2024", "jo 2024"),
    ("service_client", "service client"),
    ("panne", "panne"),
    ("ÉnormeArnaque", "énorme arnaque"),
])
def test_split_hashtag(tag, words):
    assert split_hashtag(tag) == words


def test_emoji_extracted_and_kept():
    a = analyse("Bravo 👏👏 la banque 😡 🇫🇷 👍🏽")
    assert a.emojis == ["👏", "👏", "😡", "🇫🇷", "👍🏽"]
    assert "👏👏" in a.clean_text


def test_a_zwj_emoji_sequence_is_one_emoji():
    family = "👨\u200d👩\u200d👧"
    a = analyse(f"ma famille {family} est cliente")
    assert a.emojis == [family]
    assert "\u200d" not in a.clean_text


@pytest.mark.parametrize(("raw", "folded"), [
    ("nuuuuul", "nul"),
    ("trooop bien", "trop bien"),
    ("Ouiiiii", "Oui"),
    ("cool", "cool"),
    ("appli", "appli"),
    ("nulle", "nulle"),
    ("Arrêtez!!!!!!", "Arrêtez!!!"),
    ("Quoi???", "Quoi???"),
    ("bon......", "bon..."),
])
def test_elongations_folded(raw, folded):
    assert fold_elongations(raw) == folded
    assert analyse(raw).clean_text == folded


def test_white_space_collapsed():
    assert analyse("  trop\t\u00a0 de   blancs \n\n\n ici  ").clean_text == "trop de blancs\nici"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "https://t.co/abc", "\n\t"])
def test_empty_text_flagged(text):
    a = analyse(text)
    assert a.clean_text == ""
    assert a.flags == ["empty"]


def test_non_empty_text_not_flagged():
    assert analyse("ok").flags == []


def test_truncated_flag_kept():
    doc = make_doc(Post(platform=Platform.X, external_id="1", text="a" * 200,
                        created_at=datetime(2026, 1, 1, tzinfo=UTC)), max_chars=100)
    Normalize().process([doc])
    assert doc.analysis.flags == ["truncated"]
    assert doc.analysis.clean_text == "a"  # and elongations fold as usual


def test_clean_helper():
    assert clean("a\u200bb\x01c") == "ab c"
    assert clean("x\u200dy", keep_zwj=True) == "x\u200dy"


def test_fold_lowercases_and_strips_accents():
    assert fold("Société GÉNÉRALE Crédit d’Épargne Œuvre") == "societe generale credit d'epargne œuvre"


# -- properties ---------------------------------------------------------------------------------------------------

# arbitrary text, and text made of the pieces the stage cares about (to reach its corners)
PIECES = [*"aéE #@_!.:/ht\u200b\u200d\u202e\u0301\nwLCSGoO", "🇫🇷", "👍🏽", "😀", "https://", "www.", "#Carte"]
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.lists(
    st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalize_never_raises_and_cleans(text):
    a = analyse(text)
    assert isinstance(a.clean_text, str)
    assert not set(a.clean_text) & set(ZERO_WIDTH + BIDI)
    assert unicodedata.is_normalized("NFC", a.clean_text)
    assert a.clean_text == a.clean_text.strip()
    assert ("empty" in a.flags) == (a.clean_text == "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fold_preserves_length(text):
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded
