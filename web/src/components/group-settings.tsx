/** A group's name and members: rename, add, remove, change roles, leave. */
import { useState } from 'preact/hooks';
import { type ActionResult, ErrorText, useAction } from './common';

export interface MemberView {
  userId: string;
  name: string;
  username?: string;
  role: 'owner' | 'admin' | 'member';
  isMe: boolean;
}

export function GroupSettings({
  name,
  members,
  myRole,
  conversationPath,
  onRename,
  onAdd,
  onRemove,
  onChangeRole,
  onLeave,
}: {
  name: string;
  members: readonly MemberView[];
  myRole: 'owner' | 'admin' | 'member';
  conversationPath: string;
  onRename: (name: string) => Promise<ActionResult>;
  onAdd: (usernames: string) => Promise<ActionResult>;
  onRemove: (userId: string) => Promise<ActionResult>;
  onChangeRole: (userId: string, role: 'admin' | 'member') => Promise<ActionResult>;
  onLeave: () => Promise<ActionResult>;
}) {
  const [newName, setNewName] = useState(name);
  const [usernames, setUsernames] = useState('');
  const rename = useAction(onRename);
  const add = useAction(onAdd);
  const memberAction = useAction(async (run: () => Promise<ActionResult>) => run());
  const leave = useAction(onLeave);
  const manages = myRole === 'owner' || myRole === 'admin';
  return (
    <section class="pad settings" aria-labelledby="settings-title">
      <a class="back-link always" href={conversationPath}>
        Back to the conversation
      </a>
      <h2 id="settings-title">Group settings</h2>
      <form
        class="form card"
        onSubmit={(event) => {
          event.preventDefault();
          void rename.run(newName.trim());
        }}
      >
        <label for="group-name">Group name</label>
        <input
          id="group-name"
          required
          value={newName}
          onInput={(event) => setNewName(event.currentTarget.value)}
        />
        <ErrorText>{rename.error}</ErrorText>
        <button type="submit" class="primary" disabled={rename.pending}>
          Rename group
        </button>
      </form>

      <h3>Members ({members.length})</h3>
      <ul class="members card">
        {members.map((member) => (
          <li key={member.userId} class="member">
            <span class="member-name">
              {member.name}
              {member.username && <span class="muted"> @{member.username}</span>}
            </span>
            {manages && !member.isMe && member.role !== 'owner' ? (
              <>
                <label class="visually-hidden" for={`role-${member.userId}`}>
                  Role of {member.name}
                </label>
                <select
                  id={`role-${member.userId}`}
                  value={member.role}
                  onChange={(event) => {
                    const role = event.currentTarget.value as 'admin' | 'member';
                    void memberAction.run(() => onChangeRole(member.userId, role));
                  }}
                >
                  <option value="member">member</option>
                  <option value="admin">admin</option>
                </select>
                <button type="button" onClick={() => void memberAction.run(() => onRemove(member.userId))}>
                  Remove {member.name}
                </button>
              </>
            ) : (
              <span class="role">{member.role}</span>
            )}
          </li>
        ))}
      </ul>
      <ErrorText>{memberAction.error}</ErrorText>

      <form
        class="form card"
        onSubmit={async (event) => {
          event.preventDefault();
          if (await add.run(usernames)) setUsernames('');
        }}
      >
        <label for="add-members">Add members (usernames, separated by commas)</label>
        <input
          id="add-members"
          autocomplete="off"
          aria-describedby="add-members-hint"
          required
          value={usernames}
          onInput={(event) => setUsernames(event.currentTarget.value)}
        />
        <p class="hint" id="add-members-hint">
          People you have a direct chat with; others can start one with you first.
        </p>
        <ErrorText>{add.error}</ErrorText>
        <button type="submit" disabled={add.pending}>
          Add members
        </button>
      </form>

      <div class="card">
        <ErrorText>{leave.error}</ErrorText>
        <button type="button" class="danger" disabled={leave.pending} onClick={() => void leave.run()}>
          Leave group
        </button>
      </div>
    </section>
  );
}
