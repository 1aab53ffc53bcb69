import type { Contact } from '@sopflow/core';
import { Search, Upload } from 'lucide-react';
import { useState } from 'react';
import { listContacts } from '../../api/contacts';
import { contactsHash } from '../../editor/people';
import { useDebounced } from '../../hooks/useDebounced';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { Table } from '../common/Table';
import { TextField } from '../common/TextField';
import { ContactDetail } from './ContactDetail';
import { ImportPanel } from './ImportPanel';
import './people.css';

const PAGE_SIZE = 25;

/** The addresses a contact can be reached at, whatever their kinds. */
function addressesOf(contact: Contact): string[] {
  return Object.values(contact.addresses).filter(Boolean);
}

/** Contacts: search and page through them, import a file, open one with its journey history. */
export function ContactsPage({ contactId }: { contactId?: string }) {
  return contactId === undefined ? <ContactList /> : <ContactDetail id={contactId} />;
}

function ContactList() {
  const { t } = useLocale();
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [importing, setImporting] = useState(false);
  // The `after` of each page shown so far: the API pages by cursor, so going back means remembering.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [reloads, setReloads] = useState(0);
  const query = useDebounced(JSON.stringify({ q: q.trim(), tag: tag.trim() }), 300);
  const after = cursors[cursors.length - 1];
  const [page] = useRemote(`${query}|${after ?? ''}|${reloads}`, (signal) =>
    listContacts({ ...(JSON.parse(query) as { q: string; tag: string }), after, limit: PAGE_SIZE }, signal),
  );
  const restart = () => setCursors([undefined]);
  /** A changed search starts again from the first page. */
  const refine = (setTerm: (term: string) => void, term: string) => {
    setTerm(term);
    restart();
  };

  return (
    <div className="people-page" data-testid="contacts-page">
      <div className="people-page__head">
        <h2>{t.contacts.title}</h2>
        <button
          type="button"
          aria-pressed={importing}
          onClick={() => setImporting((on) => !on)}
          data-testid="contacts-import-toggle"
        >
          <Upload size={14} /> {t.contacts.import}
        </button>
      </div>
      {importing && (
        <ImportPanel
          onImported={() => {
            restart();
            setReloads((n) => n + 1);
          }}
        />
      )}
      <form className="people-search" onSubmit={(e) => e.preventDefault()}>
        <TextField
          label={
            <>
              <Search size={12} /> {t.contacts.search}
            </>
          }
          type="search"
          value={q}
          placeholder={t.contacts.searchPlaceholder}
          onChange={(e) => refine(setQ, e.target.value)}
          data-testid="contacts-search"
        />
        <TextField
          label={t.contacts.tag}
          value={tag}
          placeholder={t.contacts.tagPlaceholder}
          onChange={(e) => refine(setTag, e.target.value)}
          data-testid="contacts-tag"
        />
      </form>
      <p className="field__hint">{t.contacts.searchHint}</p>
      {page.status === 'loading' && <p className="muted">{t.loading}</p>}
      {page.status === 'failed' && (
        <p className="notice notice--error" role="alert">
          {t.contacts.loadFailed} {page.error.message}
        </p>
      )}
      {page.status === 'ready' && page.value.contacts.length === 0 && (
        <p className="muted" data-testid="contacts-none">
          {t.contacts.none}
        </p>
      )}
      {page.status === 'ready' && page.value.contacts.length > 0 && (
        <Table
          className="people-table"
          testId="contacts-list"
          columns={[t.contacts.id, t.contacts.name, t.contacts.tags, t.contacts.points, t.contacts.channels]}
        >
          <tbody>
            {page.value.contacts.map((contact) => (
              <tr key={contact.id}>
                <td>
                  <a href={contactsHash(contact.id)} data-testid={`contact-${contact.id}`}>
                    <code>{contact.id}</code>
                  </a>
                </td>
                <td>{contact.name}</td>
                <td>
                  {contact.tags.map((tagName) => (
                    <span key={tagName} className="people-tag">
                      {tagName}
                    </span>
                  ))}
                </td>
                <td>{contact.points}</td>
                <td className="muted">{addressesOf(contact).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {page.status === 'ready' && (cursors.length > 1 || page.value.next !== null) && (
        <div className="people-pager">
          <button type="button" disabled={cursors.length === 1} onClick={restart}>
            {t.contacts.first}
          </button>
          <span className="muted" data-testid="contacts-page-number">
            {t.contacts.page(cursors.length)}
          </span>
          <button
            type="button"
            disabled={page.value.next === null}
            onClick={() => {
              const next = page.value.next;
              if (next !== null) setCursors((list) => [...list, next]);
            }}
            data-testid="contacts-next"
          >
            {t.contacts.next}
          </button>
        </div>
      )}
    </div>
  );
}
