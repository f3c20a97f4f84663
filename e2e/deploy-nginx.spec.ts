// The deployment of deploy/ on Debian's nginx, configured by scripts/deploy-config.mjs from a settings file as an admin
// would, serving the built dist/ on its own loopback port: its answers carry the preview server's headers (the policy
// naming a ?slide=/?dicomweb= origin only when the settings allow it), the app loads, a slide opens by URL from an
// allowed slide server (deploy/slide-server.nginx.conf, in the same nginx) while another origin stays blocked, and a
// DICOMweb series opens from Orthanc through the proxy under the app's own origin.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { contentSecurityPolicy } from '../scripts/security-headers.ts';
import { dicomize, hasDicomizer, SKIP_DICOMIZER } from '../test-support/dicomizer.ts';
import { hasNginx, REPO, SKIP_NGINX, slideServerBlock, startDeployment, type Deployment } from '../test-support/nginx-deploy.ts';
import { dicomFiles, freePort, hasOrthanc, SKIP_ORTHANC, startDicomWeb, type DicomWebServer } from '../test-support/orthanc.ts';
import { differingFrom, expectReady, hasShared, shared, SKIP_SHARED } from './helpers.ts';

const PREVIEW = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4317)}`;
const DIST = join(REPO, 'dist');
const SECURITY_HEADERS = ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy', 'content-security-policy', 'referrer-policy', 'x-content-type-options'];
const SLIDE = 'CMU-1-pyramid-jpeg.tif';
const enc = encodeURIComponent;

async function fetchHeaders(url: string, referer?: string): Promise<{ status: number; headers: Headers }> {
  const r = await fetch(url, { headers: referer ? { Referer: referer } : {}, redirect: 'manual' });
  await r.arrayBuffer();
  return { status: r.status, headers: r.headers };
}
const security = (h: Headers) => Object.fromEntries(SECURITY_HEADERS.map((k) => [k, h.get(k)]));

/** Every request of the page and its workers, and the policy violations the page reports on its console. */
function watch(page: Page): { origins: () => string[]; violations: () => string[] } {
  const urls: string[] = [];
  const violations: string[] = [];
  page.context().on('request', (r) => urls.push(r.url()));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { origins: () => [...new Set(urls.map((u) => new URL(u).origin))].sort(), violations: () => violations };
}

test.describe('deployment on nginx (deploy/)', () => {
  test.skip(!hasNginx, SKIP_NGINX);
  let site: Deployment;
  let slideOrigin = '';
  let unlisted = '';
  let dicom: DicomWebServer | undefined;
  let dicomDir = '';
  let ids: { study: string; series: string } | undefined;
  const canDicomWeb = hasShared && hasDicomizer && hasOrthanc;

  test.beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html')) || !readdirSync(join(DIST, 'assets')).some((a) => a.endsWith('.wasm'))) {
      throw new Error(`${DIST} holds no build: run npm run build first`);
    }
    const [appPort, slidePort, unlistedPort] = [await freePort(), await freePort(), await freePort()];
    const app = `http://127.0.0.1:${appPort}`;
    slideOrigin = `http://127.0.0.1:${slidePort}`;
    unlisted = `http://127.0.0.1:${unlistedPort}`;
    if (canDicomWeb) {
      dicomDir = dicomize(shared('slides/derived', SLIDE));
      dicom = await startDicomWeb(app);
      await dicom.upload(dicomFiles(dicomDir));
      [ids] = await dicom.series();
    }
    site = await startDeployment({
      port: appPort,
      root: DIST,
      allowedOrigins: [slideOrigin],
      dicomwebArchive: dicom?.orthanc,
      extraServers: hasShared ? [slidePort, unlistedPort].map((p) => slideServerBlock(`127.0.0.1:${p}`, shared('slides/derived'), app)) : [],
    });
    expect(site.origin).toBe(app);
  });
  test.afterAll(async () => {
    await site?.stop();
    await dicom?.stop();
    if (dicomDir) rmSync(dicomDir, { recursive: true, force: true });
  });

  test('answers carry the preview server\'s headers; the policy names a slide origin only when the settings allow it', async () => {
    const assets = readdirSync(join(DIST, 'assets'));
    const asset = (re: RegExp) => `/assets/${assets.find((a) => re.test(a))!}`;
    const [script, wasm, worker] = [asset(/^index-.*\.js$/), asset(/\.wasm$/), asset(/^slide\.worker-.*\.js$/)];
    const slideUrl = `${slideOrigin}/${SLIDE}`;
    // [path, the origin the policy should name, the page query of the Referer]
    const cases: [string, string | undefined, string?][] = [
      ['/', undefined],
      [script, undefined],
      [wasm, undefined],
      ['/assets/missing.js', undefined],
      [`/?slide=${enc(slideUrl)}`, slideOrigin],
      [`/?slide=${slideUrl}`, slideOrigin],
      [`/?dicomweb=${enc(`${slideOrigin}/dicom-web`)}&study=1`, slideOrigin],
      // A worker script gets the origin of the page that loads it.
      [worker, slideOrigin, `/?slide=${enc(slideUrl)}`],
      [worker, undefined, '/'],
    ];
    for (const [path, origin, refererQuery] of cases) {
      const [deployed, preview] = await Promise.all([
        fetchHeaders(site.origin + path, refererQuery && site.origin + refererQuery),
        fetchHeaders(PREVIEW + path, refererQuery && PREVIEW + refererQuery),
      ]);
      expect(security(deployed.headers), path).toEqual(security(preview.headers));
      expect(deployed.headers.get('content-security-policy'), path).toBe(contentSecurityPolicy(origin));
    }

    // Where the deployment is stricter than the preview server: an origin the settings do not list is not named.
    for (const other of [unlisted, `http://127.0.0.10:${new URL(slideOrigin).port}`, `http://localhost:${new URL(slideOrigin).port}`, `${slideOrigin}@evil.example`]) {
      const [deployed, preview] = await Promise.all([fetchHeaders(`${site.origin}/?slide=${enc(`${other}/s.tif`)}`), fetchHeaders(`${PREVIEW}/?slide=${enc(`${other}/s.tif`)}`)]);
      expect(deployed.headers.get('content-security-policy'), other).toBe(contentSecurityPolicy());
      expect(preview.headers.get('content-security-policy'), other).not.toBe(contentSecurityPolicy());
    }

    // Types the browser insists on, and caching: the page is revalidated, content-hashed assets are kept.
    const page = await fetchHeaders(`${site.origin}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const wasmAnswer = await fetchHeaders(site.origin + wasm);
    expect(wasmAnswer.headers.get('content-type')).toBe('application/wasm');
    expect(wasmAnswer.headers.get('cache-control')).toMatch(/^max-age=\d{8,}$/);
    expect((await fetchHeaders(site.origin + script)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetchHeaders(`${site.origin}/assets/missing.js`)).status).toBe(404);
    expect((await fetchHeaders(`${site.origin}/some/bookmark?slide=x`)).headers.get('content-type')).toMatch(/^text\/html/);
  });

  test('the app loads on its demo slide, contacting only its own origin', async ({ page }) => {
    const seen = watch(page);
    await page.goto(`${site.origin}/`);
    await expectReady(page);
    await expect(page.getByTestId('status-name')).toHaveText('demo-slide.tif');
    expect(Number(await page.getByTestId('status-levels').getAttribute('data-levels'))).toBeGreaterThan(1);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(seen.origins()).toEqual([site.origin]);
    expect(seen.violations()).toEqual([]);
    expect(site.accessLog().filter((l) => / \/demo\/demo-slide\.tif 206$/.test(l)).length).toBeGreaterThan(0);
  });

  test('a slide opens by URL from an allowed slide server; the same server on an origin the settings do not list is blocked', async ({ page }) => {
    test.skip(!hasShared, SKIP_SHARED);
    const seen = watch(page);
    await page.goto(`${site.origin}/?slide=${enc(`${slideOrigin}/${SLIDE}`)}`);
    await expectReady(page);
    await expect(page.getByTestId('status-name')).toHaveText(SLIDE);
    expect(await differingFrom(page, shared('slides/derived', SLIDE), 500, 700, 900, 800)).toBe(0);
    expect(seen.origins()).toEqual([site.origin, slideOrigin].sort());
    expect(seen.violations()).toEqual([]);
    // Read by range requests from the slide server's own block (its Host in the log).
    const host = new URL(slideOrigin).host;
    expect(site.accessLog().filter((l) => l === `${host} GET /${SLIDE} 206`).length).toBeGreaterThan(0);

    // The same slide server on a second port, which the settings do not list.
    await page.goto(`${site.origin}/?slide=${enc(`${unlisted}/${SLIDE}`)}`);
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
    await expect(page.getByRole('alert')).toContainText(`Could not fetch ${unlisted}/${SLIDE}`);
    // The browser never asked (no request and no preflight reached that server, whose CORS headers would have let the
    // app read it): the page's policy stopped it.
    const unlistedHost = new URL(unlisted).host;
    expect(site.accessLog().filter((l) => l.startsWith(`${unlistedHost} `))).toEqual([]);
    const direct = await fetch(`${unlisted}/${SLIDE}`, { headers: { Origin: site.origin, Range: 'bytes=0-15' } });
    expect(direct.status).toBe(206);
    expect(direct.headers.get('access-control-allow-origin')).toBe(site.origin);
    await direct.arrayBuffer();
  });

  test('a DICOMweb series opens through the proxy under the app\'s own origin, which passes reads only', async ({ page }) => {
    test.skip(!hasShared, SKIP_SHARED);
    test.skip(!hasDicomizer, SKIP_DICOMIZER);
    test.skip(!hasOrthanc, SKIP_ORTHANC);
    const seen = watch(page);
    const base = `${site.origin}/dicom-web`;
    await page.goto(`${site.origin}/?dicomweb=${enc(base)}&study=${ids!.study}&series=${ids!.series}`);
    await expectReady(page);
    await expect(page.getByTestId('status-vendor')).toContainText('DICOMweb');
    await expect(page.getByTestId('status-levels')).toHaveAttribute('data-levels', '5');
    expect(await differingFrom(page, shared('slides/derived', SLIDE), 500, 700, 900, 800)).toBe(0);
    // Same origin: no CORS, no policy entry, no preflight; the archive is reached only through nginx.
    expect(seen.origins()).toEqual([site.origin]);
    expect(seen.violations()).toEqual([]);
    const proxied = site.accessLog().filter((l) => l.includes(' /dicom-web/'));
    expect(proxied.filter((l) => / GET \/dicom-web\/.*\/metadata 200$/.test(l)).length).toBeGreaterThan(0);
    expect(proxied.filter((l) => / GET \/dicom-web\/.*\/frames\/[\d,]+ 200$/.test(l)).length).toBeGreaterThan(0);
    expect(proxied.filter((l) => l.includes(' OPTIONS '))).toEqual([]);

    // Nothing is stored or deleted through the app's origin (the archive itself would accept both).
    expect((await fetch(`${base}/studies`, { method: 'POST', body: 'x' })).status).toBe(403);
    expect((await fetch(`${base}/studies/${ids!.study}`, { method: 'DELETE' })).status).toBe(403);
    expect((await dicom!.series()).length).toBe(1);
  });
});
