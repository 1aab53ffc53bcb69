import { Upload } from 'lucide-react';
import { useId, useState } from 'react';
import { type ImportReport, importContacts } from '../../api/contacts';
import { importFormatOf } from '../../editor/people';
import { useLocale } from '../../hooks/useLocale';
import { Table } from '../common/Table';

type ImportState =
  | { status: 'idle' }
  | { status: 'importing'; fileName: string }
  | { status: 'done'; fileName: string; report: ImportReport }
  | { status: 'failed'; message: string };

/** Choose a CSV, JSON or NDJSON file; the server imports it and reports every row it refused. */
export function ImportPanel({ onImported }: { onImported: () => void }) {
  const { t } = useLocale();
  const inputId = useId();
  const [state, setState] = useState<ImportState>({ status: 'idle' });

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const format = importFormatOf(file.name, file.type);
    if (!format) {
      setState({ status: 'failed', message: t.contacts.unknownFormat });
      return;
    }
    setState({ status: 'importing', fileName: file.name });
    try {
      const report = await importContacts(file, format);
      setState({ status: 'done', fileName: file.name, report });
      onImported();
    } catch (error) {
      setState({ status: 'failed', message: `${t.contacts.importFailed} ${(error as Error).message}` });
    }
  };

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

function ImportReportView({ fileName, report }: { fileName: string; report: ImportReport }) {
  const { t } = useLocale();
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
                  {error.message}
                  {error.issues && error.issues.length > 0 && (
                    <ul>
                      {error.issues.map((issue) => (
                        <li key={`${issue.path}:${issue.message}`}>
                          {issue.path && <code>{issue.path}</code>} {issue.message}
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
