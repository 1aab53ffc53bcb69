import { z } from 'zod';
import { defineAddressKind } from '../address-kind';

/** A WeChat Official Account follower's OpenID. */
export const openIdAddress = defineAddressKind({
  name: 'openId',
  label: { en: 'Official Account follower (OpenID)', zh: '公众号粉丝（OpenID）' },
  schema: z.string().trim().min(1).max(200),
});
