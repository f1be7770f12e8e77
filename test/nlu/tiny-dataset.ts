import type { TrainingExample } from '../../src/nlu/training-example.js';

/** A small bilingual dataset with three intents and out-of-scope lines, for fast end-to-end tests. */
export function buildTinyDataset(): { train: TrainingExample[]; val: TrainingExample[]; test: TrainingExample[] } {
  const en: Record<string, string[]> = {
    'limit.why_dropped': [
      'why did my limit drop', 'my credit limit went down', 'why was my limit reduced', 'limit decreased for no reason',
      'who lowered my limit', 'my limit got cut', 'why is my credit line smaller now', 'reason my limit was lowered',
      'you reduced my limit', 'why has my limit fallen', 'limit dropped overnight', 'explain why my limit went down',
    ],
    'smalltalk.greeting': [
      'hello', 'hi there', 'good morning', 'hey', 'hello bot', 'hi', 'good evening', 'hey there',
      'morning', 'hello anyone there', 'hiya', 'good afternoon',
    ],
    'agent.request': [
      'talk to a person', 'i want a human', 'get me an agent', 'speak to someone real', 'connect me to support staff',
      'human please', 'can i talk to an agent', 'transfer me to a person', 'real person please', 'i need a human agent',
      'let me speak to a representative', 'put me through to customer service',
    ],
    oos: [
      'what is the weather tomorrow', 'tell me a joke', 'book a flight to tokyo', 'recipe for banana bread',
      'who won the game', 'play some music', 'order a pizza', 'how tall is everest',
    ],
  };
  const zh: Record<string, string[]> = {
    'limit.why_dropped': ['为什么我的额度降了', '额度被降低了', '我的额度怎么变少了', '为什么降我额度', '额度突然下降', '额度减少的原因'],
    'smalltalk.greeting': ['你好', '您好', '早上好', '嗨', '晚上好', '哈喽'],
    'agent.request': ['转人工', '我要人工客服', '找真人', '人工服务', '联系客服人员', '我要和人说话'],
    oos: ['明天天气怎么样', '讲个笑话', '订一张机票', '附近有什么餐厅'],
  };
  const all: TrainingExample[] = [];
  for (const [intent, lines] of Object.entries(en)) for (const text of lines) all.push({ text, intent, locale: 'en' });
  for (const [intent, lines] of Object.entries(zh)) for (const text of lines) all.push({ text, intent, locale: 'zh-CN' });
  const val: TrainingExample[] = [
    { text: 'why is my limit lower', intent: 'limit.why_dropped', locale: 'en' },
    { text: 'hello there', intent: 'smalltalk.greeting', locale: 'en' },
    { text: 'give me a human', intent: 'agent.request', locale: 'en' },
    { text: 'what time is it in london', intent: 'oos', locale: 'en' },
    { text: '额度为什么下降', intent: 'limit.why_dropped', locale: 'zh-CN' },
    { text: '帮我订酒店', intent: 'oos', locale: 'zh-CN' },
  ];
  const test: TrainingExample[] = [
    { text: 'why did you cut my limit', intent: 'limit.why_dropped', locale: 'en' },
    { text: 'hi bot', intent: 'smalltalk.greeting', locale: 'en' },
    { text: 'i want to talk to a person', intent: 'agent.request', locale: 'en' },
    { text: 'recommend a movie', intent: 'oos', locale: 'en' },
    { text: '我的额度降低了', intent: 'limit.why_dropped', locale: 'zh-CN' },
    { text: '你好呀', intent: 'smalltalk.greeting', locale: 'zh-CN' },
    { text: '转人工服务', intent: 'agent.request', locale: 'zh-CN' },
    { text: '今天股票涨了吗', intent: 'oos', locale: 'zh-CN' },
  ];
  return { train: all, val, test };
}

/** Writes the tiny dataset as schema-valid `intents/*.yaml` files (plus `_oos.yaml`) into a folder. */
export async function writeTinyIntents(dir: string): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { stringify } = await import('yaml');
  await mkdir(dir, { recursive: true });
  const { train } = buildTinyDataset();
  const ids = [...new Set(train.map((line) => line.intent))];
  for (const id of ids) {
    const en = train.filter((line) => line.intent === id && line.locale === 'en').map((line) => line.text);
    const zh = train.filter((line) => line.intent === id && line.locale === 'zh-CN').map((line) => line.text);
    if (id === 'oos') {
      await writeFile(join(dir, '_oos.yaml'), stringify({ id, examples: { en, 'zh-CN': zh } }));
      continue;
    }
    const file = {
      id,
      description: `Test intent ${id} for the NLU tests.`,
      label: { en: id, 'zh-CN': id },
      examples: { en: [...en, ...en.map((text) => `please ${text}`)], 'zh-CN': [...zh, ...zh.map((text) => `请问${text}`)] },
    };
    await writeFile(join(dir, `${id}.yaml`), stringify(file));
  }
}
