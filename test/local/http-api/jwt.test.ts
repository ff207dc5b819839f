import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { JwtIssueError, JwtKeyFileError, JwtVerificationError, LocalJwt } from '#local/http-api/index';

describe('LocalJwt', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'campusg-jwt-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates one signing key per state directory and reuses it', async () => {
    const [a, b] = await Promise.all([LocalJwt.load(dir), LocalJwt.load(dir)]);
    expect(a.kid).toBe(b.kid);
    expect(a.keyPath).toBe(join(dir, 'jwt-key.json'));
    expect(statSync(a.keyPath).mode & 0o777).toBe(0o600);
    const token = await a.issueToken({ sub: 'runner-3', groups: ['runners'] });
    const again = await LocalJwt.load(dir);
    const claims = await again.verify(token);
    expect(claims).toMatchObject({
      sub: 'runner-3',
      'cognito:groups': ['runners'],
      iss: 'campusg-local',
      aud: 'campusg',
      token_use: 'access',
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('issues tokens with the requested lifetime', async () => {
    const jwt = await LocalJwt.load(dir);
    const claims = await jwt.verify(
      await jwt.issueToken({ sub: 'c', groups: ['customers', 'runners'], ttlSeconds: 60 }),
    );
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims['cognito:groups']).toEqual(['customers', 'runners']);
  });

  it.each([
    [{ sub: '', groups: ['customers'] }, 'sub must be a non-empty user id'],
    [{ sub: 'x', groups: [] }, 'groups needs at least one'],
    [{ sub: 'x', groups: ['admins'] }, 'groups may only contain customers and runners'],
    [{ sub: 'x', groups: ['customers'], ttlSeconds: 0 }, 'ttlSeconds must be positive'],
  ])('refuses to issue %j', async (input, message) => {
    const jwt = await LocalJwt.load(dir);
    const issue = jwt.issueToken(input as never);
    await expect(issue).rejects.toBeInstanceOf(JwtIssueError);
    await expect(issue).rejects.toThrow(message);
  });

  it('rejects a token for another audience with the claim named', async () => {
    const jwt = await LocalJwt.load(dir);
    const key = JSON.parse(readFileSync(jwt.keyPath, 'utf8'));
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('campusg-local')
      .setAudience('someone-else')
      .setExpirationTime('1h')
      .sign(await importJWK(key.privateJwk, 'ES256'));
    const verify = jwt.verify(token);
    await expect(verify).rejects.toBeInstanceOf(JwtVerificationError);
    await expect(verify).rejects.toThrow("the token's aud claim is not valid");
  });

  it('rejects an unsigned token', async () => {
    const jwt = await LocalJwt.load(dir);
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    const body = Buffer.from('{"sub":"x","iss":"campusg-local","aud":"campusg"}').toString('base64url');
    await expect(jwt.verify(`${header}.${body}.`)).rejects.toBeInstanceOf(JwtVerificationError);
  });

  it('names a key file it cannot use', async () => {
    writeFileSync(join(dir, 'jwt-key.json'), '{"kid":"x"}');
    const load = LocalJwt.load(dir);
    await expect(load).rejects.toBeInstanceOf(JwtKeyFileError);
    await expect(load).rejects.toThrow(`${join(dir, 'jwt-key.json')} is not a local ES256 signing key`);
  });
});
