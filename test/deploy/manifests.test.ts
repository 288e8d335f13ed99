import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_DIR, findObject, k8sManifests, K8S_DIR, readYamlDocuments, type K8sObject } from './files.js';

/** The kubernetes-models class for an object (they ship the Kubernetes OpenAPI schemas; no network). */
async function modelFor(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const path = group === '' ? version : `${group}/${version}`;
  const module = (await import(`kubernetes-models/${path}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = module[object.kind];
  if (!model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking parsed manifests

const manifests = k8sManifests();

describe('Kubernetes manifests', () => {
  it('are all listed in kustomization.yaml', () => {
    const [kustomization] = readYamlDocuments(join(K8S_DIR, 'kustomization.yaml')) as Json[];
    expect([...kustomization.resources].sort()).toEqual(manifests.map((m) => m.file));
  });

  for (const { file, objects } of manifests) {
    it(`${file} parses and every object validates against the Kubernetes schema`, async () => {
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        expect(object.metadata?.name, `${file}: ${object.kind} has a name`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('flowline');
        const Model = await modelFor(object);
        expect(() => new Model(object).validate(), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
      }
    });
  }

  it('catches a broken manifest (the validation really runs)', async () => {
    const worker = structuredClone(findObject('Deployment', 'flowline-worker')) as Json;
    worker.spec.template.spec.containers[0].ports[0].containerPort = 'nine';
    const Model = await modelFor(worker as K8sObject);
    expect(() => new Model(worker).validate()).toThrow(/containerPort/);
  });

  it('the worker probes /readyz and /healthz on the port given to --metrics-port', () => {
    const worker = findObject('Deployment', 'flowline-worker') as Json;
    const [container] = worker.spec.template.spec.containers;
    const args: string[] = container.args;
    const port = Number(args[args.indexOf('--metrics-port') + 1]);
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: port });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(worker.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
    expect(worker.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    // Graceful stop finishes running jobs: the grace period must cover the BullMQ lock (30 s) at least.
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'flowline-config' } }, { secretRef: { name: 'flowline-secrets' } }]);
  });

  it('the HPA scales the worker Deployment on CPU, which has a CPU request', () => {
    const hpa = findObject('HorizontalPodAutoscaler') as Json;
    const worker = findObject('Deployment', 'flowline-worker') as Json;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: worker.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(worker.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('the PDB and Services select the pods they mean', () => {
    const worker = findObject('Deployment', 'flowline-worker') as Json;
    const labels = worker.spec.template.metadata.labels;
    const pdb = findObject('PodDisruptionBudget') as Json;
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels)) expect(labels[key]).toBe(value);
    const redis = findObject('StatefulSet', 'flowline-redis') as Json;
    const redisService = findObject('Service', 'flowline-redis') as Json;
    expect(redis.spec.serviceName).toBe(redisService.metadata.name);
    for (const [key, value] of Object.entries(redisService.spec.selector)) expect(redis.spec.template.metadata.labels[key]).toBe(value);
  });

  it('Redis keeps its data on a persistent volume with AOF and noeviction', () => {
    const redis = findObject('StatefulSet', 'flowline-redis') as Json;
    const [claim] = redis.spec.volumeClaimTemplates;
    const container = redis.spec.template.spec.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: claim.metadata.name, mountPath: '/data' });
    const config = findObject('ConfigMap', 'flowline-redis-config') as Json;
    const conf: string = config.data['redis.conf'];
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(conf).toMatch(/^dir \/data$/m);
    // The worker's Redis URL points at the StatefulSet's first pod through the headless Service.
    const settings = findObject('ConfigMap', 'flowline-config') as Json;
    expect(settings.data.FLOWLINE_REDIS_URL).toContain('flowline-redis-0.flowline-redis.');
  });

  it('the Secret holds the codec keys and dashboard credentials, with no real key committed', () => {
    const secret = findObject('Secret') as Json;
    expect(Object.keys(secret.stringData)).toEqual(
      expect.arrayContaining(['FLOWLINE_CODEC_KEYS', 'FLOWLINE_DASHBOARD_USER', 'FLOWLINE_DASHBOARD_PASSWORD']),
    );
    expect(secret.stringData.FLOWLINE_CODEC_KEYS).toBe('');
  });
});

describe('docker-compose.yml', () => {
  const [compose] = readYamlDocuments(join(DEPLOY_DIR, 'docker-compose.yml')) as Json[];

  it('runs Redis with AOF and noeviction and two workers that wait for it', () => {
    const command: string[] = compose.services.redis.command;
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    const workers = Object.entries(compose.services as Json).filter(([, s]) => (s as Json).command?.[0] === 'worker');
    expect(workers.map(([name]) => name)).toEqual(['worker-1', 'worker-2']);
    for (const [, worker] of workers as [string, Json][]) {
      expect(worker.environment.FLOWLINE_REDIS_URL).toBe('redis://redis:6379');
      expect(worker.depends_on.redis.condition).toBe('service_healthy');
    }
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(DEPLOY_DIR, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => l.trim());
  const lastStage = instructions.slice(instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true));

  it('is multi-stage, on Node 20, and runs as a non-root user', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:20[-.\w]* AS \w+$/);
    const user = lastStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
  });

  it('has a HEALTHCHECK that hits /healthz on the exposed metrics port', () => {
    const healthcheck = lastStage.find((l) => l.startsWith('HEALTHCHECK '));
    expect(healthcheck).toContain('/healthz');
    const port = /^EXPOSE (\d+)$/m.exec(lastStage.join('\n'))?.[1];
    expect(port).toBe('9464');
    expect(lastStage.join('\n')).toContain(`FLOWLINE_METRICS_PORT=${port}`);
  });

  it('runs `flowline worker` with the same metrics port', () => {
    const entrypoint = JSON.parse(lastStage.find((l) => l.startsWith('ENTRYPOINT '))!.slice('ENTRYPOINT '.length)) as string[];
    const cmd = JSON.parse(lastStage.find((l) => l.startsWith('CMD '))!.slice('CMD '.length)) as string[];
    expect(entrypoint).toEqual(['node', 'bin/flowline.js']);
    expect(cmd[0]).toBe('worker');
    expect(cmd[cmd.indexOf('--metrics-port') + 1]).toBe('9464');
  });
});
