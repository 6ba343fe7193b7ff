// close() during a burst loses nothing: every send resolves (and is delivered) or rejects
// with a typed error; nothing resolves and then vanishes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { configure, close } from '../src/default-mailer.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';

const BURST = 300;

async function burst(makeMail: () => NewMail, closeAt: number, closeIt: () => Promise<void>) {
  const tokens = Array.from({ length: BURST }, () => randomUUID());
  let closing: Promise<void> | undefined;
  const outcomes = await Promise.allSettled(
    tokens.map(async (token, i) => {
      await delay(i % 50); // spread over time, so close() lands mid-burst
      if (i === closeAt) closing = closeIt();
      const mail = makeMail();
      mail.Subject = token;
      mail.BodyFormat = 'html';
      mail.MailFormat = 0;
      mail.Body = `<p>${token}</p>`;
      return mail.Send();
    }),
  );
  await closing;
  return { tokens, outcomes };
}

async function deliveredTokens(raws: readonly Buffer[]): Promise<string[]> {
  return Promise.all(raws.map(async (raw) => (await parseMail(raw)).subject ?? ''));
}

test('close() of the default mailer mid-burst: every send resolves and is delivered, exactly once', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  configure({ transport: sink.url, converterLingerMs: 0 });
  const mail = (): NewMail => {
    const m = new NewMail();
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    return m;
  };
  const { tokens, outcomes } = await burst(mail, 120, close);
  await close();
  const rejected = outcomes.filter((o) => o.status === 'rejected');
  assert.deepEqual(rejected, [], 'the default mailer starts afresh after close(): nothing is refused');
  const delivered = await deliveredTokens(sink.messages.map((m) => m.raw));
  assert.equal(delivered.length, BURST);
  assert.deepEqual([...delivered].sort(), [...tokens].sort());
});

test('close() of an explicit Mailer mid-burst: resolved sends are delivered, the rest are refused with a typed error', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const mailer = new Mailer({ transport: sink.url });
  const mail = (): NewMail => {
    const m = new NewMail({ mailer });
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    return m;
  };
  const { tokens, outcomes } = await burst(mail, 120, () => mailer.close());
  const delivered = new Set(await deliveredTokens(sink.messages.map((m) => m.raw)));
  let resolved = 0;
  let refused = 0;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') {
      resolved++;
      assert.ok(delivered.has(tokens[i] ?? ''), 'a send that resolved was delivered');
    } else {
      refused++;
      assert.ok(isCdoError(outcome.reason) && outcome.reason.code === 'CDO_E_END_OF_SESSION', String(outcome.reason));
      assert.ok(!delivered.has(tokens[i] ?? ''), 'a refused send was not delivered');
    }
  });
  assert.equal(delivered.size, resolved, 'nothing arrived that was not reported sent');
  assert.ok(resolved > 0 && refused > 0, `resolved ${resolved}, refused ${refused}`);
  t.diagnostic(`${resolved} sends delivered before close(), ${refused} refused after it`);
});
