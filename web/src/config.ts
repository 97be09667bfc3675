/** Loads /config.json, which the hosting writes next to the app (see web/hosting.ts). */
import type { WebRuntimeConfig } from '../hosting';

export async function loadRuntimeConfig(): Promise<WebRuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be loaded (HTTP ${response.status})`);
  const config = (await response.json()) as Partial<WebRuntimeConfig>;
  for (const key of ['apiUrl', 'wsUrl', 'cdnUrl'] as const) {
    if (typeof config[key] !== 'string' || !config[key]) throw new Error(`config.json has no ${key}`);
  }
  return config as WebRuntimeConfig;
}
