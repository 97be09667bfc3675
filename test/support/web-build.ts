/** Global setup of the browser tests: builds the web app once (when its sources changed) before any file runs. */
import { ensureWebBuild } from '../../local/web-app';

export default async function setup() {
  await ensureWebBuild();
}
