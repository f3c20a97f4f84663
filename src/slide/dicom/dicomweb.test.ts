import { rmSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test-support/cli.ts';
import { dicomize, hasDicomizer, SKIP_DICOMIZER } from '../../../test-support/dicomizer.ts';
import { dicomFiles, hasOrthanc, SKIP_ORTHANC, startDicomWeb, type DicomWebServer } from '../../../test-support/orthanc.ts';
import { hasShared, sharedPath, SKIP_SHARED_MESSAGE } from '../../../test-support/shared.ts';
import { nodeCodecs, openSlideFile } from '../node.ts';
import { SlideError } from '../types.ts';
import { DicomWebClient, dicomWebPath, listSlideStudies, multipartParts, openDicomWeb, parseDicomWebPath } from './dicomweb.ts';

const enc = new TextEncoder();

describe('DICOMweb client', () => {
  const respond = (status: number, body = '', headers: Record<string, string> = {}) => new Response(status === 204 ? null : body, { status, headers });

  it('retries 5xx with back-off, then says how many tries failed', async () => {
    let calls = 0;
    const client = new DicomWebClient('http://pacs.test/dicom-web', undefined, { fetch: async () => (calls++, respond(503)), retries: 2 });
    await expect(client.get('studies', 'application/dicom+json')).rejects.toThrow(/http:\/\/pacs\.test\/dicom-web\/studies: 503 .*\(after 3 tries\)/);
    expect(calls).toBe(3);
    let n = 0;
    const flaky = new DicomWebClient('http://pacs.test/dicom-web', undefined, { fetch: async () => (++n < 2 ? respond(500) : respond(200, '[]')) });
    expect((await flaky.get('studies', 'application/dicom+json')).status).toBe(200);
  });

  it('a refused token (401/403) and a missing series (404) are not retried, and say what to check', async () => {
    let calls = 0;
    const seen: (string | null)[] = [];
    const client = new DicomWebClient('http://pacs.test/dicom-web', 'secret', {
      fetch: async (_url, init) => {
        calls++;
        seen.push(new Headers(init?.headers).get('Authorization'));
        return respond(401);
      },
    });
    await expect(client.get('studies', 'application/dicom+json')).rejects.toThrow(/refused access \(401\); check the token/);
    expect(calls).toBe(1);
    expect(seen).toEqual(['Bearer secret']);
    const missing = new DicomWebClient('http://pacs.test/dicom-web', undefined, { fetch: async () => respond(404) });
    await expect(openDicomWeb({ base: 'http://pacs.test/dicom-web', study: '1.2', series: '3.4' }, nodeCodecs, { fetch: async () => respond(404) })).rejects.toThrow(/not found on the DICOMweb server \(404\)/);
    await expect(missing.get('x', 'a')).rejects.toBeInstanceOf(SlideError);
  });

  it('a server that does not answer times out, and a network failure mentions CORS', async () => {
    const hang = new DicomWebClient('http://pacs.test/dicom-web', undefined, {
      timeoutMs: 50,
      retries: 0,
      fetch: (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error))),
    });
    await expect(hang.get('studies', 'a')).rejects.toThrow(/no answer within 0\.05 s/);
    const down = new DicomWebClient('http://pacs.test/dicom-web', undefined, { retries: 0, fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(down.get('studies', 'a')).rejects.toThrow(/network error \(Failed to fetch; is the server up, and does it allow this origin \(CORS\)\?\)/);
  });

  it('takes the frames out of a multipart/related answer in order, or a single-part answer as it is', () => {
    const body = enc.encode('--b1\r\nContent-Type: image/jpeg\r\n\r\nFRAME\r\nONE\r\n--b1\r\nContent-Type: image/jpeg\r\n\r\nTWO\r\n--b1--\r\n');
    expect(multipartParts(body, 'multipart/related; type="image/jpeg"; boundary=b1', 'x').map((p) => new TextDecoder().decode(p))).toEqual(['FRAME\r\nONE', 'TWO']);
    expect(multipartParts(enc.encode('RAW'), 'image/jpeg', 'x')).toEqual([enc.encode('RAW')]);
    expect(() => multipartParts(enc.encode('--b1\r\nno end'), 'multipart/related; boundary=b1', 'x')).toThrow(/multipart answer is malformed/);
  });

  it('falls back to rendered frames (PNG) when the server cannot send them as stored (406)', async () => {
    const png = await sharp(Buffer.alloc(16 * 16 * 3, 90), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
    const v = (vr: string, ...Value: unknown[]) => ({ vr, Value });
    const instance = {
      '00080016': v('UI', '1.2.840.10008.5.1.4.1.1.77.1.6'), '00080018': v('UI', '1.2.3.4.5'), '0020000E': v('UI', '3.4'),
      '00280010': v('US', 16), '00280011': v('US', 16), '00280008': v('IS', 2), '00480006': v('UL', 32), '00480007': v('UL', 16),
      '00280002': v('US', 3), '00280100': v('US', 8), '00280004': v('CS', 'YBR_FULL_422'),
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    };
    const asked: string[] = [];
    const fetchFake = async (url: string | URL | Request) => {
      const u = String(url);
      asked.push(u.replace('http://pacs.test/dicom-web/studies/1.2/series/3.4', ''));
      if (u.endsWith('/metadata')) return respond(200, JSON.stringify([instance]), { 'Content-Type': 'application/dicom+json' });
      if (u.endsWith('/rendered')) return new Response(png, { status: 200, headers: { 'Content-Type': 'image/png' } });
      return respond(406);
    };
    const slide = await openDicomWeb({ base: 'http://pacs.test/dicom-web', study: '1.2', series: '3.4' }, nodeCodecs, { fetch: fetchFake as typeof fetch });
    const img = await slide.readRegion(0, 0, 0, 32, 16);
    expect([img.data[0], img.data[(16 * 32 - 1) * 4]]).toEqual([90, 90]);
    // As stored, unquoted (no preflight) then quoted; both refused: rendered, a frame at a time.
    expect(asked).toEqual(['/metadata', '/instances/1.2.3.4.5/frames/1,2', '/instances/1.2.3.4.5/frames/1,2', '/instances/1.2.3.4.5/frames/1/rendered', '/instances/1.2.3.4.5/frames/2/rendered']);
    expect(JSON.stringify(slide.info)).not.toMatch(/Doe/);
  });

  describe('a series with a large level (an item per frame) and a small one', async () => {
    const png = await sharp(Buffer.alloc(16 * 16 * 3, 90), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
    const v = (vr: string, ...Value: unknown[]) => ({ vr, Value });
    const level = (sop: string, side: number, position?: (frame: number) => [number, number]) => {
      const across = side / 16;
      const frames = across * across;
      return {
        '00080016': v('UI', '1.2.840.10008.5.1.4.1.1.77.1.6'), '00080018': v('UI', sop), '0020000E': v('UI', '3.4'), '00080008': v('CS', 'ORIGINAL', 'PRIMARY', 'VOLUME'),
        '00280010': v('US', 16), '00280011': v('US', 16), '00280008': v('IS', frames), '00480006': v('UL', side), '00480007': v('UL', side),
        '00280002': v('US', 3), '00280100': v('US', 8), '00280004': v('CS', 'RGB'),
        // Per-frame positions, stored column by column (as the shared TCGA-XK-AAJU file).
        '52009230': v('SQ', ...Array.from({ length: frames }, (_, f) => {
          const [col, row] = position?.(f) ?? [Math.floor(f / across) * 16 + 1, (f % across) * 16 + 1];
          return { '0048021A': v('SQ', { '0048021E': v('SL', col), '0048021F': v('SL', row) }) };
        })),
      };
    };
    const base = 'http://pacs.test/dicom-web';
    const prefix = `${base}/studies/1.2/series/3.4`;
    const server = (instances: object[], failFrames = (_: string) => false) => {
      const asked: string[] = [];
      const fetchFake = async (url: string | URL | Request) => {
        const u = String(url).replace(prefix, '');
        asked.push(u);
        if (u.endsWith('/metadata')) return respond(200, JSON.stringify(instances), { 'Content-Type': 'application/dicom+json' });
        if (failFrames(u)) return respond(503);
        const count = u.split('/frames/')[1]!.split(',').length;
        const parts = Array.from({ length: count }, () => [enc.encode('--b\r\nContent-Type: application/octet-stream\r\n\r\n'), png, enc.encode('\r\n')]).flat();
        const body = Buffer.concat([...parts, enc.encode('--b--\r\n')]);
        return new Response(body, { status: 200, headers: { 'Content-Type': 'multipart/related; type="application/octet-stream"; boundary=b' } });
      };
      return { asked, fetch: fetchFake as typeof fetch };
    };

    it('fetches the small level whole when it opens, and a scan band ahead of the scan in one request', async () => {
      const s = server([level('9.1', 320), level('9.2', 32)]);
      const slide = await openDicomWeb({ base, study: '1.2', series: '3.4' }, nodeCodecs, { fetch: s.fetch });
      await new Promise((r) => setTimeout(r, 10));
      expect(s.asked).toEqual(['/metadata', '/instances/9.2/frames/1,2,3,4']); // 400 frames of level 0: not yet
      await slide.readRegion(1, 0, 0, 32, 32);
      expect(s.asked).toHaveLength(2); // the view of the small level asked for nothing more
      // A scan's hint: the band y 0–47 from x 16 on, 19 columns × 3 rows; then its reads ask for nothing more.
      slide.prefetch(0, 16, 0, 304, 48);
      const band = s.asked.at(-1)!.split('/frames/')[1]!.split(',').map(Number);
      expect(s.asked).toHaveLength(3);
      expect(band).toHaveLength(19 * 3);
      const img = await slide.readRegion(0, 16, 0, 304, 48);
      expect(s.asked).toHaveLength(3);
      expect([img.data[0], img.data[img.data.length - 4]]).toEqual([90, 90]);
      slide.prefetch(0, 16, 0, 304, 48); // decoded already: nothing asked
      expect(s.asked).toHaveLength(3);
    });

    it('asks for frames with an Accept a browser sends without a CORS preflight, and in the quoted form when the server wants that (400)', async () => {
      const accepts: string[] = [];
      const quotedOnly = server([level('9.1', 320), level('9.2', 32)]);
      const fetchQuoted = (async (url: string | URL | Request, init?: RequestInit) => {
        const accept = new Headers(init?.headers).get('Accept') ?? '';
        if (String(url).includes('/frames/')) accepts.push(accept);
        return String(url).includes('/frames/') && !accept.includes('"') ? respond(400) : quotedOnly.fetch(url, init);
      }) as typeof fetch;
      const slide = await openDicomWeb({ base, study: '1.2', series: '3.4' }, nodeCodecs, { fetch: fetchQuoted, retries: 0 });
      expect((await slide.readRegion(1, 0, 0, 32, 32)).data[0]).toBe(90);
      // CORS-safelisted: no double quote (nor any other unsafe byte) in the value.
      expect(accepts[0]).toBe('multipart/related; type=application/octet-stream; transfer-syntax=*');
      expect(accepts[0]).not.toMatch(/["():<>?@[\\\]{}]/);
      expect(accepts.slice(1).every((a) => a === 'multipart/related; type="application/octet-stream"; transfer-syntax=*')).toBe(true);
      await slide.readRegion(0, 0, 0, 32, 32);
      expect(accepts.filter((a) => !a.includes('"'))).toHaveLength(1); // asked the unquoted way once only
    });

    it('a read-ahead that fails is asked for again by the read, which then works', async () => {
      const s = server([level('9.1', 320), level('9.2', 32)], (u) => u.split(',').length > 16);
      const slide = await openDicomWeb({ base, study: '1.2', series: '3.4' }, nodeCodecs, { fetch: s.fetch, retries: 0 });
      slide.prefetch(0, 0, 0, 320, 48);
      const img = await slide.readRegion(0, 0, 0, 64, 32);
      expect(img.data[0]).toBe(90);
      expect(s.asked.filter((u) => u.includes('/instances/9.1/'))).toHaveLength(2); // the failed read-ahead, then the read
    });

    it('a large level whose frame positions are off the grid fails when read, naming the frame; the series opens and its small level reads', async () => {
      const s = server([level('9.1', 320, (f) => [f === 7 ? 5 : (f % 20) * 16 + 1, Math.floor(f / 20) * 16 + 1]), level('9.2', 32)]);
      const slide = await openDicomWeb({ base, study: '1.2', series: '3.4' }, nodeCodecs, { fetch: s.fetch });
      expect((await slide.readRegion(1, 0, 0, 32, 32)).data[0]).toBe(90);
      await expect(slide.readRegion(0, 0, 0, 64, 64)).rejects.toThrow(/frame 8 is positioned at \(5, 1\), not on the 16×16 tile grid/);
    });
  });

  it('lists studies from a QIDO-RS answer, none for 204, and calls an answer that is not a JSON list an error', async () => {
    const study = { '0020000D': { vr: 'UI', Value: ['1.2.3'] }, '00080020': { vr: 'DA', Value: ['20261206'] }, '00201206': { vr: 'IS', Value: [2] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] } };
    const answer = (r: Response) => ({ fetch: async () => r });
    expect(await listSlideStudies('http://pacs.test/dicom-web', undefined, { offset: 0, limit: 25 }, answer(respond(200, JSON.stringify([study]))))).toEqual([{ study: '1.2.3', date: '20261206', description: '', series: 2 }]);
    expect(await listSlideStudies('http://pacs.test/dicom-web', undefined, { offset: 0, limit: 25 }, answer(respond(204)))).toEqual([]);
    await expect(listSlideStudies('http://pacs.test/dicom-web', undefined, { offset: 0, limit: 25 }, answer(respond(200, '<html>login</html>')))).rejects.toThrow(/studies\?ModalitiesInStudy=SM.*: the DICOMweb server's answer is not a JSON list/);
  });

  it('refuses study and series that are not UIDs before asking anything', async () => {
    await expect(openDicomWeb({ base: 'http://pacs.test', study: '1.2', series: '../x' }, nodeCodecs, { fetch: async () => respond(200) })).rejects.toThrow(/must be DICOM UIDs/);
  });

  it('names a series by a path string for the CLI and its worker threads, without the token', () => {
    const path = dicomWebPath({ base: 'http://h/dicom-web', study: '1.2', series: '3.4' });
    expect(parseDicomWebPath(path)).toEqual({ base: 'http://h/dicom-web', study: '1.2', series: '3.4' });
    expect(parseDicomWebPath('/data/slide.svs')).toBeUndefined();
  });
});

const ready = hasShared && hasDicomizer && hasOrthanc;
const why = !hasShared ? SKIP_SHARED_MESSAGE : !hasDicomizer ? SKIP_DICOMIZER : SKIP_ORTHANC;

describe.skipIf(!ready)(`DICOMweb from a real Orthanc${ready ? '' : ` (${why})`}`, () => {
  let server: DicomWebServer;
  let dir = '';
  let ids: { study: string; series: string };
  const tiff = sharedPath('slides/derived/CMU-1-pyramid-jpeg.tif');
  beforeAll(async () => {
    dir = dicomize(tiff);
    server = await startDicomWeb('http://127.0.0.1:1');
    await server.upload(dicomFiles(dir));
    [ids] = (await server.series()) as [{ study: string; series: string }];
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every level equals the TIFF’s pixels', async () => {
    const web = await openDicomWeb({ base: server.orthanc, ...ids }, nodeCodecs);
    const file = await openSlideFile(tiff);
    try {
      expect(web.info.levels.map((l) => l.width)).toEqual(file.info.levels.map((l) => l.width));
      for (let level = 0; level < web.info.levels.length; level++) {
        const { width, height } = web.info.levels[level]!;
        const [a, b] = await Promise.all([web.readRegion(level, 0, 0, width, height), file.readRegion(level, 0, 0, width, height)]);
        expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)), `level ${level}`).toBe(0);
      }
    } finally {
      web.close();
      file.close();
    }
  });

  it('focuslite scan --dicomweb finds the study’s SM series and scores it as the TIFF', () => {
    const web = runCli(['scan', '--dicomweb', server.orthanc, '--study', ids.study, '--json']);
    expect(web.status, web.stderr).toBe(0);
    const a = JSON.parse(web.stdout) as { slide: { name: string; format: string }; patches: { score: number | null }[] };
    const b = JSON.parse(runCli(['scan', tiff, '--json']).stdout) as typeof a;
    expect(a.slide).toMatchObject({ format: 'dicom', name: `series-${ids.series}` });
    expect(a.patches.map((p) => p.score)).toEqual(b.patches.map((p) => p.score));
    const usage = runCli(['scan', '--study', ids.study]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--study and --series go with --dicomweb/);
    const missing = runCli(['scan', '--dicomweb', server.orthanc, '--study', ids.study, '--series', '1.2.3']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/series-1\.2\.3: .*not found on the DICOMweb server \(404\)/);
  });
});
