/**
 * Custom-resource specs written as untyped JSON. Lists every `new ApiObject(scope, id, { ..., spec })`
 * under lib/ and whether its `spec` is typed by a generated binding: a `toJson_<Type>(...)` call (the
 * binding's serializer, which takes the typed spec), an expression that `satisfies` a type, or a name
 * bound to one of those; an object literal is typed when each of its members is.
 *
 *   npx tsx scripts/untyped-specs.ts     summary and every untyped spec
 *
 * Read by test/untyped-specs.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface SpecUse {
  readonly file: string;
  readonly line: number;
  /** The object's `kind` as written (`...Cluster.GVK` gives `Cluster`), or `?`. */
  readonly kind: string;
  readonly typed: boolean;
}

function typedExpression(node: ts.Expression, source: ts.SourceFile, scope: ts.Node): boolean {
  const inner = ts.isParenthesizedExpression(node) ? node.expression : node;
  if (ts.isSatisfiesExpression(inner)) return true;
  if (ts.isCallExpression(inner)) {
    const callee = inner.expression.getText(source);
    return /(^|\.)toJson_\w+$/.test(callee);
  }
  if (ts.isIdentifier(inner)) {
    const declaration = findDeclaration(inner.text, scope);
    return declaration?.initializer !== undefined && typedExpression(declaration.initializer, source, scope);
  }
  if (ts.isObjectLiteralExpression(inner)) {
    return inner.properties.every((property) => {
      if (ts.isSpreadAssignment(property)) return typedExpression(property.expression, source, scope);
      if (ts.isPropertyAssignment(property)) return typedExpression(property.initializer, source, scope);
      return false;
    });
  }
  return false;
}

/** The nearest `const name = ...` in the enclosing function (or file). */
function findDeclaration(name: string, scope: ts.Node): ts.VariableDeclaration | undefined {
  let found: ts.VariableDeclaration | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) found ??= node;
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}

function enclosingFunction(node: ts.Node): ts.Node {
  let here: ts.Node = node;
  while (here.parent !== undefined && !ts.isFunctionLike(here)) here = here.parent;
  return here;
}

export function specUses(root: string): SpecUse[] {
  const uses: SpecUse[] = [];
  const dir = join(root, 'lib');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const name of files) {
    const path = join(dir, name);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const file = relative(root, path).split('\\').join('/');
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(source) === 'ApiObject') {
        const props = node.arguments?.[2];
        if (props !== undefined && ts.isObjectLiteralExpression(props)) {
          let spec: ts.Expression | undefined;
          let kind = '?';
          for (const property of props.properties) {
            if (ts.isPropertyAssignment(property) && property.name.getText(source) === 'spec') spec = property.initializer;
            if (ts.isShorthandPropertyAssignment(property) && property.name.text === 'spec') spec = property.name;
            if (ts.isPropertyAssignment(property) && property.name.getText(source) === 'kind')
              kind = property.initializer.getText(source).replace(/['"]/g, '');
            if (ts.isSpreadAssignment(property)) kind = property.expression.getText(source).replace(/\.GVK$/, '');
          }
          if (spec !== undefined) {
            uses.push({
              file,
              line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
              kind,
              typed: typedExpression(spec, source, enclosingFunction(node)),
            });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return uses;
}

if (require.main === module) {
  const uses = specUses(join(__dirname, '..'));
  const untyped = uses.filter((use) => !use.typed);
  const constructs = new Set(untyped.map((use) => use.file)).size;
  process.stdout.write(
    `${uses.length} ApiObject specs under lib/: ${uses.length - untyped.length} typed, ${untyped.length} untyped (in ${constructs} files)\n`,
  );
  for (const use of untyped) process.stdout.write(`${use.file}:${use.line} ${use.kind}\n`);
}
