-- Providers report a sender as E.164 (+15551234567) while operators import numbers as written
-- ("+1 (555) 123-4567"): inbound replies find their contact by the number's digits and plus sign.
create index contacts_phone_digits on contacts ((regexp_replace(phone, '[^0-9+]', '', 'g')));
