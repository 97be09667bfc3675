/** Messages for the person about things that failed in the background (a form shows its own errors). */
import { signal } from '@preact/signals';

export interface Notice {
  id: number;
  text: string;
}

export const notices = signal<Notice[]>([]);
let nextId = 1;

export function notify(text: string) {
  // The same message twice in a row (e.g. a retry failing again) is shown once.
  if (notices.value.at(-1)?.text === text) return;
  notices.value = [...notices.value, { id: nextId++, text }].slice(-3);
}

export function dismissNotice(id: number) {
  notices.value = notices.value.filter((notice) => notice.id !== id);
}

export function clearNotices() {
  notices.value = [];
}
