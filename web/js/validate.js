// Client-side checks mirroring the API's (ventanilla.rules.forms): same rules, earlier feedback; and
// the controls of a request type's own form (catalog fields).
import { t, pick } from './i18n.js';
import { field } from './forms.js';

const RUT_RE = /^(\d{1,2}(?:\.?\d{3}){2})-?([\dkK])$/;

/** Chilean RUT with its modulo-11 check digit (12.345.678-5). */
export function rutIsValid(raw) {
  const m = RUT_RE.exec(String(raw).trim());
  if (!m) return false;
  const digits = m[1].replaceAll('.', '');
  let total = 0;
  let factor = 2;
  for (const d of [...digits].reverse()) {
    total += Number(d) * factor;
    factor = factor === 7 ? 2 : factor + 1;
  }
  const check = 11 - (total % 11);
  const expected = check === 11 ? '0' : check === 10 ? 'K' : String(check);
  return m[2].toUpperCase() === expected;
}

export function emailIsValid(raw) {
  const s = String(raw).trim();
  return s.length <= 254 && /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(s);
}

/** Loose: digits and separators, 8 to 15 digits. The API checks it is a mobile (SMS) number. */
export function phoneLooksValid(raw) {
  const s = String(raw).trim();
  const digits = s.replace(/\D/g, '');
  return /^\+?[0-9 ()\-./]+$/.test(s) && digits.length >= 8 && digits.length <= 15;
}

/** The errors of a required text of at most `max` characters, for a checkedForm's `check`. */
export function textProblems(name, text, max, requiredKey = 'val.required') {
  if (!text.trim()) return [{ field: name, message: t(requiredKey) }];
  return text.trim().length > max ? [{ field: name, message: t('val.max_length', { n: max }) }] : [];
}

const blank = (v) => v == null || (typeof v === 'string' && !v.trim()) || v === false;

/** The error message for one catalog field and its value, or ''. */
export function checkField(field, value) {
  if (blank(value)) {
    if (!field.required) return '';
    // The message names the field: "Complete «Dirección»", not "This field is required" x4.
    const label = pick(field.label);
    if (!label) return t('val.required');
    return t(
      field.kind === 'select' || field.kind === 'radio'
        ? 'val.choose_named'
        : field.kind === 'checkbox'
          ? 'val.check_named'
          : 'val.fill_named',
      { label },
    );
  }
  if (field.kind === 'checkbox' || field.kind === 'number') {
    if (field.kind === 'number' && !Number.isFinite(Number(value))) return t('val.number');
    return '';
  }
  const text = String(value).trim();
  if (field.max_length && text.length > field.max_length) return t('val.max_length', { n: field.max_length });
  if (field.kind === 'email' && !emailIsValid(text)) return t('val.email');
  if (field.kind === 'phone' && !phoneLooksValid(text)) return t('val.phone');
  if (field.kind === 'rut' && !rutIsValid(text)) return t('val.rut');
  if (field.kind === 'date' && Number.isNaN(Date.parse(text))) return t('val.date');
  if (field.kind === 'select' && !(field.options || []).some((o) => o.value === text)) return t('val.select');
  return '';
}

/** A catalog field's value as the API wants it (numbers as numbers, booleans as booleans). */
export function toApiValue(field, raw) {
  if (field.kind === 'checkbox') return Boolean(raw);
  if (blank(raw)) return undefined;
  if (field.kind === 'number') return Number(raw);
  return String(raw).trim();
}

/** A field of a request type's own form (the catalog's `fields`), named `form.<name>` as the API
 * names it; `extra` adds or overrides options (inputmode, ...). */
export function catalogField(f, value, onInput, extra = {}) {
  return field({
    name: `form.${f.name}`,
    label: pick(f.label),
    kind: f.kind,
    required: f.required,
    hint: pick(f.help),
    value,
    options: (f.options || []).map((o) => ({ value: o.value, label: pick(o.label) })),
    onInput,
    ...extra,
  });
}
