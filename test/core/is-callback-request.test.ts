import { describe, expect, it } from 'vitest';
import { isCallbackRequest } from '../../src/core/is-callback-request.js';

describe('isCallbackRequest', () => {
  it.each(['Call me back', 'could you call me back tomorrow?', 'please ring me', "I'd like a callback", 'callback please', 'can someone phone me', '请给我回电', '能给我打个电话吗', '麻烦回个电话'])(
    'reads "%s" as a request to be called back',
    (text) => expect(isCallbackRequest(text)).toBe(true),
  );

  it.each(["I'll call back later", "don't call me, just write here", 'my phone is [PHONE]', 'is anyone there?', '不要给我打电话', '我的电话号码变了'])(
    'does not read "%s" as one',
    (text) => expect(isCallbackRequest(text)).toBe(false),
  );
});
