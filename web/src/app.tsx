/**
 * The container: reads the stores, hands plain values and callbacks to the presentational components, and
 * loads what the current screen needs.
 */
import { useEffect } from 'preact/hooks';
import { AuthScreen } from './components/auth';
import { Notices } from './components/common';
import { ConversationView } from './components/conversation';
import { GroupSettings, type MemberView } from './components/group-settings';
import { InboxPanel } from './components/inbox';
import type { MessageView } from './components/messages';
import { NewChatForm, NewGroupForm } from './components/new-conversation';
import { ProfileScreen } from './components/profile';
import { SessionsPanel } from './components/sessions';
import { Placeholder, Shell } from './components/shell';
import {
  addMembers,
  blockUser,
  changeRole,
  conversationState,
  createGroup,
  deleteMessage,
  editMessage,
  loadOlderMessages,
  openConversation,
  removeMember,
  renameGroup,
  renewMediaUrls,
  setMuted,
  splitUsernames,
  startDirectChat,
  toggleReaction,
} from './stores/conversations';
import {
  inbox,
  inboxCursor,
  inboxState,
  loadMoreConversations,
  otherMemberOf,
  titleOf,
} from './stores/inbox';
import { dismissNotice, notices, notify } from './stores/notices';
import { discardMessage, outbox, retryMessage, sendMessage } from './stores/outbox';
import { connectionStatus, sendTyping, stopTyping } from './stores/realtime';
import { failure, type Result } from './stores/result';
import { navigate, paths, type Route, route } from './stores/router';
import { logIn, logOut, me, sessionStatus, signUp, updateProfile } from './stores/session';
import { changePassword, endSession, loadSessions, logOutEverywhere, sessions } from './stores/sessions';
import { dismissUpload, sendAttachment, uploadMedia, uploads } from './stores/uploads';
import { nameOf, presenceLabel, profiles, refreshProfile } from './stores/users';

const ok = <T,>(result: Result<T>) => (result.ok ? { ok: true as const } : result);

function avatarOfConversation(summary: { type: 'direct' | 'group'; members?: { userId: string }[] }) {
  if (summary.type !== 'direct') return null;
  const other = otherMemberOf(summary);
  return other ? (profiles.value[other]?.avatarUrl ?? null) : null;
}

function Sidebar({ activeId }: { activeId: string | null }) {
  const myId = me.value?.id;
  return (
    <InboxPanel
      items={inbox.value.map((summary) => ({
        id: summary.id,
        title: titleOf(summary),
        avatarUrl: avatarOfConversation(summary),
        preview: summary.lastMessage
          ? `${summary.type === 'group' || summary.lastMessage.senderId === myId ? `${nameOf(summary.lastMessage.senderId)}: ` : ''}${summary.lastMessage.preview}`
          : 'No messages yet',
        lastActivityAt: summary.lastActivityAt,
        unreadCount: summary.unreadCount,
        unreadMentionCount: summary.unreadMentionCount,
        href: paths.conversation(summary.id),
      }))}
      activeId={activeId}
      state={inboxState.value}
      hasMore={inboxCursor.value !== null}
      onLoadMore={() => void loadMoreConversations()}
      newChatPath={paths.newChat()}
      newGroupPath={paths.newGroup()}
    />
  );
}

function receiptText(readers: string[], direct: boolean) {
  if (readers.length === 0) return undefined;
  if (direct) return 'Seen';
  return `Read by ${readers.join(', ')}`;
}

function Conversation({ id }: { id: string }) {
  const state = conversationState(id);
  useEffect(() => {
    void openConversation(id);
  }, [id]);
  const details = state.details.value;
  const myId = me.value?.id ?? '';
  const summary = inbox.value.find((item) => item.id === id);
  const source = details ?? summary;
  const isGroup = source?.type === 'group';
  const direct = source?.type === 'direct';

  const serverMessages = state.messages.value;
  const delivered = new Set(serverMessages.filter((m) => m.senderId === myId).map((m) => m.clientMessageId));
  // Receipts: under the newest of my messages that someone else has read, who read it.
  const others = details?.members.filter((member) => member.userId !== myId) ?? [];
  const mineNewestFirst = serverMessages.filter((m) => m.senderId === myId && m.content).reverse();
  let receiptFor: string | undefined;
  let readers: string[] = [];
  for (const message of mineNewestFirst) {
    readers = others
      .filter((member) => (member.lastReadMessageId ?? '') >= message.id)
      .map((member) => nameOf(member.userId));
    if (readers.length) {
      receiptFor = message.id;
      break;
    }
  }
  const views: MessageView[] = serverMessages.map((message, index) => {
    const previous = serverMessages[index - 1];
    return {
      key: message.clientMessageId ? `${message.senderId}:${message.clientMessageId}` : message.id,
      id: message.id,
      mine: message.senderId === myId,
      senderName: nameOf(message.senderId),
      showSender: message.senderId !== myId && (isGroup ? previous?.senderId !== message.senderId : false),
      content: message.content,
      createdAt: message.createdAt,
      edited: Boolean(message.editedAt),
      receipt: message.id === receiptFor ? receiptText(readers, direct) : undefined,
      reactions: message.reactions ?? [],
      mentionedNames: (message.mentionedUserIds ?? []).flatMap((userId) => {
        const username = userId === myId ? me.value?.username : profiles.value[userId]?.username;
        return username ? [username.toLowerCase()] : [];
      }),
    };
  });
  for (const pending of outbox.value) {
    if (pending.conversationId !== id || delivered.has(pending.clientMessageId)) continue;
    views.push({
      key: `${myId}:${pending.clientMessageId}`,
      mine: true,
      senderName: 'You',
      showSender: false,
      content: pending.content,
      createdAt: pending.createdAt,
      edited: false,
      pending: {
        clientMessageId: pending.clientMessageId,
        state: pending.state,
        error: pending.error,
        retryAt: pending.retryAt,
      },
    });
  }
  const typingNames = Object.keys(state.typing.value)
    .filter((userId) => userId !== myId)
    .map(nameOf);
  const title = source ? titleOf(source) : 'Conversation';
  const otherId = direct && source ? otherMemberOf(source) : undefined;
  const otherProfile = otherId && otherId !== myId ? profiles.value[otherId] : undefined;
  // Their presence as of now; presence.changed events keep it current while the conversation is open.
  useEffect(() => {
    if (otherId && otherId !== myId) void refreshProfile(otherId);
  }, [otherId, myId]);
  return (
    <ConversationView
      title={title}
      subtitle={
        isGroup
          ? `Group · ${source?.memberCount ?? 0} members`
          : otherId
            ? [`@${profiles.value[otherId]?.username ?? ''}`, presenceLabel(otherProfile?.presence)]
                .filter(Boolean)
                .join(' · ')
            : ''
      }
      avatarUrl={source ? avatarOfConversation(source) : null}
      backPath={paths.inbox()}
      settingsPath={isGroup ? paths.groupSettings(id) : undefined}
      muted={details?.muted}
      onToggleMute={() =>
        void setMuted(id, !details?.muted).then((result) => {
          if (!result.ok) notify(result.problem.detail);
        })
      }
      onBlock={
        otherId && otherId !== myId
          ? () =>
              void blockUser(otherId).then((result) =>
                notify(
                  result.ok
                    ? 'Blocked: neither of you can write here until you unblock.'
                    : result.problem.detail,
                ),
              )
          : undefined
      }
      status={state.status.value}
      problem={state.problem.value?.detail}
      messages={views}
      hasOlder={state.olderCursor.value !== null}
      loadingOlder={state.loadingOlder.value}
      onLoadOlder={() => void loadOlderMessages(id)}
      typing={
        typingNames.length === 0
          ? null
          : `${typingNames.join(' and ')} ${typingNames.length === 1 ? 'is' : 'are'} typing…`
      }
      uploads={uploads.value.filter((upload) => upload.conversationId === id)}
      onDismissUpload={dismissUpload}
      onSend={(text) => {
        stopTyping(id);
        sendMessage(id, { type: 'text', text });
      }}
      onTyping={() => sendTyping(id)}
      onAttach={(files) => {
        for (const file of files) void sendAttachment(id, file);
      }}
      actions={{
        onEdit: async (messageId, text) => ok(await editMessage(id, messageId, text)),
        onDelete: async (messageId) => ok(await deleteMessage(id, messageId)),
        onRetry: retryMessage,
        onDiscard: discardMessage,
        onMediaError: () => void renewMediaUrls(id),
        onReact: (messageId, emoji, on) => void toggleReaction(id, messageId, emoji, on),
      }}
    />
  );
}

function Settings({ id }: { id: string }) {
  const state = conversationState(id);
  useEffect(() => {
    void openConversation(id);
  }, [id]);
  const details = state.details.value;
  const myId = me.value?.id;
  if (state.status.value === 'missing' || state.status.value === 'left') {
    return <Placeholder text={state.problem.value?.detail ?? 'This conversation is not available.'} />;
  }
  if (!details) return <Placeholder text="Loading…" />;
  const members: MemberView[] = details.members.map((member) => ({
    userId: member.userId,
    name: nameOf(member.userId) === 'You' ? `${me.value?.displayName} (you)` : nameOf(member.userId),
    username: member.username ?? profiles.value[member.userId]?.username,
    role: member.role,
    isMe: member.userId === myId,
  }));
  return (
    <GroupSettings
      key={`${id}:${details.name}`}
      name={details.name ?? ''}
      members={members}
      myRole={details.myRole}
      conversationPath={paths.conversation(id)}
      onRename={async (name) => ok(await renameGroup(id, name))}
      onAdd={async (text) => {
        const usernames = splitUsernames(text);
        if (usernames.length === 0) return failure('Write at least one username.');
        return ok(await addMembers(id, usernames));
      }}
      onRemove={async (userId) => ok(await removeMember(id, userId))}
      onChangeRole={async (userId, role) => ok(await changeRole(id, userId, role))}
      onLeave={async () => {
        const result = await removeMember(id, myId ?? '');
        if (result.ok) navigate(paths.inbox());
        return ok(result);
      }}
    />
  );
}

function Main({ current }: { current: Route }) {
  const profile = me.value;
  switch (current.name) {
    case 'conversation':
      return <Conversation key={current.id} id={current.id} />;
    case 'group-settings':
      return <Settings key={current.id} id={current.id} />;
    case 'new-chat':
      return (
        <NewChatForm
          onStart={async (username) => {
            const result = await startDirectChat(username);
            if (result.ok) navigate(paths.conversation(result.value));
            return ok(result);
          }}
        />
      );
    case 'new-group':
      return (
        <NewGroupForm
          onCreate={async (name, usernames) => {
            const result = await createGroup(name, splitUsernames(usernames));
            if (result.ok) navigate(paths.conversation(result.value));
            return ok(result);
          }}
        />
      );
    case 'profile':
      return profile ? (
        <ProfileScreen
          username={profile.username}
          displayName={profile.displayName}
          location={profile.location}
          avatarUrl={profile.avatarUrl}
          onSave={async (fields) => ok(await updateProfile(fields))}
          onUploadAvatar={async (file, onProgress) => {
            const uploaded = await uploadMedia(file, 'avatar', onProgress);
            if (!uploaded.ok) return uploaded;
            return ok(await updateProfile({ avatarMediaId: uploaded.value }));
          }}
        >
          <SessionsPanel
            sessions={sessions.value}
            onLoad={async () => ok(await loadSessions())}
            onEnd={async (id) => ok(await endSession(id))}
            onEndAll={async () => ok(await logOutEverywhere())}
            onChangePassword={async (current, next) => ok(await changePassword(current, next))}
          />
        </ProfileScreen>
      ) : null;
    default:
      return <Placeholder text="Choose a conversation, or start a new one." />;
  }
}

export function App() {
  const status = sessionStatus.value;
  const current = route.value;
  const signedIn = status === 'signedIn';

  // Signed-out people see the auth screens, signed-in people never do.
  useEffect(() => {
    if (status === 'signedOut' && current.name !== 'login' && current.name !== 'signup') {
      navigate(paths.login(), { replace: true });
    } else if (signedIn && (current.name === 'login' || current.name === 'signup')) {
      navigate(paths.inbox(), { replace: true });
    }
  }, [status, current.name, signedIn]);

  const noticeArea = <Notices notices={notices.value} onDismiss={dismissNotice} />;
  if (status === 'starting') return <Placeholder text="Loading…" />;
  if (status === 'unreachable') {
    return (
      <main class="auth" id="main">
        <h1>Chat</h1>
        <p class="error" role="alert">
          The server could not be reached.
        </p>
        <button type="button" class="primary" onClick={() => location.reload()}>
          Try again
        </button>
      </main>
    );
  }
  if (!signedIn || !me.value) {
    return (
      <>
        {noticeArea}
        <AuthScreen
          mode={current.name === 'signup' ? 'signup' : 'login'}
          onLogIn={async (username, password) => ok(await logIn(username, password))}
          onSignUp={async (fields) => ok(await signUp(fields))}
          loginPath={paths.login()}
          signupPath={paths.signup()}
        />
      </>
    );
  }
  const activeId = current.name === 'conversation' || current.name === 'group-settings' ? current.id : null;
  return (
    <Shell
      userName={me.value.displayName}
      connection={connectionStatus.value}
      profilePath={paths.profile()}
      onLogOut={() => void logOut()}
      showMain={current.name !== 'inbox'}
      sidebar={<Sidebar activeId={activeId} />}
    >
      {noticeArea}
      <Main current={current} />
    </Shell>
  );
}
