// Security headers for the dev and preview servers (and the reference for any deployment):
// - COOP/COEP/CORP: cross-origin isolation, so onnxruntime-web may use SharedArrayBuffer;
// - a strict Content-Security-Policy: scripts, workers, WASM and models from this origin only (no inline scripts,
//   no eval; 'wasm-unsafe-eval' only because WebAssembly needs it), and network access limited to this origin plus
//   the origin of a slide the user opened by URL (?slide=…) or of a DICOMweb service (?dicomweb=…), also read from
//   the Referer for worker scripts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The origin of the slide URL in `?slide=` (or the DICOMweb service in `?dicomweb=`) of this URL, when it is another http(s) origin. */
export function slideOrigin(url: string | undefined, base: string): string | undefined {
  if (!url) return undefined;
  try {
    const params = new URL(url, base).searchParams;
    const slide = params.get('slide') ?? params.get('dicomweb');
    if (!slide) return undefined;
    const origin = new URL(slide, base).origin;
    return /^https?:\/\/[^\s;,'"]+$/.test(origin) && origin !== new URL(base).origin ? origin : undefined;
  } catch {
    return undefined;
  }
}

export function contentSecurityPolicy(extraOrigin?: string, dev = false): string {
  const extra = extraOrigin ? ` ${extraOrigin}` : '';
  return [
    "default-src 'self'",
    // Vite's dev server injects an inline React-refresh preamble and talks to its HMR socket; production has neither.
    `script-src 'self' 'wasm-unsafe-eval'${dev ? " 'unsafe-inline'" : ''}`,
    "worker-src 'self'",
    `connect-src 'self'${extra}${dev ? ' ws: wss:' : ''}`,
    `img-src 'self' blob: data:${extra}`,
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(): Plugin {
  const middleware = (dev: boolean) => (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    const origin = slideOrigin(req.url, base) ?? slideOrigin(req.headers.referer, base);
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(origin, dev));
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
  return {
    name: 'focuslite-security-headers',
    configureServer(server) {
      server.middlewares.use(middleware(true));
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware(false));
    },
  };
}
