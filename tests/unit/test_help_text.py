"""Spanish normalisation, synonyms and spelling helpers shared by the search engines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ventanilla.help.search.text import (
    Synonyms,
    Vocabulary,
    default_synonyms,
    edit_distance,
    fold,
    max_edits,
    stem,
    words,
)


def test_fold_ignores_case_and_accents_and_n_tilde() -> None:
    assert fold("Licéncia") == fold("LICENCIA") == "licencia"
    assert fold("CONTRASEÑA") == "contrasena"
    assert fold("Árbol Caído, pingüino") == "arbol caido, pinguino"


@given(st.text(max_size=60))
def test_fold_is_idempotent_and_words_never_fail(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert all(w and w == fold(w) for w in words(text))


def test_words_split_on_punctuation_and_keep_digits() -> None:
    assert words("¿Cuánto cuesta la Ley 20.285? <b>OIRS</b>") == [
        "cuanto",
        "cuesta",
        "la",
        "ley",
        "20",
        "285",
        "b",
        "oirs",
        "b",
    ]
    assert words("🙂 *** ~~") == []


def test_stem_matches_plural_accent_and_case() -> None:
    assert stem("licencias") == stem("licencia") == stem(fold("LICÉNCIA"))
    assert stem("contraseñas") == stem("contrasena")
    assert stem("de") == ""  # stop word


def test_max_edits_follows_word_length() -> None:
    # None up to 4 letters ("boda" must not find "poda"), 1 for 5-8, 2 from 9.
    assert [max_edits(w) for w in ("luz", "agua", "boda", "sivil", "licencia", "recolecion", "2026")] == [
        0,
        0,
        0,
        1,
        1,
        2,
        0,
    ]


def test_edit_distance_counts_swaps_once_and_stops_early() -> None:
    assert edit_distance("condusir", "conducir") == 1
    assert edit_distance("patnete", "patente") == 1
    assert edit_distance("lisensia", "licencia") == 2
    assert edit_distance("agua", "licencia", limit=2) == 3


def test_synonym_file_parses_groups_and_comments() -> None:
    syn = Synonyms.parse("# comentario\nLuz, Energía Eléctrica , electricidad\n\nsolo\nboleta, factura # fin")
    assert syn.groups == [
        (("luz",), ("energia", "electrica"), ("electricidad",)),
        (("boleta",), ("factura",)),
    ]
    assert syn.as_rules() == ["luz, energia electrica, electricidad", "boleta, factura"]


def test_expansion_prefers_longest_phrase_and_uses_key() -> None:
    syn = Synonyms.parse("licencia de conducir, carnet de manejar\nlicencia, permiso")
    found = syn.expand(["sacar", "licencias", "de", "conducir"], key=lambda w: stem(w))
    assert len(found) == 1 and (found[0].start, found[0].end) == (1, 4)
    assert found[0].alternatives == (("carnet", "de", "manejar"),)
    assert syn.expand(["licencia"])[0].alternatives == (("permiso",),)


def test_default_synonyms_cover_the_content() -> None:
    syn = default_synonyms()
    assert len(syn.groups) >= 30
    flat = {" ".join(p) for g in syn.groups for p in g}
    assert {
        "luz",
        "energia electrica",
        "contrasena",
        "clave",
        "password",
        "carnet",
        "cedula",
        "boleta",
    } <= flat


def test_vocabulary_corrects_typos_from_known_words_only() -> None:
    vocab = Vocabulary()
    vocab.add(words("licencia de conducir licencia certificado de residencia contraseña"))
    assert vocab.correct("lisencia") == "licencia"
    assert vocab.correct("condusir") == "conducir"
    assert vocab.correct("sertificado") == "certificado"
    assert vocab.correct("licencia") is None  # known
    assert vocab.correct("xyz") is None and vocab.correct("2026") is None
    vocab.subtract(words("certificado"))
    assert vocab.correct("sertificado") is None and "certificado" not in vocab
