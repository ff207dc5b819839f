import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AnyEvent } from '#shared/contracts';
import { ConcurrentUpdateError } from '#shared/errors';

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * One entity as stored: its domain state, an optimistic-concurrency version, and the output events of every
 * input it has applied (`emitted`, keyed by the cause: an input event id or an API command). A redelivered
 * input finds its cause here and re-publishes exactly the stored events (same id, same timestamp).
 */
export interface Versioned<S> {
  readonly state: S;
  readonly version: number;
  readonly emitted: Readonly<Record<string, readonly AnyEvent[]>>;
}

/**
 * Item layout (every entity table): `{ pk, sk, entity, status, version, state, emitted, updatedAt, expiresAt? }`.
 * `status` duplicates `state.status` at the top level so that every write is conditional on it.
 */
export class EntityStore<S extends { readonly status: string }> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: () => string,
    readonly entity: string,
  ) {}

  async get(key: ItemKey): Promise<Versioned<S> | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName(), Key: key, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return {
      state: out.Item.state as S,
      version: out.Item.version as number,
      emitted: out.Item.emitted ?? {},
    };
  }

  /**
   * Writes the next version of an entity with a single-item conditional put: the item must not exist when
   * `expected` is undefined, and must still be at the expected version and status otherwise. Throws
   * ConcurrentUpdateError when another writer got there first.
   */
  async put(
    key: ItemKey,
    next: Versioned<S>,
    expected: { version: number; status: string } | undefined,
    options: { expiresAt?: number; now?: Date } = {},
  ): Promise<void> {
    const item = {
      ...key,
      entity: this.entity,
      status: next.state.status,
      version: next.version,
      state: next.state,
      emitted: next.emitted,
      updatedAt: (options.now ?? new Date()).toISOString(),
      expiresAt: options.expiresAt,
    };
    try {
      await this.client.send(
        new PutCommand(
          expected
            ? {
                TableName: this.tableName(),
                Item: item,
                ConditionExpression: '#version = :version AND #status = :status',
                ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
                ExpressionAttributeValues: { ':version': expected.version, ':status': expected.status },
              }
            : { TableName: this.tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
        ),
      );
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        throw new ConcurrentUpdateError(
          `${this.entity} ${key.pk} changed since it was read (expected ${
            expected ? `version ${expected.version}, status ${expected.status}` : 'no item'
          })`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
