import { describe, expect, it } from 'vitest';
import { SendError } from '../connector';
import { newsArticles } from './news';

const article = (n: number) => ({
  title: `t${n}`,
  url: `https://example.com/${n}`,
  picUrl: `https://example.com/${n}.png`,
});

describe('newsArticles', () => {
  it("maps articles to WeCom's fields", () => {
    expect(newsArticles([{ ...article(1), description: 'd' }], 'news')).toEqual([
      { title: 't1', description: 'd', url: 'https://example.com/1', picurl: 'https://example.com/1.png' },
    ]);
  });

  it('takes 8 articles and refuses a ninth, for good', () => {
    const eight = Array.from({ length: 8 }, (_, i) => article(i));
    expect(newsArticles(eight, 'news')).toHaveLength(8);
    const refuse = () => newsArticles([...eight, article(8)], 'robot news');
    expect(refuse).toThrow(SendError);
    expect(refuse).toThrow('A WeCom robot news message carries at most 8 articles; this one has 9.');
    try {
      refuse();
    } catch (error) {
      expect((error as SendError).kind).toBe('permanent');
    }
  });
});
