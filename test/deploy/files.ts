/** Helpers of the deployment tests: the deploy/ files, parsed. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');
export const K8S_DIR = join(DEPLOY_DIR, 'k8s');

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** Every document of a YAML file; throws on the first parse error (with its position). */
export function readYamlDocuments(path: string): unknown[] {
  // merge: true — docker compose files use YAML merge keys (`<<: *anchor`).
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  }).filter((value) => value !== null);
}

/** The Kubernetes manifests (every k8s/*.yaml except kustomization.yaml), by file. */
export function k8sManifests(): { file: string; objects: K8sObject[] }[] {
  return readdirSync(K8S_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .map((file) => ({ file, objects: readYamlDocuments(join(K8S_DIR, file)) as K8sObject[] }));
}

/** The one object of a kind (and name, when given) across every manifest. */
export function findObject(kind: string, name?: string): K8sObject {
  const all = k8sManifests().flatMap((m) => m.objects);
  const found = all.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}
