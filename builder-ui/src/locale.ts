/** The languages the builder speaks; every message catalogue has one entry per locale. */
export type Locale = 'en' | 'zh';

export const LOCALES: readonly Locale[] = ['en', 'zh'];
