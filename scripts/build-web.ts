/** Builds the web app into web/dist when its sources changed (`npm run build:web`; `npm start` does it too). */
import { ensureWebBuild } from '../local/web-app';

const outcome = await ensureWebBuild(console.log);
if (outcome === 'fresh') console.log('The web app build is current (web/dist).');
