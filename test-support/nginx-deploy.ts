// The deployment of deploy/ for the tests: writes a settings file, turns it into the nginx configuration with
// scripts/deploy-config.mjs (as an admin would), and runs Debian's nginx with it as a normal user process on a loopback
// port (pid, logs and temporary files in a temporary folder). Extra server blocks (deploy/slide-server.nginx.conf) run
// in the same nginx.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NGINX } from './orthanc.ts';

export const REPO = resolve(import.meta.dirname, '..');
export const DEPLOY_CONFIG = join(REPO, 'scripts/deploy-config.mjs');
export const hasNginx = existsSync(NGINX) && existsSync('/etc/nginx/mime.types');
export const SKIP_NGINX = `nginx is needed (apt-get install nginx): the deployment tests are skipped`;

// CI installs it (.ci/run): there, its absence fails the run instead of skipping tests silently.
if (!hasNginx && process.env.FOCUSLITE_REQUIRE_SHARED === '1') throw new Error(`FOCUSLITE_REQUIRE_SHARED=1 but ${SKIP_NGINX}`);

/** Writes `settings` as a settings file and runs the generator on it; returns the configuration's path. */
export function generateConfig(dir: string, settings: Record<string, string>): string {
  const settingsFile = join(dir, 'settings.env');
  writeFileSync(settingsFile, Object.entries(settings).map(([k, v]) => `${k}=${v}\n`).join(''));
  const out = join(dir, 'focuslite.conf');
  const r = spawnSync(process.execPath, [DEPLOY_CONFIG, settingsFile, '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/deploy-config.mjs failed (${r.status}): ${r.stderr}`);
  return out;
}

/** A main nginx.conf for an unprivileged nginx in `dir`, with `body` inside http { } and an access log of "HOST[:PORT] METHOD URI STATUS" (the Host header). */
export function mainConfig(dir: string, body: string): string {
  for (const d of ['client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { log_format focuslite '$http_host $request_method $uri $status'; access_log ${dir}/access.log focuslite;
client_body_temp_path ${dir}/client; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${body}
}
`,
  );
  return file;
}

/** `nginx -t` of a main configuration: undefined when it is valid, else nginx's message. */
export function nginxTestConfig(dir: string, conf: string): string | undefined {
  const r = spawnSync(NGINX, ['-t', '-p', dir, '-c', conf], { encoding: 'utf8' });
  return r.status === 0 ? undefined : r.stderr;
}

/** deploy/slide-server.nginx.conf with its placeholders filled in. */
export function slideServerBlock(listen: string, slidesDir: string, viewerOrigin: string): string {
  return readFileSync(join(REPO, 'deploy/slide-server.nginx.conf'), 'utf8')
    .replaceAll('VIEWER_ORIGIN', viewerOrigin)
    .replaceAll('SLIDES_DIR', slidesDir)
    .replaceAll('LISTEN', listen);
}

export interface Deployment {
  /** The app's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  /** The requests nginx has answered so far, as "HOST[:PORT] METHOD PATH STATUS" (the Host header as sent). */
  accessLog(): string[];
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  port: number;
  /** The built app (dist/). */
  root: string;
  allowedOrigins?: string[];
  dicomwebArchive?: string;
  /** More server blocks for the same nginx (a slide server). */
  extraServers?: string[];
}

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-deploy-'));
  const site = generateConfig(dir, {
    LISTEN: `127.0.0.1:${options.port}`,
    SERVER_NAME: '_',
    ROOT: options.root,
    ALLOWED_ORIGINS: (options.allowedOrigins ?? []).join(' '),
    DICOMWEB_ARCHIVE: options.dicomwebArchive ?? '',
  });
  const conf = mainConfig(dir, [`include ${site};`, ...(options.extraServers ?? [])].join('\n'));
  const invalid = nginxTestConfig(dir, conf);
  if (invalid) throw new Error(`nginx refuses the generated configuration: ${invalid}`);

  let output = '';
  const nginx = spawn(NGINX, ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const errors = () => output + (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-4000) : '');
  const origin = `http://127.0.0.1:${options.port}`;
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}): ${errors()}`);
    try {
      if ((await fetch(`${origin}/index.html`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i === 100) throw new Error(`nginx did not answer at ${origin} within 10 s: ${errors()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    accessLog() {
      const log = join(dir, 'access.log');
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    },
    async stop() {
      if (nginx.exitCode === null) {
        const exited = new Promise<void>((r) => nginx.once('exit', () => r()));
        nginx.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
