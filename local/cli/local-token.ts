import { LocalJwt } from '#local/http-api/jwt';

/**
 * Dev tokens for `--target local`: signed with the same key the local HTTP API verifies against
 * (`<stateDir>/jwt-key.json`, see local/http-api/jwt.ts), like `campusg token`.
 */
export async function mintDevToken(input: {
  sub: string;
  groups: string[];
  stateDir: string;
}): Promise<string> {
  const jwt = await LocalJwt.load(input.stateDir);
  const groups = input.groups.filter(
    (g): g is 'customers' | 'runners' => g === 'customers' || g === 'runners',
  );
  return jwt.issueToken({ sub: input.sub, groups, ttlSeconds: 3600 });
}
