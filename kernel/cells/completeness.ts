import ts = require('typescript');
import type { Completeness } from '../protocol/engine';

/**
 * is_complete_request: decides whether pressing Enter in a console should run the code or open a new line.
 * Brackets, template literals and block comments are tracked with the TypeScript scanner; what remains is given to
 * the parser: an error at the very end means "more may come" (`if (x)`, `x +`), anywhere else means invalid.
 */
const INDENT_UNIT = '    ';
const OPENERS = new Map([[ts.SyntaxKind.OpenBraceToken, '}'], [ts.SyntaxKind.OpenParenToken, ')'], [ts.SyntaxKind.OpenBracketToken, ']']]);
const CLOSERS = new Map([[ts.SyntaxKind.CloseBraceToken, '}'], [ts.SyntaxKind.CloseParenToken, ')'], [ts.SyntaxKind.CloseBracketToken, ']']]);
const TEMPLATE = '${';

export function isComplete(code: string): Completeness {
  if (!code.trim()) return { status: 'complete' };
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /*skipTrivia*/ false, ts.LanguageVariant.Standard, code);
  const stack: string[] = [];
  let lastSignificant = ts.SyntaxKind.Unknown;
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.MultiLineCommentTrivia && scanner.isUnterminated()) return incomplete(code, false);
    if (isTrivia(token)) continue;
    if (token === ts.SyntaxKind.CloseBraceToken && stack[stack.length - 1] === TEMPLATE) {
      token = scanner.reScanTemplateToken(false);
      if (scanner.isUnterminated()) return incomplete(code, false);
      if (token === ts.SyntaxKind.TemplateTail) stack.pop();
      lastSignificant = token;
      continue;
    }
    if (token === ts.SyntaxKind.NoSubstitutionTemplateLiteral || token === ts.SyntaxKind.TemplateHead) {
      if (scanner.isUnterminated()) return incomplete(code, false);
      if (token === ts.SyntaxKind.TemplateHead) stack.push(TEMPLATE);
    } else if (token === ts.SyntaxKind.StringLiteral && scanner.isUnterminated()) {
      return { status: 'invalid' }; // a quoted string cannot continue on the next line
    } else if (OPENERS.has(token)) {
      stack.push(OPENERS.get(token)!);
    } else if (CLOSERS.has(token)) {
      if (stack.pop() !== CLOSERS.get(token)) return { status: 'invalid' };
    } else if (token === ts.SyntaxKind.SlashToken || token === ts.SyntaxKind.SlashEqualsToken) {
      // A regex literal; reScan so its body is not taken for brackets. Division when it does not scan as one.
      if (canStartRegex(lastSignificant)) token = scanner.reScanSlashToken();
    }
    lastSignificant = token;
  }
  if (stack.length) return incomplete(code, true);
  const file = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const errors = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (!errors.length) return { status: 'complete' };
  const end = code.trimEnd().length;
  return errors.every((d) => (d.start ?? 0) >= end) ? incomplete(code, false) : { status: 'invalid' };
}

function isTrivia(token: ts.SyntaxKind): boolean {
  return token >= ts.SyntaxKind.FirstTriviaToken && token <= ts.SyntaxKind.LastTriviaToken;
}

function canStartRegex(previous: ts.SyntaxKind): boolean {
  return !(
    previous === ts.SyntaxKind.Identifier ||
    previous === ts.SyntaxKind.NumericLiteral ||
    previous === ts.SyntaxKind.StringLiteral ||
    previous === ts.SyntaxKind.CloseParenToken ||
    previous === ts.SyntaxKind.CloseBracketToken ||
    previous === ts.SyntaxKind.CloseBraceToken ||
    previous === ts.SyntaxKind.TemplateTail ||
    previous === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
    (previous >= ts.SyntaxKind.FirstKeyword && previous <= ts.SyntaxKind.LastKeyword && previous !== ts.SyntaxKind.ReturnKeyword)
  );
}

/** Indent of the last non-blank line, one level deeper when that line opens a bracket or block. */
function incomplete(code: string, bracketOpen: boolean): Completeness {
  const lines = code.split('\n');
  const lastLine = [...lines].reverse().find((l) => l.trim()) ?? '';
  const indent = /^\s*/.exec(lastLine)![0];
  const opensBlock = bracketOpen && /[{([]\s*$/.test(lastLine);
  return { status: 'incomplete', indent: opensBlock ? indent + INDENT_UNIT : indent };
}
