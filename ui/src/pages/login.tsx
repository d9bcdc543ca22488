import { useState } from 'preact/hooks';
import { api, session, type Principal } from '../api.ts';

/** Sign in with an API token; its role decides what the UI shows and allows. */
export function Login({ onLogin }: { onLogin: (me: Principal) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.whoami(token.trim());
      session.set(token.trim());
      onLogin(me);
    } catch {
      setError('That token was not accepted.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <h1>Vigil</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} required autoFocus />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        {error && (
          <p id="login-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
      <p class="hint">The first start of `vigil serve` prints an admin token and saves it as admin.token in the data folder.</p>
    </main>
  );
}
