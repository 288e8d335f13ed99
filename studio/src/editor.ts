/** The YAML editor: CodeMirror 6 with Flowline's own messages (POST /v1/validate) at their lines. */
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, hoverTooltip, keymap, lineNumbers } from '@codemirror/view';
import { autocompletion, type Completion as EditorCompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { Issue } from './api.js';
import { richText } from './dom.js';
import { completionAt, helpAt } from './schema-help.js';
import { SCHEMA } from './schema.js';

/** Completion from the published schema: the keys allowed where the cursor is, or the values of its key. */
function schemaCompletion(context: CompletionContext): CompletionResult | null {
  const found = completionAt(SCHEMA, context.state.doc.toString(), context.pos);
  if (!found || found.options.length === 0) return null;
  // Unasked, an empty key place opens the list only after `- ` (a new step or item): not on every new line.
  const line = context.state.doc.lineAt(context.pos);
  const typedNothing = found.from === context.pos;
  if (!context.explicit && typedNothing && found.kind === 'key' && !/-\s*$/.test(line.text.slice(0, context.pos - line.from))) return null;
  const options: EditorCompletion[] = found.options.map((option) => ({
    label: option.label,
    detail: option.detail,
    type: found.kind === 'key' ? 'property' : 'enum',
    info: option.info ? () => richText('div', { class: 'completion-info' }, option.info) : undefined,
    apply:
      found.kind === 'key'
        ? (view, _completion, from, to) => {
            const indent = ' '.repeat(found.keyColumn + 2);
            const after = option.shape === 'map' ? `:\n${indent}` : option.shape === 'list' ? `:\n${indent}- ` : ': ';
            view.dispatch({ changes: { from, to, insert: `${option.label}${after}` }, selection: { anchor: from + option.label.length + after.length } });
          }
        : option.label,
  }));
  return { from: found.from, options, validFor: /^[\w$.-]*$/ };
}

/** Hovering a key shows its documentation from the schema, in plain words. */
const schemaHover = hoverTooltip((view, pos) => {
  const help = helpAt(SCHEMA, view.state.doc.toString(), pos);
  if (!help) return null;
  return {
    pos: help.from,
    end: help.to,
    above: true,
    create: () => ({ dom: richText('div', { class: 'key-help', role: 'tooltip' }, help.text, help.title) }),
  };
});

export interface EditorOptions {
  readonly text: string;
  readonly readOnly: boolean;
  /** Checks the text (debounced by the linter); returns Flowline's issues. */
  readonly check?: (text: string) => Promise<readonly Issue[]>;
  readonly onCursorLine?: (line: number) => void;
  readonly onChange?: () => void;
}

/** Flowline's issues as editor diagnostics: each from its column to the end of its line. Pure. */
export function diagnosticsOf(state: EditorState, issues: readonly Issue[]): Diagnostic[] {
  return issues.map((issue) => {
    const line = state.doc.line(Math.min(Math.max(issue.line ?? 1, 1), state.doc.lines));
    const from = Math.min(line.from + Math.max((issue.column ?? 1) - 1, 0), line.to);
    const message = issue.hint ? `${issue.message}\n${issue.hint}` : issue.message;
    return { from, to: Math.max(from, line.to), severity: 'error', message, renderMessage: () => richText('div', {}, issue.hint ? `${issue.message}\n\n${issue.hint}` : issue.message) };
  });
}

export function createEditor(parent: HTMLElement, options: EditorOptions): EditorView {
  const extensions = [
    lineNumbers(),
    history(),
    drawSelection(),
    highlightActiveLine(),
    indentOnInput(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    yaml(),
    autocompletion({ override: [schemaCompletion], icons: false }),
    schemaHover,
    // Tab is left to the browser (moving focus), so the editor never traps keyboard users.
    keymap.of([...defaultKeymap, ...historyKeymap]),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ 'aria-label': 'Flow document (YAML)' }),
    EditorState.readOnly.of(options.readOnly),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onChange?.();
      if (update.selectionSet || update.docChanged) options.onCursorLine?.(update.state.doc.lineAt(update.state.selection.main.head).number);
    }),
  ];
  if (options.check) {
    const check = options.check;
    extensions.push(lintGutter(), linter(async (view) => diagnosticsOf(view.state, await check(view.state.doc.toString())), { delay: 300 }));
  }
  return new EditorView({ parent, state: EditorState.create({ doc: options.text, extensions }) });
}

/** Selects lines `from`..`to` (1-based) and scrolls them into view. */
export function selectLines(view: EditorView, from: number, to: number): void {
  const doc = view.state.doc;
  const start = doc.line(Math.min(Math.max(from, 1), doc.lines)).from;
  const end = doc.line(Math.min(Math.max(to, from, 1), doc.lines)).to;
  view.dispatch({ selection: { anchor: start, head: end }, scrollIntoView: true });
  view.focus();
}
