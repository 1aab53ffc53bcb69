import { z } from 'zod';
import { defineAddressKind } from '../address-kind';

/** An email address; compared without regard to case. */
export const emailAddress = defineAddressKind({
  name: 'email',
  label: { en: 'Email address', zh: '邮箱' },
  schema: z
    .string()
    .trim()
    .max(320)
    .pipe(z.email({ error: 'Not an email address.' })),
  matchKey: (value) => value.toLowerCase(),
  input: 'email',
});
