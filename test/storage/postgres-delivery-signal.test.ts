import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryKey, PostgresDeliverySignal } from '../../src/storage/postgres/postgres-delivery-signal.js';
import { TEST_DATABASE_URL } from '../support/postgres-test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresDeliverySignal', () => {
  const open: PostgresDeliverySignal[] = [];
  const schema = `sig_${process.pid}_${randomBytes(3).toString('hex')}`;
  afterEach(async () => {
    await Promise.all(open.splice(0).map((signal) => signal.close()));
  });

  async function anInstance(name: string) {
    const events: string[] = [];
    const signal = new PostgresDeliverySignal({ connectionString: TEST_DATABASE_URL, schema, applicationName: `candor-signal-test-${name}-${schema}`, reconnectMs: 50 });
    open.push(signal);
    await signal.start({ onPending: (recipient) => events.push(recipient), onResync: () => events.push('resync') });
    return { signal, events };
  }

  async function until(probe: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(10);
    }
  }

  it('tells the instance watching a recipient, and only it, with an opaque payload', async () => {
    const a = await anInstance('a');
    const b = await anInstance('b');
    a.signal.watch('web:cust-7');
    const spy = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await spy.connect();
    const payloads: string[] = [];
    spy.on('notification', (message) => payloads.push(message.payload ?? ''));
    await spy.query(`LISTEN "candor_delivery_${schema}"`);
    try {
      await b.signal.announce('web:cust-7');
      await b.signal.announce('web:cust-8');
      await until(() => a.events.length === 1 && payloads.length === 2);
      await sleep(100);
      expect(a.events).toEqual(['web:cust-7']);
      expect(b.events).toEqual([]);
      expect(payloads).toEqual([deliveryKey('web:cust-7'), deliveryKey('web:cust-8')]);
      expect(payloads.join(' ')).not.toContain('cust');
      a.signal.unwatch('web:cust-7');
      await b.signal.announce('web:cust-7');
      await until(() => payloads.length === 3);
      await sleep(100);
      expect(a.events).toEqual(['web:cust-7']);
    } finally {
      await spy.end();
    }
  });

  it('reconnects by itself when its connection is killed, asks for a re-scan, and hears signals again', async () => {
    const a = await anInstance('restart');
    const b = await anInstance('other');
    a.signal.watch('anon:abc');
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`candor-signal-test-restart-${schema}`]);
      expect(killed.rowCount).toBe(1);
      await until(() => a.events.includes('resync'));
      expect(a.signal.isListening()).toBe(true);
      await b.signal.announce('anon:abc');
      await until(() => a.events.includes('anon:abc'));
    } finally {
      await admin.end();
    }
  });

  it('ignores its own announcements: the instance that announced a reply has sent it to its sockets already', async () => {
    const a = await anInstance('self');
    const b = await anInstance('peer');
    a.signal.watch('web:cust-self');
    b.signal.watch('web:cust-self');
    await a.signal.announce('web:cust-self');
    await until(() => b.events.length === 1);
    await sleep(150);
    expect(b.events).toEqual(['web:cust-self']);
    expect(a.events).toEqual([]);
    await b.signal.announce('web:cust-self');
    await until(() => a.events.length === 1);
    expect(a.events).toEqual(['web:cust-self']);
  });

  it('sends the announcements asked for together in one statement, from one backend, in their order', async () => {
    const a = await anInstance('batch');
    const spy = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await spy.connect();
    const heard: Array<{ payload: string; processId: number }> = [];
    spy.on('notification', (message) => heard.push({ payload: message.payload ?? '', processId: message.processId }));
    await spy.query(`LISTEN "candor_delivery_${schema}"`);
    try {
      const recipients = ['web:b1', 'web:b2', 'web:b3', 'web:b4', 'web:b5'];
      await Promise.all(recipients.map((recipient) => a.signal.announce(recipient)));
      await until(() => heard.length === recipients.length);
      expect(heard.map((message) => message.payload)).toEqual(recipients.map(deliveryKey));
      expect(new Set(heard.map((message) => message.processId)).size).toBe(1);
    } finally {
      await spy.end();
    }
  });
});
