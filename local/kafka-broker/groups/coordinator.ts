import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes';
import type { BrokerStorage } from '../storage/types';
import {
  Group,
  type GroupState,
  type JoinGroupInput,
  type JoinGroupResult,
  joinError,
  type MemberDescription,
  type SyncGroupResult,
} from './group';

/** Kafka's group.min/max.session.timeout.ms defaults. */
export const MIN_SESSION_TIMEOUT_MS = 6_000;
export const MAX_SESSION_TIMEOUT_MS = 300_000;

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState | 'Dead';
  readonly protocolType: string;
  readonly protocolName: string;
  readonly members: MemberDescription[];
}

/**
 * The broker's only group coordinator (single node: it coordinates every group). Owns the groups and their
 * timers; committed offsets live in `BrokerStorage`.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly storage: BrokerStorage,
    private readonly log: (message: string) => void,
  ) {}

  join(groupId: string, input: JoinGroupInput): JoinGroupResult | Promise<JoinGroupResult> {
    if (groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, input.memberId);
    if (input.sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || input.sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, input.memberId);
    }
    let group = this.groups.get(groupId);
    if (!group) {
      group = new Group(groupId, (clientId) => `${clientId || 'member'}-${randomUUID()}`, this.log);
      this.groups.set(groupId, group);
    }
    return group.join(input);
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: readonly { memberId: string; assignment: Buffer }[],
  ): SyncGroupResult | Promise<SyncGroupResult> {
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) };
    return group.sync(memberId, generationId, assignments);
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    return this.groups.get(groupId)?.heartbeat(memberId, generationId) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberId: string): number {
    return this.groups.get(groupId)?.leave(memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Whether a member may commit offsets now: 0, or the error code for every partition of the commit. */
  checkCommit(groupId: string, generationId: number, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    return group.checkCommit(memberId, generationId);
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) {
      const known = this.storage.groupsWithOffsets().includes(groupId);
      return { groupId, state: known ? 'Empty' : 'Dead', protocolType: '', protocolName: '', members: [] };
    }
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: group.state === 'Stable' ? (group.protocolName ?? '') : '',
      members: group.describeMembers(),
    };
  }

  /**
   * Deletes a group without members and its committed offsets (DeleteGroups): NON_EMPTY_GROUP (68) while it
   * has members, GROUP_ID_NOT_FOUND (69) when neither the group nor offsets of it exist.
   */
  delete(groupId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (group && group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    if (!group && !this.storage.groupsWithOffsets().includes(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    group?.close();
    this.groups.delete(groupId);
    this.storage.deleteGroupOffsets(groupId);
    this.log(`deleted group ${groupId}`);
    return ErrorCode.NONE;
  }

  /**
   * Topics the live members of a consumer group subscribe to, from their JoinGroup metadata (consumer
   * protocol: version int16, topics [string], ...); for OffsetDelete. Unreadable metadata counts as
   * subscribing to nothing.
   */
  subscribedTopics(groupId: string): Set<string> {
    const topics = new Set<string>();
    const group = this.groups.get(groupId);
    if (group?.protocolType !== 'consumer') return topics;
    for (const member of group.describeMembers()) {
      const m = member.metadata;
      if (m.length < 6) continue;
      let pos = 2;
      const count = m.readInt32BE(pos);
      pos += 4;
      for (let i = 0; i < count && pos + 2 <= m.length; i++) {
        const length = m.readInt16BE(pos);
        pos += 2;
        if (length < 0 || pos + length > m.length) break;
        topics.add(m.toString('utf8', pos, pos + length));
        pos += length;
      }
    }
    return topics;
  }

  list(): { groupId: string; protocolType: string }[] {
    const out = new Map<string, string>();
    for (const groupId of this.storage.groupsWithOffsets()) out.set(groupId, 'consumer');
    for (const group of this.groups.values())
      out.set(group.id, group.protocolType ?? out.get(group.id) ?? '');
    return [...out].map(([groupId, protocolType]) => ({ groupId, protocolType }));
  }

  close(): void {
    for (const group of this.groups.values()) group.close();
    this.groups.clear();
  }
}
