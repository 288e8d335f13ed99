/** JUnit XML of a flow test run (`--junit FILE`), in the shape CI servers read: testsuites › testsuite per file › testcase per case. Pure. */
import type { FileResult } from './types.js';

/** Escape text for XML attributes and text nodes; drops characters XML 1.0 cannot hold. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** The JUnit XML document for these results. `timestamp` is the ISO time the run started. */
export function junitXml(results: readonly FileResult[], timestamp: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const suites: string[] = [];
  for (const result of results) {
    time += result.durationMs;
    if (result.invalid) {
      tests += 1;
      errors += 1;
      const message = result.invalid.join('\n');
      suites.push(
        `  <testsuite name="${xmlEscape(result.file)}" tests="1" failures="0" errors="1" skipped="0" time="${seconds(result.durationMs)}" timestamp="${timestamp}">`,
        `    <testcase classname="${xmlEscape(result.file)}" name="(test file)" time="${seconds(result.durationMs)}">`,
        `      <error type="FlowTestInvalid" message="${xmlEscape(result.invalid[0] ?? 'invalid test file')}">${xmlEscape(message)}</error>`,
        '    </testcase>',
        '  </testsuite>',
      );
      continue;
    }
    const failed = result.cases.filter((c) => !c.passed).length;
    tests += result.cases.length;
    failures += failed;
    suites.push(
      `  <testsuite name="${xmlEscape(result.file)}" tests="${result.cases.length}" failures="${failed}" errors="0" skipped="0" time="${seconds(result.durationMs)}" timestamp="${timestamp}">`,
    );
    for (const c of result.cases) {
      const open = `    <testcase classname="${xmlEscape(result.file)}" name="${xmlEscape(c.name)}" time="${seconds(c.durationMs)}"`;
      if (c.passed) {
        suites.push(`${open}/>`);
        continue;
      }
      const body = [...c.reasons, ...(c.actual ? [`actual: ${JSON.stringify(c.actual)}`] : [])].join('\n');
      suites.push(
        `${open}>`,
        `      <failure type="ExpectationFailed" message="${xmlEscape(c.reasons.join('; '))}">${xmlEscape(body)}</failure>`,
        '    </testcase>',
      );
    }
    suites.push('  </testsuite>');
  }
  out.push(`<testsuites name="flowline test" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(time)}">`, ...suites, '</testsuites>');
  return `${out.join('\n')}\n`;
}
