/**
 * The step palette: the step kinds the language has, each in one line; choosing one opens a form
 * made from that kind's schema, and the step goes into the text after the step the cursor is in
 * (or at the end of the flow's steps). The same form edits the step the cursor is in.
 */
import type { EditorView } from '@codemirror/view';
import { parse, stringify } from 'yaml';
import { codeText, h, mount } from './dom.js';
import { kindWords, resolve, stepKinds, type JsonSchema, type StepKind } from './schema-help.js';
import { SCHEMA } from './schema.js';
import { insertStep, replaceStep, stepAt, type StepInText, type TextEdit } from './step-insert.js';

/** Plain labels for the keys whose names say least to a non-developer; the others are their words split. */
const PLAIN_LABELS: Record<string, string> = {
  call: 'Activity to run',
  with: 'Input for the activity',
  steps: 'Steps, in order',
  parallel: 'Branches, run at the same time',
  forEach: 'List to go through',
  as: 'Name of each item',
  indexAs: 'Name of its position',
  switch: 'Cases',
  repeat: 'Repeat until',
  wait: 'How long to wait',
  waitSignal: 'Signal to wait for',
  set: 'Values to set',
  workflow: 'Flow to run',
  try: 'Steps to try',
  compensate: 'Undo',
  fail: 'Fail with',
  return: 'Result',
  continueAsNew: 'Start again with fresh history',
  id: 'Step id',
  name: 'Label',
  if: 'Only if',
  timeout: 'Time limit',
  retry: 'Retries',
  catch: 'When it fails',
  assign: 'Save into variables',
};

export function plainLabel(key: string): string {
  if (PLAIN_LABELS[key]) return PLAIN_LABELS[key];
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function firstSentence(text: string | undefined): string {
  if (!text) return '';
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d)|P(?:[0-9]+W|(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?))$/;

interface StepField {
  readonly key: string;
  readonly element: HTMLElement;
  /** The value typed (undefined when left empty); throws an Error in plain words when it cannot be read. */
  read(): unknown;
}

/** One field for `key`, shaped by its schema: a list, a checkbox, a number, a line of text, or a YAML box. */
function stepField(key: string, property: JsonSchema | undefined, required: boolean, current: unknown, id: string): StepField {
  const alternatives = (property?.oneOf ?? property?.anyOf ?? [property]).map((a) => resolve(SCHEMA, a)).filter((a): a is JsonSchema => a !== undefined);
  const types = new Set(alternatives.flatMap((a) => (a.type === undefined ? [] : typeof a.type === 'string' ? [a.type] : a.type)));
  const isDuration = alternatives.some((a) => a.definition === 'duration');
  const example = alternatives.flatMap((a) => a.examples ?? []).find((e) => typeof e !== 'object');
  const label = h('label', { for: id }, plainLabel(key), ' ', h('code', {}, key), required ? h('span', { class: 'required' }, ' (required)') : null);
  const help = property?.description ? h('small', { id: `${id}-help` }, ...codeText(firstSentence(property.description))) : null;
  const describedBy = help ? `${id}-help` : null;
  const wrap = (control: HTMLElement, check = false): HTMLElement => h('div', { class: check ? 'field check' : 'field' }, ...(check ? [control, label] : [label, control]), help);
  const scalarNow = current === undefined || typeof current !== 'object' || current === null;
  const enumValues = alternatives.flatMap((a) => a.enum ?? []);
  if (enumValues.length > 0 && scalarNow) {
    const select = h('select', { id, 'aria-describedby': describedBy }, h('option', { value: '' }, required ? 'choose…' : '(default)'), ...enumValues.map((v, i) => h('option', { value: String(i) }, String(v))));
    if (current !== undefined) select.value = String(enumValues.indexOf(current));
    return { key, element: wrap(select), read: () => (select.value === '' ? undefined : enumValues[Number(select.value)]) };
  }
  if (types.size === 1 && types.has('boolean') && scalarNow) {
    const box = h('input', { id, type: 'checkbox', 'aria-describedby': describedBy, checked: current === true });
    return { key, element: wrap(box, true), read: () => (box.checked ? true : undefined) };
  }
  const numeric = [...types].every((t) => t === 'integer' || t === 'number') && types.size > 0;
  const textual = types.has('string') || isDuration || numeric || alternatives.some((a) => a.definition === 'condition');
  if (textual && scalarNow) {
    const input = h('input', {
      id,
      type: numeric ? 'number' : 'text',
      step: types.has('integer') ? '1' : 'any',
      placeholder: example !== undefined ? `e.g. ${String(example)}` : isDuration ? 'e.g. 48h' : null,
      'aria-describedby': describedBy,
      value: current === undefined ? null : String(current),
    });
    return {
      key,
      element: wrap(input),
      read: () => {
        const value = input.value.trim();
        if (value === '') return undefined;
        if (numeric) {
          const n = Number(value);
          if (!Number.isFinite(n) || (types.has('integer') && !Number.isInteger(n))) throw new Error(`“${plainLabel(key)}” must be ${types.has('integer') ? 'a whole number' : 'a number'}`);
          return n;
        }
        if (isDuration && !DURATION.test(value)) {
          throw new Error(`“${plainLabel(key)}” is not a duration: write a number and a unit, such as 30s, 5m, 48h or 7d`);
        }
        return value;
      },
    };
  }
  // Maps, lists and free values: a small YAML box.
  const placeholder = example !== undefined ? String(example) : kindWords(SCHEMA, property) === 'list of steps' ? '- id: first\n  call: some.activity' : '';
  const shown = current === undefined ? '' : stringifyBlock(current);
  const area = h('textarea', { id, rows: Math.min(Math.max(3, shown.split('\n').length), 12), spellcheck: 'false', placeholder, 'aria-describedby': describedBy }, shown);
  return {
    key,
    element: wrap(area),
    read: () => {
      if (area.value.trim() === '') return undefined;
      try {
        return parse(area.value) as unknown;
      } catch (error) {
        throw new Error(`“${plainLabel(key)}” is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      }
    },
  };
}

function stringifyBlock(value: unknown): string {
  return typeof value === 'object' && value !== null ? stringify(value, { lineWidth: 0 }).replace(/\n$/, '') : String(value);
}

/** Keys every step kind has (id, name, if, timeout, retry…): shown under "More settings". */
function commonKeys(kinds: readonly StepKind[]): Set<string> {
  const [first, ...rest] = kinds;
  return new Set(Object.keys(first?.schema.properties ?? {}).filter((key) => rest.every((k) => k.schema.properties?.[key] !== undefined)));
}

/** An id not used yet in the text: `wait_1`, `wait_2`… */
function freshId(kind: string, text: string): string {
  for (let n = 1; ; n++) if (!new RegExp(`\\bid:\\s*${kind}_${n}\\b`).test(text)) return `${kind}_${n}`;
}

export function openPalette(view: EditorView, mode: 'add' | 'edit'): void {
  const text = view.state.doc.toString();
  const cursor = view.state.selection.main.head;
  const kinds = stepKinds(SCHEMA);
  const selected = stepAt(SCHEMA, text, cursor);
  const body = h('div', { class: 'palette-body' });
  const dialog = h('dialog', { class: 'modal wide', id: 'palette', 'aria-labelledby': 'palette-title' }, body);
  dialog.addEventListener('close', () => {
    dialog.remove();
    view.focus();
  });

  const place = selected ? `after the step ${selected.value.id ? `“${String(selected.value.id)}”` : 'the cursor is in'}` : 'at the end of the flow’s steps';
  const showKinds = (): void => {
    mount(
      body,
      h('h2', { id: 'palette-title' }, 'Add a step'),
      h('p', { class: 'muted' }, `It goes ${place}. Choose what the step does:`),
      h(
        'ul',
        { class: 'kinds' },
        ...kinds.map((kind) =>
          h('li', {}, h('button', { type: 'button', class: 'kind link', 'data-kind': kind.key, onclick: () => showForm(kind) }, h('code', {}, kind.key)), ' — ', ...codeText(firstSentence(kind.description))),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')),
    );
    (body.querySelector('button.kind') as HTMLElement | null)?.focus();
  };

  const showForm = (kind: StepKind, editing?: StepInText): void => {
    const common = commonKeys(kinds);
    const required = kind.schema.required ?? [];
    const own = Object.keys(kind.schema.properties ?? {}).filter((key) => !common.has(key) || required.includes(key));
    const mainKeys = ['id', ...required, ...own.filter((key) => !required.includes(key)), 'name'].filter((key, i, all) => all.indexOf(key) === i);
    const moreKeys = [...common].filter((key) => !mainKeys.includes(key));
    const values = editing?.value ?? { id: freshId(kind.key, text) };
    const field = (key: string): StepField => stepField(key, kind.schema.properties?.[key], required.includes(key), values[key], `step-${key}`);
    const mainFields = mainKeys.map(field);
    const moreFields = moreKeys.map(field);
    const error = h('p', { class: 'error', role: 'alert', id: 'palette-error' });
    const submit = (): void => {
      try {
        const step: Record<string, unknown> = {};
        for (const f of [...mainFields, ...moreFields]) {
          const value = f.read();
          if (value !== undefined) step[f.key] = value;
          else if (required.includes(f.key)) throw new Error(`“${plainLabel(f.key)}” is required`);
        }
        // Keys the form does not show (a hand-written `x-…`, say) are kept when editing.
        if (editing) for (const [key, value] of Object.entries(editing.value)) if (!(key in step) && !mainKeys.includes(key) && !moreKeys.includes(key)) step[key] = value;
        const edit: TextEdit | undefined = editing ? replaceStep(view.state.doc.toString(), editing.path, step) : insertStep(SCHEMA, view.state.doc.toString(), step, selected ? cursor : undefined);
        if (!edit) throw new Error('this step is written on one line ({ … }); edit it in the text');
        view.dispatch({ changes: edit, selection: { anchor: edit.from + edit.insert.length - 1 }, scrollIntoView: true });
        dialog.close();
      } catch (problem) {
        error.textContent = (problem as Error).message;
      }
    };
    const filled = moreKeys.some((key) => values[key] !== undefined);
    mount(
      body,
      h('h2', { id: 'palette-title' }, editing ? 'Edit the step ' : 'A new ', h('code', {}, kind.key), ' step'),
      h('p', { class: 'muted' }, ...codeText(kind.description)),
      h(
        'form',
        {
          class: 'step-form',
          onsubmit: (event: Event) => {
            event.preventDefault();
            submit();
          },
        },
        ...mainFields.map((f) => f.element),
        moreFields.length ? h('details', { open: filled }, h('summary', {}, 'More settings'), ...moreFields.map((f) => f.element)) : null,
        error,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', id: 'palette-submit' }, editing ? 'Save the step' : 'Add the step'),
          editing ? null : h('button', { type: 'button', onclick: showKinds }, 'Back'),
          h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
        ),
      ),
    );
    (body.querySelector('input, select, textarea') as HTMLElement | null)?.focus();
  };

  document.body.append(dialog);
  dialog.showModal();
  if (mode === 'edit') {
    const kind = selected && kinds.find((k) => k.key in selected.value);
    if (selected && kind) showForm(kind, selected);
    else {
      mount(body, h('h2', { id: 'palette-title' }, 'Edit a step'), h('p', {}, 'Put the cursor in a step of the text (or click it on the graph) first.'), h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')));
    }
  } else showKinds();
}
