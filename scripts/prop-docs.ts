/**
 * Which construct props are documented. Lists every member of every exported `*Props` interface under
 * lib/ (and of the lib/ interfaces such an interface extends, since their members are props too),
 * whether it carries a JSDoc description, and whether an optional member names its `@default`.
 *
 *   npx tsx scripts/prop-docs.ts            summary and every undocumented member
 *   npx tsx scripts/prop-docs.ts --json     every member as JSON
 *
 * Read by test/prop-docs.test.ts, which fails on an undocumented prop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface PropDoc {
  /** File under the repository root, e.g. `lib/constructs/autoscaler.ts`. */
  readonly file: string;
  /** 1-based line of the member. */
  readonly line: number;
  readonly interface: string;
  readonly member: string;
  readonly optional: boolean;
  /** The member has a JSDoc comment with a description (tags alone do not count). */
  readonly described: boolean;
  /** The member's JSDoc has a `@default` tag. */
  readonly hasDefault: boolean;
}

interface Found {
  readonly file: string;
  readonly source: ts.SourceFile;
  readonly node: ts.InterfaceDeclaration;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file))
    .sort();
}

function isExported(node: ts.InterfaceDeclaration): boolean {
  return node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

function commentText(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (comment === undefined) return '';
  if (typeof comment === 'string') return comment;
  return comment.map((part) => part.text).join('');
}

/** The documentation of every props member of the construct library under `root`/lib. */
export function propDocs(root: string): PropDoc[] {
  const interfaces = new Map<string, Found[]>();
  for (const path of tsFiles(join(root, 'lib'))) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const file = relative(root, path).split('\\').join('/');
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement) && isExported(statement)) {
        const list = interfaces.get(statement.name.text) ?? [];
        list.push({ file, source, node: statement });
        interfaces.set(statement.name.text, list);
      }
    }
  }
  // Props interfaces, then what they extend (by name, within lib/), transitively.
  const chosen = new Set([...interfaces.keys()].filter((name) => name.endsWith('Props')));
  const queue = [...chosen];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    for (const found of interfaces.get(name) ?? []) {
      for (const clause of found.node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const base = type.expression.getText(found.source);
          if (interfaces.has(base) && !chosen.has(base)) {
            chosen.add(base);
            queue.push(base);
          }
        }
      }
    }
  }
  const docs: PropDoc[] = [];
  for (const name of [...chosen].sort()) {
    for (const { file, source, node } of interfaces.get(name) ?? []) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) && !ts.isMethodSignature(member)) continue;
        const jsDocs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
        const described = jsDocs.some((doc) => commentText(doc.comment).trim() !== '');
        const hasDefault = jsDocs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'default'));
        docs.push({
          file,
          line: source.getLineAndCharacterOfPosition(member.getStart(source)).line + 1,
          interface: name,
          member: member.name.getText(source),
          optional: member.questionToken !== undefined,
          described,
          hasDefault,
        });
      }
    }
  }
  return docs;
}

/** A member is documented when it is described and, if optional, names its default. */
export function isDocumented(doc: PropDoc): boolean {
  return doc.described && (!doc.optional || doc.hasDefault);
}

if (require.main === module) {
  const docs = propDocs(join(__dirname, '..'));
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
  } else {
    const undocumented = docs.filter((doc) => !isDocumented(doc));
    const interfaceCount = new Set(docs.map((doc) => `${doc.file}:${doc.interface}`)).size;
    const described = docs.filter((doc) => doc.described).length;
    const optional = docs.filter((doc) => doc.optional);
    const withDefault = optional.filter((doc) => doc.hasDefault).length;
    process.stdout.write(
      `${interfaceCount} props interfaces, ${docs.length} members: ${docs.length - undocumented.length} documented, ` +
        `${undocumented.length} not (${described} described; ${withDefault} of ${optional.length} optional carry @default)\n`,
    );
    for (const doc of undocumented) {
      const missing = [doc.described ? '' : 'no description', doc.optional && !doc.hasDefault ? 'no @default' : '']
        .filter(Boolean)
        .join(', ');
      process.stdout.write(`${doc.file}:${doc.line} ${doc.interface}.${doc.member}: ${missing}\n`);
    }
  }
}
