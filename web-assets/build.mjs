// Builds web-assets/dist/ (served by safehub at /assets/):
//   dist/safehub.css        compiled from src/safehub.scss (compressed, no map)
//   dist/images/…, dist/manifest.json   Safehub's own icons and web manifest
//
// govuk-frontend's own dist/govuk/assets are deliberately NOT copied: they are
// the GDS Transport fonts and GOV.UK crown icons, which belong to the GOV.UK
// brand and are only for services on GOV.UK. No JavaScript is copied either:
// Safehub pages work without JavaScript and its CSP allows no inline script.
//
// The build fails if the CSS mentions GDS Transport, declares any @font-face,
// or loads an asset that dist/ does not contain (other than the allow-listed
// ones below that only unused govuk-frontend classes reference).
import { cp, mkdir, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// Asset URLs that appear in govuk-frontend's CSS but only for classes Safehub
// must not use (the footer's crown copyright crest, `.govuk-footer__copyright-logo`).
const UNUSED_GOVUK_ASSETS = new Set(['/assets/images/govuk-crest.svg']);

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const result = await sass.compileAsync(join(src, 'safehub.scss'), {
  style: 'compressed',
  sourceMap: false,
  importers: [new sass.NodePackageImporter(root)],
  // Report deprecations in our own code, not in govuk-frontend's.
  quietDeps: true,
});
const css = result.css;
await writeFile(join(dist, 'safehub.css'), css + '\n');

await cp(join(src, 'images'), join(dist, 'images'), { recursive: true });
await cp(join(src, 'manifest.json'), join(dist, 'manifest.json'));

// --- checks on the output ------------------------------------------------
if (/GDS Transport/i.test(css)) fail('compiled CSS mentions "GDS Transport"');
if (/@font-face/i.test(css)) fail('compiled CSS declares an @font-face');
if (!/font-family:arial,helvetica,sans-serif/i.test(css)) {
  fail('compiled CSS does not use the Arial/Helvetica font stack');
}
for (const cls of ['.govuk-template', '.govuk-error-summary', '.app-demo-banner', '.app-restricted']) {
  if (!css.includes(cls)) fail(`compiled CSS lacks ${cls}`);
}
const urls = new Set([...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]));
for (const url of urls) {
  if (url.startsWith('data:')) continue;
  if (UNUSED_GOVUK_ASSETS.has(url)) continue;
  if (!url.startsWith('/assets/')) fail(`compiled CSS loads ${url}, outside /assets/`);
  const file = join(dist, url.slice('/assets/'.length));
  try {
    await stat(file);
  } catch {
    fail(`compiled CSS loads ${url} but ${relative(root, file)} is not built`);
  }
}

async function list(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await list(p)));
    else out.push(p);
  }
  return out;
}
for (const file of (await list(dist)).sort()) {
  const { size } = await stat(file);
  console.log(`build: ${relative(root, file)} (${size} bytes)`);
}
