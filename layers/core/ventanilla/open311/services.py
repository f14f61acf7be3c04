"""The catalog as GeoReport services: one service per subtype that citizens may file, the
subtype's form fields as the service definition's attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ventanilla.i18n import Lang
from ventanilla.models.catalog import FormField, RequestType, Subtype
from ventanilla.open311.wire import Open311Error
from ventanilla.storage import catalog as catalog_store

SEPARATOR = "_"
"""Between type and subtype codes in a service_code (codes have no "_", and no "." either, which
the format suffix needs)."""

DATATYPES: dict[str, str] = {
    "text": "string",
    "email": "string",
    "phone": "string",
    "rut": "string",
    "textarea": "text",
    "number": "number",
    "date": "datetime",
    "select": "singlevaluelist",
    "checkbox": "singlevaluelist",
}
"""Form field kinds as GeoReport datatypes (no kind is a multiple choice: multivaluelist is unused)."""
YES_NO = {"es": ("Sí", "No"), "en": ("Yes", "No")}


@dataclass(frozen=True)
class Service:
    rtype: RequestType
    subtype: Subtype

    @property
    def code(self) -> str:
        return f"{self.rtype.code}{SEPARATOR}{self.subtype.code}"


def open_services(types: list[RequestType] | None = None) -> dict[str, Service]:
    """Every subtype of the types external requesters may file, by service_code, in catalog order."""
    types = catalog_store.list_types() if types is None else types
    out: dict[str, Service] = {}
    for rtype in sorted(types, key=lambda t: (t.order, t.code)):
        if "external" not in rtype.audiences:
            continue
        for subtype in rtype.subtypes:
            service = Service(rtype, subtype)
            out[service.code] = service
    return out


def find(code: str, services: dict[str, Service] | None = None) -> Service:
    found = (services if services is not None else open_services()).get(code)
    if found is None:
        raise Open311Error(
            404, (f"service_code {code[:80]} no existe", f"service_code {code[:80]} not found")
        )
    return found


def service_entry(service: Service, lang: Lang) -> dict[str, Any]:
    description = service.subtype.description or service.rtype.description or service.subtype.name
    return {
        "service_code": service.code,
        "service_name": service.subtype.name.in_lang(lang),
        "description": description.in_lang(lang),
        "metadata": bool(service.subtype.fields),
        "type": "realtime",
        "keywords": ", ".join((service.rtype.code, service.subtype.code)),
        "group": service.rtype.name.in_lang(lang),
    }


ADDRESS_FIELDS = frozenset({"direccion", "domicilio", "address"})
"""Form fields that hold where the problem is: a GeoReport client sends that as the standard
``address_string`` (or ``lat``/``long``) and knows nothing of our attribute, so the field is
optional to it and filled from the location (:func:`ventanilla.open311.intake.form_values`)."""

_FROM_LOCATION = {
    "es": "Si no se envía, se usa address_string (o lat y long).",
    "en": "When not sent, address_string (or lat and long) is used.",
}


def from_location(f: FormField) -> bool:
    return f.kind == "text" and f.name in ADDRESS_FIELDS


def _attribute(f: FormField, order: int, lang: Lang) -> dict[str, Any]:
    help_text = f.help.in_lang(lang) if f.help else ""
    if from_location(f):
        help_text = " ".join(filter(None, (help_text, _FROM_LOCATION[lang])))
    entry: dict[str, Any] = {
        "variable": True,
        "code": f.name,
        "datatype": DATATYPES[f.kind],
        "required": f.required and not from_location(f),
        "datatype_description": help_text,
        "order": order,
        "description": f.label.in_lang(lang),
    }
    if f.kind == "select":
        entry["values"] = [{"key": o.value, "name": o.label.in_lang(lang)} for o in f.options]
    elif f.kind == "checkbox":
        yes, no = YES_NO[lang]
        entry["values"] = [{"key": "true", "name": yes}, {"key": "false", "name": no}]
    return entry


def definition(service: Service, lang: Lang) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [_attribute(f, i + 1, lang) for i, f in enumerate(service.subtype.fields)],
    }
