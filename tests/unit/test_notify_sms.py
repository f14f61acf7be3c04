"""GSM-7 awareness: alphabet, segment counting at every boundary, transliteration and trimming."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.notify.errors import NotifyError
from ventanilla.notify.sms import (
    BODY_END,
    BODY_START,
    GSM7_BASIC,
    GSM7_EXTENSION,
    fit_sms,
    is_gsm7,
    mark_body,
    segments,
    to_gsm7,
)

NUMBER = "2026-000123"
LINK = "https://vt.example.cl/s/Ab3dE9"
OPT_OUT = "https://vt.example.cl/b/Xy12Zk"


# -- alphabet --------------------------------------------------------------------------------
def test_basic_table_has_the_128_positions_minus_escape() -> None:
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10


@pytest.mark.parametrize("char", sorted(GSM7_BASIC))
def test_every_basic_character_is_gsm7_and_costs_one(char: str) -> None:
    assert is_gsm7(char)
    assert segments(char * 160) == 1
    assert segments(char * 161) == 2


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_every_extension_character_costs_two_septets(char: str) -> None:
    assert is_gsm7(char)
    assert segments(char * 80) == 1
    assert segments(char * 81) == 2
    assert segments("a" * 159 + char) == 2


@pytest.mark.parametrize("char", list("éùìòÉñÑüÜà¿¡ÄÖäöÇ"))
def test_spanish_letters_in_gsm7(char: str) -> None:
    assert is_gsm7(char)
    assert to_gsm7(char) == char


@pytest.mark.parametrize(
    ("char", "plain"),
    [("á", "a"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("Á", "A"), ("Í", "I"), ("Ó", "O"), ("Ú", "U"),
     ("È", "E"), ("ç", "c"), ("ê", "e"), ("ã", "a"), ("«", '"'), ("»", '"'), ("“", '"'), ("”", '"'),
     ("’", "'"), ("–", "-"), ("—", "-"), ("…", "..."), ("\u00a0", " "), ("º", "o"), ("ª", "a")],
)  # fmt: skip
def test_non_gsm7_characters_are_transliterated(char: str, plain: str) -> None:
    assert not is_gsm7(char)
    assert to_gsm7(char) == plain
    assert is_gsm7(to_gsm7(char))


def test_spanish_sentence_stays_in_gsm7_after_transliteration() -> None:
    text = (
        "¿Cómo está? Su solicitud Nº 2026-000123 está en revisión; ¡gracias por su paciencia, señora Núñez!"
    )
    assert not is_gsm7(text)
    out = to_gsm7(text)
    expected = (
        "¿Como esta? Su solicitud No 2026-000123 esta en revision; ¡gracias por su paciencia, señora Nuñez!"
    )
    assert out == expected
    assert is_gsm7(out)


def test_characters_without_gsm7_form_are_kept() -> None:
    assert to_gsm7("Hola 😀 你好") == "Hola 😀 你好"
    assert not is_gsm7(to_gsm7("😀"))


SPANISH = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnñopqrstuvwxyzABCÑZáéíóúüÁÉÍÓÚÜ¿?¡!.,;:- 0123456789«»“”")),
    max_size=300,
)


@given(SPANISH)
def test_any_spanish_text_becomes_gsm7(text: str) -> None:
    out = to_gsm7(text)
    assert is_gsm7(out)
    assert len(out) >= len(text)


@given(st.text(alphabet=st.sampled_from(sorted(GSM7_BASIC | GSM7_EXTENSION)), max_size=200))
def test_gsm7_text_is_left_untouched(text: str) -> None:
    assert to_gsm7(text) == text


# -- segments --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("length", "expected"),
    [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_boundaries(length: int, expected: int) -> None:
    assert segments("a" * length) == expected


@pytest.mark.parametrize(
    ("length", "expected"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_boundaries(length: int, expected: int) -> None:
    assert segments("á" * length) == expected


def test_one_non_gsm7_character_switches_the_whole_text_to_ucs2() -> None:
    assert segments("a" * 100) == 1
    assert segments("a" * 99 + "á") == 2


def test_escape_sequence_is_never_split_across_segments() -> None:
    # 306 septets would fit in two 153-septet parts, but the euro sign cannot straddle them.
    text = "a" * 152 + "€" + "a" * 152
    assert sum(2 if c == "€" else 1 for c in text) == 306
    assert segments(text) == 3
    assert segments("a" * 151 + "€" + "a" * 153) == 2


def test_surrogate_pairs_count_two_and_are_never_split() -> None:
    assert segments("😀" * 35) == 1
    assert segments("😀" * 36) == 2
    assert segments("á" * 66 + "😀" + "á" * 66) == 3
    assert segments("á" * 65 + "😀" + "á" * 67) == 2


# -- fit_sms ---------------------------------------------------------------------------------
def test_text_that_fits_is_returned_unchanged() -> None:
    text = f"Solicitud {NUMBER} recibida. {LINK}"
    assert fit_sms(text) == text
    assert fit_sms(f"Hola {mark_body('corto')} {LINK}") == f"Hola corto {LINK}"


def test_marked_body_is_trimmed_with_ellipsis_and_protected_parts_kept() -> None:
    body = "La cuadrilla de alumbrado visitará el pasaje el jueves entre 9 y 13 horas. " * 10
    text = to_gsm7(f"Municipalidad, solicitud {NUMBER}: {mark_body(body)} Ver: {LINK} Baja: {OPT_OUT}")
    out = fit_sms(text, 2)
    assert segments(out) == 2
    assert out.startswith(f"Municipalidad, solicitud {NUMBER}: La cuadrilla")
    assert out.endswith(f"... Ver: {LINK} Baja: {OPT_OUT}")
    assert BODY_START not in out and BODY_END not in out
    assert "  " not in out


def test_cut_happens_at_a_word_boundary() -> None:
    body = " ".join(["palabra"] * 80)
    out = fit_sms(f"{NUMBER} {mark_body(body)} {LINK}", 1)
    kept = out.split("...")[0].removeprefix(f"{NUMBER} ")
    assert set(kept.split(" ")) == {"palabra"}


def test_ucs2_text_gets_the_single_character_ellipsis() -> None:
    body = "Respuesta con emoji 😀 " * 20
    out = fit_sms(f"{NUMBER}: {mark_body(body)} {LINK}", 2)
    assert "…" in out and "..." not in out
    assert segments(out) <= 2
    assert LINK in out


def test_unmarked_text_trims_the_longest_free_stretch_but_not_links_or_numbers() -> None:
    filler = "texto largo de la respuesta " * 20
    text = f"Aviso {NUMBER}: {filler} Vea {LINK} Baja {OPT_OUT}"
    out = fit_sms(text, 2)
    assert segments(out) <= 2
    assert NUMBER in out and LINK in out and OPT_OUT in out
    assert "..." in out


def test_extra_protected_strings_are_kept() -> None:
    text = "x " * 100 + "CODIGO-K7P4 " + "y " * 100
    out = fit_sms(text, 1, protect=["CODIGO-K7P4"])
    assert "CODIGO-K7P4" in out
    assert segments(out) == 1


def test_a_long_link_in_the_middle_is_never_cut() -> None:
    long_link = "https://ventanilla.example.gob.cl/solicitudes/" + NUMBER + "?codigo=K7P4-9XQ2&x=" + "a" * 60
    text = f"{NUMBER} {mark_body('bla ' * 100)} {long_link} fin"
    out = fit_sms(text, 2)
    assert long_link in out
    assert segments(out) <= 2


def test_when_protected_parts_alone_do_not_fit_it_fails_loudly() -> None:
    links = " ".join(f"https://example.cl/{i}/" + "a" * 40 for i in range(8))
    with pytest.raises(NotifyError) as err:
        fit_sms(f"{NUMBER} {mark_body('cuerpo')} {links}", 1)
    assert err.value.code == "sms_too_long"
    assert "segmentos" in str(err.value) and "segments" in str(err.value)


def test_max_segments_must_be_positive() -> None:
    with pytest.raises(ValueError):
        fit_sms("hola", 0)


@settings(max_examples=150)
@given(body=SPANISH | st.text(max_size=600), max_segments=st.integers(min_value=1, max_value=3))
def test_fit_sms_always_fits_and_keeps_number_and_links(body: str, max_segments: int) -> None:
    text = f"Muni: solicitud {NUMBER}: {mark_body(body)} Ver {LINK} Baja {OPT_OUT}"
    out = fit_sms(text, max_segments)
    assert segments(out) <= max_segments
    assert NUMBER in out and LINK in out and OPT_OUT in out
    assert out.startswith("Muni: solicitud ")
    assert BODY_START not in out and BODY_END not in out
