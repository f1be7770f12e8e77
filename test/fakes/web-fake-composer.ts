import type { Locale } from '../../src/core/locale.js';
import type { ComposedReply, NoticeId, ReplyComposer, ReplyRequest } from '../../src/core/ports/reply-composer.js';

const NOTICES: Record<Locale, Record<NoticeId, string>> = {
  en: {
    generic: 'Sorry, something went wrong.',
    busy: 'Still working on your last message.',
    invalid_frame: 'That message could not be read.',
    text_too_long: 'That message is too long.',
    rate_limited: 'You are sending messages too quickly.',
    unauthorized: 'Your session has expired.',
    binary_refused: 'Only text messages can be sent.',
    origin_refused: 'This page may not open the chat.',
  },
  'zh-CN': {
    generic: '抱歉，出了点问题。',
    busy: '正在处理您的上一条消息。',
    invalid_frame: '无法读取这条消息。',
    text_too_long: '消息太长了。',
    rate_limited: '您发送消息太快了。',
    unauthorized: '您的会话已过期。',
    binary_refused: '只能发送文字消息。',
    origin_refused: '此页面无权打开对话。',
  },
};

/** A composer that knows only the channel's error notices, for web channel tests. */
export class WebFakeComposer implements ReplyComposer {
  readonly contentVersion = 'web-fake';

  compose(request: ReplyRequest, locale: Locale): ComposedReply {
    if (request.kind !== 'error') throw new Error(`WebFakeComposer composes error notices only, not ${request.kind}`);
    return { text: NOTICES[locale][request.error], suggestions: [], links: [], templateIds: [`${locale}/errors/${request.error}`] };
  }

  reasonTexts(codes: readonly string[]): Array<string | null> {
    throw new Error(`WebFakeComposer has no reason texts (asked for ${codes.length})`);
  }
}
