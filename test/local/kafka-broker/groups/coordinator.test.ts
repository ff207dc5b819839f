import { GroupCoordinator } from '#local/kafka-broker/groups/coordinator';
import type { JoinGroupInput } from '#local/kafka-broker/groups/group';
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import { MemoryStorage } from '#local/kafka-broker/storage/memory';

const meta = (s: string) => Buffer.from(s);

function input(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    memberId: '',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: 6000,
    rebalanceTimeoutMs: 60_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: meta('m') }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

describe('group coordinator', () => {
  let groups: GroupCoordinator;
  beforeEach(() => {
    groups = new GroupCoordinator(new MemoryStorage(), () => {});
  });
  afterEach(() => {
    groups.close();
    jest.useRealTimers();
  });

  it('rejects session timeouts outside 6 s..5 min with INVALID_SESSION_TIMEOUT', async () => {
    expect((await groups.join('g', input({ sessionTimeoutMs: 5999 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await groups.join('g', input({ sessionTimeoutMs: 300_001 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
  });

  it('hands out a member id with MEMBER_ID_REQUIRED at JoinGroup v4+, then admits that member', async () => {
    const first = await groups.join('g', input({ requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).not.toBe('');
    const second = await groups.join('g', input({ memberId: first.memberId, requireKnownMemberId: true }));
    expect(second).toMatchObject({
      errorCode: 0,
      generationId: 1,
      leader: first.memberId,
      memberId: first.memberId,
    });
    expect(second.members).toEqual([
      { memberId: first.memberId, groupInstanceId: null, metadata: meta('m') },
    ]);
  });

  it('refuses a member whose protocols the group cannot share with INCONSISTENT_GROUP_PROTOCOL', async () => {
    const a = await groups.join(
      'g',
      input({ protocols: [{ name: 'RoundRobinAssigner', metadata: meta('k') }] }),
    );
    expect(a.errorCode).toBe(0);
    const b = await groups.join('g', input({ protocols: [{ name: 'range', metadata: meta('r') }] }));
    expect(b.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('rebalances when a member joins, completing once every known member has rejoined', async () => {
    const a = await groups.join('g', input());
    expect(
      (await groups.sync('g', 1, a.memberId, [{ memberId: a.memberId, assignment: meta('all') }])).assignment,
    ).toEqual(meta('all'));
    const bJoin = groups.join('g', input());
    expect(groups.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = groups.join('g', input({ memberId: a.memberId }));
    const [a2, b2] = await Promise.all([aJoin, bJoin]);
    expect(a2).toMatchObject({ errorCode: 0, generationId: 2, leader: a.memberId });
    expect(a2.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b2.memberId].sort());
    expect(b2).toMatchObject({ errorCode: 0, generationId: 2, leader: a.memberId, members: [] });

    // The follower waits for the leader's assignment; commits meanwhile get REBALANCE_IN_PROGRESS.
    const bSync = groups.sync('g', 2, b2.memberId, []);
    expect(groups.checkCommit('g', 2, b2.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await groups.sync('g', 2, a.memberId, [
      { memberId: a.memberId, assignment: meta('p0') },
      { memberId: b2.memberId, assignment: meta('p1') },
    ]);
    expect(await bSync).toEqual({ errorCode: 0, assignment: meta('p1') });
    expect(groups.checkCommit('g', 2, b2.memberId)).toBe(0);
    expect(groups.checkCommit('g', 1, b2.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(groups.checkCommit('g', 2, 'stranger')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(groups.describe('g').state).toBe('Stable');
  });

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const a = await groups.join('g', input({ rebalanceTimeoutMs: 50 }));
    const b = groups.join('g', input({ rebalanceTimeoutMs: 50 }));
    // a never rejoins: the round completes without it.
    const joined = await b;
    expect(joined).toMatchObject({ errorCode: 0, generationId: 2, leader: joined.memberId });
    expect(groups.heartbeat('g', 2, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member whose session times out and rebalances the others', async () => {
    jest.useFakeTimers();
    const a = await groups.join('g', input());
    await groups.sync('g', 1, a.memberId, []);
    const bJoin = groups.join('g', input());
    const aJoin = groups.join('g', input({ memberId: a.memberId }));
    const [, b] = await Promise.all([aJoin, bJoin]);
    await Promise.all([groups.sync('g', 2, a.memberId, []), groups.sync('g', 2, b.memberId, [])]);
    for (let t = 0; t < 7000; t += 1000) {
      jest.advanceTimersByTime(1000);
      groups.heartbeat('g', 2, b.memberId); // only b stays alive
    }
    expect(groups.heartbeat('g', 2, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(groups.heartbeat('g', 2, b.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await groups.join('g', input({ memberId: b.memberId }));
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: 3, leader: b.memberId });
  });

  it('lets a member leave and allows simple commits on an empty group', async () => {
    const a = await groups.join('g', input());
    expect(groups.leave('g', a.memberId)).toBe(0);
    expect(groups.leave('g', a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(groups.describe('g').state).toBe('Empty');
    expect(groups.checkCommit('g', -1, '')).toBe(0);
    expect(groups.checkCommit('unknown', -1, '')).toBe(0);
    expect(groups.describe('unknown').state).toBe('Dead');
  });
});
