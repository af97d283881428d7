import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectTsFiles, ROOT } from './project-files.js';

/** The longest body a function of the reference may have, in lines (its braces included). */
const MAX_BODY_LINES = 80;

interface LongFunction {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly lines: number;
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** A readable name: the declared one, else the variable, property or call it is given to. */
function nameOf(node: FunctionLike, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

/** Every function, method, arrow function or constructor of `file` whose body spans more than the limit. */
export function longFunctions(file: string, text: string, max = MAX_BODY_LINES): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: LongFunction[] = [];
  const lineOf = (position: number): number => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node): void => {
    if (isFunctionLike(node) && node.body !== undefined) {
      const first = lineOf(node.body.getStart(source));
      const lines = lineOf(node.body.getEnd()) - first + 1;
      if (lines > max)
        found.push({ file, line: lineOf(node.getStart(source)), name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const isReferenceSource = (file: string): boolean =>
  file.startsWith('reference/') && !file.endsWith('.test.ts') && !file.endsWith('.test-helper.ts');

describe(`function length (reference/: at most ${MAX_BODY_LINES} lines a body)`, () => {
  it('finds a long function, a long arrow function and a long method, and passes a short one', () => {
    const body = (n: number): string =>
      Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `function long() {\n${body(MAX_BODY_LINES - 1)}\n}`,
      `function short() {\n${body(MAX_BODY_LINES - 2)}\n}`,
      `const arrow = () => {\n${body(MAX_BODY_LINES)}\n};`,
      `class C {\n  method() {\n${body(MAX_BODY_LINES)}\n  }\n  constructor() {\n${body(3)}\n  }\n}`,
    ].join('\n');
    expect(longFunctions('x.ts', text).map(({ name, lines }) => `${name} ${lines}`)).toEqual([
      `long ${MAX_BODY_LINES + 1}`,
      `arrow ${MAX_BODY_LINES + 2}`,
      `method ${MAX_BODY_LINES + 2}`,
    ]);
  });

  it('holds for every non-test file under reference/', () => {
    const files = projectTsFiles().filter(isReferenceSource);
    expect(files.length).toBeGreaterThan(10);
    const long = files
      .flatMap((file) => longFunctions(file, readFileSync(join(ROOT, file), 'utf8')))
      .map(({ file, line, name, lines }) => `${file}:${line} ${name}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
