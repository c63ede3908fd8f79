/**
 * The field reference of the environment model (docs/reference.md), generated from
 * environments/schema.ts itself and the domains it composes (environments/domains/, read in the
 * order schema.ts imports them): every object the schema declares, each field with its type, its
 * bounds, its default and the comment written beside it. `npm run docs` rewrites it; test/reference.test.ts
 * fails when it is stale, so the reference cannot drift from the schema.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import * as defaults from '../../lib/defaults';

const SCHEMA = join(__dirname, '..', '..', 'environments', 'schema.ts');

interface Field {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: string;
  readonly doc: string;
}

interface Section {
  readonly name: string;
  readonly doc: string;
  readonly fields: readonly Field[];
  /** Sections spread into this one (`...serviceCommon`). */
  readonly includes: readonly string[];
  /** For a union: its variants and the field that tells them apart. */
  readonly variants?: { readonly key: string; readonly names: readonly string[] };
}

/** A value type (`dnsLabel`, `quantity`, `port`): what it accepts. */
interface ValueType {
  readonly name: string;
  readonly type: string;
}

function jsDoc(node: ts.Node, source: ts.SourceFile): string {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const doc = ranges
    .map((r) => source.text.slice(r.pos, r.end))
    .filter((text) => text.startsWith('/**'))
    .at(-1);
  if (doc === undefined) return '';
  return doc
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A value the schema takes from lib/defaults.ts (`AUTOSCALING_DEFAULTS.cpuPercent`), resolved. */
function constant(text: string): string {
  const path = text.split('.');
  let value: unknown = defaults as Record<string, unknown>;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !(key in value)) return `\`${text}\``;
    value = (value as Record<string, unknown>)[key];
  }
  return `\`${JSON.stringify(value)}\``;
}

interface Described {
  type: string;
  optional: boolean;
  default?: string;
  bounds: string[];
}

/** Reads a zod expression (`z.number().int().min(1).default(3)`, `dnsLabel.optional()`, `strict({...})`) as a type. */
function describe(expr: ts.Expression, source: ts.SourceFile, sections: ReadonlySet<string>): Described {
  const out: Described = { type: '', optional: false, bounds: [] };
  let node: ts.Expression = expr;
  const chain: { name: string; args: readonly ts.Expression[] }[] = [];
  while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    chain.unshift({ name: node.expression.name.text, args: node.arguments });
    node = node.expression.expression;
  }
  const text = (e: ts.Expression) => e.getText(source);
  if (ts.isIdentifier(node)) {
    out.type = sections.has(node.text) ? `[${node.text}](#${node.text.toLowerCase()})` : node.text;
  } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'strict') {
    out.type = 'object';
  } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
    out.type = `${node.expression.text}(…)`;
  } else {
    out.type = text(node).slice(0, 40);
  }
  for (const { name, args } of chain) {
    const [first, second] = args;
    switch (name) {
      case 'string':
      case 'number':
      case 'boolean':
        out.type = name;
        break;
      case 'literal':
        out.type = `\`${text(first!)}\``;
        break;
      case 'enum':
        out.type = `one of ${text(first!).replace(/[[\]]/g, '')}`;
        break;
      case 'array':
        out.type = `list of ${describe(first!, source, sections).type}`;
        break;
      case 'record':
        out.type = `map of ${describe(first!, source, sections).type} → ${describe(second!, source, sections).type}`;
        break;
      case 'discriminatedUnion':
        out.type = `one of ${text(second!).replace(/[[\]]/g, '')} (by \`${text(first!).replace(/'/g, '')}\`)`;
        break;
      case 'int':
        out.type = 'integer';
        break;
      case 'min':
      case 'max':
      case 'length':
        out.bounds.push(`${name} ${text(first!).replace(/(\d)_(\d)/g, '$1,$2')}`);
        break;
      case 'regex':
        if (second && ts.isStringLiteralLike(second)) out.bounds.push(second.text);
        break;
      case 'positive':
        out.bounds.push('> 0');
        break;
      case 'nonnegative':
        out.bounds.push('≥ 0');
        break;
      case 'optional':
        out.optional = true;
        break;
      case 'default':
      case 'prefault':
        out.optional = true;
        out.default = ts.isPropertyAccessExpression(first!) ? constant(text(first!)) : `\`${text(first!)}\``;
        break;
      default:
        break;
    }
  }
  return out;
}

/** The object literal a section is built from: `strict({...})`, `z.object({...})` or a plain `{...}`. */
function objectOf(init: ts.Expression): ts.ObjectLiteralExpression | undefined {
  let node: ts.Expression = init;
  while (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && !['object'].includes(node.expression.name.text)) {
    node = node.expression.expression;
  }
  if (ts.isObjectLiteralExpression(node)) return node;
  if (ts.isCallExpression(node)) {
    const callee = node.expression.getText();
    const [first] = node.arguments;
    if ((callee === 'strict' || callee === 'z.object') && first && ts.isObjectLiteralExpression(first)) return first;
  }
  return undefined;
}

/** `[a, b, strict({...})] as const` → its elements: identifiers by name, inline objects as they are. */
function arrayElements(init: ts.Expression): (string | ts.ObjectLiteralExpression)[] | undefined {
  const node = ts.isAsExpression(init) ? init.expression : init;
  if (!ts.isArrayLiteralExpression(node)) return undefined;
  return node.elements.flatMap((e): (string | ts.ObjectLiteralExpression)[] => {
    if (ts.isIdentifier(e)) return [e.text];
    const object = objectOf(e);
    return object ? [object] : [];
  });
}

/** The literal a variant object gives its discriminator (`provider: z.literal('gcp')` → gcp). */
function literalOf(object: ts.ObjectLiteralExpression, key: string, source: ts.SourceFile): string {
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property) || property.name.getText(source) !== key) continue;
    const init = property.initializer;
    if (ts.isCallExpression(init) && init.arguments[0] && ts.isStringLiteralLike(init.arguments[0])) return init.arguments[0].text;
  }
  return 'variant';
}

export interface Schema {
  readonly sections: readonly Section[];
  readonly values: readonly ValueType[];
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The schema's files: each domain the composing file imports (`./domains/...`), in that order, then the file itself. */
export function schemaFiles(file = SCHEMA): string[] {
  const domains = parse(file).statements.flatMap((statement) =>
    ts.isImportDeclaration(statement) &&
    ts.isStringLiteral(statement.moduleSpecifier) &&
    statement.moduleSpecifier.text.startsWith('./domains/')
      ? [join(dirname(file), `${statement.moduleSpecifier.text}.ts`)]
      : [],
  );
  return [...new Set(domains), file];
}

export function readSchema(files = schemaFiles()): Schema {
  const declared: { name: string; doc: string; object?: ts.ObjectLiteralExpression; init: ts.Expression }[] = [];
  const arrays = new Map<string, (string | ts.ObjectLiteralExpression)[]>();
  for (const source of files.map(parse)) {
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const decl of statement.declarationList.declarations) {
        if (!ts.isIdentifier(decl.name) || decl.initializer === undefined) continue;
        const array = arrayElements(decl.initializer);
        if (array) arrays.set(decl.name.text, array);
        declared.push({ name: decl.name.text, doc: jsDoc(statement, source), object: objectOf(decl.initializer), init: decl.initializer });
      }
    }
  }
  // Variants written inline in a union's list become sections named after the union and their value.
  const inline: { name: string; doc: string; object: ts.ObjectLiteralExpression; init: ts.Expression }[] = [];
  const unionOf = (name: string, init: ts.Expression): Section['variants'] | undefined => {
    const source = init.getSourceFile();
    if (!ts.isCallExpression(init) || init.expression.getText(source) !== 'z.discriminatedUnion') return undefined;
    const [key, list] = init.arguments;
    if (!key || !list || !ts.isStringLiteralLike(key)) return undefined;
    const elements = ts.isIdentifier(list) ? arrays.get(list.text) : arrayElements(list);
    if (!elements) return undefined;
    const names = elements.map((element) => {
      if (typeof element === 'string') return element;
      const variant = `${name}-${literalOf(element, key.text, source)}`;
      if (!inline.some((i) => i.name === variant)) inline.push({ name: variant, doc: '', object: element, init: element });
      return variant;
    });
    return { key: key.text, names };
  };
  const unions = declared.flatMap((d) => {
    const variants = unionOf(d.name, d.init);
    return variants ? [{ ...d, variants }] : [];
  });
  const objects = [...declared.filter((d) => d.object !== undefined), ...inline];
  const names = new Set([...objects, ...unions].map((d) => d.name));
  const values: ValueType[] = declared
    .filter(
      (d) =>
        d.object === undefined &&
        !unions.some((u) => u.name === d.name) &&
        /^(z\.(string|number)|port\b|quantity\b)/.test(d.init.getText()),
    )
    .map((d) => {
      const v = describe(d.init, d.init.getSourceFile(), names);
      return { name: d.name, type: [v.type, ...v.bounds].join(', ') };
    });
  const sections: Section[] = unions.map(({ name, doc, variants }) => ({ name, doc, fields: [], includes: [], variants }));
  const objectSections = objects.map(({ name, doc, object }) => {
    const source = object!.getSourceFile();
    const fields: Field[] = [];
    const includes: string[] = [];
    for (const property of object!.properties) {
      if (ts.isSpreadAssignment(property)) {
        includes.push(property.expression.getText(source));
        continue;
      }
      if (ts.isShorthandPropertyAssignment(property)) {
        const key = property.name.text;
        fields.push({
          name: key,
          type: names.has(key) ? `[${key}](#${key.toLowerCase()})` : key,
          required: true,
          doc: jsDoc(property, source),
        });
        continue;
      }
      if (!ts.isPropertyAssignment(property)) continue;
      const key = property.name.getText(source).replace(/^'|'$/g, '');
      const d = describe(property.initializer, source, names);
      const comment = jsDoc(property, source);
      const documented = /@default\s+(.*)$/.exec(comment);
      fields.push({
        name: key,
        type: [d.type, ...d.bounds].join(', '),
        required: !d.optional,
        default: d.default ?? documented?.[1]?.trim().replace(/^- /, ''),
        doc: comment.replace(/@default\s+.*$/, '').trim(),
      });
    }
    return { name, doc, fields, includes };
  });
  return { sections: [...objectSections, ...sections], values };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function referenceMarkdown(schema = readSchema()): string {
  const { sections, values } = schema;
  const top = sections.find((s) => s.name === 'environmentSchemaShape');
  const ordered = top ? [top, ...sections.filter((s) => s !== top)] : sections;
  const lines = [
    '# Environment reference',
    '',
    '<!-- GENERATED by `npm run docs` from environments/schema.ts: do not edit; test/reference.test.ts fails when it is stale. -->',
    '',
    'Every field an environment file may set, section by section, as environments/schema.ts declares it. An',
    'overlay sets only what differs from what it extends; `null` removes what the parent declared (a service, a',
    'data store, the sandbox). Defaults are filled in at load; a bad value is refused naming the environment, the',
    'file, the field, the value and what is allowed. The guide for modelling your own platform is',
    '[adopting.md](adopting.md).',
    '',
  ];
  for (const section of ordered) {
    const title = section === top ? 'environment' : section.name;
    lines.push(`## ${title}`, '');
    if (section.name !== title) lines.push(`<a id="${section.name.toLowerCase()}"></a>`, '');
    if (section.doc) lines.push(section.doc, '');
    if (section.variants) {
      lines.push(
        `One of ${section.variants.names.map((n) => `[${n}](#${n.toLowerCase()})`).join(', ')}, told apart by \`${section.variants.key}\`.`,
        '',
      );
      continue;
    }
    if (section.includes.length > 0) {
      lines.push(
        `Also every field of ${section.includes.map((i) => `[${i.replace('...', '')}](#${i.replace('...', '').toLowerCase()})`).join(', ')}.`,
        '',
      );
    }
    lines.push('| field | type | required | default | meaning |', '| --- | --- | --- | --- | --- |');
    for (const f of section.fields) {
      lines.push(`| \`${f.name}\` | ${cell(f.type)} | ${f.required ? 'yes' : 'no'} | ${cell(f.default ?? '')} | ${cell(f.doc)} |`);
    }
    lines.push('');
  }
  lines.push('## value types', '', '| name | accepts |', '| --- | --- |');
  for (const value of values) lines.push(`| \`${value.name}\` | ${cell(value.type)} |`);
  return `${lines.join('\n').trimEnd()}\n`;
}
