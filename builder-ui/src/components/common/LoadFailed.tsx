import { useLocale } from '../../hooks/useLocale';

/** What could not be loaded and why, with a way to try again (and a hint where one helps). */
export function LoadFailed({
  what,
  error,
  onRetry,
  hint,
  className,
}: {
  /** The sentence before the error's message ("Could not load from the API:"). */
  what: string;
  error: Error;
  onRetry: () => void;
  hint?: string;
  className?: string;
}) {
  const { t } = useLocale();
  return (
    <div className={`notice notice--error${className ? ` ${className}` : ''}`} role="alert">
      <p>
        {what} {error.message}
      </p>
      {hint && <p className="muted">{hint}</p>}
      <button type="button" onClick={onRetry}>
        {t.retry}
      </button>
    </div>
  );
}
