/** The person's own profile: display name, location, and a picture with a preview before it is uploaded. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ActionResult, Avatar, ErrorText, useAction } from './common';

export function ProfileScreen({
  username,
  displayName,
  location,
  avatarUrl,
  onSave,
  onUploadAvatar,
  children,
}: {
  username: string;
  displayName: string;
  location: string | null;
  avatarUrl: string | null;
  onSave: (fields: { displayName: string; location: string | null }) => Promise<ActionResult>;
  onUploadAvatar: (file: File, onProgress: (fraction: number) => void) => Promise<ActionResult>;
  /** More panels below the profile's own (the sessions). */
  children?: ComponentChildren;
}) {
  const [name, setName] = useState(displayName);
  const [place, setPlace] = useState(location ?? '');
  const [saved, setSaved] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const save = useAction(onSave);
  const upload = useAction(onUploadAvatar);

  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  return (
    <section class="pad profile" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p class="muted">Signed in as @{username}</p>
      <form
        class="form card"
        onSubmit={async (event) => {
          event.preventDefault();
          setSaved(false);
          setSaved(await save.run({ displayName: name.trim(), location: place.trim() || null }));
        }}
      >
        <label for="profile-display-name">Display name</label>
        <input
          id="profile-display-name"
          required
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <label for="profile-location">Location</label>
        <input id="profile-location" value={place} onInput={(event) => setPlace(event.currentTarget.value)} />
        <ErrorText>{save.error}</ErrorText>
        {saved && <p role="status">Saved.</p>}
        <button type="submit" class="primary" disabled={save.pending}>
          Save profile
        </button>
      </form>

      <form
        class="form card"
        onSubmit={async (event) => {
          event.preventDefault();
          if (!file) return;
          setProgress(0);
          const ok = await upload.run(file, setProgress);
          setProgress(null);
          if (ok) setFile(null);
        }}
      >
        <h3>Profile picture</h3>
        <div class="avatar-row">
          <Avatar name={displayName} url={avatarUrl} size={64} />
          {preview && (
            <img class="avatar" src={preview} alt="Preview of your new avatar" width={64} height={64} />
          )}
        </div>
        <label for="profile-avatar">Choose a picture (JPEG, PNG or WebP, up to 5 MB)</label>
        <input
          id="profile-avatar"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
        />
        {progress !== null && (
          <>
            <label for="avatar-progress">Uploading picture</label>
            <progress id="avatar-progress" max={1} value={progress} />
          </>
        )}
        <ErrorText>{upload.error}</ErrorText>
        <button type="submit" class="primary" disabled={!file || upload.pending}>
          Upload picture
        </button>
      </form>
      {children}
    </section>
  );
}
