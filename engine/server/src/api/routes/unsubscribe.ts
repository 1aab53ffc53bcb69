import { verifyUnsubscribeToken } from '@sopflow/connectors';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { doc } from '../docs';
import { type ApiContext, apiError } from '../http';

/**
 * Unsubscribe links from messages (`List-Unsubscribe`, the link in a footer). POST unsubscribes at
 * once (RFC 8058 one-click: mail providers post `List-Unsubscribe=One-Click`, with no cookie or
 * login). GET only shows a confirm button: link scanners open links in mail and must not
 * unsubscribe anybody.
 */
export function registerUnsubscribeRoutes(app: Hono, ctx: ApiContext): void {
  const check = (token: string) =>
    ctx.options.secretKey ? verifyUnsubscribeToken(ctx.options.secretKey, token) : ({ ok: false } as const);

  app.get(
    '/u/:token',
    doc({
      summary: 'Unsubscribe page (confirm button)',
      tags: ['unsubscribe'],
      access: 'public',
      responses: { 200: { description: 'HTML.', media: 'text/html' }, 404: 'Invalid link.' },
    }),
    (c) => {
      const claims = check(c.req.param('token'));
      if (!claims.ok)
        return apiError(c, 404, 'invalid_link', 'This unsubscribe link is not valid or has expired.');
      return c.html(html`<!doctype html>
      <html lang="zh">
        <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" /><title>Unsubscribe / 退订</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 30rem; margin: 4rem auto; line-height: 1.5">
          <h1>退订 / Unsubscribe</h1>
          <p>不再通过 ${claims.channel} 接收我们的消息？<br />Stop receiving our messages on ${claims.channel}?</p>
          <form method="post"><button type="submit">确认退订 / Unsubscribe</button></form>
        </body>
      </html>`);
    },
  );

  app.post(
    '/u/:token',
    doc({
      summary: 'Unsubscribe (RFC 8058 one-click)',
      tags: ['unsubscribe'],
      access: 'public',
      responses: { 200: { description: 'HTML.', media: 'text/html' }, 404: 'Invalid link.' },
    }),
    async (c) => {
      const claims = check(c.req.param('token'));
      if (!claims.ok)
        return apiError(c, 404, 'invalid_link', 'This unsubscribe link is not valid or has expired.');
      const { contactId, channel } = claims;
      await ctx.options.contacts.optOut(contactId, channel);
      return c.html(html`<!doctype html><html><body style="font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 30rem">
      <p>已退订。You are unsubscribed from ${channel}.</p></body></html>`);
    },
  );
}
