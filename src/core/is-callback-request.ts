/** "call me back", "can you ring me", "I'd like a callback", "callback please" — not "I'll call back later". */
const ASKS_FOR_CALL_EN = /\b(?:call|ring|phone)\s+me\b|\b(?:a|the)\s+call[\s-]?back\b|^\s*call[\s-]?back\b/i;
const REFUSES_CALL_EN = /\b(?:don'?t|do\s+not|no\s+need\s+to|never)\b[^.!?]*\b(?:call|ring|phone)/i;
/** 回电 / 回个电话 / 回拨 / 打电话给我 / 给我打个电话. */
const ASKS_FOR_CALL_ZH = /回电|回个电话|回拨|打(?:个)?电话给我|给我打(?:个)?电话/;
const REFUSES_CALL_ZH = /(?:不要|不用|别|无需)[^。！？]*(?:回电|回个电话|回拨|打(?:个)?电话)/;

/**
 * True when a customer waiting for a person asks, in their own words, to be called back instead ("call me
 * back", "请给我回电"); a refusal ("don't call me") is not a request. The callback quick reply names its
 * topic outright; this reads the same request typed by hand.
 */
export function isCallbackRequest(text: string): boolean {
  if (ASKS_FOR_CALL_EN.test(text) && !REFUSES_CALL_EN.test(text)) return true;
  return ASKS_FOR_CALL_ZH.test(text) && !REFUSES_CALL_ZH.test(text);
}
