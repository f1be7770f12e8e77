import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTemplateEngine } from '../../src/content/template-engine.js';

const model = z.object({
  title: z.string(),
  note: z.string().nullable(),
  items: z.array(z.object({ number: z.number(), text: z.string(), tags: z.array(z.object({ name: z.string() })) })),
  person: z.object({ name: z.string() }),
});

function issuesOf(source: string): string[] {
  const result = createTemplateEngine().compile(source, model);
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('createTemplateEngine', () => {
  it('accepts fields, nested lists, parent paths, @root, @index and #with', () => {
    const source = [
      '{{title}}{{#if note}} ({{note}}){{/if}}',
      '{{#each items}}{{number}}/{{@index}} {{text}} {{../title}} {{@root.title}}{{#each tags}}{{name}}{{../text}}{{/each}}{{/each}}',
      '{{#with person}}{{name}}{{/with}}{{#unless note}}-{{/unless}}',
    ].join('\n');
    expect(issuesOf(source)).toEqual([]);
  });

  it.each([
    ['{{titel}}', /line 1: unknown field `titel`/],
    ['{{person.age}}', /unknown field `person\.age`/],
    ['{{#each items}}{{name}}{{/each}}', /unknown field `name`/],
    ['{{#each items}}{{#each tags}}{{../../nope}}{{/each}}{{/each}}', /unknown field `\.\.\/\.\.\/nope`/],
    ['{{../title}}', /climbs above the view model/],
    ['{{@index}}', /unknown data variable `@index`/],
    ['{{items}}', /is a list or object and cannot be printed/],
    ['{{#each title}}x{{/each}}', /`#each` needs a list, `title` is not one/],
    ['{{#with title}}x{{/with}}', /`#with` needs an object/],
    ['{{#each items as |item|}}{{item.text}}{{/each}}', /block parameters/],
    ['{{> partial}}', /partials are not supported/],
    ['{{#if (eq title "x")}}y{{/if}}', /unknown helper `eq`/],
    ['{{#upper}}x{{/upper}}', /unknown helper/],
    ['{{lookup person "name"}}', /line 1: unknown helper `lookup`/],
    ['{{log title}}', /unknown helper `log`/],
    ['{{#if title}}unclosed', /does not compile/],
  ])('rejects %s', (source, pattern) => {
    const issues = issuesOf(source);
    expect(issues.join('\n')).toMatch(pattern);
  });

  it('renders plain text without HTML escaping, and never compiles data as a template', () => {
    const result = createTemplateEngine().compile('{{person.name}} says {{title}}', model);
    if (!result.ok) throw new Error('should compile');
    const text = result.render({ title: '{{note}} & <b>', note: 'secret', items: [], person: { name: 'Wei "W" <Li>' } });
    expect(text).toBe('Wei "W" <Li> says {{note}} & <b>');
  });

  it('runs in strict mode: a view model missing a declared field fails loudly rather than rendering blanks', () => {
    const result = createTemplateEngine().compile('{{title}}', model);
    if (!result.ok) throw new Error('should compile');
    expect(() => result.render({})).toThrow(/"title" not defined/);
  });

  it('leaves the global Handlebars instance untouched', () => {
    createTemplateEngine();
    expect(Object.keys(Handlebars.helpers)).toEqual(expect.arrayContaining(['log', 'lookup']));
  });
});
