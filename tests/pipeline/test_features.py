"""Character n-grams ignore layout punctuation; questions, exclamations and apostrophes stay."""
from veilleur.pipeline.features import char_features, char_words


def test_layout_punctuation_is_not_part_of_character_ngrams():
    assert char_words('titre : sous-titre « ok » (bof) a/b') == ["titre", "sous", "titre", "ok", "bof", "a", "b"]
    assert not any(":" in gram or "«" in gram for gram in char_features("alerte : «danger»"))


def test_question_and_exclamation_marks_and_elisions_stay():
    assert char_words("c'est vrai ?! bof...") == ["c'est", "vrai", "?!", "bof..."]
    assert " ?! " in char_features("vrai ?!")
