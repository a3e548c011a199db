"""The general polarity lexicon: what it holds and how the reader sums it (values computed by hand)."""
import math

import pytest

from veilleur.pipeline.lexicon import Lexicon, tokens


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon()


def test_words_whose_banking_sense_differs_are_left_out(lexicon):
    for word in ("frais", "pret", "interet", "cher", "populaire", "solde", "hausse", "baisse"):
        assert word not in lexicon.general, word
    assert lexicon.general["catastrophe"] < 0 < lexicon.general["remarquable"]


def test_positive_and_negative_words_are_summed_apart_and_squashed(lexicon):
    catastrophe, danger, succes = (lexicon.general[w] for w in ("catastrophe", "danger", "succes"))
    features = lexicon.general_polarity(tokens("une catastrophe, un danger mais un succes"))
    negative = -(catastrophe + danger)
    assert features[:4] == pytest.approx([succes / (1 + succes), negative / (1 + negative), 0.0, 0.0])
    assert features[4] == pytest.approx(math.tanh(succes - negative))


def test_a_word_within_three_tokens_after_a_negator_counts_as_negated(lexicon):
    value = -lexicon.general["catastrophe"]
    near = lexicon.general_polarity(tokens("ce n est pas une catastrophe"))
    assert near == pytest.approx([0.0, 0.0, 0.0, value / (1 + value), 0.0])
    far = lexicon.general_polarity(tokens("pas du tout mais alors une catastrophe"))
    assert far[1] == pytest.approx(value / (1 + value)) and far[3] == 0.0


def test_the_five_general_features_close_the_lexicon_features(lexicon):
    reading, values = lexicon.features_and_reading("un partenariat fructueux")
    assert len(values) == len(Lexicon.FEATURES)
    assert values[-5:] == lexicon.general_polarity(tokens("un partenariat fructueux"))
    assert not any("fructueux" in cue for cue in reading.cues)
