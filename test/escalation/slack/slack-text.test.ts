import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeSlackText, slackTextToPlain } from '../../../src/escalation/slack/slack-text.js';

describe('escapeSlackText', () => {
  it('escapes the three control characters so no mention or link can form', () => {
    expect(escapeSlackText('<!channel> & <@U1|boss> <https://evil.example|bank.com>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1|boss&gt; &lt;https://evil.example|bank.com&gt;',
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeSlackText(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(slackTextToPlain(escaped)).toBe(text.trim());
      }),
    );
  });
});

describe('slackTextToPlain', () => {
  it('spells out links and neutralises mentions in agent replies', () => {
    expect(slackTextToPlain('see <https://help.example.com/x|the guide> or <https://a.example> &amp; ask <@U123>')).toBe(
      'see the guide (https://help.example.com/x) or https://a.example & ask',
    );
    expect(slackTextToPlain('<mailto:help@example.com|help@example.com>')).toBe('help@example.com (mailto:help@example.com)');
  });
});
