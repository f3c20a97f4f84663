import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSecurityHeaders, originPattern, parseSettings, renderConfig, TEMPLATE } from './deploy-config.mjs';
import * as headers from './security-headers.ts';
import { DEPLOY_CONFIG, hasNginx, mainConfig, nginxTestConfig, SKIP_NGINX } from '../test-support/nginx-deploy.ts';

const BASE = 'LISTEN=8080\nROOT=/srv/focuslite\n';
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'focuslite-deploy-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('parseSettings', () => {
  it('reads the shipped deploy/settings.env', () => {
    const s = parseSettings(readFileSync(DEFAULT_SETTINGS, 'utf8'));
    expect(s).toMatchObject({ listen: '80', serverName: '_', root: '/var/www/focuslite', allowedOrigins: [], dicomwebArchive: undefined, dicomwebPath: '/dicom-web/', tls: undefined });
  });

  it('normalises origins, the archive URL and quoted values', () => {
    const s = parseSettings(`${BASE}# a comment\nALLOWED_ORIGINS="https://Slides.Example.org:443 http://10.0.0.5:8081, https://slides.example.org"\nDICOMWEB_ARCHIVE=http://127.0.0.1:8042/dicom-web\nDICOMWEB_PATH=/pacs\n`);
    expect(s.allowedOrigins).toEqual(['https://slides.example.org', 'http://10.0.0.5:8081']);
    expect(s.dicomwebArchive).toBe('http://127.0.0.1:8042/dicom-web/');
    expect(s.dicomwebPath).toBe('/pacs/');
  });

  it.each([
    ['LISTEN=eighty\nROOT=/srv/x\n', /LISTEN="eighty".*a port/],
    ['LISTEN=80\nROOT=srv/x\n', /ROOT=.*absolute path/],
    ['LISTEN=80\nROOT=/srv/x; evil\n', /ROOT=.*absolute path/],
    [`${BASE}ALLOWED_ORIGINS=https://slides.example.org/path\n`, /"https:\/\/slides.example.org\/path" is not an http\(s\) origin/],
    [`${BASE}ALLOWED_ORIGINS=ftp://slides.example.org\n`, /not an http\(s\) origin/],
    [`${BASE}ALLOWED_ORIGINS=slides.example.org\n`, /"slides.example.org" is not a URL/],
    [`${BASE}ALLOWED_ORIGINS=http://user@slides.example.org\n`, /not an http\(s\) origin/],
    [`${BASE}DICOMWEB_ARCHIVE=http://pacs/dicom-web?x=1\n`, /DICOMWEB_ARCHIVE=.*DICOMweb root/],
    [`${BASE}DICOMWEB_PATH=/assets/\n`, /DICOMWEB_PATH=.*not \/, \/assets\/ or \/demo\//],
    [`${BASE}TLS_CERTIFICATE=/etc/ssl/a.pem\n`, /TLS_CERTIFICATE_KEY=.*both/],
    [`${BASE}ALLOWED_ORIGIN=http://a\n`, /:3: unknown setting ALLOWED_ORIGIN/],
    [`${BASE}just words\n`, /:3: expected KEY=value/],
  ])('refuses %j with a message naming the setting', (text, message) => {
    expect(() => parseSettings(text, 'settings.env')).toThrow(message);
  });
});

describe('originPattern (what the CSP map recognises, as the preview server would)', () => {
  const matches = (origin: string, url: string) => new RegExp(originPattern(origin), 'i').test(url);
  const enc = encodeURIComponent;

  it('finds an allowed origin in ?slide= or ?dicomweb=, written plainly or percent-encoded', () => {
    const o = 'http://127.0.0.1:8081';
    expect(matches(o, `/?slide=${enc(`${o}/a/b.svs`)}`)).toBe(true);
    expect(matches(o, `/?slide=${o}/a/b.svs`)).toBe(true);
    expect(matches(o, `/?x=1&dicomweb=${enc(o)}&study=1`)).toBe(true);
    expect(matches(o, `http://viewer/?dicomweb=${o}`)).toBe(true);
    expect(matches('https://slides.example.org', `/?slide=${enc('HTTPS://SLIDES.example.org:443/s.tif')}`)).toBe(true);
  });

  it('does not take another origin that begins the same, or a URL elsewhere in the address', () => {
    const o = 'http://127.0.0.1:8081';
    for (const url of [
      `/?slide=http://127.0.0.1:80810/s.tif`,
      `/?slide=${enc('http://127.0.0.1:8081@evil.example/s.tif')}`,
      `/?slide=http://127.0.0.1:8081.evil.example/s.tif`,
      `/?slide=https://127.0.0.1:8081/s.tif`,
      `/?slide=http://127.0.0.10:8081/s.tif`,
      `/?next=${enc(`/?slide=${o}/s.tif`)}`,
      `/?other=${o}/s.tif`,
      `/${o}/s.tif`,
    ]) {
      expect(matches(o, url), url).toBe(false);
    }
  });
});

describe('renderConfig', () => {
  const template = readFileSync(TEMPLATE, 'utf8');

  it('sends the policy of contentSecurityPolicy() for each allowed origin, and the preview server\'s other headers', () => {
    const s = parseSettings(`${BASE}ALLOWED_ORIGINS=http://10.0.0.5:8081 https://slides.example.org\n`);
    const conf = renderConfig(s, template, headers);
    expect(conf).not.toMatch(/@@/);
    expect(conf).toContain(`default "${headers.contentSecurityPolicy()}";`);
    for (const o of s.allowedOrigins) expect(conf).toContain(`"${o}" "${headers.contentSecurityPolicy(o)}";`);
    for (const [k, v] of Object.entries(headers.ISOLATION_HEADERS)) expect(conf).toContain(`add_header ${k} "${v}" always;`);
    expect(conf).toContain('add_header Content-Security-Policy $focuslite_csp always;');
    expect(conf).toMatch(/listen 8080;\n/);
    expect(conf).toMatch(/root \/srv\/focuslite;\n/);
    expect(conf).not.toContain('proxy_pass');
    expect(conf).not.toContain('ssl_certificate');
  });

  it('proxies the archive read-only, unbuffered, and serves TLS when given certificates', () => {
    const s = parseSettings(`LISTEN=443\nROOT=/srv/x/\nDICOMWEB_ARCHIVE=http://127.0.0.1:8042/dicom-web/\nTLS_CERTIFICATE=/etc/ssl/v.pem\nTLS_CERTIFICATE_KEY=/etc/ssl/v.key\n`);
    const conf = renderConfig(s, template, headers);
    expect(conf).toMatch(/location \/dicom-web\/ \{\n\s+#.*\n\s+limit_except GET \{ deny all; \}\n\s+proxy_pass http:\/\/127\.0\.0\.1:8042\/dicom-web\/;/);
    expect(conf).toContain('proxy_buffering off;');
    expect(conf).toMatch(/listen 443 ssl;\n/);
    expect(conf).toContain('ssl_certificate /etc/ssl/v.pem;');
    expect(conf).toContain('ssl_certificate_key /etc/ssl/v.key;');
  });

  it('takes the headers from scripts/security-headers.ts itself when run as a script', async () => {
    const loaded = await loadSecurityHeaders();
    expect(loaded.contentSecurityPolicy('http://a.example')).toBe(headers.contentSecurityPolicy('http://a.example'));
    expect(loaded.ISOLATION_HEADERS).toEqual(headers.ISOLATION_HEADERS);
  });
});

describe('node scripts/deploy-config.mjs', () => {
  it('explains a bad settings file and exits with 2, writing nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.env'), 'LISTEN=80\nROOT=relative/dist\n');
    const r = spawnSync(process.execPath, [DEPLOY_CONFIG, join(dir, 'settings.env'), '--out', join(dir, 'out.conf')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^deploy-config: .*settings\.env: ROOT="relative\/dist": an absolute path/);
    expect(() => readFileSync(join(dir, 'out.conf'))).toThrow();
  });

  it.skipIf(!hasNginx)(`writes a configuration nginx accepts (${hasNginx ? 'nginx -t' : SKIP_NGINX})`, () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.env'), `LISTEN=127.0.0.1:8080\nROOT=${dir}\nALLOWED_ORIGINS=http://10.0.0.5:8081 https://[::1]:9000\nDICOMWEB_ARCHIVE=http://127.0.0.1:8042/dicom-web/\n`);
    const out = join(dir, 'focuslite.conf');
    const r = spawnSync(process.execPath, [DEPLOY_CONFIG, join(dir, 'settings.env'), '--out', out], { encoding: 'utf8' });
    expect(r.stderr).toContain('2 allowed origin(s), /dicom-web/ → http://127.0.0.1:8042/dicom-web/');
    expect(r.status).toBe(0);
    expect(nginxTestConfig(dir, mainConfig(dir, `include ${out};`))).toBeUndefined();
  });
});
