import { z } from 'zod';
import { defineAddressKind } from '../address-kind';

/**
 * A mobile number, stored as written ("+86 138-0000-0000"). Providers report a sender in E.164
 * while operators import numbers as written, so replies find their contact by the digits alone:
 * a number saved without its plus matches the provider's "+8613800000000" too.
 */
export const phoneAddress = defineAddressKind({
  name: 'phone',
  label: { en: 'Phone number', zh: '手机号' },
  schema: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{2,39}$/, {
      error: 'A phone number: digits, optionally +, spaces, ( ) and -.',
    }),
  matchKey: (value) => value.replace(/[^0-9]/g, ''),
  input: 'tel',
});
