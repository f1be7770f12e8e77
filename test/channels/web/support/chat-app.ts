import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Locale } from '../../../../src/core/locale.js';
import { startCandor } from '../../../../src/main.js';
import { buildTestCandor } from '../../../support/build-test-candor.js';
import type { CustomerChannel } from '../../../../src/core/reply.js';
import type { CaseService } from '../../../../src/escalation/case-service.js';
import { forgetCustomer } from '../../../../src/operations/forget-customer.js';
import { DEMO_DROP_REASONS } from '../../../fakes/web-scripted-turn-handler.js';
import { startTestWebChannel } from './start-test-web-channel.js';

/** A running Candor (or a stand-in) that serves the widget and demo pages. */
export interface RunningChatApp {
  /** `http://host:port` of the web chat. */
  url: string;
  /** The output port, so a test can play an agent joining. */
  customerChannel: CustomerChannel;
  /** The reason texts the app shows `demo-drop` for "why did my limit drop", per locale, in order. */
  demoDropReasons: Record<Locale, string[]>;
  /** The agents' side (claim, reply, resolve), as the Slack buttons and the agent console use it; absent for a stand-in. */
  cases?: CaseService;
  /** Erases a customer's conversations (`npm run forget`), so a test starts a new one. */
  forget(customerId: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the app the browser test drives; swap in the real composition root when it exists. */
export type StartChatApp = () => Promise<RunningChatApp>;

/** The web channel over a scripted turn: fixed answers, including demo-drop's four reasons. */
export const startScriptedChatApp: StartChatApp = async () => {
  const web = await startTestWebChannel();
  return {
    url: web.channel.url,
    customerChannel: web.channel.customerChannel,
    demoDropReasons: DEMO_DROP_REASONS,
    // The scripted turn stores no transcript; only replies kept for delivery can be left over.
    forget: async (customerId) => {
      for (const id of web.store.pendingIds(`web:${customerId}`)) await web.store.ackDelivery(`web:${customerId}`, id);
    },
    close: () => web.close(),
  };
};

/** The real Candor (buildCandor + startCandor on in-memory SQLite) serving the widget on a free port. */
export const startRealChatApp: StartChatApp = async () => {
  const candor = await buildTestCandor({ PORT: '0', HOST: '127.0.0.1' });
  const running = await startCandor(candor);
  const reasons = (locale: Locale) => {
    const file = parse(readFileSync(new URL(`../../../../templates/${locale}/reasons.yaml`, import.meta.url), 'utf8')) as {
      reasons: Record<string, { meaning: string }>;
    };
    return ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'].map((code) => file.reasons[code]!.meaning);
  };
  return {
    url: running.url,
    customerChannel: running.web.customerChannel,
    demoDropReasons: { en: reasons('en'), 'zh-CN': reasons('zh-CN') },
    cases: candor.createCaseService(running.web.customerChannel),
    forget: async (customerId) => {
      await forgetCustomer({ store: candor.store, clock: candor.clock, ids: candor.ids, auditDays: candor.config.operations.AUDIT_RETENTION_DAYS, customerId });
    },
    close: () => running.stop(),
  };
};
