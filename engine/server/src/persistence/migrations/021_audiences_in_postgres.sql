-- Audiences are evaluated in Postgres: tag containment, attribute equality (jsonb containment)
-- and an address's exact value use these instead of reading every contact.
create index contacts_tags on contacts using gin (tags);
create index contacts_attributes on contacts using gin (attributes jsonb_path_ops);
create index contact_addresses_kind_value on contact_addresses (kind, value);

-- A path read out of a JSON value as the flows' condition language reads it (`readPath` in the
-- core): own keys of objects; of arrays, an index ("0", never "-1" or "01") or "length"; nothing
-- out of anything else. SQL NULL where JavaScript has undefined.
create function sopflow_read_path(value jsonb, keys text[]) returns jsonb
language plpgsql immutable strict parallel safe as $$
declare
  key text;
begin
  foreach key in array keys loop
    case jsonb_typeof(value)
      when 'object' then value := value -> key;
      when 'array' then
        if key = 'length' then value := to_jsonb(jsonb_array_length(value));
        elsif key ~ '^(0|[1-9][0-9]{0,8})$' then value := value -> key::int;
        else return null;
        end if;
      else return null;
    end case;
    if value is null then return null; end if;
  end loop;
  return value;
end $$;
