import { describe, expect, it } from 'vitest';
import { isSafeLinkUrl, MAX_TEXT_CHARS, normaliseText, parseClientFrame, toReplyFrame } from '../../../src/channels/web/chat-frames.js';
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
    ['a non-string text', '{"type":"message","id":"m","text":5}'],
    ['an unknown locale', '{"type":"message","id":"m","text":"hi","locale":"fr"}'],
    ['an empty message without topic', '{"type":"message","id":"m","text":"   "}'],
  ])('refuses %s as invalid_frame', (_label, raw) => {
    expect(parseClientFrame(raw)).toEqual({ ok: false, notice: 'invalid_frame' });
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
    for (const bad of [{ id: 'x'.repeat(65) }, { id: '' }, { id: 7 }, { topic: 't'.repeat(101) }, { topic: 3 }, { locale: null }, { locale: 'EN' }, { text: null }]) {
      expect(message(bad)).toEqual({ ok: false, notice: 'invalid_frame' });
    }
    expect(message({ text: 'x'.repeat(MAX_TEXT_CHARS * 8 + 1) })).toEqual({ ok: false, notice: 'text_too_long' });
  });

  it('counts the limit in code points after NFKC', () => {
    const atLimit = '😀'.repeat(MAX_TEXT_CHARS);
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: atLimit })).ok).toBe(true);
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: `${atLimit}x` }))).toEqual({ ok: false, notice: 'text_too_long' });
    // '㎏' becomes 'kg' under NFKC: 1,001 of them are 2,002 characters.
    expect(parseClientFrame(JSON.stringify({ type: 'message', id: 'm', text: '㎏'.repeat(1001) }))).toEqual({ ok: false, notice: 'text_too_long' });
  });

  it('turns a malformed topic into no topic, so the core greets', () => {
    expect(parseClientFrame('{"type":"hello","start":true,"topic":"<b>x</b>"}')).toMatchObject({ ok: true, frame: { topic: undefined } });
    expect(parseClientFrame('{"type":"message","id":"m","text":"","topic":"Limit_Drop"}')).toMatchObject({ ok: true, frame: { text: '', topic: undefined } });
  });

  it('normalises text: NFKC, no control characters, CRLF to LF, trimmed', () => {
    expect(normaliseText('  ＡＢＣ\r\n１２３\u0000\u001b ')).toBe('ABC\n123');
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
    });
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
