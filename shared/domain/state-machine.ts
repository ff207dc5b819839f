import { TransitionError } from '#shared/errors';

export interface Transition<S extends string> {
  /** `[*]` is the start: the entity does not exist yet. */
  readonly from: S | '[*]';
  readonly to: S;
  /** What triggers it: an event type or an API command. */
  readonly on: string;
}

/**
 * A state machine written down once, as a table of allowed transitions. Domain functions ask it before every
 * state change (`assert`), and docs/state-machines.md shows its `mermaid()` rendering (a test keeps the two
 * identical), so the diagram can never drift from the code.
 */
export class StateMachine<S extends string> {
  constructor(
    readonly entity: string,
    readonly transitions: readonly Transition<S>[],
  ) {}

  allowed(from: S | undefined, to: S): boolean {
    const start = from ?? '[*]';
    return this.transitions.some((t) => t.from === start && t.to === to);
  }

  /** States from which `to` may be entered. */
  sourcesOf(to: S): S[] {
    return [
      ...new Set(this.transitions.filter((t) => t.to === to && t.from !== '[*]').map((t) => t.from as S)),
    ];
  }

  isFinal(state: S): boolean {
    return !this.transitions.some((t) => t.from === state);
  }

  /** Throws a TransitionError naming the entity, its current state and the action when `from -> to` is not allowed. */
  assert(id: string, from: S | undefined, to: S, action: string): void {
    if (!this.allowed(from, to)) {
      throw new TransitionError(
        this.entity,
        id,
        from ?? 'absent',
        action,
        from === undefined ? [] : this.sourcesOf(to),
      );
    }
  }

  /** The Mermaid `stateDiagram-v2` of this machine, one line per transition (labels merged per edge). */
  mermaid(): string {
    const edges = new Map<string, string[]>();
    for (const t of this.transitions) {
      const edge = `${t.from} --> ${t.to}`;
      edges.set(edge, [...(edges.get(edge) ?? []), t.on]);
    }
    const finals = [...new Set(this.transitions.map((t) => t.to))].filter((s) => this.isFinal(s));
    return [
      'stateDiagram-v2',
      ...[...edges].map(([edge, labels]) => `  ${edge}: ${labels.join(' / ')}`),
      ...finals.map((s) => `  ${s} --> [*]`),
    ].join('\n');
  }
}
