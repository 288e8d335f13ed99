/** The YAML editor: CodeMirror 6 with Flowline's own messages (POST /v1/validate) at their lines. */
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { Issue } from './api.js';

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
    return { from, to: Math.max(from, line.to), severity: 'error', message: issue.hint ? `${issue.message}\n${issue.hint}` : issue.message };
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
