/** A tiny element builder: the studio is plain DOM, no framework, to keep it small. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** Creates an element; `on…` attributes become listeners, `false`/`null` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(typeof child === 'number' ? String(child) : child);
  return element;
}

/** Text with `code` spans shown as <code> (messages and schema descriptions mark code with backticks). */
export function codeText(text: string): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const pattern = /`([^`]+)`/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h('code', {}, match[1]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** An element holding paragraphs of `text` (blank-line separated) with code spans, under an optional heading. */
export function richText<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs, text: string, heading?: string): HTMLElementTagNameMap[K] {
  return h(tag, attrs, heading ? h('strong', {}, ...codeText(heading)) : null, ...text.split(/\n\n+/).map((paragraph) => h('p', {}, ...codeText(paragraph))));
}

/** Replaces the children of `parent`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)));
}

/** Durations as people write them in flows: 48h, 5m, 1.5s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A date and time in the reader's locale. */
export function when(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return '';
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toLocaleString();
}

/** Asks for confirmation in a modal dialog; resolves with the reason typed (or '' ) or null when dismissed. */
export function confirmDialog(title: string, text: string, action: string, withReason = false): Promise<string | null> {
  return new Promise((resolve) => {
    const reason = h('input', { type: 'text', id: 'confirm-reason', 'aria-label': 'Reason (optional)', placeholder: 'reason (optional)' });
    const dialog = h(
      'dialog',
      { class: 'modal', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      withReason ? h('label', {}, 'Reason ', reason) : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'danger', onclick: () => finish(reason.value) }, action),
        h('button', { type: 'button', onclick: () => finish(null) }, 'Keep it'),
      ),
    );
    const finish = (value: string | null): void => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', () => finish(null));
    document.body.append(dialog);
    dialog.showModal();
  });
}
