/** Log in and sign up. */
import { useState } from 'preact/hooks';
import { type ActionResult, ErrorText, useAction } from './common';

export interface SignUpFields {
  username: string;
  password: string;
  displayName?: string;
  location?: string;
}

export function AuthScreen({
  mode,
  onLogIn,
  onSignUp,
  loginPath,
  signupPath,
}: {
  mode: 'login' | 'signup';
  onLogIn: (username: string, password: string) => Promise<ActionResult>;
  onSignUp: (fields: SignUpFields) => Promise<ActionResult>;
  loginPath: string;
  signupPath: string;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [location, setLocation] = useState('');
  const action = useAction(async () =>
    mode === 'login'
      ? onLogIn(username, password)
      : onSignUp({
          username: username.trim(),
          password,
          ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
          ...(location.trim() ? { location: location.trim() } : {}),
        }),
  );
  const title = mode === 'login' ? 'Log in' : 'Sign up';
  return (
    <main class="auth" id="main">
      <h1>Chat</h1>
      <form
        class="card form"
        aria-labelledby="auth-title"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run();
        }}
      >
        <h2 id="auth-title">{title}</h2>
        <label for="auth-username">Username</label>
        <input
          id="auth-username"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(event) => setUsername(event.currentTarget.value)}
        />
        <label for="auth-password">Password</label>
        <input
          id="auth-password"
          name="password"
          type="password"
          autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
        {mode === 'signup' && (
          <>
            <p class="hint">At least 8 characters.</p>
            <label for="auth-display-name">Display name (optional)</label>
            <input
              id="auth-display-name"
              name="displayName"
              autocomplete="name"
              value={displayName}
              onInput={(event) => setDisplayName(event.currentTarget.value)}
            />
            <label for="auth-location">Location (optional)</label>
            <input
              id="auth-location"
              name="location"
              value={location}
              onInput={(event) => setLocation(event.currentTarget.value)}
            />
          </>
        )}
        <ErrorText>{action.error}</ErrorText>
        <button type="submit" class="primary" disabled={action.pending}>
          {title}
        </button>
        <p>
          {mode === 'login' ? (
            <>
              New here? <a href={signupPath}>Create an account</a>
            </>
          ) : (
            <>
              Have an account? <a href={loginPath}>Log in instead</a>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
