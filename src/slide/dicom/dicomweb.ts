// A DICOM WSI series read from a DICOMweb service: the instances' metadata (WADO-RS `…/series/UID/metadata`) describe
// the pyramid, and each tile is one frame (`…/instances/UID/frames/N`, several per request), asked for in the transfer
// syntax it is stored in (`transfer-syntax=*`) so JPEG tiles arrive as they were scanned and decode exactly as from a
// file; a server that cannot (406) sends them rendered as PNG instead. Requests are bounded (a few in flight), retried
// with back-off on 5xx and network errors, and time out; a refused token or a missing series is a specific message.
import type { Codecs } from '../codecs.ts';
import { SlideError } from '../types.ts';
import { text, Tags, type Dataset } from './dataset.ts';
import { DicomSlide, instanceFromDataset, type DicomInstance, type FrameSource } from './dicom-slide.ts';
import { jsonToDataset } from './json-dataset.ts';

export interface DicomWebSeries {
  /** The service root, e.g. https://pacs.example.org/dicom-web */
  base: string;
  study: string;
  series: string;
  /** Bearer token typed by the user; kept in memory only. */
  token?: string;
}

export interface DicomWebOptions {
  fetch?: typeof fetch;
  /** Milliseconds before a request without an answer is given up (and retried). */
  timeoutMs?: number;
  /** Requests in flight at once, per slide. */
  concurrency?: number;
  retries?: number;
}

/**
 * Frames in their stored syntax. Unquoted, the Accept value is one a browser sends to another origin without a CORS
 * preflight (a quote is not among the safelisted bytes), so a frames request costs one round trip instead of two;
 * a server that wants the quoted form of PS3.18's examples answers 400 or 406 and is asked that way from then on.
 */
const FRAME_ACCEPT = 'multipart/related; type=application/octet-stream; transfer-syntax=*';
const FRAME_ACCEPT_QUOTED = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const UID = /^[0-9.]{1,64}$/;

/** Runs at most `limit` tasks at once (frames of one slide), first come first served. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** The server cannot answer in the form asked for (406): frames then come rendered. */
export class NotAcceptable extends SlideError {}

/** The server did not understand the request (400). */
export class BadRequest extends SlideError {}

export class DicomWebClient {
  /**
   * How this server is asked for frames, learned from its answers: as stored with the Accept a browser sends without a
   * preflight, else as stored with the quoted Accept, else (it refused both) `rendered` (PNG), a frame at a time.
   */
  frameAccept: string = FRAME_ACCEPT;
  private readonly fetch: typeof fetch;
  private readonly gate: Gate;
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(
    readonly base: string,
    private readonly token: string | undefined,
    options: DicomWebOptions = {},
  ) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.gate = new Gate(options.concurrency ?? 6);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
  }

  /** GET a path under the base; 5xx, time-outs and network errors are retried, other failures say what happened. */
  async get(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const url = `${this.base.replace(/\/+$/, '')}/${path}`;
    const headers: Record<string, string> = { Accept: accept };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: string;
      try {
        const timeout = AbortSignal.timeout(this.timeoutMs);
        response = await this.gate.run(() => this.fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout }));
        if (response.ok) return response;
        failure = `${response.status} ${response.statusText}`.trim();
        if (response.status === 401 || response.status === 403) throw new SlideError(`${url}: the DICOMweb server refused access (${failure}); check the token.`);
        if (response.status === 404) throw new SlideError(`${url}: not found on the DICOMweb server (404).`);
        if (response.status === 406) throw new NotAcceptable(`${url}: the DICOMweb server cannot send this as asked (406 Not Acceptable).`);
        if (response.status === 400) throw new BadRequest(`${url}: the DICOMweb server answered ${failure}.`);
        if (response.status < 500) throw new SlideError(`${url}: the DICOMweb server answered ${failure}.`);
      } catch (err) {
        if (err instanceof SlideError || signal?.aborted) throw err;
        failure = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : `network error (${err instanceof Error ? err.message : String(err)}; is the server up, and does it allow this origin (CORS)?)`;
      }
      if (attempt >= this.retries) throw new SlideError(`${url}: ${failure}${attempt ? ` (after ${attempt + 1} tries)` : ''}.`);
      await new Promise((resolve) => setTimeout(resolve, 250 * 4 ** attempt));
    }
  }
}

/** The parts of a multipart/related body (frames), in order; a single-part answer is one frame. */
export function multipartParts(body: Uint8Array, contentType: string, name: string): Uint8Array[] {
  const boundary = /boundary="?([^";,]+)"?/i.exec(contentType)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) return [body];
  const find = (needle: Uint8Array, from: number) => {
    outer: for (let i = from; i <= body.length - needle.length; i++) {
      for (let j = 0; j < needle.length; j++) if (body[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  };
  const enc = new TextEncoder();
  const delimiter = enc.encode(`\r\n--${boundary}`);
  const blank = enc.encode('\r\n\r\n');
  const parts: Uint8Array[] = [];
  let at = find(enc.encode(`--${boundary}`), 0);
  while (at >= 0) {
    const after = at + (at === 0 || body[at] === 0x2d ? 2 + boundary.length : delimiter.length);
    if (body[after] === 0x2d && body[after + 1] === 0x2d) break; // the closing delimiter
    const headersEnd = find(blank, after);
    const next = headersEnd < 0 ? -1 : find(delimiter, headersEnd + 4);
    if (headersEnd < 0 || next < 0) throw new SlideError(`${name}: the DICOMweb server's multipart answer is malformed.`);
    parts.push(body.subarray(headersEnd + 4, next));
    at = next;
  }
  if (parts.length === 0) throw new SlideError(`${name}: the DICOMweb server's multipart answer is malformed.`);
  return parts;
}

/** Frames asked for within one turn of the event loop are fetched together, up to this many per request. */
const FRAMES_PER_REQUEST = 16;

/**
 * Frames fetched per read-ahead request (prefetch). Servers pay mostly per request, not per frame: Orthanc 1.10 reads
 * and parses the whole instance for each one (0.36 s for an 80 MB level whether 16 or 1,024 frames are asked for). 512
 * frame numbers keep the URL under 3 KB, within every server's limit.
 */
export const PREFETCH_FRAMES = 512;
/** Frames fetched ahead and not read yet, at most (older ones are dropped). */
const MAX_AHEAD = 2048;

/**
 * An instance's frames over WADO-RS, several per request (`frames/3,4,9`): a scan asks for many tiles at once, and
 * one round trip per tile would bound it by the server's latency rather than its bandwidth.
 */
class FrameBatcher {
  private waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  /** Frames asked for by `prefetch`, in the order asked (fetched or in flight), until read. */
  private readonly ahead = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly client: DicomWebClient,
    private readonly path: string,
    private readonly name: string,
  ) {}

  read(index: number): Promise<Uint8Array> {
    const early = this.ahead.get(index);
    if (early) {
      this.ahead.delete(index);
      // A failed read-ahead is not the read's failure: ask again.
      return early.catch(() => this.read(index));
    }
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(index) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(index, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => this.flush(), 0);
      }
    });
  }

  /**
   * Frames that will be read soon, nearest first: the first PREFETCH_FRAMES not yet fetched are fetched in one request,
   * unless half that many of them are still waiting to be read (so a scan moving along keeps one request ahead of it).
   */
  prefetch(frames: readonly number[]): void {
    const wanted = frames.filter((f) => !this.waiting.has(f));
    if (wanted.filter((f) => this.ahead.has(f)).length >= PREFETCH_FRAMES / 2) return;
    const batch = wanted.filter((f) => !this.ahead.has(f)).slice(0, PREFETCH_FRAMES).sort((a, b) => a - b);
    if (batch.length === 0) return;
    const parts = this.fetch(batch);
    batch.forEach((f, k) => {
      const frame = parts.then((p) => p[k]!);
      frame.catch(() => this.ahead.get(f) === frame && this.ahead.delete(f));
      this.ahead.set(f, frame);
    });
    for (const f of this.ahead.keys()) {
      if (this.ahead.size <= MAX_AHEAD) break;
      this.ahead.delete(f);
    }
  }

  private flush(): void {
    this.scheduled = false;
    const all = [...this.waiting.keys()].sort((a, b) => a - b);
    for (let i = 0; i < all.length; i += FRAMES_PER_REQUEST) {
      const batch = all.slice(i, i + FRAMES_PER_REQUEST);
      const handlers = batch.map((f) => this.waiting.get(f)!);
      for (const f of batch) this.waiting.delete(f);
      void this.fetch(batch).then(
        (parts) => handlers.forEach((hs, k) => hs.forEach((h) => h.resolve(parts[k]!))),
        (err: unknown) => handlers.forEach((hs) => hs.forEach((h) => h.reject(err))),
      );
    }
  }

  private async fetch(frames: number[]): Promise<Uint8Array[]> {
    const server = this.client;
    while (server.frameAccept !== 'rendered') {
      const accept = server.frameAccept;
      try {
        return await this.stored(frames, accept);
      } catch (err) {
        const refused = err instanceof NotAcceptable || (err instanceof BadRequest && accept === FRAME_ACCEPT);
        if (!refused) throw err;
        if (server.frameAccept === accept) server.frameAccept = accept === FRAME_ACCEPT ? FRAME_ACCEPT_QUOTED : 'rendered';
      }
    }
    // A lossless rendering: the pixels the server decoded, not the bytes it stores (so not bit-identical to a file's).
    return Promise.all(frames.map(async (f) => new Uint8Array(await (await this.client.get(`${this.path}/frames/${f + 1}/rendered`, 'image/png')).arrayBuffer())));
  }

  private async stored(frames: number[], accept: string): Promise<Uint8Array[]> {
    const r = await this.client.get(`${this.path}/frames/${frames.map((f) => f + 1).join(',')}`, accept);
    const parts = multipartParts(new Uint8Array(await r.arrayBuffer()), r.headers.get('Content-Type') ?? '', this.name);
    if (parts.length !== frames.length) throw new SlideError(`${this.name}: asked the DICOMweb server for ${frames.length} frames, got ${parts.length}.`);
    return parts;
  }
}

function checkRef(ref: DicomWebSeries): void {
  if (!UID.test(ref.study) || !UID.test(ref.series)) throw new SlideError(`DICOMweb: study and series must be DICOM UIDs (digits and dots), not '${ref.study}' and '${ref.series}'.`);
  try {
    new URL(ref.base);
  } catch {
    throw new SlideError(`DICOMweb: '${ref.base}' is not a URL.`);
  }
}

/**
 * A series' metadata as the server sent it (DICOM JSON, not parsed): fetched once by the page and handed to every
 * slide worker, so a large series (one item per frame) is neither asked for nor downloaded once per worker.
 */
export async function fetchSeriesMetadata(ref: DicomWebSeries, options: DicomWebOptions = {}, signal?: AbortSignal): Promise<ArrayBuffer> {
  checkRef(ref);
  const client = new DicomWebClient(ref.base, ref.token, options);
  return (await client.get(seriesMetadataPath(ref), 'application/dicom+json', signal)).arrayBuffer();
}

/** Where a series' metadata is, under the service root. */
export function seriesMetadataPath(ref: Pick<DicomWebSeries, 'study' | 'series'>): string {
  return `studies/${ref.study}/series/${ref.series}/metadata`;
}

/** Opens a series from a DICOMweb service as one slide (its VOLUME instances, a level each). */
export async function openDicomWeb(ref: DicomWebSeries, codecs: Codecs, options: DicomWebOptions & { metadata?: ArrayBuffer } = {}, signal?: AbortSignal): Promise<DicomSlide> {
  checkRef(ref);
  const client = new DicomWebClient(ref.base, ref.token, options);
  const seriesPath = `studies/${ref.study}/series/${ref.series}`;
  const metadata = options.metadata ?? (await fetchSeriesMetadata(ref, options, signal));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(metadata));
  } catch {
    throw new SlideError(`${ref.base}/${seriesPath}/metadata: the DICOMweb server's answer is not JSON.`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new SlideError(`${ref.base}/${seriesPath}: the series has no instances.`);
  const instances: DicomInstance[] = [];
  let description = '';
  for (const item of json) {
    const ds = jsonToDataset(item, `${ref.base}/${seriesPath}`);
    const sop = text(ds, Tags.SOPInstanceUID) ?? '';
    if (!UID.test(sop)) throw new SlideError(`${ref.base}/${seriesPath}: an instance has no valid SOP Instance UID.`);
    description ||= text(ds, Tags.SeriesDescription) ?? '';
    const instancePath = `${seriesPath}/instances/${sop}`;
    const batcher = new FrameBatcher(client, instancePath, `${ref.base}/${instancePath}`);
    const frames: FrameSource = { name: `${ref.base}/${instancePath}`, size: 0, read: (index) => batcher.read(index), prefetch: (f) => batcher.prefetch(f), close: () => {} };
    instances.push(instanceFromDataset(ds, frames, { codec: 'sniff', name: 'DICOMweb, frames as stored' }));
  }
  const slide = DicomSlide.fromInstances(description || `DICOMweb series …${ref.series.slice(-12)}`, instances, codecs);
  // The first view shows the small levels: each comes in one request now instead of a request per tile as the viewer asks.
  slide.info.levels.forEach((l, level) => {
    if (Math.ceil(l.width / l.tileWidth) * Math.ceil(l.height / l.tileHeight) <= SMALL_LEVEL_FRAMES) slide.prefetch(level, 0, 0, l.width, l.height);
  });
  return slide;
}

/** Levels of at most this many tiles are fetched whole when a series opens (a 2048² level of 256² tiles). */
const SMALL_LEVEL_FRAMES = 64;

export interface StudyRow {
  study: string;
  date: string;
  description: string;
  series: number;
}

export interface SeriesRow {
  series: string;
  number: string;
  description: string;
  instances: number;
}

/** A QIDO-RS answer's items as data sets (204 No Content: none); an answer that is not a JSON array is an error. */
async function qidoItems(r: Response, url: string): Promise<Dataset[]> {
  if (r.status === 204) return [];
  let body: unknown;
  try {
    body = await r.json();
  } catch {
    body = undefined;
  }
  if (!Array.isArray(body)) throw new SlideError(`${url}: the DICOMweb server's answer is not a JSON list.`);
  return body.map((item) => jsonToDataset(item, url));
}

/**
 * One page of the studies holding slide-microscopy images (QIDO-RS). Only what tells studies apart without naming the
 * patient: date, description, number of series, UID.
 */
export async function listSlideStudies(base: string, token: string | undefined, page: { offset: number; limit: number }, options: DicomWebOptions = {}, signal?: AbortSignal): Promise<StudyRow[]> {
  const client = new DicomWebClient(base, token, options);
  const path = `studies?ModalitiesInStudy=SM&limit=${page.limit}&offset=${page.offset}&includefield=00081030&includefield=00201206`;
  const items = await qidoItems(await client.get(path, 'application/dicom+json', signal), `${base}/${path}`);
  return items.flatMap((ds) => {
    const study = text(ds, Tags.StudyInstanceUID) ?? '';
    if (!UID.test(study)) return [];
    return [{ study, date: text(ds, Tags.StudyDate) ?? '', description: text(ds, Tags.StudyDescription) ?? '', series: Number(text(ds, Tags.NumberOfStudyRelatedSeries)) || 0 }];
  });
}

/** The slide-microscopy series of a study, with their descriptions (QIDO-RS). */
export async function listSlideSeriesRows(base: string, study: string, token?: string, options: DicomWebOptions = {}, signal?: AbortSignal): Promise<SeriesRow[]> {
  if (!UID.test(study)) throw new SlideError(`DICOMweb: the study must be a DICOM UID (digits and dots), not '${study}'.`);
  const client = new DicomWebClient(base, token, options);
  const rows: SeriesRow[] = [];
  const page = 100;
  for (let offset = 0; ; offset += page) {
    const path = `studies/${study}/series?Modality=SM&limit=${page}&offset=${offset}&includefield=0008103E&includefield=00201209`;
    const items = await qidoItems(await client.get(path, 'application/dicom+json', signal), `${base}/${path}`);
    for (const ds of items) {
      const series = text(ds, Tags.SeriesInstanceUID) ?? '';
      if (UID.test(series) && !rows.some((x) => x.series === series)) {
        rows.push({ series, number: text(ds, Tags.SeriesNumber) ?? '', description: text(ds, Tags.SeriesDescription) ?? '', instances: Number(text(ds, Tags.NumberOfSeriesRelatedInstances)) || 0 });
      }
    }
    if (items.length < page) return rows;
  }
}

/** The SM (slide microscopy) series UIDs of a study. */
export async function listSlideSeries(base: string, study: string, token?: string, options: DicomWebOptions = {}, signal?: AbortSignal): Promise<string[]> {
  return (await listSlideSeriesRows(base, study, token, options, signal)).map((r) => r.series);
}

/** A DICOMweb series written as one string, for the places that name slides by path (the CLI and its worker threads). */
export const DICOMWEB_PREFIX = 'dicomweb:';

export function dicomWebPath(ref: Omit<DicomWebSeries, 'token'>): string {
  return `${DICOMWEB_PREFIX}${JSON.stringify({ base: ref.base, study: ref.study, series: ref.series })}`;
}

export function parseDicomWebPath(path: string): Omit<DicomWebSeries, 'token'> | undefined {
  if (!path.startsWith(DICOMWEB_PREFIX)) return undefined;
  try {
    const r = JSON.parse(path.slice(DICOMWEB_PREFIX.length)) as Record<string, unknown>;
    if (typeof r.base === 'string' && typeof r.study === 'string' && typeof r.series === 'string') return { base: r.base, study: r.study, series: r.series };
  } catch {
    // not ours
  }
  return undefined;
}
