import { ErrorCode } from '../protocol/error-codes';

/**
 * One classic consumer group: Empty -> PreparingRebalance -> CompletingRebalance -> Stable.
 *
 * - A join round completes as soon as every known member has rejoined, else when the largest rebalance
 *   timeout fires, dropping the members that did not rejoin. There is no initial rebalance delay.
 * - Each member has a session timer reset by Heartbeat, JoinGroup, SyncGroup and OffsetCommit; members
 *   parked in a JoinGroup or SyncGroup are kept alive. An expired member leaves as if by LeaveGroup.
 * - Ids handed out with MEMBER_ID_REQUIRED wait as "pending" until the member comes back (or its session
 *   timeout passes).
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupInput {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED with its id. */
  readonly requireKnownMemberId: boolean;
}

export interface JoinGroupResult {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leader: string;
  readonly memberId: string;
  readonly members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncGroupResult {
  readonly errorCode: number;
  readonly assignment: Buffer;
}

export interface MemberDescription {
  readonly memberId: string;
  /** Static membership id (KIP-345), if the member gave one. */
  readonly groupInstanceId?: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly metadata: Buffer;
  readonly assignment: Buffer;
}

interface Member {
  readonly id: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  assignment: Buffer;
  awaitingJoin?: (result: JoinGroupResult) => void;
  awaitingSync?: (result: SyncGroupResult) => void;
  sessionTimer?: NodeJS.Timeout;
}

const EMPTY = Buffer.alloc(0);

export function joinError(errorCode: number, memberId = ''): JoinGroupResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  private readonly members = new Map<string, Member>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly newMemberId: (clientId: string) => string,
    private readonly log: (message: string) => void,
  ) {}

  get size(): number {
    return this.members.size;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  join(input: JoinGroupInput): JoinGroupResult | Promise<JoinGroupResult> {
    if (!this.acceptsProtocols(input.protocolType, input.protocols)) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, input.memberId);
    }
    if (input.memberId === '') {
      const memberId = this.newMemberId(input.clientId);
      if (input.requireKnownMemberId) {
        const timer = setTimeout(() => this.pending.delete(memberId), input.sessionTimeoutMs);
        timer.unref();
        this.pending.set(memberId, timer);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addMember(memberId, input);
    }
    const pendingTimer = this.pending.get(input.memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(input.memberId);
      return this.addMember(input.memberId, input);
    }
    const member = this.members.get(input.memberId);
    if (!member) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId);
    return this.rejoin(member, input);
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): SyncGroupResult | Promise<SyncGroupResult> {
    const member = this.members.get(memberId);
    if (!member) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    if (generationId !== this.generationId)
      return { errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY };
    this.touch(member);
    if (this.state === 'PreparingRebalance')
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY };
    if (this.state === 'Stable') return { errorCode: ErrorCode.NONE, assignment: member.assignment };
    return new Promise<SyncGroupResult>((resolve) => {
      member.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      member.awaitingSync = resolve;
      if (memberId === this.leaderId) {
        const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
        for (const m of this.members.values()) m.assignment = Buffer.from(byMember.get(m.id) ?? EMPTY);
        this.state = 'Stable';
        this.log(
          `group ${this.id} generation ${this.generationId} is stable with ${this.members.size} members`,
        );
        for (const m of this.members.values()) {
          const reply = m.awaitingSync;
          m.awaitingSync = undefined;
          reply?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
        }
      }
    });
  }

  heartbeat(memberId: string, generationId: number): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(memberId: string): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member, 'left the group');
    return ErrorCode.NONE;
  }

  /** Error code for an OffsetCommit by this member at this generation (0 = may commit). */
  checkCommit(memberId: string, generationId: number): number {
    if (generationId < 0 && this.state === 'Empty') return ErrorCode.NONE;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touch(member);
    return ErrorCode.NONE;
  }

  describeMembers(): MemberDescription[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.id,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
      assignment: m.assignment,
    }));
  }

  /** Stops every timer and answers parked requests (broker shutdown). */
  close(): void {
    clearTimeout(this.rebalanceTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const member of this.members.values()) {
      clearTimeout(member.sessionTimer);
      member.awaitingJoin?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.id));
      member.awaitingSync?.({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY });
    }
    this.members.clear();
  }

  /** Protocols every current member supports. */
  private candidateProtocols(): Set<string> {
    let candidates: Set<string> | undefined;
    for (const member of this.members.values()) {
      const names = new Set(member.protocols.map((p) => p.name));
      candidates = candidates ? new Set([...candidates].filter((n) => names.has(n))) : names;
    }
    return candidates ?? new Set();
  }

  private acceptsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  private addMember(memberId: string, input: JoinGroupInput): Promise<JoinGroupResult> {
    const member: Member = {
      id: memberId,
      groupInstanceId: input.groupInstanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      protocols: input.protocols,
      assignment: EMPTY,
    };
    if (this.members.size === 0) this.protocolType = input.protocolType;
    this.members.set(memberId, member);
    this.log(`group ${this.id}: member ${memberId} joins`);
    return this.awaitJoin(member);
  }

  private rejoin(member: Member, input: JoinGroupInput): JoinGroupResult | Promise<JoinGroupResult> {
    const sameProtocols =
      member.protocols.length === input.protocols.length &&
      member.protocols.every(
        (p, i) => p.name === input.protocols[i]!.name && p.metadata.equals(input.protocols[i]!.metadata),
      );
    member.protocols = input.protocols;
    member.sessionTimeoutMs = input.sessionTimeoutMs;
    member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    member.clientId = input.clientId;
    member.clientHost = input.clientHost;
    if (this.state === 'Stable' && sameProtocols && member.id !== this.leaderId) {
      // A follower that lost its join response: hand it the current generation, no rebalance.
      this.touch(member);
      return {
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        protocolName: this.protocolName ?? '',
        leader: this.leaderId ?? '',
        memberId: member.id,
        members: [],
      };
    }
    return this.awaitJoin(member);
  }

  private awaitJoin(member: Member): Promise<JoinGroupResult> {
    return new Promise<JoinGroupResult>((resolve) => {
      member.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.id));
      member.awaitingJoin = resolve;
      this.touch(member);
      if (this.state !== 'PreparingRebalance') this.prepareRebalance();
      this.maybeCompleteJoin();
    });
  }

  private prepareRebalance(): void {
    if (this.state === 'CompletingRebalance') {
      for (const member of this.members.values()) {
        const reply = member.awaitingSync;
        member.awaitingSync = undefined;
        reply?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    this.state = 'PreparingRebalance';
    let timeoutMs = 0;
    for (const member of this.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs);
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => this.completeJoin(), timeoutMs);
    this.rebalanceTimer.unref();
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    for (const member of this.members.values()) if (!member.awaitingJoin) return;
    this.completeJoin();
  }

  private completeJoin(): void {
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    for (const member of [...this.members.values()]) {
      if (!member.awaitingJoin) this.dropMember(member, 'did not rejoin within the rebalance timeout');
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      return;
    }
    this.protocolName = this.electProtocol();
    if (!this.leaderId || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = 'CompletingRebalance';
    const everyone = [...this.members.values()].map((m) => ({
      memberId: m.id,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)!.metadata,
    }));
    for (const member of this.members.values()) {
      const reply = member.awaitingJoin!;
      member.awaitingJoin = undefined;
      this.touch(member);
      reply({
        errorCode: ErrorCode.NONE,
        generationId: this.generationId,
        protocolName: this.protocolName,
        leader: this.leaderId,
        memberId: member.id,
        members: member.id === this.leaderId ? everyone : [],
      });
    }
  }

  /** Each member votes for its most preferred protocol among those all members support. */
  private electProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.has(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  private touch(member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => this.expire(member), member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private expire(member: Member): void {
    if (this.members.get(member.id) !== member) return;
    if (member.awaitingJoin || member.awaitingSync) {
      this.touch(member);
      return;
    }
    this.removeMember(member, `session timed out after ${member.sessionTimeoutMs} ms`);
  }

  private dropMember(member: Member, reason: string): void {
    clearTimeout(member.sessionTimer);
    this.members.delete(member.id);
    if (member.id === this.leaderId) this.leaderId = null;
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.id));
    member.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    member.awaitingJoin = undefined;
    member.awaitingSync = undefined;
    this.log(`group ${this.id}: member ${member.id} ${reason}`);
  }

  private removeMember(member: Member, reason: string): void {
    this.dropMember(member, reason);
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance();
    this.maybeCompleteJoin();
  }
}
