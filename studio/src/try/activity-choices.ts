/**
 * For each activity of the flow, what it does in a try: answer with a value (JSON), fail with an
 * error (type and message; all tries, or only the first few so a retry can be seen), or run the
 * handler the server has registered.
 */
import { h } from '../dom.js';

export type ActivityChoice = { readonly mock: unknown } | { readonly registered: true };

export interface ActivityChooser {
  readonly element: HTMLElement;
  /** The choice made, or throws an Error whose message is for people. */
  value(): ActivityChoice;
}

let choosers = 0;

export function activityChooser(name: string, registered: boolean): ActivityChooser {
  const id = `try-act-${++choosers}`;
  const mode = (value: string, text: string, checked: boolean, disabled = false): HTMLElement =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: id, value, checked, disabled, 'data-mode': value }), ` ${text}`);
  const answer = h('textarea', { id: `${id}-answer`, rows: 3, spellcheck: 'false', 'data-role': 'answer' }, '{}');
  const errorType = h('input', { id: `${id}-type`, type: 'text', placeholder: 'e.g. CardDeclined', 'data-role': 'error-type' });
  const message = h('input', { id: `${id}-message`, type: 'text', placeholder: 'e.g. the card was declined', 'data-role': 'error-message' });
  const noRetry = h('input', { id: `${id}-noretry`, type: 'checkbox', 'data-role': 'no-retry' });
  const failCount = h('input', { id: `${id}-count`, type: 'number', min: 1, step: 1, placeholder: 'every try', 'data-role': 'fail-count' });
  const answerPart = h('div', { class: 'field' }, h('label', { for: answer.id }, 'Answer (JSON)'), answer);
  const failPart = h(
    'div',
    { class: 'try-fail' },
    h('div', { class: 'field' }, h('label', { for: errorType.id }, 'Error type', h('span', { class: 'required' }, ' (required)')), errorType),
    h('div', { class: 'field' }, h('label', { for: message.id }, 'Message'), message),
    h('div', { class: 'field check' }, noRetry, h('label', { for: noRetry.id }, 'Do not retry: the step fails at once')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: failCount.id }, 'How many tries fail'),
      h('small', { class: 'help', id: `${id}-count-help` }, 'Leave empty to fail every try. With a number, the tries after it get the answer above, so you can watch a retry.'),
      failCount,
    ),
  );
  failCount.setAttribute('aria-describedby', `${id}-count-help`);
  const element = h(
    'fieldset',
    { class: 'try-activity', 'data-activity': name },
    h('legend', {}, name),
    h(
      'div',
      { class: 'modes', role: 'radiogroup', 'aria-label': `What ${name} does` },
      mode('answer', 'Answer', !registered),
      mode('fail', 'Fail', false),
      mode('registered', registered ? 'Run the registered handler' : 'Run the registered handler (not available on this server)', registered, !registered),
    ),
    answerPart,
    failPart,
  );
  const chosen = (): string => (element.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`)?.value ?? 'answer');
  const show = (): void => {
    const current = chosen();
    answerPart.hidden = current === 'registered';
    failPart.hidden = current !== 'fail';
  };
  element.addEventListener('change', show);
  show();
  const parsedAnswer = (): unknown => {
    if (answer.value.trim() === '') return null;
    try {
      return JSON.parse(answer.value);
    } catch {
      throw new Error(`The answer of ${name} is not valid JSON: check the quotes, commas and brackets`);
    }
  };
  return {
    element,
    value: () => {
      const current = chosen();
      if (current === 'registered') return { registered: true };
      if (current === 'answer') return { mock: { output: parsedAnswer() } };
      const type = errorType.value.trim();
      if (!type) throw new Error(`Give ${name} an error type to fail with (for example CardDeclined)`);
      const error = { type, ...(message.value.trim() ? { message: message.value.trim() } : {}), ...(noRetry.checked ? { nonRetryable: true } : {}) };
      const count = failCount.value.trim() === '' ? 0 : Number(failCount.value);
      if (!Number.isInteger(count) || count < 0) throw new Error(`“How many tries fail” of ${name} must be a whole number`);
      if (count === 0) return { mock: { error } };
      return { mock: [...Array.from({ length: Math.min(count, 99) }, () => ({ error })), { output: parsedAnswer() }] };
    },
  };
}
