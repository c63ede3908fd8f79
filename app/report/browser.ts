/**
 * The headless browser the report draws with (and its test loads the page in): Debian's `chromium`
 * (scripts/install-browser.sh, run by `npm run tools`), driven by playwright-core, which downloads no
 * browser of its own. Everything runs offline: no update checks, no sync, no QUIC, no requests the
 * caller did not ask for.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian installs Chromium; `CHROMIUM` names another build. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM !== undefined && env.CHROMIUM !== '' ? env.CHROMIUM : '/usr/bin/chromium';
}

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  // Root in CI, where Chromium's sandbox cannot start; the browser only loads the report's own files.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the headless Chromium, or says how to install it. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: run npm run tools (scripts/install-browser.sh installs Debian's chromium), or set CHROMIUM`,
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}
