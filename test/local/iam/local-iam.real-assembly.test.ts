/**
 * Local IAM over the real synthesized assembly (cdk.out): every function's role is read with no unknown
 * managed policy, the calls the saga makes are allowed, and with one statement removed from a copy of the
 * template the call that statement granted is refused with AWS's wording: the timer consumer's
 * iam:PassRole for CreateSchedule (PassSchedulerRole), and the order API's produce to order-events
 * (KafkaPublishTopics) as the broker's authorizer sees it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCAL_ACCOUNT_ID, LOCAL_MSK_CLUSTER_ARN_SUFFIX } from '#local/assembly/intrinsics';
import { LocalIam } from '#local/iam/index';
import { kafkaAuthorizer } from '#local/iam/kafka-authorizer';
import { ASSEMBLY, ensureSuiteAssembly } from '#test/e2e/helpers';

const REGION = 'us-east-1';
const CLUSTER = `arn:aws:kafka:${REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_MSK_CLUSTER_ARN_SUFFIX}`;
const SERVICES = 'CampusG-dev-Services.template.json';

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

/** Copies the assembly's manifest and templates (not the assets) and lets `edit` change the Services one. */
function copyAssembly(edit?: (t: Template) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-iam-real-'));
  for (const f of fs.readdirSync(ASSEMBLY)) {
    if (f === 'manifest.json' || f.endsWith('.template.json'))
      fs.copyFileSync(path.join(ASSEMBLY, f), path.join(dir, f));
  }
  if (edit) {
    const file = path.join(dir, SERVICES);
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
    edit(t);
    fs.writeFileSync(file, JSON.stringify(t));
  }
  return dir;
}

/** Removes the statement with `sid` from the policies whose logical id starts with `policyPrefix`. */
const withoutStatement = (policyPrefix: string, sid: string) => (t: Template) => {
  let removed = 0;
  for (const [id, r] of Object.entries(t.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' || !id.startsWith(policyPrefix)) continue;
    const doc = r.Properties.PolicyDocument as { Statement: { Sid?: string }[] };
    const before = doc.Statement.length;
    doc.Statement = doc.Statement.filter((s) => s.Sid !== sid);
    removed += before - doc.Statement.length;
  }
  if (removed !== 1) throw new Error(`expected one ${sid} statement in ${policyPrefix}*, found ${removed}`);
};

function load(dir: string, lines: string[] = []): LocalIam {
  return new LocalIam({
    mode: 'enforce',
    assemblyDir: dir,
    region: REGION,
    accountId: LOCAL_ACCOUNT_ID,
    clusterArn: CLUSTER,
    report: (l) => lines.push(l),
  });
}

const fn = (iam: LocalIam, name: string) => ({ kind: 'function' as const, role: iam.roles.get(name)! });
const table = (t: string) => `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT_ID}:table/campusg-dev-${t}`;
const topic = (t: string) =>
  `arn:aws:kafka:${REGION}:${LOCAL_ACCOUNT_ID}:topic/${LOCAL_MSK_CLUSTER_ARN_SUFFIX.slice(8)}/${t}`;
const schedulerRole = (iam: LocalIam) => {
  const arn = iam.roles.get('campusg-dev-timer-consumer')!.policies.flatMap((p) =>
    ([] as { Action?: unknown; Resource?: unknown }[])
      .concat(p.document.Statement as never)
      .filter((s) => s.Action === 'iam:PassRole')
      .map((s) => String(s.Resource)),
  )[0];
  return arn ?? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/CampusG-dev-Services-TimerSchedulerRole`;
};

beforeAll(async () => {
  await ensureSuiteAssembly();
}, 600_000);

describe('local IAM over the real assembly', () => {
  it("reads every function's role with only known managed policies and allows the saga's calls", async () => {
    const iam = load(copyAssembly());
    expect(iam.warnings()).toEqual([]);
    expect([...iam.roles.keys()].sort()).toEqual(
      expect.arrayContaining([
        'campusg-dev-order-api',
        'campusg-dev-timer-consumer',
        'campusg-dev-log-shipper',
      ]),
    );
    const passRole = schedulerRole(iam);
    await expect(
      iam.guard.check(fn(iam, 'campusg-dev-order-api'), [
        { action: 'dynamodb:PutItem', resource: table('orders') },
        { action: 'kafka:GetBootstrapBrokers', resource: CLUSTER },
      ]),
    ).resolves.toBeUndefined();
    await expect(
      iam.guard.check(fn(iam, 'campusg-dev-timer-consumer'), [
        {
          action: 'scheduler:CreateSchedule',
          resource: `arn:aws:scheduler:${REGION}:${LOCAL_ACCOUNT_ID}:schedule/campusg-dev-timers/t1`,
        },
        {
          action: 'iam:PassRole',
          resource: passRole,
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        },
      ]),
    ).resolves.toBeUndefined();
    const authorizer = kafkaAuthorizer(iam.guard, CLUSTER);
    expect(
      authorizer.authorize('campusg-dev-order-api', 'Write', { type: 'topic', name: 'order-events' }),
    ).toBe(true);
    expect(iam.denials).toEqual([]);
  });

  it('refuses the order API a table of another service', async () => {
    const iam = load(copyAssembly());
    await expect(
      iam.guard.check(fn(iam, 'campusg-dev-order-api'), [
        { action: 'dynamodb:PutItem', resource: table('payments') },
      ]),
    ).rejects.toThrow(
      `User: ${iam.roles.get('campusg-dev-order-api')!.sessionArn} is not authorized to perform: dynamodb:PutItem on resource: ${table('payments')} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it('refuses CreateSchedule once PassSchedulerRole is removed from the timer consumer', async () => {
    const lines: string[] = [];
    const iam = load(
      copyAssembly(withoutStatement('TimerTimerConsumerSchedules', 'PassSchedulerRole')),
      lines,
    );
    const passRole = schedulerRole(load(copyAssembly()));
    await expect(
      iam.guard.check(fn(iam, 'campusg-dev-timer-consumer'), [
        {
          action: 'iam:PassRole',
          resource: passRole,
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        },
      ]),
    ).rejects.toThrow(
      /is not authorized to perform: iam:PassRole on resource: .* because no identity-based policy allows/,
    );
    expect(lines).toEqual([
      `denied: campusg-dev-timer-consumer iam:PassRole ${passRole} (no policy allows it)`,
    ]);
  });

  it('refuses the order API a produce to order-events once KafkaPublishTopics is removed', () => {
    const lines: string[] = [];
    const iam = load(
      copyAssembly(withoutStatement('OrderApiFunctionServiceRoleDefaultPolicy', 'KafkaPublishTopics')),
      lines,
    );
    const authorizer = kafkaAuthorizer(iam.guard, CLUSTER);
    expect(
      authorizer.authorize('campusg-dev-order-api', 'Write', { type: 'topic', name: 'order-events' }),
    ).toBe(false);
    expect(lines).toEqual([
      `denied: campusg-dev-order-api kafka-cluster:WriteData ${topic('order-events')} (no policy allows it)`,
    ]);
  });
});
