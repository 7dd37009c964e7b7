import type { LoginResult } from '../../src/realtime/contract';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import type { TestApp } from '../harness/app';

export const PASSWORD = 'Correct-Horse-9-Battery';

/** A logged-in account: its id, token and what it logged in with. */
export interface Login {
  id: string;
  token: string;
  displayName: string;
  login: string;
  password: string;
}

export async function login(t: TestApp, center: string, loginName: string, password: string): Promise<Login> {
  const res = await t.http().post('/api/auth/login').send({ center, login: loginName, password }).expect(200);
  const body = res.body as LoginResult;
  return { id: body.account.id, token: body.token, displayName: body.account.displayName, login: loginName, password };
}

export interface StaffSpec {
  email: string;
  displayName: string;
  role: 'admin' | 'counselor';
  password: string;
}

let staffSeq = 0;

/** A staff account through the service (as an admin or the CLI creates one), logged in. */
export async function createStaff(t: TestApp, center: { id: string; slug: string }, overrides: Partial<StaffSpec> = {}): Promise<Login> {
  const n = ++staffSeq;
  const role = overrides.role ?? 'counselor';
  const spec: StaffSpec = {
    email: `${role}${n}@${center.slug}.example`,
    displayName: `${role === 'admin' ? 'Admin' : 'Counselor'} ${n}`,
    password: PASSWORD,
    ...overrides,
    role,
  };
  await t.app.get(AccountsService).createStaff(center.id, spec);
  return login(t, center.slug, spec.email, spec.password);
}

export interface ClientSpec {
  username: string;
  password: string;
  /** A contact address (a confirmation mail goes to the outbox). */
  email: string;
}

let clientSeq = 0;

/** A client registered through `POST /api/auth/register`, as the widget registers one. */
export async function createClient(t: TestApp, center: { slug: string }, overrides: Partial<ClientSpec> = {}): Promise<Login> {
  const spec = { username: `client-${++clientSeq}-${center.slug}`.slice(0, 40), password: PASSWORD, ...overrides };
  const res = await t
    .http()
    .post('/api/auth/register')
    .send({ center: center.slug, ...spec })
    .expect(201);
  const body = res.body as LoginResult;
  return { id: body.account.id, token: body.token, displayName: body.account.displayName, login: spec.username, password: spec.password };
}
