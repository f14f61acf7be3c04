"""Phone numbers and email addresses are normalised or refused with a clear bilingual message."""

from __future__ import annotations

import pytest

from ventanilla.notify.contacts import normalize_email, normalize_phone
from ventanilla.notify.errors import NotifyError


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+56 9 6123 4567", "CL", "+56961234567"),
        ("9 6123 4567", "CL", "+56961234567"),
        ("  (9) 6123-4567 ", "CL", "+56961234567"),
        ("+56.9.6123.4567", "CL", "+56961234567"),
        ("+57 321 1234567", "CL", "+573211234567"),
        ("321 1234567", "CO", "+573211234567"),
        ("+54 9 11 2345-6789", "CL", "+5491123456789"),
        ("+51 912 345 678", "cl", "+51912345678"),
        ("222 123 4567", "MX", "+522221234567"),  # Mexico: fixed-or-mobile, SMS capable
    ],
)
def test_mobile_numbers_become_e164(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, default_region=region) == expected


def test_default_region_is_chile() -> None:
    assert normalize_phone("961234567") == "+56961234567"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_empty"),
        ("   ", "phone_empty"),
        ("abc", "phone_invalid"),
        ("1-800-FLOWERS", "phone_invalid"),
        ("+56 9 6123 456#", "phone_invalid"),
        ("+56 9 123", "phone_invalid"),
        ("12", "phone_invalid"),
        ("+56 9 6123 4567 9999 9999 9999 9999 9999", "phone_invalid"),
        ("+999 1234 5678", "phone_invalid"),
        ("+57 601 2345678", "phone_not_mobile"),  # Bogotá landline
        ("+54 11 2345-6789", "phone_not_mobile"),  # Buenos Aires landline
        ("+56 800 123 456", "phone_not_mobile"),  # toll free
    ],
)
def test_bad_phones_are_refused_in_spanish_and_english(raw: str, code: str) -> None:
    with pytest.raises(ValueError) as err:
        normalize_phone(raw)
    assert isinstance(err.value, NotifyError)
    assert err.value.code == code
    assert "+56 9 6123 4567" in err.value.es and "+56 9 6123 4567" in err.value.en
    assert err.value.es in str(err.value) and err.value.en in str(err.value)
    assert err.value.message("en") == err.value.en and err.value.message("es") == err.value.es


def test_not_mobile_message_says_why() -> None:
    with pytest.raises(NotifyError) as err:
        normalize_phone("+57 601 2345678")
    assert "móvil" in err.value.es and "SMS" in err.value.es
    assert "mobile" in err.value.en


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("maria.perez@municipio.cl", "maria.perez@municipio.cl"),
        ("  Maria.Perez@Municipio.GOB.CL ", "Maria.Perez@municipio.gob.cl"),
        ("vecino+avisos@correo.example.com", "vecino+avisos@correo.example.com"),
        ("o'higgins@ejemplo.cl", "o'higgins@ejemplo.cl"),
        ("vecino@peñalolén.cl", "vecino@xn--pealoln-gya1e.cl"),
    ],
)
def test_good_emails_are_normalised(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "email_empty"),
        ("maria", "email_at"),
        ("maria@@municipio.cl", "email_at"),
        ("a@b@municipio.cl", "email_at"),
        ("maria perez@municipio.cl", "email_spaces"),
        ("maria@muni cipio.cl", "email_spaces"),
        ("maria@municipio.cl\x00", "email_spaces"),
        ("@municipio.cl", "email_local"),
        (".maria@municipio.cl", "email_local"),
        ("maria.@municipio.cl", "email_local"),
        ("ma..ria@municipio.cl", "email_local"),
        ("maría@municipio.cl", "email_local"),
        ('"maria"@municipio.cl', "email_local"),
        ("a" * 65 + "@municipio.cl", "email_local"),
        ("maria@municipio", "email_domain"),
        ("maria@", "email_domain"),
        ("maria@-municipio.cl", "email_domain"),
        ("maria@municipio-.cl", "email_domain"),
        ("maria@municipio..cl", "email_domain"),
        ("maria@municipio.c1", "email_domain"),
        ("maria@municipio_x.cl", "email_domain"),
        ("maria@[127.0.0.1]", "email_domain"),
        ("a@" + "b" * 250 + ".cl", "email_too_long"),
    ],
)
def test_bad_emails_are_refused_with_a_reason(raw: str, code: str) -> None:
    with pytest.raises(ValueError) as err:
        normalize_email(raw)
    assert isinstance(err.value, NotifyError)
    assert err.value.code == code
    assert err.value.es.startswith("Correo electrónico no válido: ")
    assert err.value.en.startswith("Invalid email address: ")


def test_max_length_is_254() -> None:
    local = "a" * 64
    domain = ".".join(["b" * 60] * 3) + "." + "c" * (254 - 65 - 183)
    address = f"{local}@{domain}"
    assert len(address) == 254
    assert normalize_email(address) == address
    with pytest.raises(NotifyError):
        normalize_email(address + "c")
