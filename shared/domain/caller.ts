export type Role = 'customers' | 'runners';

/** Who calls the API: the token's `sub`, and the roles from its `cognito:groups` claim. */
export interface Caller {
  readonly userId: string;
  readonly roles: ReadonlySet<Role>;
}
