import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { withTool } from '../support/outside-tools';

/**
 * The Compose file, checked without a Docker engine: Debian's docker-compose 1.29 (installed by .ci/run)
 * parses, validates and interpolates it. Images are read from the resolved configuration.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE = path.join(ROOT, 'localstack', 'docker-compose.yml');
const compose = withTool('docker-compose');

function config(envFile: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(compose.command, ['-f', COMPOSE, '--env-file', envFile, 'config'], {
    encoding: 'utf8',
  });
  if (r.error) throw new Error(`docker-compose could not run (${compose.install}): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function imagesOf(resolved: string): string[] {
  return [...resolved.matchAll(/^\s+image:\s*(\S+)\s*$/gm)].map((m) => m[1]!.replace(/^['"]|['"]$/g, ''));
}

/** `repo[:tag]` -> tag, undefined without one. */
function tagOf(image: string): string | undefined {
  const last = image.split('/').pop()!;
  return last.includes(':') ? last.split(':').pop() : undefined;
}

compose.describe('localstack/docker-compose.yml', () => {
  let dir: string;
  let emptyEnv: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'campusg-compose-'));
    emptyEnv = path.join(dir, 'empty.env');
    writeFileSync(emptyEnv, '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['no settings', () => emptyEnv],
    ['localstack/.env.example', () => path.join(ROOT, 'localstack', '.env.example')],
  ])('passes docker-compose config with %s and pins every image to a version tag', (_name, envFile) => {
    const r = config(envFile());
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const images = imagesOf(r.stdout);
    expect(images).toHaveLength(2);
    for (const image of images) {
      const tag = tagOf(image);
      expect({ image, tag }).toEqual({ image, tag: expect.stringMatching(/^\d+(\.\d+)+$/) });
    }
  });

  it('runs LocalStack and a KRaft Kafka reachable from the host and from Lambda containers', () => {
    const { stdout } = config(emptyEnv);
    expect(stdout).toMatch(/image: localstack\/localstack:\d/);
    expect(stdout).toMatch(/image: apache\/kafka:\d/);
    expect(stdout).toContain('KAFKA_PROCESS_ROLES: broker,controller');
    expect(stdout).not.toMatch(/zookeeper/i);
    expect(stdout).toContain('KAFKA_ADVERTISED_LISTENERS: HOST://localhost:9092,DOCKER://kafka:19092');
    expect(stdout).toContain('LAMBDA_DOCKER_NETWORK: campusg-localstack');
    expect(stdout).toMatch(/name: campusg-localstack/);
    expect(stdout).toContain('127.0.0.1:9092:9092');
    expect(stdout.match(/healthcheck:/g)).toHaveLength(2);
  });

  it('passes the auth token through from the environment', () => {
    const withToken = path.join(dir, 'token.env');
    writeFileSync(withToken, 'LOCALSTACK_AUTH_TOKEN=ls-test-token\n');
    expect(config(withToken).stdout).toMatch(/LOCALSTACK_AUTH_TOKEN: ls-test-token/);
  });

  it('flags an image override to latest as unpinned', () => {
    const latest = path.join(dir, 'latest.env');
    writeFileSync(latest, 'LOCALSTACK_IMAGE=localstack/localstack:latest\n');
    const tags = imagesOf(config(latest).stdout).map(tagOf);
    expect(tags).toContain('latest');
    expect(tags.every((t) => t !== undefined && /^\d+(\.\d+)+$/.test(t))).toBe(false);
  });
});
