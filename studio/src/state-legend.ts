/** The words for the colours of a graph's step states, shown beside a try's graph and a run's. */
import { h } from './dom.js';
import type { StepState } from './graph-svg.js';

const LEGEND: readonly [StepState, string][] = [
  ['done', 'done'],
  ['running', 'still running'],
  ['waiting', 'waiting for a signal'],
  ['failed', 'failed'],
  ['compensated', 'undone (its compensation ran)'],
  ['skipped', 'skipped'],
  ['cancelled', 'cancelled'],
];

export function stateLegend(): HTMLElement {
  return h(
    'ul',
    { class: 'state-legend', 'aria-label': 'What the colours of the steps mean' },
    ...LEGEND.map(([state, words]) => h('li', {}, h('span', { class: `swatch state-${state}`, 'aria-hidden': 'true' }), ` ${words}`)),
  );
}
