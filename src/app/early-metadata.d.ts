// public/early-metadata.js: the DICOMweb series metadata it started fetching before the app loaded.
export {};

declare global {
  interface Window {
    focusliteEarlyMetadata?: { url: string; response: Promise<Response> };
  }
}
