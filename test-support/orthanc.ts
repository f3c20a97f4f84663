// A real DICOMweb server for the tests: Orthanc from Debian (`orthanc`, `orthanc-dicomweb`) on a loopback port with
// a temporary storage folder, and nginx in front of it with docs/dicomweb-cors.nginx.conf (the documented CORS
// proxy). Both start as normal user processes and are stopped by `stop()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ORTHANC = '/usr/sbin/Orthanc';
export const NGINX = '/usr/sbin/nginx';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const hasOrthanc = existsSync(ORTHANC) && existsSync(DICOMWEB_PLUGIN) && existsSync(NGINX);
export const SKIP_ORTHANC = `Orthanc with its DICOMweb plugin and nginx are needed (apt-get install orthanc orthanc-dicomweb nginx): the DICOMweb tests are skipped`;

// CI installs them (.ci/run): there, their absence fails the run instead of skipping tests silently.
if (!hasOrthanc && process.env.FOCUSLITE_REQUIRE_SHARED === '1') throw new Error(`FOCUSLITE_REQUIRE_SHARED=1 but ${SKIP_ORTHANC}`);

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, what: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode}): ${log()}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url} within 10 s: ${log()}`);
}

export interface DicomWebServer {
  /** Orthanc's own DICOMweb root (no CORS headers). */
  orthanc: string;
  /** The same through the nginx CORS proxy. */
  proxied: string;
  /** Uploads DICOM files (POST /instances). */
  upload(files: string[]): Promise<void>;
  /** Study and series UIDs of what is stored. */
  series(): Promise<{ study: string; series: string }[]>;
  /** The requests the nginx proxy has answered so far, as "METHOD PATH STATUS" (preflights included). */
  proxyLog(): string[];
  stop(): Promise<void>;
}

export async function startDicomWeb(viewerOrigin: string): Promise<DicomWebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'focuslite-orthanc-'));
  const [httpPort, dicomPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(join(dir, 'storage'));
  writeFileSync(
    join(dir, 'orthanc.json'),
    JSON.stringify({
      Name: 'focuslite-test', HttpPort: httpPort, DicomPort: dicomPort, StorageDirectory: join(dir, 'storage'), IndexDirectory: join(dir, 'storage'),
      RemoteAccessAllowed: false, AuthenticationEnabled: false, Plugins: [DICOMWEB_PLUGIN], DicomWeb: { Enable: true, Root: '/dicom-web/' },
    }),
  );
  let orthancLog = '';
  const orthanc = spawn(ORTHANC, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  orthanc.stdout!.on('data', (d: Buffer) => (orthancLog = (orthancLog + d.toString()).slice(-4000)));
  orthanc.stderr!.on('data', (d: Buffer) => (orthancLog = (orthancLog + d.toString()).slice(-4000)));
  const orthancUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(`${orthancUrl}/system`, 'Orthanc', orthanc, () => orthancLog);

  const server = readFileSync(resolve(import.meta.dirname, '../docs/dicomweb-cors.nginx.conf'), 'utf8')
    .replaceAll('VIEWER_ORIGIN', viewerOrigin)
    .replaceAll('LISTEN', `127.0.0.1:${proxyPort}`)
    .replaceAll('ORTHANC', `127.0.0.1:${httpPort}`);
  for (const d of ['client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 64; }
http { log_format focuslite '$request_method $uri $status'; access_log ${dir}/access.log focuslite; client_body_temp_path ${dir}/client; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${server}
}
`,
  );
  let nginxLog = '';
  const nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr!.on('data', (d: Buffer) => (nginxLog = (nginxLog + d.toString()).slice(-4000)));
  const proxied = `http://127.0.0.1:${proxyPort}/dicom-web`;
  await waitFor(`${proxied}/studies`, 'nginx', nginx, () => nginxLog + (existsSync(join(dir, 'nginx-error.log')) ? readFileSync(join(dir, 'nginx-error.log'), 'utf8') : ''));

  const stopped = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null ? r() : p.once('exit', () => r())));
  return {
    orthanc: `${orthancUrl}/dicom-web`,
    proxied,
    async upload(files) {
      for (const f of files) {
        const r = await fetch(`${orthancUrl}/instances`, { method: 'POST', body: readFileSync(f) });
        if (!r.ok) throw new Error(`Orthanc refused ${f}: ${r.status} ${await r.text()}`);
      }
    },
    async series() {
      const studies = (await (await fetch(`${orthancUrl}/dicom-web/studies`)).json()) as Record<string, { Value?: string[] }>[];
      const out: { study: string; series: string }[] = [];
      for (const st of studies) {
        const study = st['0020000D']?.Value?.[0] ?? '';
        const list = (await (await fetch(`${orthancUrl}/dicom-web/studies/${study}/series`)).json()) as Record<string, { Value?: string[] }>[];
        for (const se of list) out.push({ study, series: se['0020000E']?.Value?.[0] ?? '' });
      }
      return out;
    },
    proxyLog() {
      const log = join(dir, 'access.log');
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    },
    async stop() {
      nginx.kill('SIGTERM');
      orthanc.kill('SIGTERM');
      await Promise.all([stopped(nginx), stopped(orthanc)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The .dcm files of a folder. */
export function dicomFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f));
}
