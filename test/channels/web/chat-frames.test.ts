import { describe, expect, it } from 'vitest';
import { historyFrameSchema, isSafeLinkUrl, MAX_TEXT_CHARS, normaliseText, parseClientFrame, replyFrameSchema, toHistoryEntry, toReplyFrame } from '../../../src/channels/web/chat-frames.js';
import type { StoredMessage } from '../../../src/core/conversation.js';
import type { OutgoingReply } from '../../../src/core/reply.js';

describe('parseClientFrame', () => {
  it('accepts the allowed frame types and drops unknown fields such as user', () => {
    expect(parseClientFrame('{"type":"message","id":"m1","text":"hi","user":"web:someone-else","customerId":"x"}')).toEqual({
      ok: true,
      frame: { type: 'message', id: 'm1', text: 'hi', topic: undefined, locale: undefined },
    });
    expect(parseClientFrame('{"type":"hello","locale":"zh-CN","start":true,"topic":"limit-drop"}')).toEqual({
      ok: true,
      frame: { type: 'hello', locale: 'zh-CN', start: true, topic: 'limit-drop' },
    });
    expect(parseClientFrame('{"type":"ack","id":"abc"}')).toEqual({ ok: true, frame: { type: 'ack', id: 'abc' } });
    expect(parseClientFrame('{"type":"typing"}')).toEqual({ ok: true, frame: { type: 'typing' } });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"message"'],
    ['an unknown type', '{"type":"admin"}'],
    ['a missing type', '{"text":"hi"}'],
    ['a bad message id', '{"type":"message","id":"has space","text":"hi"}'],
  ])('refuses %s as invalid_frame', (_label, raw) => {
    expect(parseClientFrame(raw)).toEqual({ ok: false, notice: 'invalid_frame' });
  });

  it.each([
    ['a non-string text', '{"type":"message","id":"m","text":5}'],
    ['an unknown locale', '{"type":"message","id":"m","text":"hi","locale":"fr"}'],
    ['an empty message without topic', '{"type":"message","id":"m","text":"   "}'],
  ])('refuses %s as invalid_frame, naming the message', (_label, raw) => {
    expect(parseClientFrame(raw)).toEqual({ ok: false, notice: 'invalid_frame', id: 'm' });
  });

  it('checks the common frames (message, ack) by the same rules as the schema, at every edge', () => {
    const ack = (id: unknown) => parseClientFrame(JSON.stringify({ type: 'ack', id, extra: 1 }));
    expect(ack('x'.repeat(128))).toEqual({ ok: true, frame: { type: 'ack', id: 'x'.repeat(128) } });
    for (const bad of ['', 'x'.repeat(129), 5, null, undefined]) expect(ack(bad)).toEqual({ ok: false, notice: 'invalid_frame' });
    const message = (fields: Record<string, unknown>) => parseClientFrame(JSON.stringify({ type: 'message', id: 'm-1_A', text: 'hi', ...fields }));
    expect(message({ id: 'x'.repeat(64), topic: 't'.repeat(100), locale: 'en' })).toEqual({
      ok: true,
      frame: { type: 'message', id: 'x'.repeat(64), text: 'hi', topic: 't'.repeat(100), locale: 'en' },
    });
    expect(message({ topic: 'limit-drop', locale: 'zh-CN' })).toEqual({ ok: true, frame: { type: 'message', id: 'm-1_A', text: 'hi', topic: 'limit-drop', locale: 'zh-CN' } });
    for (const bad of [{ id: 'x'.repeat(65) }, { id: '' }, { id: 7 }]) expect(message(bad)).toEqual({ ok: false, notice: 'invalid_frame' });
    for (const bad of [{ topic: 't'.repeat(101) }, { topic: 3 }, { locale: null }, { locale: 'EN' }, { text: null }]) {
      expect(message(bad)).toEqual({ ok: false, notice: 'invalid_frame', id: 'm-1_A' });
    }
    expect(message({ text: 'x'.repeat(MAX_TEXT_CHARS * 8 + 1) })).toEqual({ ok: false, notice: 'text_too_long', id: 'm-1_A' });
  });

  it('counts the limit in code points after NFKC', () => {
    const atLimit = '😀'.repeat(MAX_TEXT_CHARS);
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: atLimit })).ok).toBe(true);
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: `${atLimit}x` }))).toEqual({ ok: false, notice: 'text_too_long', id: 'm' });
    // '㎏' becomes 'kg' under NFKC: 1,001 of them are 2,002 characters.
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: '㎏'.repeat(1001) }))).toEqual({ ok: false, notice: 'text_too_long', id: 'm' });
  });

  it('names the refused message when its id is well-formed, and only then', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm-1', text: 'x'.repeat(MAX_TEXT_CHARS * 8 + 1) }))).toEqual({ ok: false, notice: 'text_too_long', id: 'm-1' });
    expect(parseClientFrame('{"type":"message","id":"m-2","text":"hi","locale":"fr"}')).toEqual({ ok: false, notice: 'invalid_frame', id: 'm-2' });
    expect(parseClientFrame('{"type":"message","id":"m-3","text":"  "}')).toEqual({ ok: false, notice: 'invalid_frame', id: 'm-3' });
    for (const id of ['has space', '"quote"', 'x'.repeat(65), 7, null]) {
      expect(parseClientFrame(JSON.stringify({ type: 'message', id, text: 'x'.repeat(MAX_TEXT_CHARS + 1) }))).toEqual({ ok: false, notice: 'invalid_frame' });
    }
    expect(parseClientFrame('{"type":"ack","id":""}')).toEqual({ ok: false, notice: 'invalid_frame' });
    expect(parseClientFrame('{"type":"hello","id":"m-4","locale":"fr"}')).toEqual({ ok: false, notice: 'invalid_frame' });
  });

  it('turns a malformed topic into no topic, so the core greets', () => {
    expect(parseClientFrame('{"type":"hello","start":true,"topic":"<b>x</b>"}')).toMatchObject({ ok: true, frame: { topic: undefined } });
    expect(parseClientFrame('{"type":"message","id":"m","text":"","topic":"Limit_Drop"}')).toMatchObject({ ok: true, frame: { text: '', topic: undefined } });
  });

  it('normalises text: NFKC, no control characters, CRLF to LF, trimmed', () => {
    expect(normaliseText('  ＡＢＣ\r\n１２３\u0000\u001b ')).toBe('ABC\n123');
  });

  it('keeps Chinese punctuation as written', () => {
    expect(normaliseText('为什么降额？请说明，谢谢！备注：“急”；（今天）……')).toBe('为什么降额？请说明，谢谢！备注：“急”；（今天）……');
  });
});

describe('toReplyFrame', () => {
  it('copies only customer-facing fields and drops unsafe links', () => {
    const reply = {
      id: 'r1',
      conversationId: 'web:c1',
      from: 'bot',
      text: 'hello',
      suggestions: [{ label: 'Why?', topic: 'limit-drop', secret: 'x' }],
      links: [
        { label: 'ok', url: 'https://help.example.com' },
        { label: 'relative', url: '/help/limits' },
        { label: 'js', url: 'javascript:alert(1)' },
        { label: 'protocol-relative', url: '//evil.example' },
        { label: 'data', url: 'data:text/html,<script>1</script>' },
      ],
      state: 'bot',
      createdAt: '2026-01-01T00:00:00Z',
      intent: 'limit.why_dropped',
      reasonCodes: ['FRAUD_SUSPECT'],
    } as unknown as OutgoingReply;
    expect(toReplyFrame(reply)).toEqual({
      type: 'message',
      id: 'r1',
      from: 'bot',
      text: 'hello',
      suggestions: [{ label: 'Why?', topic: 'limit-drop' }],
      links: [
        { label: 'ok', url: 'https://help.example.com' },
        { label: 'relative', url: '/help/limits' },
      ],
      state: 'bot',
      createdAt: '2026-01-01T00:00:00Z',
    });
  });

  it('reads a reply kept before acts and times were sent as an answer without a time', () => {
    const kept = { type: 'message', id: 'r0', from: 'bot', text: 'hi', suggestions: [], links: [], state: 'bot' };
    expect(replyFrameSchema.parse(kept)).toEqual({ ...kept, act: 'answer' });
    const clarify = { ...kept, act: 'clarify', suggestions: [{ label: 'Why my limit dropped', topic: 'limit-drop' }, { label: 'Something else', text: 'something else' }], createdAt: '2026-03-14T09:00:00.000Z' };
    expect(replyFrameSchema.parse(clarify)).toEqual(clarify);
    expect(replyFrameSchema.safeParse({ ...kept, act: 'guess' }).success).toBe(false);
  });
});

describe('toHistoryEntry', () => {
  const stored = (author: StoredMessage['author'], text: string, clientMessageId: string | null = null): StoredMessage => ({
    id: 'm1',
    conversationId: 'web:c1',
    author,
    text,
    intent: 'limit.why_dropped',
    confidence: 0.9,
    clientMessageId,
    createdAt: '2026-03-14T09:00:00.000Z',
  });

  it('keeps what the customer may see, as stored, and nothing internal', () => {
    expect(toHistoryEntry(stored('customer', 'call me on [phone]', 'w1'))).toEqual({ id: 'm1', from: 'customer', text: 'call me on [phone]', createdAt: '2026-03-14T09:00:00.000Z', clientId: 'w1' });
    expect(toHistoryEntry(stored('bot', 'Your limit changed.'))).toEqual({ id: 'm1', from: 'bot', text: 'Your limit changed.', createdAt: '2026-03-14T09:00:00.000Z' });
    expect(toHistoryEntry(stored('agent', 'Hi, I am Mei.'))).toEqual({ id: 'm1', from: 'agent', text: 'Hi, I am Mei.', createdAt: '2026-03-14T09:00:00.000Z' });
    expect(toHistoryEntry(stored('system', 'Mei: note: check the file'))).toBeNull();
    expect(toHistoryEntry(stored('customer', '', 'w2'))).toBeNull();
  });

  it('makes frames the history schema accepts', () => {
    const entry = toHistoryEntry(stored('customer', 'hi', 'w1'));
    expect(historyFrameSchema.parse({ type: 'history', messages: [entry] })).toEqual({ type: 'history', messages: [entry] });
    expect(historyFrameSchema.safeParse({ type: 'history', messages: [{ ...entry, from: 'system' }] }).success).toBe(false);
  });

  it('knows safe link URLs', () => {
    expect(isSafeLinkUrl('http://x.example/a')).toBe(true);
    expect(isSafeLinkUrl('vbscript:x')).toBe(false);
    expect(isSafeLinkUrl('not a url')).toBe(false);
  });

  it('gives the same verdict on a URL asked about again, including after its memory of verdicts fills up', () => {
    for (let round = 0; round < 2; round += 1) {
      expect(isSafeLinkUrl('javascript:alert(1)')).toBe(false);
      expect(isSafeLinkUrl('https://help.example.com/limits')).toBe(true);
      expect(isSafeLinkUrl('//evil.example/x')).toBe(false);
    }
    for (let i = 0; i < 1_500; i += 1) expect(isSafeLinkUrl(`https://help.example.com/a/${i}`)).toBe(true);
    expect(isSafeLinkUrl('javascript:alert(1)')).toBe(false);
  });
});
