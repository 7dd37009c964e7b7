import { Logger } from '@nestjs/common';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { MailService, OUTBOX_RETENTION_MS } from '../../src/infra/mail/mail.service';
import { tempDataDir } from '../harness/env';
import { readOutbox } from '../harness/outbox';

describe('the local mail outbox', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['error', 'warn', 'log']);
  });
  const setup = () => {
    const dataDir = tempDataDir();
    return { dataDir, mail: new MailService(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })) };
  };

  it("should remove every mail of an address and only those when the address's account is deleted", async () => {
    const { dataDir, mail } = setup();
    await mail.send({ to: 'gone@example.org', subject: 'Bitte bestätigen', text: 'Link' });
    await mail.send({ to: 'stays@example.org', subject: 'Bitte bestätigen', text: 'Link' });
    await mail.send({
      to: 'other@example.org',
      subject: 'Hinweis',
      text: `Eine sehr lange Zeile, die umbrochen wird, bevor die Adresse kommt: GONE@example.org`,
    });
    expect(readOutbox(dataDir)).toHaveLength(3);
    expect(mail.forgetAddress('Gone@Example.org ')).toBe(2);
    const left = readOutbox(dataDir);
    expect(left).toHaveLength(1);
    expect(left[0]).toContain('stays@example.org');
    expect(left.join('\n').toLowerCase()).not.toContain('gone@example.org');
  });

  it('should remove mails older than the retention and keep the newer ones when the outbox is pruned', async () => {
    const { dataDir, mail } = setup();
    await mail.send({ to: 'old@example.org', subject: 'Alt', text: 'x' });
    const dir = join(dataDir, 'outbox');
    const [oldFile] = readdirSync(dir);
    const past = (Date.now() - OUTBOX_RETENTION_MS - 60_000) / 1000;
    utimesSync(join(dir, oldFile!), past, past);
    await mail.send({ to: 'new@example.org', subject: 'Neu', text: 'y' });
    expect(mail.pruneOutbox()).toBe(1);
    expect(existsSync(join(dir, oldFile!))).toBe(false);
    expect(readOutbox(dataDir)).toEqual([expect.stringContaining('new@example.org')]);
    // and at start
    utimesSync(join(dir, readdirSync(dir)[0]!), past, past);
    new MailService(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    expect(readOutbox(dataDir)).toEqual([]);
  });
});
