/** The current screen, from the URL path (the hosting falls back to index.html for every path). */
import { signal } from '@preact/signals';

export type Route =
  | { name: 'inbox' }
  | { name: 'conversation'; id: string }
  | { name: 'group-settings'; id: string }
  | { name: 'new-chat' }
  | { name: 'new-group' }
  | { name: 'profile' }
  | { name: 'login' }
  | { name: 'signup' };

export function parseRoute(pathname: string): Route {
  const [first, second, third] = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (first === 'c' && second)
    return third === 'settings'
      ? { name: 'group-settings', id: second }
      : { name: 'conversation', id: second };
  if (first === 'new' && second === 'chat') return { name: 'new-chat' };
  if (first === 'new' && second === 'group') return { name: 'new-group' };
  if (first === 'profile') return { name: 'profile' };
  if (first === 'login') return { name: 'login' };
  if (first === 'signup') return { name: 'signup' };
  return { name: 'inbox' };
}

export const route = signal<Route>(parseRoute(location.pathname));

export const paths = {
  inbox: () => '/',
  conversation: (id: string) => `/c/${encodeURIComponent(id)}`,
  groupSettings: (id: string) => `/c/${encodeURIComponent(id)}/settings`,
  newChat: () => '/new/chat',
  newGroup: () => '/new/group',
  profile: () => '/profile',
  login: () => '/login',
  signup: () => '/signup',
};

export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.value = parseRoute(path);
}

addEventListener('popstate', () => {
  route.value = parseRoute(location.pathname);
});

/** Plain links navigate in the app instead of reloading it (modifier clicks still open new tabs). */
export function onLinkClick(event: MouseEvent) {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download'))
    return;
  event.preventDefault();
  navigate(anchor.pathname);
}
