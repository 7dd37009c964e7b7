import { randomUUID } from 'node:crypto';
import { RandomIdGenerator, SystemClock } from '../../src/common/clock';
import { Transactions } from '../../src/infra/database/transactions';
import { ClientCounselor } from '../../src/modules/client-counselors/client-counselor.entity';
import { ClientCounselorsRepository } from '../../src/modules/client-counselors/client-counselors.repository';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import { openTestDatabase } from '../harness/database';

describe('client counselors (real database)', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let service: ClientCounselorsService;
  const centerId = randomUUID();

  beforeAll(async () => {
    db = await openTestDatabase();
    const repo = new ClientCounselorsRepository(db.ds.getRepository(ClientCounselor), new Transactions(db.ds));
    service = new ClientCounselorsService(repo, new SystemClock(), new RandomIdGenerator());
  });
  afterAll(async () => db.close());

  it('should keep exactly one counselor when several assign the same client at once', async () => {
    const clientId = randomUUID();
    const counselors = Array.from({ length: 8 }, () => randomUUID());
    const results = await Promise.all(counselors.map((c) => service.assignIfNone(centerId, clientId, c, 'booking')));
    const rows = await db.ds.getRepository(ClientCounselor).findBy({ centerId, clientId });
    expect(rows).toHaveLength(1);
    // every caller is told the one counselor the client has now
    expect(new Set(results)).toEqual(new Set([rows[0]!.counselorId]));
    expect(counselors).toContain(rows[0]!.counselorId);
  });

  it('should leave an existing counselor in place on assignIfNone and replace it on assign', async () => {
    const clientId = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    expect(await service.assignIfNone(centerId, clientId, first, 'crisis')).toBe(first);
    expect(await service.assignIfNone(centerId, clientId, second, 'booking')).toBe(first);
    expect(await service.isAssigned(centerId, second, clientId)).toBe(false);
    await service.assign(centerId, clientId, second, 'admin');
    expect(await service.counselorOf(centerId, clientId)).toBe(second);
    expect(await service.clientsOf(centerId, first)).not.toContain(clientId);
    expect(await service.clientsOf(centerId, second)).toContain(clientId);
  });

  it('should scope by center and remove every row of a deleted account', async () => {
    const clientId = randomUUID();
    const counselor = randomUUID();
    await service.assignIfNone(centerId, clientId, counselor, 'booking');
    expect(await service.counselorOf(randomUUID(), clientId)).toBeNull();
    expect(await service.counselorOf(centerId, 'not-a-uuid')).toBeNull();
    const other = randomUUID();
    await service.assignIfNone(centerId, other, counselor, 'booking');
    expect(await service.countOf(centerId, counselor)).toBe(2);
    await service.onAccountGone({ centerId, accountId: counselor });
    expect(await service.countOf(centerId, counselor)).toBe(0);
    expect(await service.counselorOf(centerId, clientId)).toBeNull();
  });
});
