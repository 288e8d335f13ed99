/**
 * A form made from a JSON Schema for "Try it": text, numbers, whole numbers, yes/no, choices and
 * nested groups get fields with labels in plain words (the schema's `title`, else the key made
 * readable), required ones marked and defaults filled in. Lists and shapes a form cannot draw well
 * (alternatives, several types) get a JSON box that says so.
 */
import { h } from '../dom.js';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly items?: unknown;
  readonly oneOf?: unknown;
  readonly anyOf?: unknown;
  readonly allOf?: unknown;
}

export interface FormPart {
  readonly element: HTMLElement;
  /** The value typed (undefined: left empty), or throws an Error whose message is for people. */
  value(): unknown;
}

let forms = 0;

/** `orderId` → "Order id", `ship_to` → "Ship to". */
export function plainWords(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]?.toUpperCase() + words.slice(1) : key;
}

/** The whole form for a schema (an input's or a signal's); `what` names it in messages ("the input"). */
export function inputForm(schema: unknown, idPrefix: string, what: string): FormPart {
  const id = `${idPrefix}-${++forms}`;
  if (schema === undefined || schema === null || schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0)) {
    return jsonBox(id, what, undefined, `This flow does not describe ${what}: type it as JSON, or leave it empty.`, false);
  }
  return part(schema as JsonSchema, id, what, true, true);
}

function part(schema: JsonSchema, id: string, label: string, required: boolean, top: boolean): FormPart {
  if (schema.enum) return choice(schema, id, label, required);
  const type = Array.isArray(schema.type) ? undefined : (schema.type as string | undefined);
  const drawable = schema.oneOf === undefined && schema.anyOf === undefined && schema.allOf === undefined;
  if (drawable && type === 'object' && schema.properties) return group(schema, id, label, required, top);
  if (drawable && (type === 'string' || type === 'number' || type === 'integer')) return textField(schema, id, label, required, type);
  if (drawable && type === 'boolean') return yesNo(schema, id, label);
  const why =
    type === 'array'
      ? `${label} is a list: type it as JSON, e.g. ["first", "second"].`
      : `${label} has a shape this form cannot draw: type it as JSON.`;
  return jsonBox(id, label, schema.default, why, required);
}

function labelFor(id: string, text: string, required: boolean): HTMLLabelElement {
  return h('label', { for: id }, text, required ? h('span', { class: 'required' }, ' (required)') : null);
}

function help(schema: JsonSchema, id: string): HTMLElement | null {
  return schema.description && schema.description !== schema.title ? h('small', { id: `${id}-help`, class: 'help' }, schema.description) : null;
}

function group(schema: JsonSchema, id: string, label: string, required: boolean, top: boolean): FormPart {
  const needed = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, sub]) => ({
    key,
    part: part(sub, `${id}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`, sub.title ?? plainWords(key), needed.has(key), false),
  }));
  const body = fields.map((f) => f.part.element);
  const element = top
    ? h('div', { class: 'try-form' }, ...body)
    : h('fieldset', { class: 'try-group' }, h('legend', {}, label, required ? h('span', { class: 'required' }, ' (required)') : null), help(schema, id), ...body);
  return {
    element,
    value: () => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const v = f.part.value();
        if (v !== undefined) out[f.key] = v;
      }
      // An optional group left entirely empty is left out, rather than sent as {}.
      return Object.keys(out).length === 0 && !required && !top ? undefined : out;
    },
  };
}

function choice(schema: JsonSchema, id: string, label: string, required: boolean): FormPart {
  const options = schema.enum ?? [];
  const preset = options.findIndex((v) => JSON.stringify(v) === JSON.stringify(schema.default));
  const select = h(
    'select',
    { id, ...(schema.description ? { 'aria-describedby': `${id}-help` } : {}) },
    required && preset >= 0 ? null : h('option', { value: '' }, required ? 'choose one' : '(none)'),
    ...options.map((v, i) => h('option', { value: String(i), selected: i === preset }, typeof v === 'string' ? v : JSON.stringify(v))),
  );
  return {
    element: h('div', { class: 'field' }, labelFor(id, label, required), select, help(schema, id)),
    value: () => {
      if (select.value === '') {
        if (required) throw new Error(`“${label}” is required: choose one`);
        return undefined;
      }
      return options[Number(select.value)];
    },
  };
}

function yesNo(schema: JsonSchema, id: string, label: string): FormPart {
  const box = h('input', { id, type: 'checkbox', checked: schema.default === true, ...(schema.description ? { 'aria-describedby': `${id}-help` } : {}) });
  return { element: h('div', { class: 'field check' }, box, labelFor(id, label, false), help(schema, id)), value: () => box.checked };
}

function textField(schema: JsonSchema, id: string, label: string, required: boolean, type: 'string' | 'number' | 'integer'): FormPart {
  const numeric = type !== 'string';
  const input = h('input', {
    id,
    type: numeric ? 'number' : 'text',
    ...(numeric ? { step: type === 'integer' ? '1' : 'any' } : {}),
    value: schema.default === undefined ? null : String(schema.default),
    required,
    ...(schema.description ? { 'aria-describedby': `${id}-help` } : {}),
  });
  return {
    element: h('div', { class: 'field' }, labelFor(id, label, required), input, help(schema, id)),
    value: () => {
      if (input.value === '') {
        if (required) throw new Error(`“${label}” is required`);
        return undefined;
      }
      if (!numeric) return input.value;
      const n = Number(input.value);
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw new Error(`“${label}” must be ${type === 'integer' ? 'a whole number' : 'a number'}`);
      return n;
    },
  };
}

function jsonBox(id: string, label: string, preset: unknown, why: string, required: boolean): FormPart {
  const area = h('textarea', { id, rows: 4, spellcheck: 'false', 'aria-describedby': `${id}-why` }, preset === undefined ? '' : JSON.stringify(preset, null, 2));
  return {
    element: h('div', { class: 'field' }, labelFor(id, `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} (JSON)`, required), h('small', { id: `${id}-why`, class: 'help' }, why), area),
    value: () => {
      if (area.value.trim() === '') {
        if (required) throw new Error(`${label} is required`);
        return undefined;
      }
      try {
        return JSON.parse(area.value);
      } catch {
        throw new Error(`${label} is not valid JSON: check the quotes, commas and brackets`);
      }
    },
  };
}
