import { randomUUID } from 'node:crypto';
import { world } from './actors';
import {
  ACTORS,
  type ActorKey,
  actorsOf,
  type Answer,
  type Ctx,
  fillPath,
  forbiddenIds,
  freshActorFor,
  operations,
  type Req,
  ROLE_OF,
  RULES,
  send,
  UPCOMING,
  type Who,
} from './access';

/**
 * The access matrix (docs/security.md, "Access"): every REST route of the server's own OpenAPI
 * document × eight actors (no token, a visitor, the client, another client, the counselor, another
 * counselor, the admin, another center's admin), each answer checked against the table in
 * access.ts. A route without an entry fails here, so a new route is covered the day it appears.
 */

const ops = operations();
const ctx = (): Ctx => {
  const [a, b] = world().centers;
  return { a, b, who: actorsOf() };
};
const CODE_OF: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };
const idParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => p !== 'center');

function expectedRefusal(key: string, actor: ActorKey, allow: ActorKey[], deny: Partial<Record<ActorKey, number[]>> | undefined, path: string): number[] {
  if (deny?.[actor]) return deny[actor];
  if (actor === 'anon') return [401];
  // another center's admin on a path that names center A: refused as a stranger (the slug is public)
  if (actor === 'admin2' && path.includes('{center}')) return [403, 404];
  // the right role, but not the owner (or another center): it must look as if nothing were there
  if (idParams(path).length > 0 && allow.some((a) => ROLE_OF[a] === ROLE_OF[actor])) return [404];
  if (actor === 'visitor') return [401, 403, 404];
  void key;
  return [403, 404];
}

const tokenOf = (w: Who) => w?.token ?? null;
const show = (a: Answer) => `${a.status}${a.code ? ` ${a.code}` : ''}${a.message ? ` "${a.message}"` : ''}`;

describe('access matrix: every REST route × every actor', () => {
  it('has an expectation for every route of the OpenAPI document, and none for a route that is gone', () => {
    const keys = new Set(ops.map((o) => o.key));
    expect(ops.length).toBeGreaterThan(50);
    expect(ops.filter((o) => !RULES[o.key] && !UPCOMING[o.key]).map((o) => o.key)).toEqual([]);
    expect(Object.keys(RULES).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('answers no route without a token with success, except the public ones the table names', () => {
    const publicKeys = Object.entries({ ...RULES, ...UPCOMING })
      .filter(([, r]) => r.allow.includes('anon'))
      .map(([k]) => k);
    // the document and the table agree on what is public: a secured route is never open to everyone
    const secured = ops.filter((o) => o.secured).map((o) => o.key);
    expect(secured.filter((k) => publicKeys.includes(k))).toEqual([]);
  });

  for (const op of ops) {
    const rule = RULES[op.key] ?? UPCOMING[op.key];
    it(`${op.key} — ${rule ? `success for ${rule.allow.length === ACTORS.length ? 'everyone' : rule.allow.join(', ')}` : 'NO EXPECTATION'}`, async () => {
      if (!rule) throw new Error(`${op.key} has no entry in test/attacks/access.ts RULES: say who may call it`);
      const c = ctx();
      const who: Record<ActorKey, Who> = { ...c.who };
      if (rule.freshActors) {
        const fresh = await Promise.all(ACTORS.map((a) => freshActorFor(a, c)));
        ACTORS.forEach((a, i) => (who[a] = fresh[i]!));
      }
      const cc: Ctx = { ...c, who };
      const forbidden = forbiddenIds(c);
      const problems: string[] = [];
      const checkLeak = (actor: ActorKey, a: Answer, sent: string) => {
        const leaked = forbidden[actor].filter((id) => a.text.includes(id) && !sent.includes(id));
        if (leaked.length) problems.push(`${actor}: the answer carries ids it may not know: ${leaked.join(', ')}`);
      };
      const run = async (actor: ActorKey, r: Req): Promise<Answer> => {
        const path = fillPath(op.path, r.params);
        const a = await send(op.method, path, tokenOf(who[actor]), r);
        checkLeak(actor, a, JSON.stringify(r.params ?? {}) + JSON.stringify(r.body ?? {}));
        return a;
      };
      const withRandomIds = (r: Req): Req => ({ ...r, params: { ...r.params, ...Object.fromEntries(ids.map((p) => [p, randomUUID()])) } });
      const refused = ACTORS.filter((a) => !rule.allow.includes(a));
      const allowed = ACTORS.filter((a) => rule.allow.includes(a));
      const ids = idParams(op.path);
      // destructive routes: the refused all try one resource, then the first allowed actor uses that
      // same one (so the refusals provably left it intact), every other allowed actor a fresh one
      const shared = rule.fresh ? await rule.req!(cc, refused[0] ?? allowed[0]!) : null;
      const reqFor = async (actor: ActorKey) => shared ?? (await rule.req?.(cc, actor)) ?? {};
      await Promise.all(
        refused.map(async (actor) => {
          const r = await reqFor(actor);
          const a = await run(actor, r);
          const want = expectedRefusal(op.key, actor, rule.allow, rule.deny, op.path);
          if (!want.includes(a.status)) problems.push(`${actor}: expected ${want.join(' or ')}, got ${show(a)}`);
          else if (a.code !== CODE_OF[a.status]) problems.push(`${actor}: status ${a.status} with code ${String(a.code)}`);
          // no existence oracle: the same answer for a random id (unless the table says the actor knows the resource)
          if (actor !== 'anon' && ids.length > 0 && a.status !== 401 && !rule.deny?.[actor]) {
            const b = await run(actor, withRandomIds(r));
            if (show(a) !== show(b)) problems.push(`${actor}: existence oracle — the real id answers ${show(a)}, a random one ${show(b)}`);
          }
        }),
      );
      const requests = await Promise.all(allowed.map(async (actor, i) => (rule.fresh && i > 0 ? rule.req!(cc, actor) : reqFor(actor))));
      await Promise.all(
        allowed.map(async (actor, i) => {
          const r = requests[i]!;
          const a = await run(actor, r);
          const want = rule.ok ?? [200, 201, 202, 204];
          if (!want.includes(a.status)) problems.push(`${actor}: expected ${want.join(' or ')}, got ${show(a)}`);
          // another center's id answers exactly as a random id: 404, nothing told
          if (rule.foreign && ids.length > 0) {
            const foreign = await run(actor, { ...r, params: { ...r.params, ...rule.foreign(c) } });
            const random = await run(actor, withRandomIds(r));
            if (foreign.status !== 404 || show(foreign) !== show(random))
              problems.push(`${actor}: another center's id answers ${show(foreign)}, a random id ${show(random)} (both must be the same 404)`);
          }
        }),
      );
      expect(problems).toEqual([]);
    });
  }
});
