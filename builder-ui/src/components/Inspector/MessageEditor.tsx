import { type CompileError, renderTemplate } from '@sopflow/core';
import { useId, useMemo, useRef } from 'react';
import { useLocale } from '../../hooks/useLocale';
import { errorsAt, FieldErrors } from './fields';

/**
 * A message template with buttons that insert variables where the caret is, and the message
 * as the sample contact would get it, rendered by the engine's own `renderTemplate`.
 */
export function MessageEditor({
  label,
  value,
  onChange,
  variables,
  context,
  errors,
  path,
  testId,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  /** Variable paths offered as buttons, e.g. `contact.name`. */
  variables: readonly string[];
  /** What the preview renders with: `{ contact, event, lastEvent, http, flow }`. */
  context: object;
  errors: readonly CompileError[];
  path: string;
  testId: string;
}) {
  const { t } = useLocale();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const mine = errorsAt(errors, path);

  const insert = (variable: string) => {
    const el = area.current;
    const token = `{{ ${variable} }}`;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const next = value.slice(0, start) + token + value.slice(end);
    onChange(next);
    // Put the caret after the inserted variable, once React has written the new text.
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const preview = useMemo(() => {
    try {
      return { ok: true as const, text: renderTemplate(value, context) };
    } catch (error) {
      return { ok: false as const, text: (error as Error).message };
    }
  }, [value, context]);

  return (
    <div className={`field${mine.length ? ' field--error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="variables" role="toolbar" aria-label={t.insertVariable}>
        <span className="variables__title">{t.insertVariable}</span>
        {variables.map((v) => (
          <button
            key={v}
            type="button"
            className="chip"
            title={`{{ ${v} }}`}
            onClick={() => insert(v)}
            data-testid={`${testId}-var-${v}`}
          >
            {t.variables[v] ?? v}
          </button>
        ))}
      </div>
      <textarea
        id={id}
        ref={area}
        rows={5}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      <FieldErrors errors={mine} />
      <div className="message-preview" data-testid={`${testId}-preview`}>
        <span className="message-preview__title">{t.livePreview}</span>
        {preview.ok ? (
          <p className="bubble">{preview.text}</p>
        ) : (
          <p className="field__errors">
            {t.renderFailed} {preview.text}
          </p>
        )}
      </div>
    </div>
  );
}
