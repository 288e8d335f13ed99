import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { DEPLOY_DIR, k8sManifests, readYamlDocuments } from './files.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking parsed manifests

/** Every `flowline …` argument list the deployment files run, with where it comes from. */
function deployedCommands(): { where: string; argv: string[] }[] {
  const out: { where: string; argv: string[] }[] = [];
  const dockerfile = readFileSync(join(DEPLOY_DIR, 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  if (cmd) out.push({ where: 'Dockerfile CMD', argv: JSON.parse(cmd[1]) as string[] });

  const [compose] = readYamlDocuments(join(DEPLOY_DIR, 'docker-compose.yml')) as Json[];
  for (const [name, service] of Object.entries(compose.services as Json)) {
    if (String((service as Json).image ?? '').startsWith('flowline') && (service as Json).command) {
      out.push({ where: `docker-compose ${name}`, argv: (service as Json).command });
    }
  }
  for (const { file, objects } of k8sManifests()) {
    for (const object of objects as Json[]) {
      for (const container of object.spec?.template?.spec?.containers ?? []) {
        if (String(container.image).startsWith('flowline') && container.args) out.push({ where: `${file} ${object.metadata.name}`, argv: container.args });
      }
    }
  }
  return out;
}

/** Problems of `argv` against the real CLI: unknown verb, unknown flags, missing values. */
function checkArgv(program: Command, argv: readonly string[]): string[] {
  const [verb, ...rest] = argv;
  const command = program.commands.find((c) => c.name() === verb || c.aliases().includes(verb));
  if (!command) return [`no verb "${verb}"`];
  const problems: string[] = [];
  const options = command.options as readonly Option[];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i];
    if (!token.startsWith('-')) continue;
    const [flag, inline] = token.split('=', 2);
    const option = options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      problems.push(`${verb}: unknown option ${flag}`);
      continue;
    }
    if (option.required && inline === undefined) {
      const value = rest[i + 1];
      if (value === undefined || value.startsWith('--')) problems.push(`${verb}: ${flag} needs a value`);
      i += 1;
    }
  }
  return problems;
}

describe('commands in the deployment files exist in the CLI', () => {
  const program = buildProgram();
  const commands = deployedCommands();

  it('finds the commands to check', () => {
    const wheres = commands.map((c) => c.where);
    expect(wheres).toContain('Dockerfile CMD');
    expect(wheres).toEqual(expect.arrayContaining(['docker-compose worker-1', 'docker-compose dashboard', 'worker.yaml flowline-worker']));
  });

  for (const { where, argv } of deployedCommands()) {
    it(`${where}: flowline ${argv.join(' ')}`, () => {
      expect(checkArgv(program, argv)).toEqual([]);
    });
  }

  it('the checker rejects what the CLI would reject', () => {
    expect(checkArgv(program, ['wroker'])).toEqual(['no verb "wroker"']);
    expect(checkArgv(program, ['worker', '--metrics-prot', '9464'])).toEqual(['worker: unknown option --metrics-prot']);
    expect(checkArgv(program, ['worker', '--concurrency'])).toEqual(['worker: --concurrency needs a value']);
  });
});
