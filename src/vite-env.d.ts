/// <reference types="vite/client" />

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options: object) => Promise<unknown>;
  export default factory;
}
