import { inLocale } from '@sopflow/core/api';
import { Upload } from 'lucide-react';
import { useId, useState } from 'react';
import {
  type ContactColumns,
  type ImportFormat,
  type ImportReport,
  importContacts,
} from '../../api/contacts';
import { importFormatOf } from '../../editor/people';
import { addressLabel, useAddressKinds } from '../../hooks/useAddressKinds';
import { useLocale } from '../../hooks/useLocale';
import { Table } from '../common/Table';
import { type ColumnMapping, chosenMapping, columnsOf, previewCsv, suggestedMapping } from './column-mapping';

/** How much of a CSV is read for its preview. */
const PREVIEW_BYTES = 64 * 1024;

type ImportState =
  | { status: 'idle' }
  | { status: 'mapping'; file: File; headers: string[]; rows: string[][]; chosen: Partial<ColumnMapping> }
  | { status: 'importing'; fileName: string }
  | { status: 'done'; fileName: string; report: ImportReport }
  | { status: 'failed'; message: string };

/** Choose a CSV, JSON or NDJSON file; the server imports it and reports every row it refused. */
export function ImportPanel({ onImported }: { onImported: () => void }) {
  const { t, locale } = useLocale();
  const inputId = useId();
  const kinds = useAddressKinds();
  const [state, setState] = useState<ImportState>({ status: 'idle' });

  const send = async (file: File, format: ImportFormat, columns?: ContactColumns) => {
    setState({ status: 'importing', fileName: file.name });
    try {
      const report = await importContacts(file, format, columns);
      setState({ status: 'done', fileName: file.name, report });
      onImported();
    } catch (error) {
      setState({
        status: 'failed',
        message: `${t.contacts.importFailed} ${inLocale((error as Error).message, locale)}`,
      });
    }
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const format = importFormatOf(file.name, file.type);
    if (!format) {
      setState({ status: 'failed', message: t.contacts.unknownFormat });
      return;
    }
    if (format !== 'csv') return send(file, format);
    try {
      const start = await file.slice(0, PREVIEW_BYTES).text();
      const { headers, rows } = previewCsv(start, file.size <= PREVIEW_BYTES);
      setState({ status: 'mapping', file, headers, rows, chosen: {} });
    } catch (error) {
      setState({
        status: 'failed',
        message: `${t.contacts.importFailed} ${inLocale((error as Error).message, locale)}`,
      });
    }
  };

  // Made again as the address kinds load, keeping what the operator chose.
  const mapping =
    state.status === 'mapping'
      ? chosenMapping(suggestedMapping(state.headers, kinds), state.chosen)
      : undefined;

  return (
    <section className="people-card" data-testid="contacts-import">
      <h3>{t.contacts.importTitle}</h3>
      <p className="muted">{t.contacts.importHint}</p>
      <div className="field">
        <label htmlFor={inputId}>
          <Upload size={14} /> {t.contacts.chooseFile}
        </label>
        <input
          id={inputId}
          type="file"
          accept=".csv,.json,.ndjson,.jsonl,text/csv,application/json,application/x-ndjson"
          disabled={state.status === 'importing'}
          onChange={(e) => {
            void onFile(e.target.files?.[0]);
            e.target.value = '';
          }}
          data-testid="contacts-import-file"
        />
      </div>
      {state.status === 'mapping' && mapping && (
        <ColumnMappingView
          {...state}
          mapping={mapping}
          onChange={(change) =>
            setState({
              ...state,
              chosen: { ...state.chosen, ...change, fills: { ...state.chosen.fills, ...change.fills } },
            })
          }
          onImport={() => void send(state.file, 'csv', columnsOf(mapping, state.headers))}
          onCancel={() => setState({ status: 'idle' })}
        />
      )}
      {state.status === 'importing' && <p className="muted">{t.contacts.importing}</p>}
      {state.status === 'failed' && (
        <p className="notice notice--error" role="alert" data-testid="contacts-import-error">
          {state.message}
        </p>
      )}
      {state.status === 'done' && <ImportReportView fileName={state.fileName} report={state.report} />}
    </section>
  );
}

/** The CSV's first rows, with what each column fills and which is the contact's id, to change before the import. */
function ColumnMappingView({
  file,
  headers,
  rows,
  mapping,
  onChange,
  onImport,
  onCancel,
}: {
  file: File;
  headers: string[];
  rows: string[][];
  mapping: ColumnMapping;
  /** What the operator changed: the id column, or what a column fills. */
  onChange: (chosen: Partial<ColumnMapping>) => void;
  onImport: () => void;
  onCancel: () => void;
}) {
  const { t, locale } = useLocale();
  const words = t.contacts;
  const kinds = useAddressKinds();
  const fields = ['name', 'timezone', 'tags', 'unsubscribed', 'points'];
  return (
    <div className="people-mapping" data-testid="import-mapping">
      <h4>{words.mapTitle}</h4>
      <p className="muted">{words.mapHint}</p>
      <Table className="people-table" columns={[words.column, words.sample, words.isId, words.fills]}>
        <tbody>
          {headers.map((header, i) => (
            <tr key={header} data-testid={`import-column-${i}`}>
              <td>
                <strong>{header}</strong>
              </td>
              <td className="muted">
                {rows
                  .map((row) => row[i] ?? '')
                  .filter(Boolean)
                  .slice(0, 3)
                  .join(' · ')}
              </td>
              <td>
                <input
                  type="radio"
                  name={`import-id-${file.name}`}
                  aria-label={`${words.isId}: ${header}`}
                  checked={mapping.id === header}
                  onChange={() => onChange({ id: header })}
                  data-testid={`import-id-${i}`}
                />
              </td>
              <td>
                <select
                  aria-label={`${words.fills}: ${header}`}
                  value={mapping.fills[header] ?? 'skip'}
                  onChange={(e) => onChange({ fills: { [header]: e.target.value } })}
                  data-testid={`import-fills-${i}`}
                >
                  <option value="skip">{words.skip}</option>
                  {fields.map((field) => (
                    <option key={field} value={field}>
                      {words.fieldNames[field]}
                    </option>
                  ))}
                  {kinds.map((kind) => (
                    <option key={kind.name} value={`addresses.${kind.name}`}>
                      {addressLabel(kinds, kind.name, locale)}
                    </option>
                  ))}
                  <option value={header.startsWith('attributes.') ? header : `attributes.${header}`}>
                    {words.attributeNamed(header.replace(/^attributes\./, ''))}
                  </option>
                  <option value="attributes">{words.wholeAttributes}</option>
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {!mapping.id && (
        <p className="notice notice--error" role="alert" data-testid="import-need-id">
          {words.needId}
        </p>
      )}
      <div className="people-mapping__actions">
        <button
          type="button"
          className="primary"
          disabled={!mapping.id}
          onClick={onImport}
          data-testid="import-start"
        >
          {words.importNow(file.name)}
        </button>
        <button type="button" onClick={onCancel} data-testid="import-cancel">
          {t.cancel}
        </button>
      </div>
    </div>
  );
}

function ImportReportView({ fileName, report }: { fileName: string; report: ImportReport }) {
  const { t, locale } = useLocale();
  const counts = [
    ['received', t.contacts.received, report.received],
    ['imported', t.contacts.imported, report.imported],
    ['created', t.contacts.createdCount, report.created],
    ['updated', t.contacts.updatedCount, report.updated],
    ['failed', t.contacts.failed, report.failed],
  ] as const;
  return (
    <div
      className={`notice ${report.failed > 0 ? 'notice--error' : 'notice--ok'}`}
      data-testid="import-report"
    >
      <p>
        <code>{fileName}</code>
      </p>
      <dl className="people-counts">
        {counts.map(([key, label, n]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd data-testid={`import-${key}`}>{n}</dd>
          </div>
        ))}
      </dl>
      {report.errors.length > 0 && (
        <Table
          className="people-table"
          testId="import-errors"
          columns={[t.contacts.row, t.contacts.id, t.contacts.reason]}
        >
          <tbody>
            {report.errors.map((error) => (
              <tr key={`${error.row}-${error.id ?? ''}`} data-testid={`import-error-${error.row}`}>
                <td>{error.row}</td>
                <td>{error.id && <code>{error.id}</code>}</td>
                <td>
                  {inLocale(error.message, locale)}
                  {error.issues && error.issues.length > 0 && (
                    <ul>
                      {error.issues.map((issue) => (
                        <li key={`${issue.path}:${issue.message}`}>
                          {issue.path && <code>{issue.path}</code>} {inLocale(issue.message, locale)}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {report.errorsTruncated && <p className="muted">{t.contacts.moreErrors}</p>}
    </div>
  );
}
