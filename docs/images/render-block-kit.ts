import type { types } from '@slack/bolt';

const escapeHtml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * Slack mrkdwn as HTML. Candor's mrkdwn is already Slack-escaped (`&amp;`, `&lt;`, `&gt;` and no raw
 * angle brackets), which is also valid HTML text; only bold, italics and line breaks are drawn.
 */
function mrkdwnToHtml(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replaceAll('\n', '<br>');
}

function textToHtml(text: types.PlainTextElement | types.MrkdwnElement): string {
  return text.type === 'mrkdwn' ? mrkdwnToHtml(text.text) : escapeHtml(text.text);
}

function blockToHtml(block: types.KnownBlock): string {
  switch (block.type) {
    case 'header':
      return `<div class="header">${escapeHtml(block.text.text)}</div>`;
    case 'section': {
      const text = block.text === undefined ? '' : `<div class="text">${textToHtml(block.text)}</div>`;
      const fields = block.fields === undefined ? '' : `<div class="fields">${block.fields.map((field) => `<div>${textToHtml(field)}</div>`).join('')}</div>`;
      return `<div class="section">${text}${fields}</div>`;
    }
    case 'context':
      return `<div class="context">${block.elements.map((element) => ('text' in element ? textToHtml(element) : '')).join(' ')}</div>`;
    case 'actions':
      return `<div class="actions">${block.elements
        .map((element) => (element.type === 'button' ? `<span class="button ${element.style ?? ''}">${escapeHtml(element.text.text)}</span>` : ''))
        .join('')}</div>`;
    default:
      return '';
  }
}

/** A page that draws Block Kit blocks the way Slack's desktop client lays out a bot message. */
export function renderBlockKitPage(blocks: readonly types.KnownBlock[], options: { botName: string; time: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #fff; font: 15px/1.47 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", Helvetica, Arial, sans-serif; color: #1d1c1d; }
  .message { display: flex; gap: 8px; padding: 12px 20px 16px; width: 720px; box-sizing: border-box; }
  .avatar { width: 36px; height: 36px; border-radius: 6px; background: #2e6f5e; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; flex: none; }
  .who b { font-weight: 900; } .who .app { font-size: 10px; background: #e8e8e8; color: #616061; border-radius: 2px; padding: 1px 3px; margin: 0 4px; font-weight: 700; } .who .time { color: #616061; font-size: 12px; }
  .header { font-size: 18px; font-weight: 900; margin: 6px 0 4px; }
  .section { margin: 6px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; }
  .context { color: #616061; font-size: 13px; margin: 6px 0; }
  .actions { display: flex; gap: 8px; margin-top: 10px; }
  .button { border: 1px solid #c7c7c7; border-radius: 4px; padding: 4px 12px; font-weight: 700; font-size: 14px; }
  .button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
</style></head><body><div class="message"><div class="avatar">C</div><div class="body">
<div class="who"><b>${escapeHtml(options.botName)}</b><span class="app">APP</span><span class="time">${escapeHtml(options.time)}</span></div>
${blocks.map(blockToHtml).join('\n')}
</div></div></body></html>`;
}
