import { type OutboundMessage, SendError } from '../connector';

/** WeCom news messages, from an app or a group robot alike, carry 1 to 8 articles. */
const MAX_NEWS_ARTICLES = 8;

/**
 * A message's articles as WeCom's `news.articles`; more than WeCom takes is a permanent error.
 * `kind` names the message in that error (`news`, `robot news`).
 */
export function newsArticles(articles: NonNullable<OutboundMessage['articles']>, kind: string) {
  if (articles.length > MAX_NEWS_ARTICLES) {
    throw new SendError(
      'permanent',
      `A WeCom ${kind} message carries at most ${MAX_NEWS_ARTICLES} articles; this one has ${articles.length}.`,
    );
  }
  return articles.map((a) => ({ title: a.title, description: a.description, url: a.url, picurl: a.picUrl }));
}
