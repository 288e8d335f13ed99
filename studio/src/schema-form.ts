/**
 * A form made from a JSON Schema (a signal's or an input's): strings, numbers, integers, booleans,
 * enums and objects of those get fields; anything else gets a JSON text box.
 */
import { h } from './dom.js';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; description?: string; title?: string };

export interface SchemaForm {
  readonly element: HTMLElement;
  /** The value typed, or throws an Error with a message for people. */
  value(): unknown;
}

let formCount = 0;

export function schemaForm(schema: unknown, idPrefix: string): SchemaForm {
  const s = (schema ?? {}) as Schema;
  const prefix = `${idPrefix}-${++formCount}`;
  if (s.type === 'object' && s.properties && Object.values(s.properties).every(simple)) {
    const fields = Object.entries(s.properties).map(([name, sub]) => field(name, sub, (s.required ?? []).includes(name), `${prefix}-${name}`));
    return {
      element: h('div', { class: 'schema-form' }, ...fields.map((f) => f.element)),
      value: () => {
        const out: Record<string, unknown> = {};
        for (const f of fields) {
          const v = f.value();
          if (v !== undefined) out[f.name] = v;
        }
        return out;
      },
    };
  }
  const area = h('textarea', { id: `${prefix}-json`, rows: 5, spellcheck: 'false' }, s.type === 'object' || !s.type ? '{}' : '');
  return {
    element: h('div', { class: 'schema-form' }, h('label', { for: `${prefix}-json` }, 'Value (JSON)'), area),
    value: () => {
      try {
        return area.value.trim() === '' ? null : JSON.parse(area.value);
      } catch {
        throw new Error('the value is not valid JSON: check quotes, commas and braces');
      }
    },
  };
}

function simple(schema: Schema): boolean {
  return schema.enum !== undefined || ['string', 'number', 'integer', 'boolean'].includes(String(schema.type));
}

function field(name: string, schema: Schema, required: boolean, id: string): { name: string; element: HTMLElement; value: () => unknown } {
  const label = h('label', { for: id }, schema.title ?? name, required ? h('span', { class: 'required' }, ' (required)') : null);
  const help = schema.description ? h('small', {}, schema.description) : null;
  if (schema.enum) {
    const select = h('select', { id }, required ? null : h('option', { value: '' }, '—'), ...schema.enum.map((v, i) => h('option', { value: String(i) }, String(v))));
    return { name, element: h('div', { class: 'field' }, label, select, help), value: () => (select.value === '' ? undefined : schema.enum?.[Number(select.value)]) };
  }
  if (schema.type === 'boolean') {
    const box = h('input', { id, type: 'checkbox' });
    return { name, element: h('div', { class: 'field check' }, box, label, help), value: () => box.checked };
  }
  const numeric = schema.type === 'number' || schema.type === 'integer';
  const input = h('input', { id, type: numeric ? 'number' : 'text', step: schema.type === 'integer' ? '1' : 'any', required });
  return {
    name,
    element: h('div', { class: 'field' }, label, input, help),
    value: () => {
      if (input.value === '') {
        if (required) throw new Error(`“${name}” is required`);
        return undefined;
      }
      if (!numeric) return input.value;
      const n = Number(input.value);
      if (!Number.isFinite(n) || (schema.type === 'integer' && !Number.isInteger(n))) throw new Error(`“${name}” must be ${schema.type === 'integer' ? 'a whole number' : 'a number'}`);
      return n;
    },
  };
}
