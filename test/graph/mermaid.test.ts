/** `flowline graph`'s Mermaid output: one structural test per step kind, plus escaping and id rules. */
import { describe, expect, it } from 'vitest';
import { END_ID, START_ID, escapeLabel, isValidNodeId, toMermaid } from '../../src/graph/index.js';
import { definitionOf, retry, s } from './fixtures.js';
import { edgesBetween, nodeLabelled, nodesLabelled, parseFlowchart, reachable } from './mermaid-check.js';

const chartOf = (...steps: Parameters<typeof definitionOf>[0]) => parseFlowchart(toMermaid(definitionOf(steps)));

describe('flowline graph (Mermaid)', () => {
  it('draws a sequence as a chain from start to end', () => {
    const chart = chartOf(s.call('a', 'svc.a'), s.call('b', 'svc.b'), s.set({ done: true }));
    const a = nodeLabelled(chart, 'call svc.a');
    const b = nodeLabelled(chart, 'call svc.b');
    const set = nodeLabelled(chart, 'set $vars.done');
    expect(edgesBetween(chart, START_ID, a.id)).toHaveLength(1);
    expect(edgesBetween(chart, a.id, b.id)).toHaveLength(1);
    expect(edgesBetween(chart, b.id, set.id)).toHaveLength(1);
    expect(edgesBetween(chart, set.id, END_ID)).toHaveLength(1);
    expect(a.label).toBe('a\ncall svc.a');
    expect(set.open).toBe('[/');
  });

  it('shows timeouts, retries and assigned variables on a call', () => {
    const chart = chartOf(s.call('pay', 'payments.charge', { timeoutMs: 30_000, retry: retry(5, ['CardDeclined']), assign: { paid: true } }));
    const node = nodeLabelled(chart, 'payments.charge');
    expect(node.label).toContain('⏱ timeout 30s');
    expect(node.label).toContain('↻ up to 5 attempts, not CardDeclined');
    expect(node.label).toContain('→ $vars.paid');
  });

  it('draws a group and a try as subgraphs, with catch handlers as dashed edges labelled by error type', () => {
    const chart = chartOf(
      s.group([s.call('inner', 'svc.inner')], { name: 'a group' }),
      s.try([s.call('risky', 'svc.risky')], [
        { errors: ['Timeout', 'Boom'], steps: [s.call('handle', 'svc.handle')] },
        { steps: [s.call('any', 'svc.any')] },
      ]),
      s.call('after', 'svc.after'),
    );
    const group = [...chart.subgraphs.entries()].find(([, g]) => g.label === 'a group');
    expect(group).toBeDefined();
    expect(nodeLabelled(chart, 'svc.inner').parent).toBe(group?.[0]);
    const tryBox = [...chart.subgraphs.entries()].find(([, g]) => g.label === 'try');
    expect(nodeLabelled(chart, 'svc.risky').parent).toBe(tryBox?.[0]);
    const handle = nodeLabelled(chart, 'svc.handle');
    const anyHandler = nodeLabelled(chart, 'svc.any');
    const typed = edgesBetween(chart, tryBox?.[0] as string, handle.id);
    expect(typed).toEqual([{ from: tryBox?.[0], to: handle.id, arrow: '-.->', label: 'catch Timeout, Boom' }]);
    expect(edgesBetween(chart, tryBox?.[0] as string, anyHandler.id)[0]?.label).toBe('catch any error');
    // Both the body and each handler continue to the next step.
    const after = nodeLabelled(chart, 'svc.after');
    for (const from of [nodeLabelled(chart, 'svc.risky').id, handle.id, anyHandler.id]) expect(edgesBetween(chart, from, after.id)).toHaveLength(1);
  });

  it('forks and joins parallel branches, naming the completion rule', () => {
    const chart = chartOf(s.parallel([s.call('x', 'svc.x'), s.group([s.call('y1', 'svc.y1'), s.call('y2', 'svc.y2')], { id: 'y' })], 'all'));
    const fork = nodeLabelled(chart, 'parallel: all branches');
    const join = nodeLabelled(chart, 'all done');
    expect(edgesBetween(chart, fork.id, nodeLabelled(chart, 'svc.x').id)).toHaveLength(1);
    expect(edgesBetween(chart, fork.id, nodeLabelled(chart, 'svc.y1').id)).toHaveLength(1);
    expect(edgesBetween(chart, nodeLabelled(chart, 'svc.x').id, join.id)).toHaveLength(1);
    expect(edgesBetween(chart, nodeLabelled(chart, 'svc.y2').id, join.id)).toHaveLength(1);
    expect(edgesBetween(chart, join.id, END_ID)).toHaveLength(1);
    const any = chartOf(s.parallel([s.call('p', 'svc.p'), s.call('q', 'svc.q')], 'any'));
    expect(nodesLabelled(any, 'first to succeed wins')).toHaveLength(1);
  });

  it('draws a switch as a decision with one labelled edge per case, default included', () => {
    const chart = chartOf(
      s.switch([{ when: '${ $input.total > 100 }', steps: [s.call('big', 'svc.big')] }, { steps: [s.call('small', 'svc.small')] }]),
    );
    const decision = nodeLabelled(chart, 'switch');
    expect(decision.open).toBe('{');
    const labels = chart.edges.filter((e) => e.from === decision.id).map((e) => e.label);
    expect(labels).toEqual(['when ${ $input.total > 100 }', 'default']);
    const noDefault = chartOf(s.switch([{ when: '${ $vars.x }', steps: [s.call('c', 'svc.c')] }]));
    expect(noDefault.edges.some((e) => e.label === 'no match' && e.to === END_ID)).toBe(true);
  });

  it('draws forEach as a loop with a labelled back edge and its concurrency', () => {
    const chart = chartOf(s.forEach('${ $input.items }', [s.call('t', 'svc.transform')], { concurrency: 4, as: 'record' }));
    const head = nodeLabelled(chart, 'for each $record in ${ $input.items }, 4 at a time');
    const body = nodeLabelled(chart, 'svc.transform');
    expect(edgesBetween(chart, body.id, head.id)[0]?.label).toBe('next item');
    expect(edgesBetween(chart, head.id, END_ID)[0]?.label).toBe('done');
  });

  it('draws repeat as a loop back from its until check', () => {
    const chart = chartOf(s.repeat([s.call('poll', 'svc.poll')], '${ $steps.poll.ready }', { max: 5 }));
    const head = nodeLabelled(chart, 'repeat, at most 5 times');
    const until = nodeLabelled(chart, 'until ${ $steps.poll.ready }');
    expect(edgesBetween(chart, nodeLabelled(chart, 'svc.poll').id, until.id)).toHaveLength(1);
    expect(edgesBetween(chart, until.id, head.id)[0]?.label).toBe('no: again');
    expect(edgesBetween(chart, until.id, END_ID)[0]?.label).toBe('yes');
  });

  it('gives timers and signal waits their own shapes and symbols', () => {
    const chart = chartOf(s.wait(48 * 3_600_000), s.waitUntil('${ $input.at }'), s.waitSignal('approve', { timeoutMs: 7 * 86_400_000, id: 'approval' }));
    const timer = nodeLabelled(chart, '⏳ wait 48h');
    const until = nodeLabelled(chart, '⏳ wait until ${ $input.at }');
    const signal = nodeLabelled(chart, '✉ wait for signal approve');
    expect([timer.open, until.open]).toEqual(['{{', '{{']);
    expect(signal.open).toBe('>');
    expect(signal.label).toContain('⏱ timeout 7d');
    expect(chart.classes.get('timer')).toEqual([timer.id, until.id]);
    expect(chart.classes.get('signal')).toEqual([signal.id]);
  });

  it('draws a child workflow as a subroutine', () => {
    const chart = chartOf(s.workflow('credit-check', { version: 2, id: 'credit' }));
    const child = nodeLabelled(chart, 'child workflow credit-check v2');
    expect([child.open, child.close]).toEqual(['[[', ']]']);
  });

  it('makes fail and return terminals', () => {
    const chart = chartOf(
      s.switch([{ when: '${ $vars.bad }', steps: [s.fail('Rejected', 'no')] }, { steps: [s.return('${ $vars.result }')] }]),
      s.call('unreachable', 'svc.never'),
    );
    const fail = nodeLabelled(chart, '✖ fail Rejected');
    const ret = nodeLabelled(chart, 'return ${ $vars.result }');
    expect(chart.edges.filter((e) => e.from === fail.id)).toEqual([]);
    expect(edgesBetween(chart, ret.id, END_ID)).toHaveLength(1);
    expect(chart.classes.get('fail')).toEqual([fail.id]);
    expect(reachable(chart, START_ID, nodeLabelled(chart, 'svc.never').id)).toBe(false);
  });

  it('draws an if as a decision with a skip edge', () => {
    const chart = chartOf(s.call('maybe', 'svc.maybe', { if: '${ $input.flag }' }), s.call('next', 'svc.next'));
    const cond = nodeLabelled(chart, 'if ${ $input.flag }');
    const next = nodeLabelled(chart, 'svc.next');
    expect(edgesBetween(chart, cond.id, nodeLabelled(chart, 'svc.maybe').id)[0]?.label).toBe('yes');
    expect(edgesBetween(chart, cond.id, next.id)[0]?.label).toBe('no: skip');
  });

  it('draws compensations distinctly: own class, dotted styled edge labelled compensate', () => {
    const chart = chartOf(
      s.call('reserve', 'inventory.reserve', { compensate: s.call('undoReserve', 'inventory.release') }),
      s.call('pay', 'payments.charge', { compensate: s.call('undoPay', 'payments.refund') }),
      s.try([s.call('ship', 'shipping.create')], [{ steps: [s.compensate(['pay']), s.fail('ShipFailed')] }]),
    );
    const release = nodeLabelled(chart, 'inventory.release');
    const refund = nodeLabelled(chart, 'payments.refund');
    expect(release.label).toBe('↩ undo reserve\ninventory.release');
    const compensateEdges = chart.edges.map((e, i) => ({ ...e, i })).filter((e) => e.label === 'compensate');
    expect(compensateEdges.map((e) => [e.from, e.to, e.arrow])).toEqual([
      [nodeLabelled(chart, 'call inventory.reserve').id, release.id, '-.->'],
      [nodeLabelled(chart, 'call payments.charge').id, refund.id, '-.->'],
    ]);
    const compensationClass = chart.classes.get('compensation') ?? [];
    const explicit = nodeLabelled(chart, '↩ compensate pay');
    expect(compensationClass).toEqual(expect.arrayContaining([release.id, refund.id, explicit.id]));
    expect(edgesBetween(chart, explicit.id, refund.id)[0]?.label).toBe('runs');
    // Every compensation edge carries the dotted compensation link style; no flow edge does.
    const styled = chart.linkStyles.find((l) => l.style.includes('stroke-dasharray:2 4'));
    expect(styled?.indexes).toEqual(expect.arrayContaining(compensateEdges.map((e) => e.i)));
    const flowIndexes = chart.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.arrow === '-->').map(({ i }) => i);
    expect(flowIndexes.some((i) => styled?.indexes.includes(i))).toBe(false);
    // Compensation nodes are not on the normal path.
    expect(reachable(chart, START_ID, release.id)).toBe(true);
    expect(chart.edges.filter((e) => e.to === release.id).every((e) => e.label === 'compensate')).toBe(true);
  });

  it('escapes quotes, brackets, braces, # and ${} in labels', () => {
    const chart = chartOf(
      s.switch([{ when: '${ $x = "a[b]" and $y.{"k": 1} # c }', steps: [s.call('q', 'svc.q', { name: 'say "hi" <b>' })] }]),
    );
    const text = toMermaid(definitionOf([s.call('q', 'svc.q', { name: 'say "hi" <b> & #1 | 100%' })]));
    expect(text).not.toContain('"hi"');
    expect(text).toContain('#quot;hi#quot;');
    expect(parseFlowchart(text).nodes.size).toBeGreaterThan(0);
    expect(chart.edges.find((e) => e.label?.startsWith('when'))?.label).toBe('when ${ $x = "a[b]" and $y.{"k": 1} # c }');
    expect(escapeLabel('a\nb')).toBe('a<br/>b');
    expect(escapeLabel('${ x }')).toBe('#36;#123; x #125;');
  });

  it('shortens long expressions in labels', () => {
    const long = `\${ ${'$input.a + '.repeat(20)}1 }`;
    const chart = chartOf(s.call('c', 'svc.c', { if: long }));
    const cond = [...chart.nodes.values()].find((n) => n.label.startsWith('if '));
    expect(cond?.label.endsWith('…')).toBe(true);
    expect(cond?.label.length).toBeLessThanOrEqual(52);
  });

  it('uses only valid, unique node ids and never the keyword end', () => {
    const text = toMermaid(definitionOf([s.call('end', 'svc.end'), s.group([s.call('subgraph', 'svc.x')], { id: 'end' })]));
    const chart = parseFlowchart(text);
    for (const id of [...chart.nodes.keys(), ...chart.subgraphs.keys()]) expect(isValidNodeId(id)).toBe(true);
    expect(isValidNodeId('end')).toBe(false);
    expect(isValidNodeId('9a')).toBe(false);
  });

  it('is deterministic', () => {
    const definition = definitionOf([s.parallel([s.call('a', 'svc.a'), s.call('b', 'svc.b')]), s.waitSignal('go')]);
    expect(toMermaid(definition)).toBe(toMermaid(definition));
  });
});
