import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { messages } from './i18n';

/**
 * Every word an operator reads has zh and en: the zh catalogue holds Chinese, and no component
 * writes words of its own around it. Names that are the same in Chinese, and field paths an
 * operator types as they are, are listed here.
 */

const SAME_IN_CHINESE = new Set(['ISO-8601', 'Webhook', 'ID']);
/**
 * Examples of what to type: field paths and event names (`contact.attributes.tier`), zone names
 * (`Asia/Shanghai`), URLs.
 */
const TYPED_AS_IS = /^([a-z][\w]*(\.[\w]+)+|[A-Z][A-Za-z_]+(\/[A-Za-z_]+)+|https?:\/\/\S+)$/;

const hasChinese = (text: string) => /[\u3400-\u9fff]/.test(text);
const hasWords = (text: string) => /[A-Za-z]{2,}/.test(text);

/** Each string of the catalogue (a function's with sample arguments), by its path. */
function strings(value: unknown, path: string, out: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (typeof value === 'function') strings(value(1, 2, 3), `${path}()`, out);
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) strings(inner, `${path}.${key}`, out);
  return out;
}

/** The catalogue's strings with no Chinese in them, other than names that are the same in Chinese. */
const untranslated = (catalogue: unknown) =>
  strings(catalogue, 'zh').filter(
    ([, text]) => hasWords(text) && !hasChinese(text) && !SAME_IN_CHINESE.has(text),
  );

/** JSX text and the text of attributes people read (title, placeholder, aria-label, alt), by file and line. */
function jsxWords(dir: string, out: [string, string][] = []): [string, string][] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) jsxWords(path, out);
    else if (entry.name.endsWith('.tsx') && !entry.name.includes('.test.')) {
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const at = (node: ts.Node) =>
        `${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      const visit = (node: ts.Node) => {
        if (ts.isJsxText(node) && node.text.trim()) out.push([at(node), node.text.trim()]);
        if (
          ts.isJsxAttribute(node) &&
          ['title', 'placeholder', 'aria-label', 'alt'].includes(node.name.getText(source)) &&
          node.initializer &&
          ts.isStringLiteral(node.initializer)
        )
          out.push([at(node), node.initializer.text]);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return out;
}

describe('the builder in Chinese', () => {
  it('has Chinese for every word of the zh catalogue', () => {
    expect(untranslated(messages.zh)).toEqual([]);
  });

  it('finds an English word the catalogue forgot (the check can fail)', () => {
    const catalogue = {
      save: '保存',
      page: { title: 'Groups', count: (n: number) => `${n} groups` },
      id: 'ID',
    };
    expect(untranslated(catalogue)).toEqual([
      ['zh.page.title', 'Groups'],
      ['zh.page.count()', '1 groups'],
    ]);
  });

  it('has no words written in a component rather than the catalogue', () => {
    const written = jsxWords(join(__dirname, 'components')).filter(
      ([, text]) => hasWords(text) && !TYPED_AS_IS.test(text),
    );
    expect(written).toEqual([]);
  });
});
