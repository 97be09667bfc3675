/** Starting a direct chat by username, and creating a group. */
import { useState } from 'preact/hooks';
import { type ActionResult, ErrorText, useAction } from './common';

export function NewChatForm({ onStart }: { onStart: (username: string) => Promise<ActionResult> }) {
  const [username, setUsername] = useState('');
  const action = useAction(onStart);
  return (
    <section class="pad" aria-labelledby="new-chat-title">
      <h2 id="new-chat-title">New chat</h2>
      <form
        class="form card"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(username.trim());
        }}
      >
        <label for="new-chat-username">Username</label>
        <input
          id="new-chat-username"
          required
          autocomplete="off"
          value={username}
          onInput={(event) => setUsername(event.currentTarget.value)}
        />
        <ErrorText>{action.error}</ErrorText>
        <button type="submit" class="primary" disabled={action.pending}>
          Start chat
        </button>
      </form>
    </section>
  );
}

export function NewGroupForm({
  onCreate,
}: {
  onCreate: (name: string, usernames: string) => Promise<ActionResult>;
}) {
  const [name, setName] = useState('');
  const [usernames, setUsernames] = useState('');
  const action = useAction(onCreate);
  return (
    <section class="pad" aria-labelledby="new-group-title">
      <h2 id="new-group-title">New group</h2>
      <form
        class="form card"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(name.trim(), usernames);
        }}
      >
        <label for="new-group-name">Group name</label>
        <input
          id="new-group-name"
          required
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <label for="new-group-members">Members (usernames, separated by commas)</label>
        <input
          id="new-group-members"
          autocomplete="off"
          aria-describedby="new-group-members-hint"
          value={usernames}
          onInput={(event) => setUsernames(event.currentTarget.value)}
        />
        <p class="hint" id="new-group-members-hint">
          People you have a direct chat with; others can start one with you first.
        </p>
        <ErrorText>{action.error}</ErrorText>
        <button type="submit" class="primary" disabled={action.pending}>
          Create group
        </button>
      </form>
    </section>
  );
}
