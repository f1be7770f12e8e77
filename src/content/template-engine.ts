import Handlebars from 'handlebars';
import { z } from 'zod';

/** A compiled template: renders a view model to plain text. */
export type RenderTemplate = (viewModel: object) => string;

/** One problem in one template source, located by line. */
export interface TemplateIssue {
  path: string;
  message: string;
}

/** The outcome of compiling a template: a renderer, or every issue found. */
export type TemplateCompilation = { ok: true; render: RenderTemplate } | { ok: false; issues: TemplateIssue[] };

/** The block helpers templates may use; Candor registers no helpers of its own, so these are all. */
export const ALLOWED_BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with']);

/** Data variables `#each` provides. */
const EACH_DATA = new Set(['index', 'first', 'last', 'key']);

/** Compiles Candor templates with an isolated Handlebars instance: known helpers only, strict lookups, plain text out. */
export interface TemplateEngine {
  /** Precompiles (which fails fast), checks every field path against the view-model schema, then compiles. */
  compile(source: string, viewModel: z.ZodType): TemplateCompilation;
  /** Compiles a template that has passed `compile`'s checks before (cached checked content); Handlebars compiles it on first render. */
  compileChecked(source: string): RenderTemplate;
}

/** Creates an isolated Handlebars instance; global Handlebars state is never touched. */
export function createTemplateEngine(): TemplateEngine {
  const handlebars = Handlebars.create();
  handlebars.unregisterHelper('log');
  handlebars.unregisterHelper('lookup');
  const options = {
    knownHelpersOnly: true,
    knownHelpers: { log: false, lookup: false },
    strict: true,
    // Replies are plain text for chat channels, which render them as text; HTML escaping would show `&amp;`.
    noEscape: true,
  };

  return {
    compile: function compileTemplate(source, viewModel) {
      try {
        handlebars.precompile(source, options);
      } catch (error) {
        const helper = /unknown helper (\S+)/.exec(firstLine(error))?.[1];
        const message = helper ? `unknown helper \`${helper}\`` : `does not compile: ${firstLine(error)}`;
        return { ok: false, issues: [{ path: lineOf(error), message }] };
      }
      const issues = checkTemplateAst(handlebars.parse(source), viewModel);
      if (issues.length > 0) return { ok: false, issues };
      const template = handlebars.compile(source, options);
      return { ok: true, render: (model: object) => template(model) };
    },
    compileChecked(source) {
      const template = handlebars.compile(source, options);
      return (model: object) => template(model);
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function lineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const match = /line (\d+)/i.exec(message) ?? / - (\d+):\d+$/m.exec(message);
  return match ? `line ${match[1]}` : '';
}

type FieldKind = 'scalar' | 'object' | 'array';

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function kindOf(schema: z.ZodType): FieldKind {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodArray) return 'array';
  if (inner instanceof z.ZodObject) return 'object';
  return 'scalar';
}

interface Scope {
  schema: z.ZodType;
  inEach: boolean;
}

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;

/** Walks a template's AST and reports unknown fields, unknown helpers, partials and misuse of blocks. */
export function checkTemplateAst(program: hbs.AST.Program, viewModel: z.ZodType): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const at = (node: Node): string => (node.loc ? `line ${node.loc.start.line}` : '');

  function resolve(path: hbs.AST.PathExpression, scopes: Scope[]): z.ZodType | undefined {
    const parts = [...path.parts];
    let schema: z.ZodType;
    if (path.data) {
      const head = parts.shift();
      if (head === 'root') {
        schema = viewModel;
      } else {
        const scope = scopes[scopes.length - 1 - path.depth];
        if (head !== undefined && EACH_DATA.has(head) && scope?.inEach && parts.length === 0) return z.number();
        issues.push({ path: at(path), message: `unknown data variable \`${path.original}\`` });
        return undefined;
      }
    } else {
      const scope = scopes[scopes.length - 1 - path.depth];
      if (!scope) {
        issues.push({ path: at(path), message: `\`${path.original}\` climbs above the view model` });
        return undefined;
      }
      schema = scope.schema;
    }
    for (const part of parts) {
      const inner = unwrap(schema);
      const shape = inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : {};
      const field = Object.hasOwn(shape, part) ? shape[part] : undefined;
      if (!field) {
        issues.push({ path: at(path), message: `unknown field \`${path.original}\` (not in this template's view model)` });
        return undefined;
      }
      schema = field;
    }
    return schema;
  }

  function checkExpression(expression: Expression, scopes: Scope[]): z.ZodType | undefined {
    switch (expression.type) {
      case 'PathExpression':
        return resolve(expression as hbs.AST.PathExpression, scopes);
      case 'SubExpression': {
        const sub = expression as hbs.AST.SubExpression;
        issues.push({ path: at(sub), message: `unknown helper \`${sub.path.original}\`` });
        return undefined;
      }
      default:
        return z.string();
    }
  }

  function checkHash(hash: hbs.AST.Hash | undefined): void {
    if (hash && hash.pairs.length > 0) issues.push({ path: at(hash), message: 'hash arguments are not supported' });
  }

  function walkProgram(body: hbs.AST.Program | undefined, scopes: Scope[]): void {
    if (!body) return;
    if (body.blockParams && body.blockParams.length > 0) {
      issues.push({ path: at(body), message: 'block parameters (`as |x|`) are not supported' });
    }
    for (const statement of body.body) walkStatement(statement, scopes);
  }

  function walkStatement(statement: hbs.AST.Statement, scopes: Scope[]): void {
    switch (statement.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const mustache = statement as hbs.AST.MustacheStatement;
        if (mustache.path.type !== 'PathExpression') {
          issues.push({ path: at(mustache), message: 'literal mustaches are not supported' });
          return;
        }
        const path = mustache.path as hbs.AST.PathExpression;
        if (mustache.params.length > 0 || mustache.hash?.pairs.length) {
          issues.push({ path: at(mustache), message: `unknown helper \`${path.original}\`` });
          return;
        }
        const schema = resolve(path, scopes);
        if (schema && kindOf(schema) !== 'scalar') {
          issues.push({ path: at(mustache), message: `\`${path.original}\` is a list or object and cannot be printed` });
        }
        return;
      }
      case 'BlockStatement': {
        const block = statement as hbs.AST.BlockStatement;
        const name = block.path.original;
        if (!ALLOWED_BLOCK_HELPERS.has(name)) {
          issues.push({ path: at(block), message: `unknown helper \`${name}\`` });
          return;
        }
        checkHash(block.hash);
        const [first, ...rest] = block.params;
        if (!first || rest.length > 0) {
          issues.push({ path: at(block), message: `\`#${name}\` takes exactly one field` });
          return;
        }
        const schema = checkExpression(first, scopes);
        // An unresolved field was reported already; its body cannot be checked against anything.
        if (!schema && (name === 'each' || name === 'with')) return;
        const field = first.type === 'PathExpression' ? (first as hbs.AST.PathExpression).original : first.type;
        if (name === 'each' && schema) {
          const inner = unwrap(schema);
          if (!(inner instanceof z.ZodArray)) {
            issues.push({ path: at(block), message: `\`#each\` needs a list, \`${field}\` is not one` });
            return;
          }
          walkProgram(block.program, [...scopes, { schema: inner.element as z.ZodType, inEach: true }]);
          walkProgram(block.inverse, scopes);
          return;
        }
        if (name === 'with' && schema) {
          if (kindOf(schema) !== 'object') {
            issues.push({ path: at(block), message: `\`#with\` needs an object, \`${field}\` is not one` });
            return;
          }
          walkProgram(block.program, [...scopes, { schema, inEach: false }]);
          walkProgram(block.inverse, scopes);
          return;
        }
        walkProgram(block.program, scopes);
        walkProgram(block.inverse, scopes);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement':
        issues.push({ path: at(statement), message: 'partials are not supported; compose templates in the view model' });
        return;
      default:
        issues.push({ path: at(statement), message: `${statement.type} is not supported` });
    }
  }

  walkProgram(program, [{ schema: viewModel, inEach: false }]);
  return issues;
}
