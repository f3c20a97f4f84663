// Writes the nginx configuration of a deployment from deploy/settings.env and deploy/focuslite.nginx.conf.template:
//   node scripts/deploy-config.mjs [SETTINGS] [--out FILE]      (default deploy/settings.env; stdout without --out)
// The header values come from scripts/security-headers.ts itself (bundled here with esbuild, as Node 20 cannot run
// TypeScript), so the deployment and the dev/preview servers share one definition of the policy.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATE = resolve(ROOT_DIR, 'deploy/focuslite.nginx.conf.template');
export const DEFAULT_SETTINGS = resolve(ROOT_DIR, 'deploy/settings.env');

const KEYS = ['LISTEN', 'SERVER_NAME', 'ROOT', 'ALLOWED_ORIGINS', 'DICOMWEB_ARCHIVE', 'DICOMWEB_PATH', 'TLS_CERTIFICATE', 'TLS_CERTIFICATE_KEY'];
// Characters that would end or change an nginx directive if they reached the configuration unquoted.
const UNSAFE = /[\s;{}'"$#\\]/;

export class SettingsError extends Error {}

/** Parses the KEY=value lines of a settings file (comments, blank lines and quoted values allowed) and checks them. */
export function parseSettings(text, source = 'settings') {
  const raw = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const m = /^([A-Z_]+)\s*=\s*(.*)$/.exec(trimmed);
    if (!m) throw new SettingsError(`${source}:${i + 1}: expected KEY=value, got "${trimmed}"`);
    const [, key, value] = m;
    if (!KEYS.includes(key)) throw new SettingsError(`${source}:${i + 1}: unknown setting ${key} (known: ${KEYS.join(', ')})`);
    raw[key] = value.replace(/^(["'])(.*)\1$/, '$2').trim();
  });
  return checkSettings(raw, source);
}

function checkSettings(raw, source) {
  const fail = (key, why) => {
    throw new SettingsError(`${source}: ${key}=${JSON.stringify(raw[key] ?? '')}: ${why}`);
  };
  const listen = raw.LISTEN ?? '';
  if (!/^(\d{1,5}|[\d.]+:\d{1,5}|\[[0-9a-fA-F:.]+\]:\d{1,5})$/.test(listen)) fail('LISTEN', 'a port (80) or address:port (10.1.2.3:80) is needed');
  const serverName = raw.SERVER_NAME || '_';
  if (!/^[A-Za-z0-9._*-]+( +[A-Za-z0-9._*-]+)*$/.test(serverName)) fail('SERVER_NAME', 'host names separated by spaces, or _');
  const root = (raw.ROOT ?? '').replace(/\/+$/, '');
  if (!isAbsolute(root) || UNSAFE.test(root)) fail('ROOT', 'an absolute path without spaces, quotes or ;{}$#\\ is needed');

  const allowedOrigins = [];
  for (const item of (raw.ALLOWED_ORIGINS ?? '').split(/[\s,]+/).filter(Boolean)) {
    let url;
    try {
      url = new URL(item);
    } catch {
      fail('ALLOWED_ORIGINS', `"${item}" is not a URL`);
    }
    const origin = url.origin;
    if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.href.replace(/\/$/, '') !== origin || UNSAFE.test(origin)) {
      fail('ALLOWED_ORIGINS', `"${item}" is not an http(s) origin (scheme://host[:port], no path)`);
    }
    if (!allowedOrigins.includes(origin)) allowedOrigins.push(origin);
  }

  let dicomwebArchive;
  if (raw.DICOMWEB_ARCHIVE) {
    let url;
    try {
      url = new URL(raw.DICOMWEB_ARCHIVE);
    } catch {
      fail('DICOMWEB_ARCHIVE', 'not a URL');
    }
    if (!/^https?:$/.test(url.protocol) || url.search || url.hash || UNSAFE.test(url.href)) fail('DICOMWEB_ARCHIVE', 'the http(s) URL of the DICOMweb root is needed, e.g. http://127.0.0.1:8042/dicom-web/');
    // With a trailing slash on both sides, nginx swaps the location's prefix for the archive's path.
    dicomwebArchive = url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  let dicomwebPath = raw.DICOMWEB_PATH || '/dicom-web/';
  if (!dicomwebPath.endsWith('/')) dicomwebPath += '/';
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/$/.test(dicomwebPath) || /^\/(assets|demo)\//.test(dicomwebPath)) {
    fail('DICOMWEB_PATH', 'a path such as /dicom-web/ that is not /, /assets/ or /demo/ is needed');
  }

  const tls = raw.TLS_CERTIFICATE || raw.TLS_CERTIFICATE_KEY ? { certificate: raw.TLS_CERTIFICATE ?? '', key: raw.TLS_CERTIFICATE_KEY ?? '' } : undefined;
  if (tls) {
    for (const [key, value] of [['TLS_CERTIFICATE', tls.certificate], ['TLS_CERTIFICATE_KEY', tls.key]]) {
      if (!isAbsolute(value) || UNSAFE.test(value)) fail(key, 'both TLS_CERTIFICATE and TLS_CERTIFICATE_KEY are needed, as absolute paths');
    }
  }
  return { listen, serverName, root, allowedOrigins, dicomwebArchive, dicomwebPath, tls };
}

/**
 * A PCRE for nginx matching `?slide=` or `?dicomweb=` (or `&…`) followed by a URL on exactly `origin`, written as it
 * is or percent-encoded (encodeURIComponent, as the app writes it): what the preview server's slideOrigin() reads.
 */
export function originPattern(origin) {
  const url = new URL(origin);
  const literal = (s) =>
    [...s]
      .map((c) => (/[A-Za-z0-9-]/.test(c) ? c : `(?:\\${c}|%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')})`))
      .join('');
  // The origin of http://host:80/ is http://host: the default port may be written out.
  const defaultPort = url.port ? '' : `(?:${literal(':')}${url.protocol === 'https:' ? '443' : '80'})?`;
  // The host must end there: http://host.evil or http://host:8080 is not http://host.
  return `[?&](?:slide|dicomweb)=${literal(origin)}${defaultPort}(?:[/?#&]|%2F|%3F|%23|$)`;
}

/** The nginx configuration for `settings`; `headers` is scripts/security-headers.ts (or its exports). */
export function renderConfig(settings, template, headers) {
  const csp = (origin) => headers.contentSecurityPolicy(origin, false);
  const q = (value) => {
    if (/["\\$]/.test(value)) throw new SettingsError(`cannot quote ${value} for nginx`);
    return `"${value}"`;
  };
  // Regex keys are not variable-expanded by nginx, so their $ and \ stay as they are; only a quote could break out.
  const patterns = settings.allowedOrigins.map((o) => `    "~*${originPattern(o)}" ${q(o)};`).join('\n');
  const cspByOrigin = [`    default ${q(csp())};`, ...settings.allowedOrigins.map((o) => `    ${q(o)} ${q(csp(o))};`)].join('\n');
  const securityHeaders = [
    ...Object.entries(headers.ISOLATION_HEADERS).map(([k, v]) => `    add_header ${k} ${q(v)} always;`),
    '    add_header Content-Security-Policy $focuslite_csp always;',
    `    add_header Referrer-Policy "same-origin" always;`,
    `    add_header X-Content-Type-Options "nosniff" always;`,
  ].join('\n');
  const tls = settings.tls
    ? `    ssl_certificate ${settings.tls.certificate};\n    ssl_certificate_key ${settings.tls.key};\n    ssl_protocols TLSv1.2 TLSv1.3;`
    : '';
  const proxy = settings.dicomwebArchive
    ? [
        '',
        "    # The department's DICOMweb archive under this origin: same-origin for the app, so no CORS and no policy entry.",
        `    location ${settings.dicomwebPath} {`,
        '        # The viewer only reads: nothing is stored or deleted through the app.',
        '        limit_except GET { deny all; }',
        `        proxy_pass ${settings.dicomwebArchive};`,
        '        proxy_http_version 1.1;',
        '        proxy_ssl_server_name on;',
        '        # Answers pass through as they come: a large series\' metadata (megabytes) then needs no temporary file,',
        '        # which an nginx worker may not be allowed to write (it cut such answers short in our tests).',
        '        proxy_buffering off;',
        '    }',
      ].join('\n')
    : '';
  const values = {
    GENERATED: 'Written by scripts/deploy-config.mjs from deploy/settings.env: edit the settings and run it again, not this file.',
    ORIGIN_PATTERNS: patterns,
    CSP_BY_ORIGIN: cspByOrigin,
    LISTEN: `${settings.listen}${settings.tls ? ' ssl' : ''}`,
    SERVER_NAME: settings.serverName,
    TLS: tls,
    ROOT: settings.root,
    SECURITY_HEADERS: securityHeaders,
    DICOMWEB_PROXY: proxy,
  };
  return template.replace(/@@([A-Z_]+)@@\n?/g, (whole, key) => {
    if (!(key in values)) throw new Error(`unknown placeholder ${whole.trim()} in the template`);
    const value = values[key];
    // A whole-line placeholder that is empty leaves no blank line.
    return whole.endsWith('\n') ? (value ? `${value}\n` : '') : value;
  });
}

/** scripts/security-headers.ts, compiled on the fly (its only imports are types). */
export async function loadSecurityHeaders() {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [resolve(ROOT_DIR, 'scripts/security-headers.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

async function main(argv) {
  const args = [...argv];
  let out;
  const i = args.indexOf('--out');
  if (i >= 0) {
    out = args[i + 1];
    if (!out) throw new SettingsError('--out needs a file name');
    args.splice(i, 2);
  }
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) throw new SettingsError('usage: node scripts/deploy-config.mjs [SETTINGS] [--out FILE]');
  const settingsFile = resolve(args[0] ?? DEFAULT_SETTINGS);
  const settings = parseSettings(readFileSync(settingsFile, 'utf8'), settingsFile);
  const config = renderConfig(settings, readFileSync(TEMPLATE, 'utf8'), await loadSecurityHeaders());
  if (out) {
    writeFileSync(out, config);
    console.error(`Wrote ${out}: ${settings.allowedOrigins.length} allowed origin(s)${settings.dicomwebArchive ? `, ${settings.dicomwebPath} → ${settings.dicomwebArchive}` : ', no DICOMweb proxy'}.`);
  } else {
    process.stdout.write(config);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof SettingsError ? `deploy-config: ${e.message}` : e);
    process.exit(e instanceof SettingsError ? 2 : 1);
  });
}
