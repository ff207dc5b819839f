/**
 * The resource-reader registry against what infra/ really synthesizes: every type it registers occurs in
 * the synthesized templates (the MSK Serverless topics resource only in the serverless profile), so no
 * reader is kept for a type infra/ never produces, and the real assembly reads into the model the local
 * runtime runs (every function, table, topic and mapping of the catalogue).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_FUNCTIONS, TABLES } from '#infra/catalogue';
import { readAssembly } from '#local/assembly/index';
import { RESOURCE_READERS } from '#local/assembly/resources/index';
import { TOPICS } from '#shared/topology';
import { ASSEMBLY, ensureSuiteAssembly } from '#test/e2e/helpers';

/** Made by infra/constructs/kafka-topics.ts only with `kafkaMode=serverless`, which the suite does not synthesize. */
const SERVERLESS_ONLY = new Set(['Custom::CampusgKafkaTopics']);

beforeAll(async () => {
  await ensureSuiteAssembly();
}, 600_000);

it('registers only resource types the synthesized templates contain', () => {
  const types = new Set<string>();
  for (const file of fs.readdirSync(ASSEMBLY).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(fs.readFileSync(path.join(ASSEMBLY, file), 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
    };
    for (const r of Object.values(template.Resources ?? {})) types.add(r.Type);
  }
  const registered = [...RESOURCE_READERS.keys()].filter((t) => !SERVERLESS_ONLY.has(t));
  expect(registered.filter((t) => !types.has(t))).toEqual([]);
  expect(fs.readFileSync(path.join('infra', 'constructs', 'kafka-topics.ts'), 'utf8')).toContain(
    "resourceType: 'Custom::CampusgKafkaTopics'",
  );
});

it('reads the real assembly into every function, table, topic and mapping of the catalogue', () => {
  const model = readAssembly({ assemblyDir: ASSEMBLY });
  const ours = model.functions.filter((f) => 'CAMPUSG_SERVICE' in f.environment).map((f) => f.constructId);
  expect(ours.sort()).toEqual(ALL_FUNCTIONS.map((f) => f.id).sort());
  expect(model.tables).toHaveLength(TABLES.length);
  expect(model.topics.map((t) => t.name)).toEqual(expect.arrayContaining(TOPICS.map((t) => t.name)));
  for (const t of model.topics) expect(t.partitions).toBeGreaterThan(0);
  expect(model.topics.find((t) => t.name === 'order-events')?.configs['retention.ms']).toMatch(/^\d+$/);
  expect(model.eventSourceMappings.length).toBeGreaterThan(0);
  expect(model.routes.length).toBeGreaterThan(0);
  expect(model.scheduleGroups).toHaveLength(1);
});
