import { LogIn } from 'lucide-react';
import { useState } from 'react';
import { logIn, type Session } from '../../api/flows';
import { useLocale } from '../../hooks/useLocale';
import { TextField } from '../common/TextField';

/** Shown when the API has accounts and this browser has no session (or it expired). */
export function Login({ onLoggedIn }: { onLoggedIn: (session: Session) => void }) {
  const { t } = useLocale();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  return (
    <form
      className="login"
      data-testid="login"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setFailure(undefined);
        logIn(email.trim(), password).then(onLoggedIn, (error: Error) => {
          setFailure(error.message);
          setBusy(false);
        });
      }}
    >
      <h2 className="login__title">{t.loginTitle}</h2>
      <TextField
        label={t.email}
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        data-testid="login-email"
      />
      <TextField
        label={t.password}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        data-testid="login-password"
      />
      {failure && (
        <p className="notice notice--error" role="alert">
          {t.loginFailed} {failure}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
        <LogIn size={16} /> {busy ? t.loggingIn : t.logIn}
      </button>
    </form>
  );
}
